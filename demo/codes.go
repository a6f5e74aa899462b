package demo

import (
	"fmt"

	"sportello/registry"
)

// issuedCodes counts, for each base codice fiscale issued so far, how many
// codes (the base and its omocode variants) have been given out. It is an
// open-addressing hash table: one probe finds or inserts, and a few million
// entries cost a fraction of a Go map's time.
type issuedCodes struct {
	keys  []uint64 // packed code + 1; 0 is an empty slot
	count []uint8
	n     int
	mask  uint64
}

func newIssuedCodes(expected int) *issuedCodes {
	size := uint64(1024)
	for size*3/4 < uint64(expected) {
		size *= 2
	}
	return &issuedCodes{keys: make([]uint64, size), count: make([]uint8, size), mask: size - 1}
}

// slot returns the counter of the packed code, inserting it at 0 if new.
func (s *issuedCodes) slot(key uint64) *uint8 {
	if uint64(s.n+1) > (s.mask+1)*3/4 {
		s.grow()
	}
	k := key + 1
	for i := mix(k) & s.mask; ; i = (i + 1) & s.mask {
		switch s.keys[i] {
		case k:
			return &s.count[i]
		case 0:
			s.keys[i] = k
			s.n++
			return &s.count[i]
		}
	}
}

func (s *issuedCodes) grow() {
	keys, count := s.keys, s.count
	size := uint64(len(keys)) * 2
	s.keys, s.count, s.mask = make([]uint64, size), make([]uint8, size), size-1
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := mix(k) & s.mask
		for s.keys[i] != 0 {
			i = (i + 1) & s.mask
		}
		s.keys[i], s.count[i] = k, count[j]
	}
}

// monthIndex maps a codice fiscale month letter to 0..11.
var monthIndex = func() (m [26]uint8) {
	for i, c := range "ABCDEHLMPRST" {
		m[c-'A'] = uint8(i)
	}
	return m
}()

// packCF packs a non-omocode codice fiscale, less its check character, into
// a number below 10^19: distinct codes give distinct numbers.
func packCF(code string) uint64 {
	var v uint64
	for i := range 6 {
		v = v*26 + uint64(code[i]-'A')
	}
	v = v*100 + uint64(code[6]-'0')*10 + uint64(code[7]-'0')
	v = v*12 + uint64(monthIndex[code[8]-'A'])
	v = v*100 + uint64(code[9]-'0')*10 + uint64(code[10]-'0')
	v = v*26 + uint64(code[11]-'A')
	return v*1000 + uint64(code[12]-'0')*100 + uint64(code[13]-'0')*10 + uint64(code[14]-'0')
}

// issue gives the person a codice fiscale as the Revenue Agency would: the
// computed code, or for a later namesake with the same code the next omocode
// variant. A few get a variant anyway, as if the namesake lived elsewhere.
func (g *generator) issue(p *registry.Person) error {
	code, err := registry.ComputeCF(p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace)
	if err != nil {
		return fmt.Errorf("demo: compute a codice fiscale: %w", err)
	}
	n := g.issued.slot(packCF(code))
	if *n == 0 && g.r.IntN(10_000) < omocodeForced {
		*n = 1
	}
	if *n > 0 {
		code = registry.OmocodeVariant(code, int(min(*n, 127)))
	}
	if *n < 127 {
		*n++
	}
	p.CF = code
	p.CFChecked = g.per(cfCheckedShare)
	return nil
}
