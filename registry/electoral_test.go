package registry

import "testing"

func TestElectoralReasonFor(t *testing.T) {
	on := NewDate(2026, 3, 2)
	it := func(born Date, st Status, cit ...string) Person {
		if len(cit) == 0 {
			cit = []string{Italy}
		}
		return Person{BirthDate: born, Status: st, Citizenships: cit}
	}
	for _, tc := range []struct {
		name string
		p    Person
		e    Electoral
		want ElectoralReason
	}{
		{"registered", it(NewDate(1970, 1, 1), Resident), Electoral{Registered: true, Section: 1, Number: 1}, ElectoralRegistered},
		{"adult Italian resident not listed", it(NewDate(1970, 1, 1), Resident), Electoral{}, ElectoralNotListed},
		{"18 tomorrow", it(NewDate(2008, 3, 3), Resident), Electoral{}, ElectoralMinor},
		{"18 today", it(NewDate(2008, 3, 2), Resident), Electoral{}, ElectoralNotListed},
		{"French", it(NewDate(1970, 1, 1), Resident, "Z110"), Electoral{}, ElectoralForeignEU},
		{"Moroccan", it(NewDate(1970, 1, 1), Resident, "Z330"), Electoral{}, ElectoralForeign},
		{"Italian and Moroccan", it(NewDate(1970, 1, 1), Resident, Italy, "Z330"), Electoral{}, ElectoralNotListed},
		{"AIRE", it(NewDate(1970, 1, 1), AIRE), Electoral{}, ElectoralNotResident},
		{"cancelled", it(NewDate(1970, 1, 1), Cancelled), Electoral{}, ElectoralNotResident},
		{"deceased", it(NewDate(1970, 1, 1), Deceased), Electoral{}, ElectoralDeceased},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ElectoralReasonFor(tc.p, tc.e, on); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got := Voter(tc.p, on); got != (tc.want == ElectoralNotListed || tc.want == ElectoralRegistered) {
				t.Errorf("Voter %t", got)
			}
		})
	}
}

func TestAsAtFamilyStays(t *testing.T) {
	m := func(name string, from, to Date) Member {
		return Member{Person: Person{Name: name, BirthDate: NewDate(1960, 1, 1), Status: Resident}, From: from, To: to}
	}
	r := Record{
		Members:   []Member{m("Anna", NewDate(2000, 1, 1), Date{}), m("Bruno", NewDate(2010, 5, 1), Date{})},
		Former:    []Member{m("Carlo", NewDate(2000, 1, 1), NewDate(2005, 12, 31))},
		Electoral: Electoral{Registered: true, Section: 2, Number: 9, Since: NewDate(2001, 1, 1)},
	}
	for _, tc := range []struct {
		on         Date
		want       string
		registered bool
	}{
		{NewDate(1999, 12, 31), "", false},
		{NewDate(2005, 12, 31), "Anna Carlo", true},
		{NewDate(2006, 1, 1), "Anna", true},
		{NewDate(2010, 5, 1), "Anna Bruno", true},
	} {
		got := ""
		out := r.AsAt(tc.on)
		for _, mm := range out.Members {
			got += " " + mm.Person.Name
			if !mm.To.IsZero() {
				t.Errorf("%s: member %s with an end", tc.on, mm.Person.Name)
			}
		}
		if len(got) > 0 {
			got = got[1:]
		}
		if got != tc.want || out.Electoral.Registered != tc.registered || len(out.Former) != 0 {
			t.Errorf("as at %s: %q registered %t, want %q %t", tc.on, got, out.Electoral.Registered, tc.want, tc.registered)
		}
	}
}
