package demo

import (
	"encoding/binary"

	"github.com/oklog/ulid/v2"

	"sportello/registry"
)

// mix is a bijection of 64-bit numbers (SplitMix64's finaliser): distinct
// inputs give distinct outputs.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// uid returns a new ULID with the time of the day given (clamped to the
// ULID epoch). Its entropy is a bijection of a sequence number, so UIDs never
// repeat within a register; the top bit is 0 to keep them apart from address
// UIDs.
func (g *generator) uid(day int) string {
	var id ulid.ULID
	_ = id.SetTime(uint64(max(0, day)) * 86_400_000)
	g.uidSeq++
	var e [10]byte
	binary.BigEndian.PutUint16(e[:2], uint16(g.r.Uint32())&0x7fff)
	binary.BigEndian.PutUint64(e[2:], mix(g.uidSeq^g.uidKey))
	_ = id.SetEntropy(e[:])
	return id.String()
}

// addressUID is a function of the address's content, so the same flat has
// the same UID wherever it appears; the top entropy bit is 1.
func (g *generator) addressUID(key uint64) string {
	var id ulid.ULID
	_ = id.SetTime(g.addrMs)
	var e [10]byte
	binary.BigEndian.PutUint16(e[:2], uint16(mix(key+g.addrKey))|0x8000)
	binary.BigEndian.PutUint64(e[2:], mix(key^g.addrKey))
	_ = id.SetEntropy(e[:])
	return id.String()
}

// register decides when each person was registered in the municipality and
// why, and builds the residence histories.
func (g *generator) register() {
	h := &g.h
	inherited := false
	for i := range g.d {
		d := &g.d[i]
		if !d.member {
			continue
		}
		fs := max(d.join, h.arrived, d.born)
		foreignBorn := d.origin == originForeign || d.origin == originEmigrant
		switch {
		case h.aire && d.born >= h.emigrated:
			d.reg, d.reason = d.born, 1
		case d.born >= h.arrived:
			d.reg, d.reason = d.born, 1
		case h.kind == kindLocal && !foreignBorn && (d.p.BirthPlace == g.home || g.per(450)):
			d.reg, d.reason = d.born, 1
		case h.kind == kindLocal:
			d.reg, d.reason = fs, 3
			if g.per(300) {
				d.reg = g.between(min(fs, adult(d.born)), fs)
			}
			if foreignBorn && (d.reg < adult(d.born)+yrs(2) || g.per(700)) {
				d.reason = 4
			}
		default:
			d.reg, d.reason = h.arrived, 3
			if h.kind == kindForeign && g.per(750) {
				d.reason = 4
			}
		}
		d.p.StatusSince = date(d.reg)
		last := open
		if h.aire {
			last = h.emigrated - 1
		}
		// Many natives live in the house they grew up in.
		inherit := !inherited && !h.hasPrev && d.reason == 1 && d.reg < fs && g.per(inheritShare)
		inherited = inherited || inherit
		g.periods(i, d.reg, d.reason, fs, last, inherit)
		if h.aire {
			from := max(h.emigrated, d.born)
			reason := 0
			if d.born >= h.emigrated {
				reason = 1
			}
			g.res = append(g.res, registry.Residence{Address: h.famAddr, From: date(from), Reason: reason})
			g.resOwner = append(g.resOwner, i)
			d.p.Status = registry.AIRE
			d.p.StatusSince = date(from)
		}
	}
	// Spouses who died or left: at the family's addresses from when they
	// lived in it here, if ever.
	for i := range g.d {
		d := &g.d[i]
		if d.member {
			continue
		}
		fs := max(h.arrived, g.d[d.partner].join)
		for _, e := range g.events {
			if e.person == i && (e.kind == registry.EventMarriage || e.kind == registry.EventCivilUnion) {
				fs = max(fs, e.day)
			}
		}
		d.p.StatusSince = date(d.end)
		if d.p.Status == registry.Cancelled {
			d.p.StatusSince = date(d.end + 1)
		}
		if fs > d.end || (h.aire && fs >= h.emigrated) {
			d.absent = true
			continue
		}
		d.reg, d.reason = fs, 3
		switch {
		case d.origin == originForeign || d.origin == originEmigrant:
			d.reason = 4
		case d.p.BirthPlace == g.home && h.kind == kindLocal:
			d.reg, d.reason = d.born, 1
		}
		last := d.end
		if h.aire {
			last = min(last, h.emigrated-1)
		}
		g.periods(i, d.reg, d.reason, fs, last, false)
	}
	// A few households moved away.
	if !h.aire && g.per(cancelledShare) {
		latest := h.addrSince
		for _, d := range g.d {
			if d.member {
				latest = max(latest, d.born, d.join, d.reg)
			}
		}
		for _, e := range g.events {
			latest = max(latest, e.day)
		}
		if latest < g.today-30 {
			c := g.between(latest+1, g.today-1)
			for i := range g.d {
				if !g.d[i].member {
					continue
				}
				g.d[i].p.Status = registry.Cancelled
				g.d[i].p.StatusSince = date(c)
			}
			for k := range g.res {
				if g.d[g.resOwner[k]].member && g.res[k].To.IsZero() {
					g.res[k].To = date(c - 1)
				}
			}
		}
	}
}

// periods appends the residences of person i in the municipality: from reg
// (registered for the reason given) at an earlier home until joining the
// family on fs, then at the family's previous home until it moved, then at
// the family's address. The last one ends on the day last, or is current
// when last is open. A person who inherited the family's home has lived at
// its address since reg.
func (g *generator) periods(i, reg, reason, fs, last int, inherit bool) {
	h := &g.h
	emit := func(from, to int, a registry.Address) {
		to = min(to, last)
		if from > to {
			return
		}
		r := registry.Residence{Address: a, From: date(from)}
		if to != open {
			r.To = date(to)
		}
		if len(g.resOwner) == 0 || g.resOwner[len(g.resOwner)-1] != i {
			r.Reason = reason
		}
		g.res = append(g.res, r)
		g.resOwner = append(g.resOwner, i)
	}
	if inherit {
		emit(reg, open, h.homeAddr)
		return
	}
	if reg < fs {
		emit(reg, fs-1, g.address(false))
	}
	start := max(fs, reg)
	if h.hasPrev && start < h.addrSince {
		emit(start, h.addrSince-1, h.prevHome)
	}
	emit(max(start, h.addrSince), open, h.homeAddr)
}

// assemble gives codes and UIDs and builds the household.
func (g *generator) assemble() (registry.Household, error) {
	h := &g.h
	var hh registry.Household
	members, others := 0, 0
	for i := range g.d {
		if g.d[i].member {
			members++
		} else if !g.d[i].absent {
			others++
		}
	}
	hh.Members = make([]registry.Member, 0, members)
	if others > 0 {
		hh.Others = make([]registry.Person, 0, others)
	}
	for i := range g.d {
		d := &g.d[i]
		if d.absent {
			continue
		}
		d.p.UID = g.uid(d.reg)
		switch d.p.Status {
		case registry.Cancelled:
			d.p.CancelReason = registry.CancelMoved // moved away; the destination is not generated
		case registry.Deceased:
			d.p.CancelReason, d.p.StatusPlace = registry.CancelDeath, g.homeOn(d.end) // died in the municipality
		}
		if err := g.issue(&d.p); err != nil {
			return registry.Household{}, err
		}
		if d.member {
			d.p.Relationship = d.rel
			hh.Members = append(hh.Members, registry.Member{Person: d.p, Relationship: d.rel})
		} else {
			hh.Others = append(hh.Others, d.p)
		}
	}
	formed := max(h.formed, h.arrived)
	hh.Family = registry.Family{UID: g.uid(formed), FormedOn: date(formed)}
	hh.Address = h.famAddr
	hh.Residences = make([]registry.Residence, len(g.res))
	for k, r := range g.res {
		r.PersonUID = g.d[g.resOwner[k]].p.UID
		hh.Residences[k] = r
	}
	hh.CivilEvents = make([]registry.CivilEvent, 0, len(g.events))
	for _, e := range g.events {
		d := &g.d[e.person]
		if d.absent {
			continue
		}
		ev := registry.CivilEvent{
			UID:       g.uid(e.day),
			Kind:      e.kind,
			Date:      date(e.day),
			Place:     e.place,
			PersonUID: d.p.UID,
			OtherName: e.otherName,
		}
		if e.other >= 0 {
			o := &g.d[e.other]
			if !o.absent {
				ev.OtherPersonUID = o.p.UID
			} else {
				ev.OtherName = o.p.Name + " " + o.p.Surname
			}
		}
		hh.CivilEvents = append(hh.CivilEvents, ev)
	}
	g.people += members
	return hh, nil
}
