package demo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"sportello/assets"
	"sportello/registry"
)

func embeddedFiles() tableFiles {
	return tableFiles{
		surnames:  assets.Surnames,
		male:      assets.MaleNames,
		female:    assets.FemaleNames,
		streets:   assets.Streets,
		foreign:   assets.ForeignNames,
		countries: assets.BirthCountries,
		abroad:    assets.AbroadAddresses,
	}
}

func TestEmbeddedNameLists(t *testing.T) {
	tab, err := parseTables(embeddedFiles())
	if err != nil {
		t.Fatal(err)
	}
	it := tab.italian
	if n := len(it.surnames.names); n < 280 {
		t.Errorf("%d surnames, want about 300", n)
	}
	for c := range cohorts {
		if n := len(it.male[c].names); n < 100 {
			t.Errorf("%d male names for cohort %d", n, c)
		}
		if n := len(it.female[c].names); n < 100 {
			t.Errorf("%d female names for cohort %d", n, c)
		}
	}
	if n := len(tab.streets); n < 80 {
		t.Errorf("%d streets, want about 80", n)
	}
	// Names the search must handle are there.
	for _, want := range []struct {
		list *nameList
		name string
	}{
		{&it.surnames, "D'Amico"}, {&it.surnames, "De Luca"}, {&it.surnames, "Lo Russo"},
		{&it.surnames, "Dell'Acqua"}, {&it.surnames, "Di Stefano"}, {&it.surnames, "Zappalà"},
		{&it.male[cohortYoung], "Nicolò"}, {&it.male[cohortYoung], "Niccolò"},
	} {
		found := false
		for _, n := range want.list.names {
			found = found || n == want.name
		}
		if !found {
			t.Errorf("%s is not in the lists", want.name)
		}
	}
	// Every name gives a codice fiscale.
	for name, g := range tab.groups {
		for _, lists := range [][]string{g.surnames.names, g.male[cohortMid].names, g.female[cohortMid].names} {
			for _, n := range lists {
				if _, err := registry.ComputeCF(n, n, registry.Male, registry.NewDate(1980, 1, 1), "A269"); err != nil {
					t.Errorf("%s name %q: %v", name, n, err)
				}
			}
		}
	}
	// Toponyms are ANPR street kinds.
	kinds := map[string]bool{"VIA": true, "VIALE": true, "PIAZZA": true, "PIAZZALE": true, "CORSO": true,
		"VICOLO": true, "LARGO": true, "LOCALITA'": true, "CONTRADA": true, "STRADA PROVINCIALE": true}
	for _, s := range tab.streets {
		if !kinds[s.toponym] || s.name != strings.ToUpper(s.name) {
			t.Errorf("street %s %s", s.toponym, s.name)
		}
	}
}

func TestNameCohorts(t *testing.T) {
	tab, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	count := func(year int, name string) int {
		n := 0
		for range 2000 {
			if tab.italian.name(r, registry.Male, days(registry.NewDate(year, 6, 1))) == name {
				n++
			}
		}
		return n
	}
	// Giuseppe was the commonest name of the grandparents, Leonardo is the
	// commonest of the children.
	if old, young := count(1940, "Giuseppe"), count(2015, "Giuseppe"); old <= 3*young {
		t.Errorf("Giuseppe: %d in 1940, %d in 2015", old, young)
	}
	if old, young := count(1940, "Leonardo"), count(2015, "Leonardo"); young <= 3*old {
		t.Errorf("Leonardo: %d in 1940, %d in 2015", old, young)
	}
}

func TestParseTablesRefusesBrokenFiles(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*tableFiles)
		error string
	}{
		{"missing column", func(f *tableFiles) { f.surnames = []byte("Rossi\n") }, "surnames.tsv line 1: 1 columns"},
		{"bad weight", func(f *tableFiles) { f.surnames = []byte("# c\nRossi\tmany\n") }, "surnames.tsv line 2: weight"},
		{"empty column", func(f *tableFiles) { f.streets = []byte("VIA\t \t3\n") }, "streets.tsv line 1: empty column"},
		{"bad cohort weight", func(f *tableFiles) { f.male = []byte("Mario\t1\t2\t-3\n") }, "male.tsv line 1: weight"},
		{"unknown kind", func(f *tableFiles) { f.foreign = append([]byte("romanian\tX\tIon\n"), f.foreign...) }, "kind \"X\""},
		{"unknown group", func(f *tableFiles) { f.countries = []byte("Z129\t1\t50\tklingon\town\n") }, "name group \"klingon\""},
		{"unknown country", func(f *tableFiles) { f.countries = []byte("Z999\t1\t50\tromanian\town\n") }, "country \"Z999\""},
		{"bad sex ratio", func(f *tableFiles) { f.countries = []byte("Z129\t1\t150\tromanian\town\n") }, "women per 100"},
		{"ceased citizenship", func(f *tableFiles) { f.countries = []byte("Z135\t1\t50\tukrainian\town\n") }, "citizenship \"Z135\""},
		{"italian address abroad", func(f *tableFiles) { f.abroad = []byte("H501\t1\tVIA ROMA\tROMA\t00100\n") }, "not a foreign state"},
		{"no streets", func(f *tableFiles) { f.streets = []byte("# none\n") }, "a list is empty"},
		{"group without names", func(f *tableFiles) { f.foreign = append(f.foreign, "martian\tS\tZork\n"...) }, "group \"martian\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := embeddedFiles()
			c.edit(&f)
			_, err := parseTables(f)
			if err == nil || !strings.Contains(err.Error(), c.error) {
				t.Errorf("error %v, want one saying %q", err, c.error)
			}
		})
	}
}

func TestWeightedPick(t *testing.T) {
	var w weighted
	for _, x := range []uint64{1, 0, 3} {
		w.add(x)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var got [3]int
	for range 40000 {
		got[w.pick(r)]++
	}
	if got[1] != 0 {
		t.Errorf("an item of weight 0 was picked %d times", got[1])
	}
	if ratio := float64(got[2]) / float64(got[0]); ratio < 2.8 || ratio > 3.2 {
		t.Errorf("weights 1 and 3 picked %d and %d times", got[0], got[2])
	}
}
