package registry

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"sportello/assets"
)

// Place is a municipality (cadastral code) or a foreign state (Z code) with
// the period its name and province were in force. A code can have several
// entries over time: a municipality renamed or moved to another province.
type Place struct {
	Code     string // cadastral (Belfiore) code, e.g. L219; Z code for a foreign state
	Name     string // official name, upper case as the registry writes it
	Province string // province abbreviation; empty for foreign states
	From     Date   // first day in force (zero when not known)
	To       Date   // last day in force; zero while still in force
	Foreign  bool   // a foreign state (Z code)
}

// ValidOn reports whether the entry was in force on the date.
func (p Place) ValidOn(on Date) bool {
	if !p.From.IsZero() && on.Before(p.From) {
		return false
	}
	return p.To.IsZero() || !on.After(p.To)
}

// places is the parsed list, built once from the embedded data.
type places struct {
	all    []Place            // municipalities then foreign states, each by code and date
	munis  []Place            // all[:k]
	states []Place            // all[k:]
	byCode map[string][]Place // sub-slices of all: the entries of a code by date

	foldOnce sync.Once
	folded   []string // Fold(all[i].Name), built on the first name search
}

var (
	placesOnce sync.Once
	placesData *places
)

// loadPlaces parses the embedded list the first time it is needed. The data
// is generated and checked by the tests, so a parse failure is a build
// defect and panics.
func loadPlaces() *places {
	placesOnce.Do(func() {
		p, err := parsePlaces(assets.Places)
		if err != nil {
			panic(fmt.Sprintf("registry: embedded places: %v", err))
		}
		placesData = p
	})
	return placesData
}

func parsePlaces(gz []byte) (*places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	text := string(data) // every name is a substring of this one string
	all := make([]Place, 0, strings.Count(text, "\n"))
	for line := 1; text != ""; line++ {
		var row string
		row, text, _ = strings.Cut(text, "\n")
		if row == "" || row[0] == '#' {
			continue
		}
		var f [5]string
		n := 0
		for n < 4 {
			var ok bool
			if f[n], row, ok = strings.Cut(row, "\t"); !ok {
				break
			}
			n++
		}
		f[n] = row
		if n != 4 || !placeCodeForm(f[0]) || strings.Contains(row, "\t") {
			return nil, fmt.Errorf("line %d: malformed", line)
		}
		from, ok := parseISO(f[3])
		if !ok {
			return nil, fmt.Errorf("line %d: bad date %q", line, f[3])
		}
		to, ok := parseISO(f[4])
		if !ok {
			return nil, fmt.Errorf("line %d: bad date %q", line, f[4])
		}
		all = append(all, Place{Code: f[0], Name: f[1], Province: f[2], From: from, To: to, Foreign: f[0][0] == 'Z'})
	}
	slices.SortStableFunc(all, func(a, b Place) int {
		if a.Foreign != b.Foreign {
			if b.Foreign {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return a.From.Compare(b.From)
	})
	p := &places{all: all, byCode: make(map[string][]Place, 10000)}
	k := len(all)
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].Code == all[i].Code {
			j++
		}
		p.byCode[all[i].Code] = all[i:j:j]
		if all[i].Foreign && k == len(all) {
			k = i
		}
		i = j
	}
	p.munis, p.states = all[:k:k], all[k:]
	return p, nil
}

// parseISO reads YYYY-MM-DD; "" is the zero date.
func parseISO(s string) (Date, bool) {
	if s == "" {
		return Date{}, true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) {
				return -1
			}
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	d := Date{Year: num(s[:4]), Month: time.Month(num(s[5:7])), Day: num(s[8:])}
	return d, d.Valid()
}

// foldedNames returns the folded name of every entry of all, computing them
// the first time.
func (p *places) foldedNames() []string {
	p.foldOnce.Do(func() {
		p.folded = make([]string, len(p.all))
		for i, pl := range p.all {
			if i > 0 && pl.Name == p.all[i-1].Name {
				p.folded[i] = p.folded[i-1]
				continue
			}
			p.folded[i] = Fold(pl.Name)
		}
	})
	return p.folded
}

// placeCodeForm reports whether s has the form of a place code: a letter and
// three digits, upper case.
func placeCodeForm(s string) bool {
	return len(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' &&
		isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// LookupPlace returns the entry for the code (either case) in force on the
// date; with a zero date, the most recent entry. A municipality suppressed
// later is found at a date before its suppression.
func LookupPlace(code string, on Date) (Place, bool) {
	entries := loadPlaces().byCode[upperASCII(code)]
	if len(entries) == 0 {
		return Place{}, false
	}
	if on.IsZero() {
		return entries[len(entries)-1], true
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].ValidOn(on) {
			return entries[i], true
		}
	}
	return Place{}, false
}

// lookupPlaceNearest returns the entry in force on the date or, when the code
// exists but no entry covers the date (a birth before the first recorded
// entry, a state code used after the state ceased), the entry nearest in time.
func lookupPlaceNearest(code string, on Date) (Place, bool) {
	if p, ok := LookupPlace(code, on); ok || on.IsZero() {
		return p, ok
	}
	entries := loadPlaces().byCode[upperASCII(code)]
	if len(entries) == 0 {
		return Place{}, false
	}
	if on.Before(entries[0].From) {
		return entries[0], true
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if !entries[i].From.After(on) {
			return entries[i], true
		}
	}
	return entries[len(entries)-1], true
}

// FindPlaces returns the places whose folded name (see Fold) equals or starts
// with the folded name asked for: exact matches first, then prefix matches,
// each group in force first and then by name. With a non-zero date only the
// entries in force on that date are returned; with a zero date each code
// appears once per name, with its most recent entry. An empty name finds
// nothing.
func FindPlaces(name string, on Date) []Place {
	q := Fold(name)
	if q == "" {
		return nil
	}
	p := loadPlaces()
	type hit struct {
		pl    Place
		exact bool
	}
	var hits []hit
	seen := map[string]int{} // code+name -> index in hits, for the zero date
	for i, f := range p.foldedNames() {
		if !strings.HasPrefix(f, q) {
			continue
		}
		pl := p.all[i]
		if !on.IsZero() && !pl.ValidOn(on) {
			continue
		}
		h := hit{pl, len(f) == len(q)}
		if on.IsZero() {
			key := pl.Code + "\x00" + pl.Name
			if j, ok := seen[key]; ok {
				if !pl.From.Before(hits[j].pl.From) {
					hits[j] = h
				}
				continue
			}
			seen[key] = len(hits)
		}
		hits = append(hits, h)
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.exact != b.exact {
			if a.exact {
				return -1
			}
			return 1
		}
		if ac, bc := a.pl.To.IsZero(), b.pl.To.IsZero(); ac != bc {
			if ac {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.pl.Name, b.pl.Name); c != 0 {
			return c
		}
		return strings.Compare(a.pl.Code, b.pl.Code)
	})
	out := make([]Place, len(hits))
	for i, h := range hits {
		out[i] = h.pl
	}
	return out
}

// Municipalities returns every municipality entry, ceased ones too, ordered
// by code and date. The slice is the caller's.
func Municipalities() []Place {
	return slices.Clone(loadPlaces().munis)
}

// ForeignStates returns every foreign state entry, ceased ones too, ordered
// by code and date. The slice is the caller's.
func ForeignStates() []Place {
	return slices.Clone(loadPlaces().states)
}

// upperASCII upper-cases ASCII letters, allocating only when needed.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// MunicipalityTitle is how a municipality names itself on a page or a
// screen: "Comune di Anagni" for A269; "Comune A269" for a code not known.
func MunicipalityTitle(code string) string {
	if p, ok := LookupPlace(code, Today()); ok && !p.Foreign {
		return "Comune di " + TitleCase(p.Name)
	}
	return "Comune " + code
}
