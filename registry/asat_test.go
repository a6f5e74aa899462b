package registry

import (
	"testing"
	"time"
)

func TestRecordAsAt(t *testing.T) {
	d := func(y, m, day int) Date { return NewDate(y, time.Month(m), day) }
	roma := Address{Street: "ROMA", HouseNumber: "1"}
	po := Address{Street: "PO", HouseNumber: "2"}
	son := Person{ID: 3, Name: "Luca", BirthDate: d(2010, 5, 5), Status: Resident}
	rec := Record{
		Person:  Person{ID: 1, Name: "Mario", BirthDate: d(1970, 1, 1), CivilStatus: Divorced, Status: Resident},
		Address: po,
		Residences: []Residence{
			{Address: roma, From: d(1990, 1, 1), To: d(2020, 6, 30)},
			{Address: po, From: d(2020, 7, 1)},
		},
		CivilEvents: []CivilEvent{
			{Kind: EventMarriage, Date: d(2000, 9, 9)},
			{Kind: EventDivorce, Date: d(2019, 3, 3)},
		},
		Members:   []Member{{Person: Person{ID: 1, BirthDate: d(1970, 1, 1)}, Relationship: Householder}, {Person: son, Relationship: Child}},
		Documents: []Document{{Number: "A", IssuedOn: d(2021, 1, 1)}, {Number: "B", IssuedOn: d(2015, 1, 1)}},
	}
	tests := []struct {
		name       string
		on         Date
		street     string
		residences int
		events     int
		civil      CivilStatus
		members    int
		documents  int
	}{
		{"before the marriage", d(1995, 1, 1), "ROMA", 1, 0, Single, 1, 0},
		{"married, son born", d(2012, 1, 1), "ROMA", 1, 1, Married, 2, 0},
		{"divorced, not yet moved", d(2020, 1, 1), "ROMA", 1, 2, Divorced, 2, 1},
		{"today", d(2026, 1, 1), "PO", 2, 2, Divorced, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rec.AsAt(tc.on)
			if got.Address.Street != tc.street || len(got.Residences) != tc.residences || len(got.CivilEvents) != tc.events ||
				got.Person.CivilStatus != tc.civil || len(got.Members) != tc.members || len(got.Documents) != tc.documents {
				t.Errorf("as at %s: address %s, %d residences, %d events, civil status %d, %d members, %d documents",
					tc.on, got.Address.Street, len(got.Residences), len(got.CivilEvents), got.Person.CivilStatus, len(got.Members), len(got.Documents))
			}
			if tc.residences == 1 && !got.Residences[0].To.IsZero() {
				t.Errorf("the residence open at %s shows an end", tc.on)
			}
		})
	}
	dead := Record{Person: Person{Status: Deceased, StatusSince: d(2024, 1, 1), BirthDate: d(1930, 1, 1)}}
	if got := dead.AsAt(d(2023, 1, 1)).Person.Status; got != Resident {
		t.Errorf("status before death %s", got)
	}
}
