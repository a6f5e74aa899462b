package store

import (
	"context"
	"slices"
	"testing"

	"sportello/fault"
	"sportello/registry"
)

func TestRecordFamily(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario, anna, nicolo := idOf(t, s, "Rossi", "Mario"), idOf(t, s, "Bianchi", "Anna"), idOf(t, s, "Rossi", "Nicolò")
	for _, id := range []int64{mario, anna, nicolo} {
		rec, err := s.Record(ctx, id)
		if err != nil {
			t.Fatalf("Record(%d): %v", id, err)
		}
		if rec.Person.ID != id {
			t.Errorf("Record(%d) is person %d", id, rec.Person.ID)
		}
		var members []string
		var rels []registry.Relationship
		for _, m := range rec.Members {
			members = append(members, m.Person.Surname+" "+m.Person.Name)
			rels = append(rels, m.Relationship)
		}
		if want := []string{"Rossi Mario", "Bianchi Anna", "Rossi Nicolò"}; !slices.Equal(members, want) {
			t.Errorf("Record(%d) members = %q, want %q", id, members, want)
		}
		if want := []registry.Relationship{registry.Householder, registry.Spouse, registry.Child}; !slices.Equal(rels, want) {
			t.Errorf("Record(%d) relationships = %v, want %v", id, rels, want)
		}
		if rec.Family.HouseholderID != mario || rec.Family.FormedOn != date(t, "1999-06-12") || rec.Family.UID == "" {
			t.Errorf("Record(%d) family = %+v", id, rec.Family)
		}
		if rec.Address.Line() != "Via Roma 12" || rec.Address.Postcode != "03012" {
			t.Errorf("Record(%d) address = %+v, want Via Roma 12", id, rec.Address)
		}
	}
}

func TestRecordPerson(t *testing.T) {
	s := loadFixture(t)
	rec, err := s.Record(context.Background(), idOf(t, s, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	want := newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269")
	p := rec.Person
	if p.CF != want.CF || p.Sex != registry.Male || p.BirthDate != want.BirthDate || p.BirthPlace != "A269" ||
		p.CivilStatus != registry.Married || p.Status != registry.Resident || p.Version != 1 ||
		p.Relationship != registry.Householder || p.FamilyID != rec.Family.ID || p.UID == "" {
		t.Errorf("person = %+v", p)
	}
	if !slices.Equal(p.Citizenships, []string{registry.Italy}) {
		t.Errorf("citizenships = %q", p.Citizenships)
	}
}

func TestRecordResidenceHistory(t *testing.T) {
	s := loadFixture(t)
	rec, err := s.Record(context.Background(), idOf(t, s, "Rossi", "Mario"))
	if err != nil {
		t.Fatal(err)
	}
	type period struct{ line, from, to string }
	var got []period
	for _, r := range rec.Residences {
		got = append(got, period{r.Address.Line(), r.From.String(), r.To.String()})
	}
	want := []period{
		{"Via Giuseppe Garibaldi 3", "1995-09-01", "2000-01-14"},
		{"Via Roma 12", "2000-01-15", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("residences = %v, want %v (oldest first)", got, want)
	}
	// The family address and Mario's residence are one address row.
	if rec.Residences[1].Address.ID != rec.Address.ID {
		t.Errorf("current residence address %d, family address %d: want the same row", rec.Residences[1].Address.ID, rec.Address.ID)
	}
}

func TestRecordCivilEventsLinkBothWays(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	tests := []struct {
		surname, name string
		want          []string // kind, date, other person
	}{
		{"Rossi", "Mario", []string{"marriage 1999-06-12 Bianchi Anna"}},
		{"Bianchi", "Anna", []string{"marriage 1999-06-12 Rossi Mario"}},
		{"D'Amico", "Giuseppe", []string{"marriage 1975-05-05 Esposito Carla", "widowhood 2010-10-10 Esposito Carla"}},
		{"Esposito", "Carla", []string{"marriage 1975-05-05 D'Amico Giuseppe"}},
		{"Rossi", "Nicolò", nil},
	}
	for _, tt := range tests {
		t.Run(tt.surname+" "+tt.name, func(t *testing.T) {
			id := idOf(t, s, tt.surname, tt.name)
			rec, err := s.Record(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range rec.CivilEvents {
				got = append(got, string(e.Kind)+" "+e.Date.String()+" "+e.OtherName)
				other, err := s.Record(ctx, e.OtherPersonID)
				if err != nil {
					t.Fatalf("the other person %d: %v", e.OtherPersonID, err)
				}
				if other.Person.UID != e.OtherPersonUID || other.Person.Surname+" "+other.Person.Name != e.OtherName {
					t.Errorf("event %+v names %+v", e, other.Person)
				}
				linked := slices.ContainsFunc(other.CivilEvents, func(o registry.CivilEvent) bool { return o.OtherPersonID == id })
				if !linked {
					t.Errorf("%s %s's event %s has no event back", tt.surname, tt.name, e.Kind)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("events = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecordOutsideFamily(t *testing.T) {
	s := loadFixture(t)
	rec, err := s.Record(context.Background(), idOf(t, s, "Esposito", "Carla"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Person.FamilyID != 0 || rec.Family.ID != 0 || len(rec.Members) != 0 {
		t.Errorf("a person outside any family has family %+v and members %+v", rec.Family, rec.Members)
	}
	if rec.Person.Status != registry.Deceased || rec.Person.StatusSince != date(t, "2010-10-10") {
		t.Errorf("status = %s since %s", rec.Person.Status, rec.Person.StatusSince)
	}
	if rec.Address != (registry.Address{}) {
		t.Errorf("address = %+v, want none (her residence ended)", rec.Address)
	}
}

func TestRecordNotFound(t *testing.T) {
	s := loadFixture(t)
	for _, id := range []int64{0, -1, 999999} {
		_, err := s.Record(context.Background(), id)
		if fault.Code(err) != fault.NotFound {
			t.Errorf("Record(%d): %v, want fault.NotFound", id, err)
		}
	}
}

func TestAddPersonThenRecord(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	familyID := idOf(t, s, "Rossi", "Mario") // the householder's family
	rec, err := s.Record(ctx, familyID)
	if err != nil {
		t.Fatal(err)
	}
	baby := newPerson(t, "Rossi", "Giulia", registry.Female, "2025-12-01", "A269")
	baby.FamilyID, baby.Relationship = rec.Family.ID, registry.Child
	baby.Citizenships = []string{registry.Italy, "Z330"}
	added, err := s.AddPerson(ctx, "clerk", baby)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Record(ctx, added.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Members) != 4 || got.Members[0].Person.Name != "Mario" || got.Members[3].Person.Name != "Giulia" {
		t.Errorf("members after a birth = %+v", got.Members)
	}
	if !slices.Equal(got.Person.Citizenships, []string{registry.Italy, "Z330"}) {
		t.Errorf("citizenships = %q", got.Person.Citizenships)
	}
	found, err := s.Search(ctx, registry.Query{Words: []string{"rossi", "giu"}}, 0)
	if err != nil || len(found) != 1 || found[0].ID != added.ID || found[0].Address != "Via Roma 12" {
		t.Errorf("the new person is searched as %+v, %v", found, err)
	}
	found, err = s.Search(ctx, registry.Query{Words: []string{"giulia", "rossi"}}, 0)
	if err != nil || len(found) != 1 || found[0].ID != added.ID {
		t.Errorf("the full-text index missed the new person: %+v, %v", found, err)
	}
}
