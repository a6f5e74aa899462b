package desk

import (
	"context"
	"iter"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/registry"
	"sportello/store"
)

// moreHarness is a desk over a register with electoral registrations and a
// care home: Mario Rossi (listed, section 3), his son Pietro (a minor), Sara
// Haddad (Moroccan) and Ada Bianchi, a guest of the RSA Villa Serena.
func moreHarness(t *testing.T) *harness {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "more.db"), store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	person := func(uid, surname, name string, sex registry.Sex, born registry.Date, citizenship string) registry.Person {
		place := "A269"
		if citizenship != registry.Italy {
			place = citizenship
		}
		cf, err := registry.ComputeCF(surname, name, sex, born, place)
		if err != nil {
			t.Fatal(err)
		}
		return registry.Person{UID: uid, CF: cf, Surname: surname, Name: name, Sex: sex, BirthDate: born, BirthPlace: place,
			Citizenships: []string{citizenship}, CivilStatus: registry.Single, Status: registry.Resident}
	}
	mario := person("p1", "Rossi", "Mario", registry.Male, registry.NewDate(1970, 5, 10), registry.Italy)
	pietro := person("p2", "Rossi", "Pietro", registry.Male, registry.NewDate(2015, 7, 1), registry.Italy)
	sara := person("p3", "Haddad", "Sara", registry.Female, registry.NewDate(1980, 1, 1), "Z330")
	ada := person("p4", "Bianchi", "Ada", registry.Female, registry.NewDate(1932, 3, 3), registry.Italy)
	hs := []registry.Household{
		{
			Family:    registry.Family{UID: "f1", FormedOn: registry.NewDate(2010, 1, 1)},
			Address:   registry.Address{Toponym: "VIA", Street: "ROMA", HouseNumber: "12", Postcode: "03012", Place: "A269"},
			Members:   []registry.Member{{Person: mario, Relationship: registry.Householder}, {Person: pietro, Relationship: registry.Child}, {Person: sara, Relationship: registry.Cohabitant}},
			Electoral: []registry.ElectoralEntry{{PersonUID: "p1", Electoral: registry.Electoral{Section: 3, Number: 117, Since: registry.NewDate(1988, 5, 10)}}},
		},
		{
			Family: registry.Family{UID: "f2", FormedOn: registry.NewDate(2001, 1, 1),
				Convivenza: registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Dott.ssa Paola Conti"}},
			Address: registry.Address{Toponym: "VIA", Street: "DEI TIGLI", HouseNumber: "4", Postcode: "03012", Place: "A269"},
			Members: []registry.Member{{Person: ada, Relationship: registry.RelationshipUnknown}},
		},
	}
	seq := func(yield func(registry.Household, error) bool) {
		for _, h := range hs {
			if !yield(h, nil) {
				return
			}
		}
	}
	ctx := context.Background()
	if _, err := s.Load(ctx, iter.Seq2[registry.Household, error](seq), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "test", access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}, testPassword); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	deps := Deps{
		Directory: s, Registry: s, Auth: s,
		Office: Office{Municipality: "Comune di Anagni", Office: "Sportello unico", DeskCode: "D01"},
		Now:    func() time.Time { return testNow },
	}
	h := &harness{t: t, fx: &fixture{store: s}, q: &uiQueue{}, win: w}
	h.desk = newDesk(fyne.CurrentApp(), w, deps, h.q.do)
	t.Cleanup(func() {
		if h.desk.shell != nil {
			h.desk.onLogout()
		}
	})
	return h
}

func TestRecordElectoralAndConvivenza(t *testing.T) {
	h := moreHarness(t)
	h.enterAs(clerkUser)
	for _, tc := range []struct {
		search string
		want   []string
		not    []string
	}{
		{"rossi mario", []string{"Liste elettorali", "Iscritto dal 10/05/1988: sezione 3, numero 117", "Famiglia"}, []string{"Convivenza"}},
		{"rossi pietro", []string{"Non iscritto: minorenne"}, nil},
		{"haddad sara", []string{"Non iscritto: cittadino di uno stato non appartenente all'UE"}, nil},
		{"bianchi ada", []string{"Convivenza", "RSA Villa Serena", "Istituto di cura", "Dott.ssa Paola Conti", "Membro della convivenza",
			"Non iscritto: non presente nelle liste del comune"}, []string{"Famiglia"}},
	} {
		t.Run(tc.search, func(t *testing.T) {
			h.desk.shell.registry.search.SetText("")
			pv := h.openRecord(tc.search)
			h.waitFor("the record of "+tc.search, func() bool {
				return strings.Contains(strings.ToLower(pv.title.Text), strings.Fields(tc.search)[1])
			})
			markup := rendered(pv.body)
			for _, w := range tc.want {
				if !strings.Contains(markup, strings.ReplaceAll(w, "'", "&#39;")) && !strings.Contains(markup, w) {
					t.Errorf("record of %s lacks %q", tc.search, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(markup, ">"+w+"<") {
					t.Errorf("record of %s shows %q", tc.search, w)
				}
			}
		})
	}
}

// TestMoveToAnotherFamily: Sara Haddad leaves the Rossi family for the care
// home; a move into her own family is refused in Italian.
func TestMoveToAnotherFamily(t *testing.T) {
	h := moreHarness(t)
	h.enterAs(clerkUser)
	ctx := context.Background()
	ms, err := h.fx.store.Search(ctx, registry.Query{Words: []string{"BIANCHI", "ADA"}}, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("Ada: %v %v", ms, err)
	}
	ada := ms[0].CF
	ms, err = h.fx.store.Search(ctx, registry.Query{Words: []string{"ROSSI", "MARIO"}}, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("Mario: %v %v", ms, err)
	}
	mario := ms[0].CF

	pv := h.openRecord("haddad sara")
	test.Tap(pv.edits.move)
	f := pv.edits.opened.(*moveForm)
	test.Type(f.householderCF, mario)
	f.relationship.SetSelectedIndex(0)
	f.from.SetText("01/11/2026")
	if got := h.save(pv); !strings.Contains(got.problem.Text, "già componente") {
		t.Errorf("own family: %q", got.problem.Text)
	}
	f.householderCF.SetText(ada)
	f.relationship.SetSelected(relationshipName(registry.OtherRelative, registry.Female))
	h.save(pv)
	h.waitFor("the record after the move", func() bool { return pv.shown() && pv.record.Family.IsConvivenza() })
	if markup := rendered(pv.body); !strings.Contains(markup, "RSA Villa Serena") {
		t.Error("the record does not show the care home")
	}
	if n := len(pv.record.Members); n != 2 {
		t.Errorf("%d members in the care home", n)
	}
}
