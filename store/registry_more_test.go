package store

import (
	"context"
	"slices"
	"testing"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// moreHouseholds is a small register with electoral registrations and two
// convivenze: a care home whose director lives elsewhere, and a religious
// community whose superior is one of its members.
func moreHouseholds(tb testing.TB) []registry.Household {
	tb.Helper()
	var u uids
	addr := func(street, number string) registry.Address {
		return registry.Address{UID: u.next("addr"), Toponym: "VIA", Street: street, HouseNumber: number, Postcode: "03012", Place: "A269"}
	}
	withUID := func(p registry.Person) registry.Person {
		p.UID = u.next("person")
		return p
	}
	mario := withUID(newPerson(tb, "Rossi", "Mario", registry.Male, "1970-05-10", "A269"))
	nicolo := withUID(newPerson(tb, "Rossi", "Nicolò", registry.Male, "2015-07-01", "A269"))
	amina := withUID(newPerson(tb, "Haddad", "Amina", registry.Female, "1980-01-01", "Z330"))
	amina.Citizenships = []string{"Z330"} // Morocco
	pierre := withUID(newPerson(tb, "Dupont", "Pierre", registry.Male, "1975-01-01", "Z110"))
	pierre.Citizenships = []string{"Z110"} // France
	ada := withUID(newPerson(tb, "Bianchi", "Ada", registry.Female, "1932-03-03", "A269"))
	teresa := withUID(newPerson(tb, "Neri", "Teresa", registry.Female, "1955-09-09", "H501"))
	chiara := withUID(newPerson(tb, "Verdi", "Chiara", registry.Female, "1990-10-10", "H501"))
	roma, villa, convent := addr("ROMA", "12"), addr("DEI TIGLI", "4"), addr("SAN MAGNO", "1")
	return []registry.Household{
		{
			Family:  registry.Family{UID: u.next("family"), FormedOn: date(tb, "2010-01-01")},
			Address: roma,
			Members: []registry.Member{
				{Person: mario, Relationship: registry.Householder},
				{Person: nicolo, Relationship: registry.Child},
				{Person: amina, Relationship: registry.Cohabitant},
				{Person: pierre, Relationship: registry.OtherRelative},
			},
			Electoral: []registry.ElectoralEntry{{PersonUID: mario.UID, Electoral: registry.Electoral{Section: 3, Number: 117, Since: date(tb, "1988-05-10")}}},
		},
		{
			Family: registry.Family{UID: u.next("family"), FormedOn: date(tb, "2001-01-01"),
				Convivenza: registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Dott.ssa Paola Conti"}},
			Address: villa,
			Members: []registry.Member{{Person: ada, Relationship: registry.RelationshipUnknown}},
		},
		{
			Family: registry.Family{UID: u.next("family"), FormedOn: date(tb, "1990-01-01"),
				Convivenza: registry.Convivenza{Name: "Monastero di San Magno", Species: registry.SpeciesReligious, Responsible: "Suor Teresa Neri", ResponsibleUID: teresa.UID}},
			Address: convent,
			Members: []registry.Member{{Person: teresa, Relationship: registry.RelationshipUnknown}, {Person: chiara, Relationship: registry.RelationshipUnknown}},
		},
	}
}

func TestElectoralAndConvivenza(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, seqOf(moreHouseholds(t)), nil); err != nil {
		t.Fatal(err)
	}
	today := registry.NewDate(2026, 3, 2)
	for _, tc := range []struct {
		surname, name string
		registered    bool
		section, num  int
		reason        registry.ElectoralReason
		convivenza    string
		species       registry.ConvivenzaSpecies
		responsibleIn bool
	}{
		{"Rossi", "Mario", true, 3, 117, registry.ElectoralRegistered, "", "", false},
		{"Rossi", "Nicolò", false, 0, 0, registry.ElectoralMinor, "", "", false},
		{"Haddad", "Amina", false, 0, 0, registry.ElectoralForeign, "", "", false},
		{"Dupont", "Pierre", false, 0, 0, registry.ElectoralForeignEU, "", "", false},
		{"Bianchi", "Ada", false, 0, 0, registry.ElectoralNotListed, "RSA Villa Serena", registry.SpeciesCare, false},
		{"Verdi", "Chiara", false, 0, 0, registry.ElectoralNotListed, "Monastero di San Magno", registry.SpeciesReligious, true},
	} {
		t.Run(tc.surname+" "+tc.name, func(t *testing.T) {
			rec, err := s.FullRecord(ctx, idOf(t, s, tc.surname, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			e := rec.Electoral
			if e.Registered != tc.registered || e.Section != tc.section || e.Number != tc.num {
				t.Errorf("electoral %+v", e)
			}
			if got := registry.ElectoralReasonFor(rec.Person, e, today); got != tc.reason {
				t.Errorf("reason %q, want %q", got, tc.reason)
			}
			c := rec.Family.Convivenza
			if c.Name != tc.convivenza || c.Species != tc.species || rec.Family.IsConvivenza() != (tc.species != "") {
				t.Errorf("convivenza %+v", c)
			}
			if tc.responsibleIn != (c.ResponsibleID != 0) {
				t.Errorf("responsible id %d", c.ResponsibleID)
			}
			if tc.responsibleIn && c.ResponsibleID != idOf(t, s, "Neri", "Teresa") {
				t.Errorf("responsible id %d is not Teresa Neri", c.ResponsibleID)
			}
		})
	}
	// as at a date before the registration: not yet in the lists
	rec, err := s.RecordAsAt(ctx, idOf(t, s, "Rossi", "Mario"), registry.NewDate(1988, 5, 9))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Electoral.Registered {
		t.Errorf("as at 1988-05-09: %+v", rec.Electoral)
	}
	if n := count(t, s, "electoral_registration"); n != 1 {
		t.Errorf("%d registrations", n)
	}
}

func TestLoadRefusesBadConvivenzaAndElectoral(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*registry.Household)
	}{
		{"species", func(h *registry.Household) { h.Family.Convivenza.Species = "hotel" }},
		{"section", func(h *registry.Household) {
			h.Electoral = []registry.ElectoralEntry{{PersonUID: h.Members[0].Person.UID, Electoral: registry.Electoral{Section: 0, Number: 1}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := moreHouseholds(t)
			tc.spoil(&hs[1])
			_, err := openTest(t).Load(context.Background(), seqOf(hs), nil)
			if fault.Code(err) != fault.Invalid {
				t.Errorf("Load: %v, want invalid", err)
			}
		})
	}
}

// TestFamilyAsAtFollowsMembership: the as-at family lists who was a member
// on the date: a member who joined later is not there yet, one who left
// since is.
func TestFamilyAsAtFollowsMembership(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, seqOf(moreHouseholds(t)), nil); err != nil {
		t.Fatal(err)
	}
	mario := idOf(t, s, "Rossi", "Mario")
	rec := record(t, s, mario)
	if len(rec.Members) != 4 || rec.Members[0].From != registry.NewDate(2010, 1, 1) {
		t.Fatalf("members %+v", rec.Members)
	}
	// a newborn joins on 2026-02-01
	baby := newPerson(t, "Rossi", "Giulia", registry.Female, "2026-02-01", "A269")
	_, err := s.AddMember(ctx, testClerk, registry.NewMember{FamilyID: rec.Family.ID, FamilyVersion: rec.Family.Version,
		Person: baby, Relationship: registry.Child, From: baby.BirthDate, Reason: registry.ReasonBirth})
	if err != nil {
		t.Fatal(err)
	}
	// Pierre left the family on 2020-06-30 (a stay closed, as a move to
	// another family closes it)
	pierre := idOf(t, s, "Dupont", "Pierre")
	if _, err := s.w.ExecContext(ctx, `UPDATE family_member SET to_date = '2020-06-30' WHERE person_id = ?`, pierre); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE person SET family_id = NULL WHERE id = ?`, pierre); err != nil {
		t.Fatal(err)
	}
	rec = record(t, s, mario)
	if len(rec.Former) != 1 || rec.Former[0].Person.ID != pierre || rec.Former[0].To != registry.NewDate(2020, 6, 30) {
		t.Errorf("former members %+v", rec.Former)
	}
	for _, tc := range []struct {
		on   registry.Date
		want []string
	}{
		{registry.NewDate(2026, 3, 1), []string{"Mario", "Nicolò", "Amina", "Giulia"}},
		{registry.NewDate(2020, 6, 30), []string{"Mario", "Nicolò", "Amina", "Pierre"}},
		{registry.NewDate(2016, 1, 1), []string{"Mario", "Nicolò", "Amina", "Pierre"}},
		{registry.NewDate(2012, 1, 1), []string{"Mario", "Amina", "Pierre"}}, // before Nicolò's birth
		{registry.NewDate(2009, 12, 31), nil},                                // before the family was formed
	} {
		asAt, err := s.RecordAsAt(ctx, mario, tc.on)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range asAt.Members {
			got = append(got, m.Person.Name)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("as at %s: %v, want %v", tc.on, got, want)
		}
	}
}

func TestMoveToFamily(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, surname, first string
		householderCF        func(s *Store) string
		rel                  registry.Relationship
		from                 registry.Date
		user                 access.User
		stale                bool
		want                 string // fault code; "" moves
	}{
		{"moves", "Verdi", "Chiara", cfOf("Rossi", "Mario"), registry.Cohabitant, registry.NewDate(2026, 1, 10), testClerk, false, ""},
		{"no such householder", "Verdi", "Chiara", func(*Store) string { return "RSSMRA80A01H501U" }, registry.Cohabitant, registry.NewDate(2026, 1, 10), testClerk, false, fault.NotFound},
		{"own family", "Rossi", "Nicolò", cfOf("Rossi", "Mario"), registry.Child, registry.NewDate(2026, 1, 10), testClerk, false, fault.Invalid},
		{"no relationship", "Verdi", "Chiara", cfOf("Rossi", "Mario"), 0, registry.NewDate(2026, 1, 10), testClerk, false, fault.Invalid},
		{"future", "Verdi", "Chiara", cfOf("Rossi", "Mario"), registry.Cohabitant, registry.NewDate(2027, 1, 10), testClerk, false, fault.Invalid},
		{"before the present stay", "Rossi", "Nicolò", cfOf("Neri", "Teresa"), registry.OtherRelative, registry.NewDate(2015, 7, 1), testClerk, false, fault.Invalid},
		{"householder with members", "Rossi", "Mario", cfOf("Neri", "Teresa"), registry.OtherRelative, registry.NewDate(2026, 1, 10), testClerk, false, fault.Invalid},
		{"social worker", "Verdi", "Chiara", cfOf("Rossi", "Mario"), registry.Cohabitant, registry.NewDate(2026, 1, 10), testSocial, false, fault.Forbidden},
		{"stale", "Verdi", "Chiara", cfOf("Rossi", "Mario"), registry.Cohabitant, registry.NewDate(2026, 1, 10), testClerk, true, fault.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			if _, err := s.Load(ctx, seqOf(moreHouseholds(t)), nil); err != nil {
				t.Fatal(err)
			}
			id := idOf(t, s, tc.surname, tc.first)
			rec := record(t, s, id)
			base := rec.Person.Version
			if tc.stale {
				base--
			}
			before := trail(t, s)
			err := s.MoveToFamily(ctx, tc.user, registry.FamilyMove{PersonID: id, BaseVersion: base, HouseholderCF: tc.householderCF(s), Relationship: tc.rel, From: tc.from})
			checkEdit(t, s, before, err, tc.want)
			if tc.want != "" {
				return
			}
			moved := record(t, s, id)
			if moved.Family.UID == rec.Family.UID || moved.Person.Relationship != tc.rel || moved.Address.Street != "ROMA" {
				t.Errorf("after the move: family %s, relationship %d, address %s", moved.Family.UID, moved.Person.Relationship, moved.Address.Street)
			}
			if !slices.ContainsFunc(moved.Residences, func(r registry.Residence) bool {
				return r.From == tc.from && r.To.IsZero() && r.Address.Street == "ROMA"
			}) {
				t.Errorf("residences %+v", moved.Residences)
			}
			// the former family as at the day before still has her; the new one from the date
			old, err := s.RecordAsAt(ctx, idOf(t, s, "Neri", "Teresa"), registry.NewDate(2026, 1, 9))
			if err != nil {
				t.Fatal(err)
			}
			now := record(t, s, idOf(t, s, "Neri", "Teresa"))
			if len(old.Members) != 2 || len(now.Members) != 1 || len(now.Former) != 1 {
				t.Errorf("convent: %d members on 2026-01-09, %d now, %d former", len(old.Members), len(now.Members), len(now.Former))
			}
			rossi, err := s.RecordAsAt(ctx, idOf(t, s, "Rossi", "Mario"), registry.NewDate(2026, 1, 9))
			if err != nil {
				t.Fatal(err)
			}
			if len(rossi.Members) != 4 || len(record(t, s, idOf(t, s, "Rossi", "Mario")).Members) != 5 {
				t.Errorf("Rossi: %d members the day before", len(rossi.Members))
			}
		})
	}
}

func cfOf(surname, name string) func(*Store) string {
	return func(s *Store) string {
		var cf string
		if err := s.r.QueryRow(`SELECT cf FROM person WHERE surname = ? AND name = ?`, surname, name).Scan(&cf); err != nil {
			panic(err)
		}
		return cf
	}
}
