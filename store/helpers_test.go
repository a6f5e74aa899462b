package store

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"sportello/registry"
)

func TestMain(m *testing.M) {
	// The tests check what Login and CreateUser do, not bcrypt's cost.
	passwordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// fixedNow is the clock of test stores.
var fixedNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// openTest opens a new store in a temporary folder with a fixed clock.
func openTest(tb testing.TB) *Store {
	tb.Helper()
	return openAt(tb, filepath.Join(tb.TempDir(), "sportello.db"), Options{DeskCode: "D01", Create: true})
}

func openAt(tb testing.TB, path string, opt Options) *Store {
	tb.Helper()
	s, err := Open(path, opt)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	s.now = func() time.Time { return fixedNow }
	tb.Cleanup(func() { s.Close() })
	return s
}

func date(tb testing.TB, iso string) registry.Date {
	tb.Helper()
	d, err := registry.ParseDate(iso)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// newPerson is a resident Italian citizen with a computed codice fiscale.
func newPerson(tb testing.TB, surname, name string, sex registry.Sex, born, place string) registry.Person {
	tb.Helper()
	d := date(tb, born)
	cf, err := registry.ComputeCF(surname, name, sex, d, place)
	if err != nil {
		tb.Fatalf("ComputeCF(%s %s): %v", surname, name, err)
	}
	return registry.Person{
		CF: cf, Surname: surname, Name: name, Sex: sex, BirthDate: d, BirthPlace: place,
		Citizenships: []string{registry.Italy}, CivilStatus: registry.Single, Status: registry.Resident,
	}
}

// uids hands out distinct deterministic UIDs.
type uids struct{ n int }

func (u *uids) next(kind string) string {
	u.n++
	return fmt.Sprintf("%s-%06d", kind, u.n)
}

// fixtureHouseholds is a small municipality made to exercise search and
// records:
//   - the Rossi family at Via Roma 12 (Mario, married to Anna Bianchi, their
//     son Nicolò), Mario having lived in Via Garibaldi before;
//   - Giuseppe D'Amico, widower of Carla Esposito (deceased, outside the family);
//   - Mario De Luca, and Marco Rossini (a longer surname than Rossi);
//   - Luca Verdi and Lucia Verdi, whose codes collide: hers is an omocode;
//   - three Neri, two born on the same day, and Neri Marini, whose name is
//     their surname;
//   - Mariangela and Mariangelo Colombo, names longer than the longest
//     full-text prefix index and alike in its first eight letters.
func fixtureHouseholds(tb testing.TB) []registry.Household {
	tb.Helper()
	var u uids
	addr := func(toponym, street, number string) registry.Address {
		return registry.Address{UID: u.next("addr"), Toponym: toponym, Street: street, HouseNumber: number, Postcode: "03012", Place: "A269"}
	}
	withUID := func(p registry.Person) registry.Person {
		p.UID = u.next("person")
		return p
	}
	family := func(formed string) registry.Family {
		return registry.Family{UID: u.next("family"), FormedOn: date(tb, formed)}
	}
	var hs []registry.Household

	// Rossi
	roma, garibaldi := addr("VIA", "ROMA", "12"), addr("VIA", "GIUSEPPE GARIBALDI", "3")
	mario := withUID(newPerson(tb, "Rossi", "Mario", registry.Male, "1970-05-10", "A269"))
	mario.CivilStatus = registry.Married
	anna := withUID(newPerson(tb, "Bianchi", "Anna", registry.Female, "1972-03-02", "H501"))
	anna.CivilStatus = registry.Married
	nicolo := withUID(newPerson(tb, "Rossi", "Nicolò", registry.Male, "2005-07-01", "A269"))
	hs = append(hs, registry.Household{
		Family:  family("1999-06-12"),
		Address: roma,
		// members deliberately not householder first in birth order
		Members: []registry.Member{
			{Person: mario, Relationship: registry.Householder},
			{Person: nicolo, Relationship: registry.Child},
			{Person: anna, Relationship: registry.Spouse},
		},
		Residences: []registry.Residence{
			{PersonUID: mario.UID, Address: roma, From: date(tb, "2000-01-15"), Reason: 1},
			{PersonUID: mario.UID, Address: garibaldi, From: date(tb, "1995-09-01"), To: date(tb, "2000-01-14"), Reason: 1},
			{PersonUID: anna.UID, Address: roma, From: date(tb, "2000-01-15"), Reason: 2},
			{PersonUID: nicolo.UID, Address: roma, From: date(tb, "2005-07-01"), Reason: 1},
		},
		CivilEvents: []registry.CivilEvent{
			{PersonUID: mario.UID, OtherPersonUID: anna.UID, Kind: registry.EventMarriage, Date: date(tb, "1999-06-12"), Place: "A269"},
			{PersonUID: anna.UID, OtherPersonUID: mario.UID, Kind: registry.EventMarriage, Date: date(tb, "1999-06-12"), Place: "A269"},
		},
	})

	// D'Amico, widower
	dante := addr("PIAZZA", "DANTE", "1")
	giuseppe := withUID(newPerson(tb, "D'Amico", "Giuseppe", registry.Male, "1950-01-01", "F839"))
	giuseppe.CivilStatus = registry.Widowed
	carla := withUID(newPerson(tb, "Esposito", "Carla", registry.Female, "1952-02-02", "F839"))
	carla.CivilStatus, carla.Status, carla.StatusSince = registry.Married, registry.Deceased, date(tb, "2010-10-10")
	hs = append(hs, registry.Household{
		Family:  family("1975-05-05"),
		Address: dante,
		Members: []registry.Member{{Person: giuseppe, Relationship: registry.Householder}},
		Others:  []registry.Person{carla},
		Residences: []registry.Residence{
			{PersonUID: giuseppe.UID, Address: dante, From: date(tb, "1975-05-05")},
			{PersonUID: carla.UID, Address: dante, From: date(tb, "1975-05-05"), To: date(tb, "2010-10-10")},
		},
		CivilEvents: []registry.CivilEvent{
			{PersonUID: giuseppe.UID, OtherPersonUID: carla.UID, Kind: registry.EventMarriage, Date: date(tb, "1975-05-05")},
			{PersonUID: carla.UID, OtherPersonUID: giuseppe.UID, Kind: registry.EventMarriage, Date: date(tb, "1975-05-05")},
			{PersonUID: giuseppe.UID, OtherPersonUID: carla.UID, Kind: registry.EventWidowhood, Date: date(tb, "2010-10-10")},
		},
	})

	single := func(p registry.Person, a registry.Address) registry.Household {
		p = withUID(p)
		return registry.Household{
			Family:     family("2010-01-01"),
			Address:    a,
			Members:    []registry.Member{{Person: p, Relationship: registry.Householder}},
			Residences: []registry.Residence{{PersonUID: p.UID, Address: a, From: date(tb, "2010-01-01")}},
		}
	}
	hs = append(hs,
		single(newPerson(tb, "De Luca", "Mario", registry.Male, "1980-02-29", "A269"), addr("VIA", "ROMA", "14")),
		single(newPerson(tb, "Rossini", "Marco", registry.Male, "1960-12-24", "A269"), addr("VIALE", "EUROPA", "2")),
		single(newPerson(tb, "Rossini", "Mario", registry.Male, "1961-11-11", "A269"), addr("VIALE", "EUROPA", "4")),
	)

	luca := newPerson(tb, "Verdi", "Luca", registry.Male, "1985-04-03", "L219")
	lucia := newPerson(tb, "Verdi", "Lucia", registry.Male, "1985-04-03", "L219")
	lucia.Sex, lucia.CF = registry.Female, registry.OmocodeVariant(luca.CF, 1) // same base code as Luca's
	hs = append(hs,
		single(luca, addr("VIA", "MAZZINI", "5")),
		single(lucia, addr("VIA", "MAZZINI", "7")),
		single(newPerson(tb, "Neri", "Mario", registry.Male, "1990-01-15", "A269"), addr("VIA", "PO", "1")),
		single(newPerson(tb, "Neri", "Maria", registry.Female, "1990-01-15", "A269"), addr("VIA", "PO", "1")),
		single(newPerson(tb, "Neri", "Marco", registry.Male, "1991-01-15", "A269"), addr("VIA", "PO", "3")),
		single(newPerson(tb, "Marini", "Neri", registry.Male, "1958-08-08", "A269"), addr("VIA", "PO", "5")),
		single(newPerson(tb, "Colombo", "Mariangela", registry.Female, "1966-06-06", "F205"), addr("VIA", "TEVERE", "1")),
		single(newPerson(tb, "Colombo", "Mariangelo", registry.Male, "1967-07-07", "F205"), addr("VIA", "TEVERE", "2")),
	)
	return hs
}

func seqOf(hs []registry.Household) iter.Seq2[registry.Household, error] {
	return func(yield func(registry.Household, error) bool) {
		for _, h := range hs {
			if !yield(h, nil) {
				return
			}
		}
	}
}

// loadFixture opens a store holding the fixture municipality.
func loadFixture(tb testing.TB) *Store {
	tb.Helper()
	s := openTest(tb)
	if _, err := s.Load(context.Background(), seqOf(fixtureHouseholds(tb)), nil); err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return s
}

// idOf returns the id of the one person with that surname and name.
func idOf(tb testing.TB, s *Store, surname, name string) int64 {
	tb.Helper()
	var id int64
	if err := s.r.QueryRow(`SELECT id FROM person WHERE surname = ? AND name = ?`, surname, name).Scan(&id); err != nil {
		tb.Fatalf("person %s %s: %v", surname, name, err)
	}
	return id
}

// count returns the rows of a table.
func count(tb testing.TB, s *Store, table string) int {
	tb.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// names lists matches as "Surname Name".
func names(ms []registry.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Surname + " " + m.Name
	}
	return out
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
