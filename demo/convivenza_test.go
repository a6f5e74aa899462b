package demo

import (
	"testing"

	"sportello/registry"
)

func TestConvivenzeAndElectoralLists(t *testing.T) {
	hs := generate(t, Config{People: testPeople, Seed: 6})
	species := map[registry.ConvivenzaSpecies]int{}
	listed := map[[2]int]bool{}
	voters, registered := 0, 0
	for _, h := range hs {
		if c := h.Family.Convivenza; h.Family.IsConvivenza() {
			species[c.Species] = len(h.Members)
			if c.Name == "" || c.Responsible == "" || !c.Species.Valid() {
				t.Errorf("convivenza %+v", c)
			}
			if c.ResponsibleUID != "" && c.ResponsibleUID != h.Members[0].Person.UID {
				t.Errorf("%s: responsible %s is not the first resident", c.Name, c.ResponsibleUID)
			}
			for _, m := range h.Members {
				if err := m.Person.Validate(); err != nil {
					t.Errorf("%s: %v", c.Name, err)
				}
			}
		}
		in := map[string]registry.Electoral{}
		for _, e := range h.Electoral {
			in[e.PersonUID] = e.Electoral
			key := [2]int{e.Section, e.Number}
			if listed[key] || e.Section < 1 || e.Number < 1 {
				t.Errorf("section %d number %d given twice or not valid", e.Section, e.Number)
			}
			listed[key] = true
		}
		for _, m := range h.Members {
			p := m.Person
			e, ok := in[p.UID]
			want := registry.Voter(p, DefaultToday)
			if ok != want {
				t.Errorf("%s %s (%s, born %s, %v): listed %t", p.Surname, p.Name, p.Status, p.BirthDate, p.Citizenships, ok)
			}
			if want {
				voters++
			}
			if ok {
				registered++
				if e.Since.Before(registry.NewDate(p.BirthDate.Year+18, p.BirthDate.Month, p.BirthDate.Day)) && !(p.BirthDate.Month == 2 && p.BirthDate.Day == 29) {
					t.Errorf("%s %s listed on %s, before turning 18", p.Surname, p.Name, e.Since)
				}
			}
		}
	}
	if species[registry.SpeciesCare] != 20 || species[registry.SpeciesReligious] == 0 {
		t.Errorf("convivenze: %v", species)
	}
	if voters == 0 || registered != voters || voters > testPeople*9/10 || voters < testPeople/2 {
		t.Errorf("%d voters, %d listed, of about %d people", voters, registered, testPeople)
	}
	// a small register has no convivenze
	for _, h := range generate(t, Config{People: 100, Seed: 6}) {
		if h.Family.IsConvivenza() {
			t.Errorf("convivenza %s in a register of 100", h.Family.Convivenza.Name)
		}
	}
}
