package demo

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

const testPeople = 5000

// generate collects the households of cfg, failing on any error.
func generate(tb testing.TB, cfg Config) []registry.Household {
	tb.Helper()
	var out []registry.Household
	for h, err := range Generate(cfg) {
		if err != nil {
			tb.Fatalf("Generate(%+v): %v", cfg, err)
		}
		out = append(out, h)
	}
	return out
}

// persons returns every person of the households, members and others.
func persons(hs []registry.Household) []registry.Person {
	var out []registry.Person
	for _, h := range hs {
		for _, m := range h.Members {
			out = append(out, m.Person)
		}
		out = append(out, h.Others...)
	}
	return out
}

func members(hs []registry.Household) []registry.Person {
	var out []registry.Person
	for _, h := range hs {
		for _, m := range h.Members {
			out = append(out, m.Person)
		}
	}
	return out
}

func share(n, of int) float64 { return float64(n) / float64(of) }

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := Config{People: testPeople, Seed: 3}
	a := generate(t, cfg)
	b := generate(t, cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same Config differ")
	}
	c := generate(t, Config{People: testPeople, Seed: 3, Municipality: DefaultMunicipality, Today: DefaultToday})
	if !reflect.DeepEqual(a, c) {
		t.Error("the default municipality and date, given explicitly, change the register")
	}
	d := generate(t, Config{People: testPeople, Seed: 4})
	if reflect.DeepEqual(a[0], d[0]) {
		t.Error("another seed gives the same first household")
	}
}

func TestCodiciFiscaliDecodeToThePerson(t *testing.T) {
	// Enough people for a few omocodes: about 1 in 2,000 is forced.
	all := persons(generate(t, Config{People: 4 * testPeople, Seed: 5}))
	seen := map[string]bool{}
	omocodes, checked := 0, 0
	for _, p := range all {
		info, err := registry.DecodeCF(p.CF, DefaultToday)
		if err != nil {
			t.Fatalf("%s %s: code %s does not decode: %v", p.Surname, p.Name, p.CF, err)
		}
		if info.Sex != p.Sex || info.BirthDate != p.BirthDate || info.PlaceCode != p.BirthPlace {
			t.Errorf("%s %s (%s, %s, %s): code %s decodes to %s, %s, %s",
				p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace, p.CF, info.Sex, info.BirthDate, info.PlaceCode)
		}
		if !info.PlaceKnown {
			t.Errorf("%s %s: birth place %s unknown", p.Surname, p.Name, p.BirthPlace)
		} else if !info.Place.ValidOn(p.BirthDate) {
			t.Errorf("%s %s: birth place %s not in force on %s", p.Surname, p.Name, p.BirthPlace, p.BirthDate)
		}
		computed, err := registry.ComputeCF(p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace)
		if err != nil {
			t.Fatal(err)
		}
		if info.Base != computed {
			t.Errorf("%s %s: issued %s is not a variant of the computed %s", p.Surname, p.Name, p.CF, computed)
		}
		if seen[p.CF] {
			t.Errorf("codice fiscale %s issued twice", p.CF)
		}
		seen[p.CF] = true
		if info.Omocode {
			omocodes++
		}
		if p.CFChecked {
			checked++
		}
	}
	if omocodes == 0 {
		t.Error("no omocode among the generated codes")
	}
	if s := share(checked, len(all)); s < 0.9 || s > 0.99 {
		t.Errorf("%.1f%% of codes checked with the Revenue Agency, want about 95%%", 100*s)
	}
}

func TestIssueGivesNamesakesTheNextOmocode(t *testing.T) {
	g, err := newGenerator(Config{People: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := registry.Person{Surname: "Rossi", Name: "Mario", Sex: registry.Male, BirthDate: registry.NewDate(1970, 5, 4), BirthPlace: "A269"}
	base, err := registry.ComputeCF(p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for range 3 {
		q := p
		if err := g.issue(&q); err != nil {
			t.Fatal(err)
		}
		if registry.OmocodeBase(q.CF) != base {
			t.Errorf("namesake got %s, not a variant of %s", q.CF, base)
		}
		codes[q.CF] = true
	}
	if len(codes) != 3 {
		t.Errorf("three namesakes got %d distinct codes", len(codes))
	}
	// Namesakes get the variants in the Revenue Agency's order.
	q := p
	q.Name = "Maria"
	q.Sex = registry.Female
	if err := g.issue(&q); err != nil {
		t.Fatal(err)
	}
	r := q
	if err := g.issue(&r); err != nil {
		t.Fatal(err)
	}
	if q.CF == r.CF || omocodeNext(q.CF) != r.CF {
		t.Errorf("the second namesake of %s got %s, want %s", q.CF, r.CF, omocodeNext(q.CF))
	}
}

// omocodeNext is the variant after code in the Revenue Agency's order.
func omocodeNext(code string) string {
	base := registry.OmocodeBase(code)
	for n := range 127 {
		if registry.OmocodeVariant(base, n) == code {
			return registry.OmocodeVariant(base, n+1)
		}
	}
	return ""
}

func TestHouseholdsHaveOneHouseholderAndRealisticSizes(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 6})
	sizes := make([]int, 7)
	for _, h := range hs {
		if h.Family.IsConvivenza() {
			continue // TestConvivenzeAndElectoralLists
		}
		n := len(h.Members)
		if n < 1 || n > 6 {
			t.Fatalf("household of %d members", n)
		}
		sizes[n]++
		if h.Members[0].Relationship != registry.Householder {
			t.Errorf("first member is %d, not the householder", h.Members[0].Relationship)
		}
		for i, m := range h.Members {
			if i > 0 && m.Relationship == registry.Householder {
				t.Errorf("a second householder at %d", i)
			}
			if m.Person.Relationship != m.Relationship {
				t.Errorf("member relationship %d but person's %d", m.Relationship, m.Person.Relationship)
			}
			if err := m.Person.Validate(); err != nil {
				t.Errorf("%s %s: %v", m.Person.Surname, m.Person.Name, err)
			}
		}
		for _, o := range h.Others {
			if o.FamilyID != 0 || (o.Status != registry.Deceased && o.Status != registry.Cancelled) {
				t.Errorf("other person %s %s: family %d, status %s", o.Surname, o.Name, o.FamilyID, o.Status)
			}
			if err := o.Validate(); err != nil {
				t.Errorf("%s %s: %v", o.Surname, o.Name, err)
			}
		}
		if h.Family.UID == "" || !h.Family.FormedOn.Valid() || h.Family.FormedOn.After(DefaultToday) {
			t.Errorf("family %+v", h.Family)
		}
	}
	// ISTAT: 33% one person, 27% two, 19% three, 15% four, 5% five or more.
	for _, c := range []struct {
		size     int
		min, max float64
	}{{1, 0.28, 0.38}, {2, 0.22, 0.32}, {3, 0.15, 0.24}, {4, 0.11, 0.19}} {
		if s := share(sizes[c.size], len(hs)); s < c.min || s > c.max {
			t.Errorf("%.1f%% of households have %d members, want %.0f-%.0f%%", 100*s, c.size, 100*c.min, 100*c.max)
		}
	}
	if sizes[5]+sizes[6] == 0 || sizes[6] == 0 {
		t.Errorf("households of 5 and 6: %d, %d", sizes[5], sizes[6])
	}
}

func TestSpousesAreLinkedBothWays(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 7})
	unions := 0
	for _, h := range hs {
		byUID := map[string]registry.Person{}
		for _, m := range h.Members {
			byUID[m.Person.UID] = m.Person
		}
		for _, o := range h.Others {
			byUID[o.UID] = o
		}
		type key struct {
			person, other string
			kind          registry.CivilEventKind
			date          registry.Date
		}
		events := map[key]bool{}
		for _, e := range h.CivilEvents {
			if _, ok := byUID[e.PersonUID]; !ok {
				t.Fatalf("event of %s, who is not in the household", e.PersonUID)
			}
			if e.OtherPersonUID != "" {
				if _, ok := byUID[e.OtherPersonUID]; !ok {
					t.Fatalf("event naming %s, who is not in the household", e.OtherPersonUID)
				}
			} else if e.OtherName == "" {
				t.Errorf("%s event of %s names nobody", e.Kind, e.PersonUID)
			}
			if e.Date.After(DefaultToday) || !e.Date.Valid() {
				t.Errorf("%s event on %s", e.Kind, e.Date)
			}
			if p := byUID[e.PersonUID]; e.Date.Before(p.BirthDate) || p.BirthDate.AgeOn(e.Date) < 18 && e.Kind != registry.EventWidowhood {
				t.Errorf("%s %s (born %s): %s on %s", p.Surname, p.Name, p.BirthDate, e.Kind, e.Date)
			}
			events[key{e.PersonUID, e.OtherPersonUID, e.Kind, e.Date}] = true
		}
		for k := range events {
			if k.other == "" || (k.kind != registry.EventMarriage && k.kind != registry.EventCivilUnion && k.kind != registry.EventDivorce) {
				continue
			}
			if !events[key{k.other, k.person, k.kind, k.date}] {
				t.Errorf("%s of %s with %s on %s is not recorded on the other", k.kind, k.person, k.other, k.date)
			}
		}
		head := h.Members[0].Person
		for _, m := range h.Members[1:] {
			want := map[registry.Relationship]registry.CivilStatus{registry.Spouse: registry.Married, registry.CivilPartner: registry.CivilUnion}[m.Relationship]
			if want == 0 {
				continue
			}
			kind := registry.EventMarriage
			if want == registry.CivilUnion {
				kind = registry.EventCivilUnion
				unions++
				if m.Person.Sex != head.Sex {
					t.Errorf("civil union of %s and %s", m.Person.Sex, head.Sex)
				}
			} else if m.Person.Sex == head.Sex {
				t.Errorf("marriage of two persons of sex %s", head.Sex)
			}
			if head.CivilStatus != want || m.Person.CivilStatus != want {
				t.Errorf("householder %s and partner %s: civil status %d and %d, want %d", head.Name, m.Person.Name, head.CivilStatus, m.Person.CivilStatus, want)
			}
			linked := false
			for k := range events {
				if k.kind == kind && k.person == head.UID && k.other == m.Person.UID {
					linked = true
				}
			}
			if !linked {
				t.Errorf("householder %s has no %s event with the partner", head.Name, kind)
			}
		}
		for _, p := range byUID {
			wantKind := map[registry.CivilStatus]registry.CivilEventKind{
				registry.Widowed:              registry.EventWidowhood,
				registry.Divorced:             registry.EventDivorce,
				registry.FreeAfterUnionEnded:  registry.EventUnionDissolved,
				registry.FreeAfterPartnerDied: registry.EventWidowhood,
			}[p.CivilStatus]
			if wantKind == "" {
				continue
			}
			found := false
			for k := range events {
				if k.person == p.UID && k.kind == wantKind {
					found = true
					if o, ok := byUID[k.other]; ok && wantKind == registry.EventWidowhood && (o.Status != registry.Deceased || o.StatusSince != k.date) {
						t.Errorf("%s %s widowed on %s of %s %s, %s since %s", p.Surname, p.Name, k.date, o.Surname, o.Name, o.Status, o.StatusSince)
					}
				}
			}
			if !found {
				t.Errorf("%s %s: civil status %d with no %s event", p.Surname, p.Name, p.CivilStatus, wantKind)
			}
		}
	}
	if unions == 0 {
		t.Error("no civil union")
	}
}

func TestAgesAreCoherent(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 8})
	older := func(a, b registry.Person, years int) bool {
		return !registry.NewDate(a.BirthDate.Year+years, a.BirthDate.Month, min(a.BirthDate.Day, 28)).After(b.BirthDate)
	}
	for _, h := range hs {
		head := h.Members[0].Person
		var partner *registry.Person
		for i, m := range h.Members {
			if m.Relationship == registry.Spouse || m.Relationship == registry.Cohabitant {
				partner = &h.Members[i].Person
			}
		}
		for _, m := range h.Members {
			p := m.Person
			if !p.BirthDate.Valid() || p.BirthDate.After(DefaultToday) || p.BirthDate.AgeOn(DefaultToday) >= 100 {
				t.Fatalf("%s %s born on %s", p.Surname, p.Name, p.BirthDate)
			}
			switch m.Relationship {
			case registry.Child:
				if !older(head, p, 16) || (partner != nil && !older(*partner, p, 16)) {
					t.Errorf("child %s %s born %s; householder born %s", p.Surname, p.Name, p.BirthDate, head.BirthDate)
				}
				if partner != nil && p.Surname != head.Surname && p.Surname != partner.Surname {
					t.Errorf("child %s %s has neither parent's surname (%s, %s)", p.Surname, p.Name, head.Surname, partner.Surname)
				}
				if partner != nil {
					father := head
					if head.Sex == registry.Female {
						father = *partner
					}
					if p.Surname != father.Surname {
						t.Errorf("child %s %s does not carry the father's surname %s", p.Surname, p.Name, father.Surname)
					}
				}
			case registry.Grandchild:
				if !older(head, p, 32) {
					t.Errorf("grandchild %s born %s; householder born %s", p.Name, p.BirthDate, head.BirthDate)
				}
			case registry.Parent:
				if !older(p, head, 16) {
					t.Errorf("parent %s born %s; householder born %s", p.Name, p.BirthDate, head.BirthDate)
				}
			case registry.Spouse, registry.CivilPartner, registry.Cohabitant, registry.ChildInLaw, registry.Householder:
				if p.BirthDate.AgeOn(DefaultToday) < 18 {
					t.Errorf("%s %s, relationship %d, is a minor", p.Surname, p.Name, m.Relationship)
				}
			}
		}
	}
}

func TestResidenceHistories(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 9})
	earlier, n := 0, 0
	for _, h := range hs {
		byUID := map[string]registry.Person{}
		for _, m := range h.Members {
			byUID[m.Person.UID] = m.Person
		}
		for _, o := range h.Others {
			byUID[o.UID] = o
		}
		hist := map[string][]registry.Residence{}
		for _, r := range h.Residences {
			if _, ok := byUID[r.PersonUID]; !ok {
				t.Fatalf("residence of %s, who is not in the household", r.PersonUID)
			}
			hist[r.PersonUID] = append(hist[r.PersonUID], r)
		}
		for uid, p := range byUID {
			rs := hist[uid]
			if len(rs) == 0 {
				t.Errorf("%s %s has no residence", p.Surname, p.Name)
				continue
			}
			if rs[0].Reason != 1 && rs[0].Reason != 3 && rs[0].Reason != 4 {
				t.Errorf("%s %s: first residence reason %d", p.Surname, p.Name, rs[0].Reason)
			}
			if rs[0].Reason == 1 && rs[0].From != p.BirthDate {
				t.Errorf("%s %s: registered at birth on %s, born %s", p.Surname, p.Name, rs[0].From, p.BirthDate)
			}
			for i, r := range rs {
				if r.From.Before(p.BirthDate) || r.From.After(DefaultToday) || (!r.To.IsZero() && r.To.Before(r.From)) {
					t.Errorf("%s %s: residence %s..%s, born %s", p.Surname, p.Name, r.From, r.To, p.BirthDate)
				}
				if i > 0 && (rs[i-1].To.IsZero() || !rs[i-1].To.Before(r.From)) {
					t.Errorf("%s %s: residences overlap: %s..%s then %s", p.Surname, p.Name, rs[i-1].From, rs[i-1].To, r.From)
				}
				if r.Address.UID == "" || r.Address.Place == "" {
					t.Errorf("%s %s: residence address %+v", p.Surname, p.Name, r.Address)
				}
			}
			last := rs[len(rs)-1]
			if _, member := memberOf(h, uid); !member {
				if last.To.IsZero() {
					t.Errorf("%s %s, %s, still resident", p.Surname, p.Name, p.Status)
				}
				continue
			}
			n++
			if len(rs) > 1 && rs[0].Address.Place == h.Address.Place {
				earlier++
			}
			switch p.Status {
			case registry.Resident, registry.AIRE:
				if !last.To.IsZero() || last.Address != h.Address {
					t.Errorf("%s %s: current residence %+v, family address %+v", p.Surname, p.Name, last, h.Address)
				}
			case registry.Cancelled:
				if last.To.IsZero() || !last.To.Before(p.StatusSince) {
					t.Errorf("%s %s cancelled on %s, residence until %s", p.Surname, p.Name, p.StatusSince, last.To)
				}
			default:
				t.Errorf("member %s %s with status %s", p.Surname, p.Name, p.Status)
			}
		}
	}
	if s := share(earlier, n); s < 0.2 || s > 0.45 {
		t.Errorf("%.1f%% of members had an earlier address here, want about 30%%", 100*s)
	}
}

func memberOf(h registry.Household, uid string) (registry.Member, bool) {
	for _, m := range h.Members {
		if m.Person.UID == uid {
			return m, true
		}
	}
	return registry.Member{}, false
}

func TestRegisterHasEveryKindOfPerson(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 10})
	people := members(hs)
	count := map[string]int{}
	for _, h := range hs {
		aire := h.Address.Place[0] == 'Z'
		if aire {
			count["AIRE households"]++
		}
		for _, m := range h.Members {
			p := m.Person
			if aire != (p.Status == registry.AIRE) {
				t.Errorf("%s %s, status %s, lives at %s", p.Surname, p.Name, p.Status, h.Address.Place)
			}
			if p.Status == registry.AIRE && !slices.Contains(p.Citizenships, registry.Italy) {
				t.Errorf("%s %s in AIRE with citizenships %v", p.Surname, p.Name, p.Citizenships)
			}
		}
		for _, o := range h.Others {
			count["others "+string(o.Status)]++
		}
	}
	for _, p := range people {
		if p.BirthDate.AgeOn(DefaultToday) < 18 {
			count["minors"]++
		}
		if strings.HasPrefix(p.BirthPlace, "Z") {
			count["born abroad"]++
			if len(p.Citizenships) > 1 {
				count["dual citizens"]++
			}
		}
		if p.BirthPlace == DefaultMunicipality {
			count["born here"]++
		}
		if !slices.Contains(p.Citizenships, registry.Italy) {
			count["foreign citizens"]++
		}
		for _, c := range p.Citizenships {
			if c != registry.Italy {
				if pl, ok := registry.LookupPlace(c, DefaultToday); !ok || !pl.Foreign {
					t.Errorf("%s %s: citizenship %s is not a state in force", p.Surname, p.Name, c)
				}
			}
		}
		count[string(p.Status)]++
		count[civil[p.CivilStatus]]++
	}
	for _, k := range []string{"AIRE households", "aire", "cancelled", "others deceased", "others cancelled",
		"minors", "born abroad", "dual citizens", "foreign citizens",
		"married", "widowed", "divorced", "single", "civil union"} {
		if count[k] == 0 {
			t.Errorf("no %s in %d people", k, len(people))
		}
	}
	for _, c := range []struct {
		what     string
		min, max float64
	}{
		{"minors", 0.12, 0.20},
		{"born abroad", 0.05, 0.12},
		{"born here", 0.30, 0.65},
		{"resident", 0.9, 0.98},
	} {
		if s := share(count[c.what], len(people)); s < c.min || s > c.max {
			t.Errorf("%.1f%% %s, want %.0f-%.0f%%", 100*s, c.what, 100*c.min, 100*c.max)
		}
	}
}

var civil = map[registry.CivilStatus]string{
	registry.Single: "single", registry.Married: "married", registry.Widowed: "widowed",
	registry.Divorced: "divorced", registry.CivilUnion: "civil union",
	registry.FreeAfterPartnerDied: "free after partner died", registry.FreeAfterUnionEnded: "free after union ended",
}

func TestCeasedStatesOnlyForBirthsBeforeTheyCeased(t *testing.T) {
	tab, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGenerator(Config{People: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ussr *country
	for i := range tab.foreign {
		if tab.foreign[i].code == "Z135" {
			ussr = &tab.foreign[i]
		}
	}
	if ussr == nil {
		t.Fatal("the Soviet Union is not among the countries of birth")
	}
	for _, c := range []struct {
		born registry.Date
		want string
	}{
		{registry.NewDate(1975, 3, 1), "Z135"},
		{registry.NewDate(1991, 12, 31), "Z135"},
		{registry.NewDate(1995, 6, 1), "Z138"},
	} {
		if got := g.foreignPlace(ussr, days(c.born)); got != c.want {
			t.Errorf("born in the Soviet Union's lands on %s: %s, want %s", c.born, got, c.want)
		}
	}
}

func TestPeopleCountIsRespected(t *testing.T) {
	for _, want := range []int{0, 1, 7, 1000} {
		t.Run("", func(t *testing.T) {
			hs := generate(t, Config{People: want, Seed: 11})
			got := len(members(hs))
			if got < want || got > want+5 {
				t.Errorf("%d people for People %d", got, want)
			}
			if want == 0 && len(hs) != 0 {
				t.Errorf("%d households for no people", len(hs))
			}
		})
	}
}

func TestUIDsAreUniqueULIDs(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 12})
	seen := map[string]string{}
	check := func(uid, what string) {
		if _, err := ulid.ParseStrict(uid); err != nil {
			t.Errorf("%s UID %q: %v", what, uid, err)
		}
		if prev, ok := seen[uid]; ok {
			t.Errorf("UID %s of a %s already used by a %s", uid, what, prev)
		}
		seen[uid] = what
	}
	addresses := map[string]registry.Address{}
	checkAddress := func(a registry.Address) {
		if prev, ok := addresses[a.UID]; ok && prev != a {
			t.Errorf("address UID %s for %+v and %+v", a.UID, prev, a)
		}
		addresses[a.UID] = a
	}
	for _, h := range hs {
		check(h.Family.UID, "family")
		for _, p := range persons([]registry.Household{h}) {
			check(p.UID, "person")
		}
		for _, e := range h.CivilEvents {
			check(e.UID, "event")
		}
		checkAddress(h.Address)
		for _, r := range h.Residences {
			checkAddress(r.Address)
		}
	}
	for uid := range addresses {
		if _, ok := seen[uid]; ok {
			t.Errorf("address UID %s is also the UID of a %s", uid, seen[uid])
		}
	}
}

func TestAddressesAreStreetsOfTheMunicipality(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 13})
	flats := map[string]int{} // families per building
	for _, h := range hs {
		a := h.Address
		if a.Place[0] == 'Z' {
			if a.Street == "" || a.Toponym != "" {
				t.Errorf("address abroad %+v", a)
			}
			continue
		}
		if a.Place != DefaultMunicipality || a.Postcode != "03012" || a.Toponym == "" || a.Street == "" || a.HouseNumber == "" {
			t.Errorf("address %+v", a)
		}
		flats[a.Toponym+" "+a.Street+" "+a.HouseNumber]++
	}
	shared := 0
	for _, n := range flats {
		if n > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no building with more than one family")
	}
}

func TestAnotherMunicipality(t *testing.T) {
	hs := generate(t, Config{People: 300, Seed: 14, Municipality: "l219"})
	born := 0
	for _, h := range hs {
		if h.Address.Place[0] != 'Z' && (h.Address.Place != "L219" || h.Address.Postcode != "") {
			t.Errorf("address %+v in Torino", h.Address)
		}
		for _, m := range h.Members {
			if m.Person.BirthPlace == "L219" {
				born++
			}
		}
	}
	if born == 0 {
		t.Error("nobody born in Torino")
	}
}

func TestAnEarlierReferenceDate(t *testing.T) {
	today := registry.NewDate(2000, time.March, 1)
	hs := generate(t, Config{People: 2000, Seed: 15, Today: today})
	for _, p := range persons(hs) {
		if p.BirthDate.After(today) || p.StatusSince.After(today) {
			t.Errorf("%s %s born %s, status since %s, after %s", p.Surname, p.Name, p.BirthDate, p.StatusSince, today)
		}
		if info, err := registry.DecodeCF(p.CF, today); err != nil || info.BirthDate != p.BirthDate {
			t.Errorf("%s decodes to %s on %s (%v), born %s", p.CF, info.BirthDate, today, err, p.BirthDate)
		}
	}
	for _, h := range hs {
		for _, e := range h.CivilEvents {
			switch {
			case e.Date.After(today):
				t.Errorf("%s on %s", e.Kind, e.Date)
			case e.Kind == registry.EventCivilUnion:
				t.Errorf("civil union on %s, before the law", e.Date)
			case e.Kind == registry.EventDivorce && e.Date.Before(divorceFrom):
				t.Errorf("divorce on %s, before the law", e.Date)
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"negative people", Config{People: -1}},
		{"too many people", Config{People: MaxPeople + 1}},
		{"unknown municipality", Config{People: 10, Municipality: "Q999"}},
		{"foreign state", Config{People: 10, Municipality: "Z129"}},
		{"suppressed municipality", Config{People: 10, Municipality: "A002"}},
		{"impossible date", Config{People: 10, Today: registry.NewDate(2025, time.February, 30)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			yields := 0
			for h, err := range Generate(c.cfg) {
				yields++
				var f *fault.Error
				if !errors.As(err, &f) || f.Code != fault.Invalid {
					t.Errorf("error %v, want an invalid-input fault", err)
				}
				if !reflect.DeepEqual(h, registry.Household{}) {
					t.Errorf("a household with the error")
				}
			}
			if yields != 1 {
				t.Errorf("%d yields, want the error once", yields)
			}
		})
	}
}

func TestStoppingEarly(t *testing.T) {
	n := 0
	for range Generate(Config{People: testPeople, Seed: 16}) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("stopped after %d households", n)
	}
}

func TestClerks(t *testing.T) {
	roles := map[access.Role]bool{}
	users := map[string]bool{}
	for _, c := range Clerks() {
		if !c.User.Role.Valid() || c.User.Username == "" || c.User.FullName == "" {
			t.Errorf("demo user %+v", c.User)
		}
		if len(c.Password) < 8 {
			t.Errorf("%s: password shorter than 8 characters", c.User.Username)
		}
		if users[c.User.Username] {
			t.Errorf("user %s twice", c.User.Username)
		}
		users[c.User.Username] = true
		roles[c.User.Role] = true
	}
	for _, r := range []access.Role{access.Clerk, access.Registrar, access.SocialWorker, access.Supervisor, access.Admin} {
		if !roles[r] {
			t.Errorf("no demo user with role %s", r)
		}
	}
}

func TestDays(t *testing.T) {
	for n := -45000; n <= 45000; n += 37 {
		want := registry.DateOf(time.Unix(int64(n)*86400, 0).UTC())
		if got := date(n); got != want {
			t.Fatalf("date(%d) = %s, want %s", n, got, want)
		}
		if got := days(want); got != n {
			t.Fatalf("days(%s) = %d, want %d", want, got, n)
		}
	}
}

func TestEventPlacesAreInForce(t *testing.T) {
	for _, h := range generate(t, Config{People: testPeople, Seed: 17}) {
		for _, e := range h.CivilEvents {
			if _, ok := registry.LookupPlace(e.Place, e.Date); !ok && e.Place != "" {
				t.Errorf("%s on %s at %s, not a place in force then", e.Kind, e.Date, e.Place)
			}
		}
	}
}
