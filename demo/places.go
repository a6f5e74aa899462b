package demo

import (
	"fmt"
	"strconv"

	"sportello/registry"
)

// settle decides when the family came to the municipality and to its
// address, and for AIRE households when it left.
func (g *generator) settle() {
	h := &g.h
	h.formed = min(h.formed, g.today-30)
	h.arrived = h.formed
	switch h.kind {
	case kindIncomer:
		h.arrived = g.between(h.formed, g.today-30)
		h.prevTown = g.italianPlace(h.formed, originElsewhere)
	case kindForeign:
		lo := max(h.formed, g.today-yrs(28))
		h.arrived = g.between(lo, g.today-30)
		h.naturalise = h.arrived < g.today-yrs(10) && g.per(naturalShare)
	}
	h.addrSince = h.arrived
	if g.per(movedShare) {
		h.addrSince = g.between(h.arrived, g.today-30)
		if h.addrSince > h.arrived {
			h.prevHome = g.address(false)
			h.hasPrev = true
		} else {
			h.addrSince = h.arrived
		}
	}
	h.famAddr = g.address(true)
	h.homeAddr = h.famAddr
	if h.aire {
		h.homeAddr = g.address(false)
		latest := h.addrSince
		for _, d := range g.d {
			if d.member && d.join > latest && d.born < d.join {
				latest = d.join
			}
		}
		h.emigrated = g.between(latest+1, g.today-30)
	}
}

// places decides birth places and citizenships.
func (g *generator) places() {
	for i := range g.d {
		d := &g.d[i]
		origin := d.origin
		if origin == originLocal || origin == originElsewhere {
			switch {
			case d.member && d.born >= g.h.arrived && d.born >= g.h.formed-200:
				origin = originBornHere
			case g.h.kind == kindIncomer && d.member && d.born >= g.h.formed-200:
				origin = originPrevTown
			case d.born < g.today-yrs(35) && g.per(emigrantShare):
				origin = originEmigrant
				d.country = &g.t.emigrant[g.t.emigrantW.pick(g.r)]
				d.dual = g.per(100)
			}
		}
		if origin == originForeign && d.member && d.born >= g.h.arrived {
			origin = originBornHere
		}
		if g.h.aire && d.member && d.born >= g.h.emigrated {
			// Born abroad after the family emigrated: Italian by descent.
			d.p.BirthPlace = g.t.abroad[g.h.abroad].country
			d.p.Citizenships = []string{registry.Italy}
			continue
		}
		d.origin = origin
		switch origin {
		case originForeign, originEmigrant:
			d.p.BirthPlace = g.foreignPlace(d.country, d.born)
		case originPrevTown:
			d.p.BirthPlace = g.h.prevTown
			if !g.valid(g.h.prevTown, d.born) {
				d.p.BirthPlace = g.italianPlace(d.born, originElsewhere)
			}
		default:
			d.p.BirthPlace = g.italianPlace(d.born, origin)
		}
		d.p.Citizenships = g.citizenships(d)
	}
}

// citizenships: Italians hold registry.Italy; foreigners their state's Z
// code (the successor's for a ceased state), and some both.
func (g *generator) citizenships(d *draft) []string {
	var own string
	switch {
	case g.h.kind == kindForeign && (d.member || d.country != nil):
		own = g.h.foreign.citizenship
		if d.country != nil {
			own = d.country.citizenship
		}
		if g.h.naturalise {
			return []string{registry.Italy, own}
		}
		return []string{own}
	case d.origin == originForeign:
		own = d.country.citizenship
		if d.dual {
			return []string{registry.Italy, own}
		}
		return []string{own}
	case d.origin == originEmigrant && d.dual:
		return []string{registry.Italy, d.country.code}
	}
	return []string{registry.Italy}
}

// foreignPlace is the Z code of birth in country c: a ceased state only for
// births before it ceased, else its successor.
func (g *generator) foreignPlace(c *country, born int) string {
	if g.valid(c.code, born) {
		return c.code
	}
	return c.citizenship
}

// valid reports whether the place code was in force on the day.
func (g *generator) valid(code string, born int) bool {
	_, ok := registry.LookupPlace(code, date(born))
	return ok
}

// italianPlace picks a municipality in force on the birth day.
func (g *generator) italianPlace(born, origin int) string {
	x := g.r.IntN(100)
	var code string
	switch origin {
	case originBornHere:
		if x < 62 {
			code = g.home
		} else {
			code = g.near.pick(g.r)
		}
	case originElsewhere, originPrevTown:
		switch {
		case x < 25:
			code = g.near.pick(g.r)
		case x < 38 && len(g.province) > 0:
			code = g.province[g.r.IntN(len(g.province))]
		case x < 62:
			code = g.cities.pick(g.r)
		default:
			return g.anyPlace(born)
		}
	default:
		switch {
		case x < 58:
			code = g.home
		case x < 72 && len(g.province) > 0:
			code = g.province[g.r.IntN(len(g.province))]
		case x < 88:
			code = g.near.pick(g.r)
		case x < 94:
			code = g.cities.pick(g.r)
		default:
			return g.anyPlace(born)
		}
	}
	if g.valid(code, born) {
		return code
	}
	if g.valid(g.home, born) {
		return g.home
	}
	return "H501"
}

// anyPlace picks any municipality in force on the day, suppressed ones too.
func (g *generator) anyPlace(born int) string {
	on := date(born)
	for range 8 {
		p := g.munis[g.r.IntN(len(g.munis))]
		if p.ValidOn(on) {
			return p.Code
		}
	}
	return g.cities.pick(g.r)
}

// address returns an address in the municipality, or abroad for the AIRE
// household's current address. A family's own address (own true) takes the
// next flat of its building.
func (g *generator) address(own bool) registry.Address {
	if g.h.aire && own {
		return g.abroadAddress()
	}
	s := g.streetW.pick(g.r)
	n := 1 + g.r.IntN(g.numbers[s])
	letter := 0
	if g.r.IntN(100) < 8 {
		letter = 1 + g.r.IntN(2)
	}
	key := uint32(s)<<12 | uint32(n)<<2 | uint32(letter)
	hash := mix(g.addrKey ^ uint64(key))
	condo := hash%10 < 6
	// A block of flats numbers every flat; a house has none, unless more
	// families came to share it.
	var flat int
	switch {
	case own:
		flat = int(g.buildings[key]) + 1
		if flat < 1<<16-1 {
			g.buildings[key] = uint16(flat)
		}
	case condo:
		flat = 1 + g.r.IntN(8)
	}
	a := registry.Address{
		Toponym:     g.t.streets[s].toponym,
		Street:      g.t.streets[s].name,
		HouseNumber: strconv.Itoa(n),
		Postcode:    g.postcode,
		Place:       g.home,
	}
	if letter > 0 {
		a.HouseNumber += "/" + string(rune('A'+letter-1))
	}
	if condo || flat > 1 {
		a.Internal = strconv.Itoa(flat)
	} else {
		flat = 0
	}
	a.UID = g.addressUID(uint64(key)<<16 | uint64(flat))
	return a
}

// abroadAddress is the AIRE household's address abroad. Address has no
// field for a foreign town, so the street carries it: "HIGH STREET 12,
// LONDON"; Place is the state's Z code.
func (g *generator) abroadAddress() registry.Address {
	ab := g.t.abroad[g.h.abroad]
	n := 1 + g.r.IntN(180)
	return registry.Address{
		UID:      g.addressUID(1<<62 | uint64(g.h.abroad)<<16 | uint64(n)),
		Street:   fmt.Sprintf("%s %d, %s", ab.street, n, ab.city),
		Postcode: ab.postcode,
		Place:    ab.country,
	}
}
