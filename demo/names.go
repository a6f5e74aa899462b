package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"sportello/assets"
	"sportello/registry"
)

// weighted draws indexes with probability proportional to their weight, by a
// binary search over the cumulative weights.
type weighted struct {
	cum   []uint64
	total uint64
}

func (w *weighted) add(weight uint64) {
	w.total += weight
	w.cum = append(w.cum, w.total)
}

// pick returns an index; w must have a positive total.
func (w *weighted) pick(r *rand.Rand) int {
	x := r.Uint64N(w.total)
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// nameList is a weighted list of names.
type nameList struct {
	names []string
	w     weighted
}

func (l *nameList) add(name string, weight uint64) {
	if weight == 0 {
		return
	}
	l.names = append(l.names, name)
	l.w.add(weight)
}

func (l *nameList) pick(r *rand.Rand) string { return l.names[l.w.pick(r)] }

// Birth cohorts of the Italian first-name lists.
const (
	cohortOld   = iota // born before 1960
	cohortMid          // 1960-1989
	cohortYoung        // 1990 or later
	cohorts
)

func cohortOf(year int) int {
	switch {
	case year < 1960:
		return cohortOld
	case year < 1990:
		return cohortMid
	}
	return cohortYoung
}

// nameGroup is the names of one origin: Italian, or a foreign group such as
// "romanian". Italian first names depend on the birth cohort; foreign ones
// use the same list for every cohort.
type nameGroup struct {
	surnames nameList
	male     [cohorts]nameList
	female   [cohorts]nameList
}

func (g *nameGroup) surname(r *rand.Rand) string { return g.surnames.pick(r) }

func (g *nameGroup) name(r *rand.Rand, sex registry.Sex, born int) string {
	c := cohortOf(date(born).Year)
	if sex == registry.Female {
		return g.female[c].pick(r)
	}
	return g.male[c].pick(r)
}

// country is a country of birth of people born abroad (countries.tsv).
type country struct {
	code        string     // Z code of the state of birth
	womenPer100 int        // sex ratio of the people born there
	group       *nameGroup // names; the Italian group for children of emigrants
	italian     bool       // people born there are Italian citizens (emigrants' children)
	citizenship string     // Z code of their citizenship; the successor for a ceased state
}

// street is a street of the demo municipality.
type street struct {
	toponym, name string
}

// abroadAddress is a street abroad where an AIRE household lives.
type abroadAddress struct {
	country, street, city, postcode string
}

// tables is everything parsed from assets/names.
type tables struct {
	italian       *nameGroup
	groups        map[string]*nameGroup
	foreign       []country // foreign citizens (own citizenship or a successor state)
	foreignW      weighted
	emigrant      []country // Italians born abroad to emigrants
	emigrantW     weighted
	streets       []street
	streetWeights []uint64
	abroad        []abroadAddress
	abroadW       weighted
}

var loadTables = sync.OnceValues(func() (*tables, error) {
	return parseTables(tableFiles{
		surnames:  assets.Surnames,
		male:      assets.MaleNames,
		female:    assets.FemaleNames,
		streets:   assets.Streets,
		foreign:   assets.ForeignNames,
		countries: assets.BirthCountries,
		abroad:    assets.AbroadAddresses,
	})
})

// tableFiles are the raw files, so tests can parse broken ones.
type tableFiles struct {
	surnames, male, female, streets, foreign, countries, abroad []byte
}

func parseTables(f tableFiles) (*tables, error) {
	t := &tables{italian: &nameGroup{}, groups: map[string]*nameGroup{}}
	t.groups["italian"] = t.italian
	err := eachLine("surnames.tsv", f.surnames, 2, func(c []string) error {
		w, err := weight(c[1])
		t.italian.surnames.add(c[0], w)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, names := range []struct {
		file  string
		data  []byte
		lists *[cohorts]nameList
	}{
		{"male.tsv", f.male, &t.italian.male},
		{"female.tsv", f.female, &t.italian.female},
	} {
		err := eachLine(names.file, names.data, 1+cohorts, func(c []string) error {
			for i := range cohorts {
				w, err := weight(c[1+i])
				if err != nil {
					return err
				}
				names.lists[i].add(c[0], w)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err = eachLine("streets.tsv", f.streets, 3, func(c []string) error {
		w, err := weight(c[2])
		t.streets = append(t.streets, street{toponym: c[0], name: c[1]})
		t.streetWeights = append(t.streetWeights, w)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachLine("foreign.tsv", f.foreign, 3, func(c []string) error {
		g := t.groups[c[0]]
		if g == nil {
			g = &nameGroup{}
			t.groups[c[0]] = g
		}
		names := strings.Split(c[2], ",")
		for i, n := range names {
			// Most common first: weights fall from 2n to n+1.
			w := uint64(2*len(names) - i)
			switch c[1] {
			case "S":
				g.surnames.add(n, w)
			case "M":
				for k := range cohorts {
					g.male[k].add(n, w)
				}
			case "F":
				for k := range cohorts {
					g.female[k].add(n, w)
				}
			default:
				return fmt.Errorf("kind %q is not S, M or F", c[1])
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachLine("countries.tsv", f.countries, 5, func(c []string) error {
		w, err := weight(c[1])
		if err != nil {
			return err
		}
		women, err := strconv.Atoi(c[2])
		if err != nil || women < 0 || women > 100 {
			return fmt.Errorf("women per 100 %q is not a number from 0 to 100", c[2])
		}
		g := t.groups[c[3]]
		if g == nil {
			return fmt.Errorf("name group %q is not in foreign.tsv", c[3])
		}
		if _, ok := registry.LookupPlace(c[0], registry.Date{}); !ok {
			return fmt.Errorf("country %q is not a known place code", c[0])
		}
		k := country{code: c[0], womenPer100: women, group: g}
		switch c[4] {
		case "IT":
			k.italian, k.citizenship = true, registry.Italy
			t.emigrant = append(t.emigrant, k)
			t.emigrantW.add(w)
			return nil
		case "own":
			k.citizenship = c[0]
		default:
			k.citizenship = c[4]
		}
		if p, ok := registry.LookupPlace(k.citizenship, registry.Date{}); !ok || !p.To.IsZero() {
			return fmt.Errorf("citizenship %q is not a state in force", k.citizenship)
		}
		t.foreign = append(t.foreign, k)
		t.foreignW.add(w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachLine("abroad.tsv", f.abroad, 5, func(c []string) error {
		w, err := weight(c[1])
		if err != nil {
			return err
		}
		if p, ok := registry.LookupPlace(c[0], registry.Date{}); !ok || !p.Foreign {
			return fmt.Errorf("country %q is not a foreign state", c[0])
		}
		t.abroad = append(t.abroad, abroadAddress{country: c[0], street: c[2], city: c[3], postcode: c[4]})
		t.abroadW.add(w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for name, g := range t.groups {
		empty := g.surnames.w.total == 0
		for k := range cohorts {
			empty = empty || g.male[k].w.total == 0 || g.female[k].w.total == 0
		}
		if empty {
			return nil, fmt.Errorf("demo names: group %q lacks surnames or names", name)
		}
	}
	if len(t.streets) == 0 || len(t.foreign) == 0 || len(t.emigrant) == 0 || len(t.abroad) == 0 {
		return nil, fmt.Errorf("demo names: a list is empty")
	}
	return t, nil
}

// eachLine calls fn with the tab-separated columns of every line that is not
// blank or a # comment, checking their count.
func eachLine(file string, data []byte, columns int, fn func([]string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != columns {
			return fmt.Errorf("demo names: %s line %d: %d columns, want %d", file, n, len(c), columns)
		}
		for _, s := range c {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("demo names: %s line %d: empty column", file, n)
			}
		}
		if err := fn(c); err != nil {
			return fmt.Errorf("demo names: %s line %d: %w", file, n, err)
		}
	}
	return sc.Err()
}

func weight(s string) (uint64, error) {
	w, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("weight %q is not a whole number", s)
	}
	return w, nil
}
