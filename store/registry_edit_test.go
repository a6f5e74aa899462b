package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

var (
	testClerk     = access.User{Username: "clerk1", Role: access.Clerk}
	testRegistrar = access.User{Username: "reg1", Role: access.Registrar}
	testSocial    = access.User{Username: "soc1", Role: access.SocialWorker}
)

func record(tb testing.TB, s *Store, id int64) registry.Record {
	tb.Helper()
	rec, err := s.FullRecord(context.Background(), id)
	if err != nil {
		tb.Fatalf("FullRecord(%d): %v", id, err)
	}
	return rec
}

// editTrail returns the outbox and audit counts.
func editTrail(tb testing.TB, s *Store) (int, int) {
	tb.Helper()
	return count(tb, s, "outbox"), count(tb, s, "audit_log")
}

// checkEdit asserts err has the wanted fault code and that the outbox and
// audit log grew by one entry on success and not at all on failure.
func checkEdit(t *testing.T, s *Store, before [2]int, err error, want string) {
	t.Helper()
	if got := fault.Code(err); got != want {
		t.Fatalf("error %v (code %q), want code %q", err, got, want)
	}
	o, a := editTrail(t, s)
	grow := 0
	if want == "" {
		grow = 1
	}
	if o != before[0]+grow || a != before[1]+grow {
		t.Errorf("outbox %d -> %d, audit %d -> %d; want +%d each", before[0], o, before[1], a, grow)
	}
	if _, err := s.VerifyAudit(context.Background()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}

func trail(tb testing.TB, s *Store) [2]int {
	o, a := editTrail(tb, s)
	return [2]int{o, a}
}

func TestChangeAddress(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario := idOf(t, s, "Rossi", "Mario")
	rec := record(t, s, mario)
	move := registry.AddressChange{PersonID: mario, BaseVersion: rec.Person.Version,
		Address: registry.Address{Toponym: "via", Street: "Cavour", HouseNumber: "7"}, From: date(t, "2026-02-01")}

	tests := []struct {
		name string
		user access.User
		edit func(c *registry.AddressChange)
		want string
	}{
		{"social worker refused", testSocial, nil, fault.Forbidden},
		{"no street", testClerk, func(c *registry.AddressChange) { c.Address.Street = " " }, fault.Invalid},
		{"future date", testClerk, func(c *registry.AddressChange) { c.From = date(t, "2027-01-01") }, fault.Invalid},
		{"before current residence", testClerk, func(c *registry.AddressChange) { c.From = date(t, "1999-01-01") }, fault.Invalid},
		{"stale version", testClerk, func(c *registry.AddressChange) { c.BaseVersion-- }, fault.Conflict},
		{"moves", testClerk, nil, ""},
		{"same version again is stale", testClerk, nil, fault.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := move
			if tc.edit != nil {
				tc.edit(&c)
			}
			before := trail(t, s)
			checkEdit(t, s, before, s.ChangeAddress(ctx, tc.user, c), tc.want)
		})
	}

	after := record(t, s, mario)
	if got := after.Address.Line(); got != "Via Cavour 7" {
		t.Errorf("address %q, want Via Cavour 7", got)
	}
	if after.Person.Version != rec.Person.Version+1 {
		t.Errorf("version %d, want %d", after.Person.Version, rec.Person.Version+1)
	}
	// the whole family moved; the old residence ends the day before
	for _, m := range after.Members {
		r := record(t, s, m.Person.ID)
		if r.Address.Street != "CAVOUR" {
			t.Errorf("%s still at %s", m.Person.Name, r.Address.Line())
		}
		n := len(r.Residences)
		last, prev := r.Residences[n-1], r.Residences[n-2]
		if last.From != date(t, "2026-02-01") || !last.To.IsZero() || prev.To != date(t, "2026-01-31") {
			t.Errorf("%s residences %+v", m.Person.Name, r.Residences)
		}
	}
	if n := count(t, s, "person_version"); n != 3 {
		t.Errorf("person_version rows %d, want 3 (one per member)", n)
	}
}

func TestAddMember(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	rec := record(t, s, idOf(t, s, "Rossi", "Mario"))
	baby := newPerson(t, "Rossi", "Giulia", registry.Female, "2026-01-20", "A269")
	add := registry.NewMember{FamilyID: rec.Family.ID, FamilyVersion: rec.Family.Version, Person: baby,
		Relationship: registry.Child, From: baby.BirthDate, Reason: registry.ReasonBirth}
	wrongCF := func(m *registry.NewMember) { m.Person.CF = "RSSGLI26A60A269X" }

	tests := []struct {
		name string
		user access.User
		edit func(m *registry.NewMember)
		want string
	}{
		{"second householder", testClerk, func(m *registry.NewMember) { m.Relationship = registry.Householder }, fault.Invalid},
		{"birth not from birth date", testClerk, func(m *registry.NewMember) { m.From = date(t, "2026-02-01") }, fault.Invalid},
		{"cf mismatch", testClerk, func(m *registry.NewMember) { m.Person.CF = registry.OmocodeBase("RSSGLI26A61A269A") }, fault.Invalid},
		{"malformed cf", testClerk, wrongCF, fault.Invalid},
		{"clerk cannot confirm mismatch", testClerk, func(m *registry.NewMember) {
			m.Person.CF = registry.OmocodeBase("RSSGLI26A61A269A")
			m.ConfirmMismatch = true
		}, fault.Forbidden},
		{"stale family", testClerk, func(m *registry.NewMember) { m.FamilyVersion++ }, fault.Conflict},
		{"added", testClerk, nil, ""},
		{"same family version again is stale", testClerk, nil, fault.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := add
			if tc.edit != nil {
				tc.edit(&m)
			}
			before := trail(t, s)
			_, err := s.AddMember(ctx, tc.user, m)
			checkEdit(t, s, before, err, tc.want)
		})
	}
	after := record(t, s, idOf(t, s, "Rossi", "Giulia"))
	if len(after.Members) != 4 || after.Family.Version != rec.Family.Version+1 || after.Address.Street != "ROMA" {
		t.Errorf("family after: %d members, version %d, address %s", len(after.Members), after.Family.Version, after.Address.Line())
	}
	if len(after.Residences) != 1 || after.Residences[0].Reason != registry.ReasonBirth {
		t.Errorf("residences %+v", after.Residences)
	}
	// a registrar may confirm a code that does not match
	m := add
	m.FamilyVersion = after.Family.Version
	m.Person = newPerson(t, "Rossi", "Luigi", registry.Male, "2026-01-20", "A269")
	m.Person.CF = "CCCFBA85D03L219P" // well formed, someone else's data
	m.ConfirmMismatch = true
	before := trail(t, s)
	_, err := s.AddMember(ctx, testRegistrar, m)
	checkEdit(t, s, before, err, "")
}

func TestChangeHouseholder(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	rec := record(t, s, idOf(t, s, "Rossi", "Mario"))
	anna := idOf(t, s, "Bianchi", "Anna")
	change := registry.HouseholderChange{FamilyID: rec.Family.ID, FamilyVersion: rec.Family.Version, NewHouseholderID: anna, FormerRelationship: registry.Spouse}
	tests := []struct {
		name string
		edit func(c *registry.HouseholderChange)
		want string
	}{
		{"not a member", func(c *registry.HouseholderChange) { c.NewHouseholderID = idOf(t, s, "Neri", "Mario") }, fault.Invalid},
		{"already householder", func(c *registry.HouseholderChange) { c.NewHouseholderID = rec.Person.ID }, fault.Invalid},
		{"former left householder", func(c *registry.HouseholderChange) { c.FormerRelationship = registry.Householder }, fault.Invalid},
		{"stale", func(c *registry.HouseholderChange) { c.FamilyVersion-- }, fault.Conflict},
		{"changed", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := change
			if tc.edit != nil {
				tc.edit(&c)
			}
			before := trail(t, s)
			checkEdit(t, s, before, s.ChangeHouseholder(ctx, testClerk, c), tc.want)
		})
	}
	after := record(t, s, anna)
	householders := 0
	for _, m := range after.Members {
		if m.Relationship == registry.Householder {
			householders++
		}
	}
	if after.Family.HouseholderID != anna || after.Members[0].Person.ID != anna || householders != 1 {
		t.Errorf("householder %d, first member %d, %d householders", after.Family.HouseholderID, after.Members[0].Person.ID, householders)
	}
}

func TestRecordCivilEvent(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	luca, neri := idOf(t, s, "Verdi", "Luca"), idOf(t, s, "Neri", "Maria")
	lv, nv := record(t, s, luca).Person.Version, record(t, s, neri).Person.Version
	marry := registry.CivilStatusEvent{PersonID: luca, BaseVersion: lv, Kind: registry.EventMarriage, Date: date(t, "2025-09-06"), Place: "A269", OtherPersonID: neri}
	tests := []struct {
		name string
		e    registry.CivilStatusEvent
		want string
	}{
		{"divorce without marriage", registry.CivilStatusEvent{PersonID: luca, BaseVersion: lv, Kind: registry.EventDivorce, Date: date(t, "2025-01-01"), OtherName: "X"}, fault.Invalid},
		{"before birth", registry.CivilStatusEvent{PersonID: luca, BaseVersion: lv, Kind: registry.EventMarriage, Date: date(t, "1980-01-01"), OtherName: "X"}, fault.Invalid},
		{"no spouse", registry.CivilStatusEvent{PersonID: luca, BaseVersion: lv, Kind: registry.EventMarriage, Date: date(t, "2025-01-01")}, fault.Invalid},
		{"married already", registry.CivilStatusEvent{PersonID: idOf(t, s, "Rossi", "Mario"), BaseVersion: 1, Kind: registry.EventMarriage, Date: date(t, "2025-01-01"), OtherName: "X"}, fault.Invalid},
		{"marriage", marry, ""},
		{"stale", marry, fault.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := trail(t, s)
			checkEdit(t, s, before, s.RecordCivilEvent(ctx, testClerk, tc.e), tc.want)
		})
	}
	l, n := record(t, s, luca), record(t, s, neri)
	if l.Person.CivilStatus != registry.Married || n.Person.CivilStatus != registry.Married {
		t.Fatalf("civil status %d, %d", l.Person.CivilStatus, n.Person.CivilStatus)
	}
	if len(l.CivilEvents) != 1 || l.CivilEvents[0].OtherPersonID != neri || len(n.CivilEvents) != 1 || n.CivilEvents[0].OtherPersonID != luca {
		t.Fatalf("events %+v / %+v", l.CivilEvents, n.CivilEvents)
	}
	if n.Person.Version != nv+1 {
		t.Errorf("spouse version %d, want %d", n.Person.Version, nv+1)
	}
	// a divorce names the spouse of the last marriage and frees both
	div := registry.CivilStatusEvent{PersonID: luca, BaseVersion: l.Person.Version, Kind: registry.EventDivorce, Date: date(t, "2026-02-01")}
	if err := s.RecordCivilEvent(ctx, testClerk, div); err != nil {
		t.Fatal(err)
	}
	if l, n := record(t, s, luca), record(t, s, neri); l.Person.CivilStatus != registry.Divorced || n.Person.CivilStatus != registry.Divorced {
		t.Errorf("after divorce %d, %d", l.Person.CivilStatus, n.Person.CivilStatus)
	}
}

func TestAddDocument(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	id := idOf(t, s, "Colombo", "Mariangela")
	v := record(t, s, id).Person.Version
	doc := registry.Document{Kind: registry.DocCIE, Number: "ca12345ab", IssuedOn: date(t, "2024-05-01"), Expires: date(t, "2035-06-06"), IssuedBy: "Comune di Anagni"}
	tests := []struct {
		name string
		user access.User
		edit func(d *registry.Document)
		base int64
		want string
	}{
		{"no kind", testClerk, func(d *registry.Document) { d.Kind = "" }, v, fault.Invalid},
		{"short number", testClerk, func(d *registry.Document) { d.Number = "12" }, v, fault.Invalid},
		{"expiry before issue", testClerk, func(d *registry.Document) { d.Expires = date(t, "2020-01-01") }, v, fault.Invalid},
		{"stale", testClerk, nil, v - 1, fault.Conflict},
		{"added", testClerk, nil, v, ""},
		{"same number again", testClerk, nil, v + 1, fault.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := doc
			if tc.edit != nil {
				tc.edit(&d)
			}
			before := trail(t, s)
			checkEdit(t, s, before, s.AddDocument(ctx, tc.user, registry.DocumentEdit{PersonID: id, BaseVersion: tc.base, Document: d}), tc.want)
		})
	}
	docs := record(t, s, id).Documents
	if len(docs) != 1 || docs[0].Number != "CA12345AB" || docs[0].Expires != date(t, "2035-06-06") {
		t.Errorf("documents %+v", docs)
	}
}

func TestCorrectPerson(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	id := idOf(t, s, "Rossini", "Marco")
	rec := record(t, s, id)
	p := rec.Person
	fixed := newPerson(t, "Rossini", "Marco", registry.Male, "1960-12-25", "A269")
	corr := registry.Correction{PersonID: id, BaseVersion: p.Version, Surname: p.Surname, Name: p.Name, Sex: p.Sex,
		BirthDate: fixed.BirthDate, BirthPlace: p.BirthPlace, CF: fixed.CF}
	tests := []struct {
		name string
		user access.User
		edit func(c *registry.Correction)
		want string
	}{
		{"clerk refused", testClerk, nil, fault.Forbidden},
		{"cf not matching", testRegistrar, func(c *registry.Correction) { c.CF = p.CF }, fault.Invalid},
		{"cf taken", testRegistrar, func(c *registry.Correction) {
			c.CF, c.ConfirmMismatch = record(t, s, idOf(t, s, "Neri", "Mario")).Person.CF, true
		}, fault.Conflict},
		{"stale", testRegistrar, func(c *registry.Correction) { c.BaseVersion++ }, fault.Conflict},
		{"corrected", testRegistrar, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := corr
			if tc.edit != nil {
				tc.edit(&c)
			}
			before := trail(t, s)
			checkEdit(t, s, before, s.CorrectPerson(ctx, tc.user, c), tc.want)
		})
	}
	after := record(t, s, id).Person
	if after.BirthDate != fixed.BirthDate || after.CF != fixed.CF || after.CFChecked {
		t.Errorf("after correction %+v", after)
	}
	ms, err := s.Search(ctx, registry.Query{CF: fixed.CF}, 5)
	if err != nil || len(ms) != 1 || ms[0].ID != id {
		t.Errorf("search by new code: %v %v", ms, err)
	}
	var data string
	if err := s.r.QueryRow(`SELECT data FROM person_version WHERE person_id = ? AND version = ?`, id, p.Version).Scan(&data); err != nil {
		t.Fatalf("old version kept: %v", err)
	}
}

// BenchmarkFullRecord measures the person view's read (person, address,
// residence and civil-status history, family, documents) on the
// 3,000,000-person register; the target is a p99 of 10 ms or less.
func BenchmarkFullRecord(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	n, err := s.CountPersons(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const samples = 1000
	var lat []time.Duration
	i := 0
	for b.Loop() {
		id := 1 + int64(i%samples)*int64(n/samples)
		i++
		start := time.Now()
		if _, err := s.FullRecord(ctx, id); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}

func TestRecordAsAt(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario, anna := idOf(t, s, "Rossi", "Mario"), idOf(t, s, "Bianchi", "Anna")
	rec := record(t, s, mario)
	// today (2026-03-02): Anna becomes the householder and Mario's birth date is corrected
	if err := s.ChangeHouseholder(ctx, testClerk, registry.HouseholderChange{FamilyID: rec.Family.ID, FamilyVersion: rec.Family.Version,
		NewHouseholderID: anna, FormerRelationship: registry.Spouse}); err != nil {
		t.Fatal(err)
	}
	rec = record(t, s, mario)
	fixed := newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-11", "A269")
	if err := s.CorrectPerson(ctx, testRegistrar, registry.Correction{PersonID: mario, BaseVersion: rec.Person.Version, Surname: "Rossi", Name: "Mario",
		Sex: registry.Male, BirthDate: fixed.BirthDate, BirthPlace: "A269", CF: fixed.CF}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		on          string
		born        string
		householder string
		residences  int
	}{
		{"2026-03-01", "1970-05-10", "Mario", 2},
		{"2026-03-02", "1970-05-11", "Anna", 2},
		{"1998-01-01", "1970-05-10", "", 1}, // before the family was formed (1999-06-12): no members yet
	}
	for _, tc := range tests {
		t.Run(tc.on, func(t *testing.T) {
			got, err := s.RecordAsAt(ctx, mario, date(t, tc.on))
			if err != nil {
				t.Fatal(err)
			}
			var head string
			for _, m := range got.Members {
				if m.Relationship == registry.Householder {
					head = m.Person.Name
				}
			}
			if got.Person.BirthDate != date(t, tc.born) || head != tc.householder || len(got.Residences) != tc.residences {
				t.Errorf("born %s, householder %q, %d residences", got.Person.BirthDate, head, len(got.Residences))
			}
		})
	}
	if _, err := s.RecordAsAt(ctx, mario, registry.Date{}); fault.Code(err) != fault.Invalid {
		t.Errorf("no date: %v", err)
	}
}
