package demo

import (
	"math"
	"time"

	"sportello/registry"
)

// How households are composed: who lives in them, their ages, names and
// civil-status histories. Birth places, addresses and residences come later,
// once the family's dates are known.

// group returns the name group of a new person of the household.
func (g *generator) group() *nameGroup {
	if g.h.kind == kindForeign {
		return g.h.foreign.group
	}
	return g.t.italian
}

// add appends a person born on the given day and returns its index. The
// surname is drawn from the group; callers override it for children.
func (g *generator) add(sex registry.Sex, born int, member bool, rel registry.Relationship) int {
	grp := g.group()
	d := draft{born: born, member: member, rel: rel, origin: originLocal}
	if g.h.kind == kindForeign {
		d.origin, d.country = originForeign, g.h.foreign
	} else if g.h.kind == kindIncomer {
		d.origin = originElsewhere
	}
	d.p.Sex = sex
	d.p.BirthDate = date(born)
	d.p.Surname = grp.surname(g.r)
	d.p.Name = grp.name(g.r, sex, born)
	d.p.Status = registry.Resident
	d.p.CivilStatus = registry.Single
	if !member {
		d.p.Status = registry.Deceased
	}
	g.d = append(g.d, d)
	return len(g.d) - 1
}

// foreignSpouse turns person i into someone born abroad (a mixed couple).
func (g *generator) foreignSpouse(i int) {
	d := &g.d[i]
	for range 4 {
		c := &g.t.foreign[g.t.foreignW.pick(g.r)]
		want := c.womenPer100 >= 50
		if (d.p.Sex == registry.Female) == want {
			d.origin, d.country = originForeign, c
			d.p.Name = c.group.name(g.r, d.p.Sex, d.born)
			d.p.Surname = c.group.surname(g.r)
			d.dual = g.per(400)
			return
		}
	}
}

func (g *generator) event(person, other int, kind registry.CivilEventKind, day int, place string) {
	g.events = append(g.events, eventDraft{person: person, other: other, kind: kind, day: day, place: place})
}

// wedding records a marriage (or civil union) of a and b on both, linked.
func (g *generator) wedding(a, b int, kind registry.CivilEventKind, day int) {
	place := g.weddingPlace(a, b, day)
	g.event(a, b, kind, day, place)
	g.event(b, a, kind, day, place)
}

func (g *generator) weddingPlace(a, b, day int) string {
	for _, i := range []int{a, b} {
		if c := g.d[i].country; c != nil && g.d[i].origin == originForeign && g.per(500) {
			return g.foreignPlace(c, day)
		}
	}
	if g.per(650) && g.valid(g.home, day) {
		return g.home
	}
	return g.italianPlace(day, originLocal)
}

// homeOn is the demo municipality's code for an event on the day, or ""
// (place not known) before the municipality existed.
func (g *generator) homeOn(day int) string {
	if g.valid(g.home, day) {
		return g.home
	}
	return ""
}

// otherName is how an event names a spouse not in the register.
func (g *generator) otherName(sex registry.Sex, born int) string {
	grp := g.group()
	return grp.name(g.r, sex, born) + " " + grp.surname(g.r)
}

func opposite(s registry.Sex) registry.Sex {
	if s == registry.Male {
		return registry.Female
	}
	return registry.Male
}

// spouseBorn returns the birth day of a spouse of a person of the given sex
// born on day b: men are usually a few years older.
func (g *generator) spouseBorn(sex registry.Sex, b int) int {
	delta := yrs(g.r.IntN(8)-1) + g.r.IntN(365) - 180
	if sex == registry.Male {
		delta = -delta
	}
	return min(g.today-yrs(18), max(g.minBorn, b-delta))
}

// noBirth asks widowOf and divorceOf to draw the spouse's birth.
const noBirth = math.MinInt32

// adult is the day a person born on b turns 18.
func adult(b int) int { return birthday(b, 18) }

// birthday is the day a person born on b turns n; for those born on 29
// February, 1 March in common years.
func birthday(b, n int) int {
	d := date(b)
	d.Year += n
	if d.Month == time.February && d.Day == 29 && !(d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0)) {
		d.Month, d.Day = time.March, 1
	}
	return days(d)
}

// kidsOf appends n children of the mother born on mb, with the given
// surname, born between the earliest and latest days allowed; it returns the
// birth of the first.
func (g *generator) kidsOf(n int, mb int, surname string, rel registry.Relationship, earliest, latest int) (first int) {
	hi := min(mb+yrs(45), latest, g.today)
	lo := min(max(mb+yrs(18), earliest), hi)
	a1 := 20 + g.r.IntN(11) + g.r.IntN(11)
	prev := mb + yrs(a1) + g.r.IntN(365)
	if prev > hi {
		prev = g.between(max(lo, hi-yrs(2)), hi)
	}
	prev = max(prev, lo)
	first = prev
	for k := range n {
		if k > 0 {
			next := prev + 300 + g.r.IntN(1800)
			if next > hi {
				next = g.between(prev, hi)
			}
			prev = next
		}
		sex := registry.Male
		if g.r.IntN(100) < 49 {
			sex = registry.Female
		}
		i := g.add(sex, prev, true, rel)
		g.d[i].p.Surname = surname
		g.d[i].join = prev
	}
	return first
}

// widowOf gives person i a spouse born on sb (drawn when sb is noBirth) who
// died: the spouse is appended to Others and the marriage and widowhood
// events recorded. The marriage is on or after married; the death between
// died and today. It returns the spouse's index.
func (g *generator) widowOf(i, sb, married, died int) int {
	d := g.d[i]
	if sb == noBirth {
		sb = g.spouseBorn(d.p.Sex, d.born)
	}
	s := g.add(opposite(d.p.Sex), sb, false, 0)
	if d.origin == originForeign {
		g.d[s].origin, g.d[s].country = originForeign, d.country
	}
	m := max(married, adult(max(sb, d.born)))
	m = min(m, g.today-yrs(1))
	hi := min(g.today-30, sb+yrs(99))
	dead := g.between(min(max(died, m+365), hi), hi)
	g.d[s].end = dead
	g.d[s].partner = i
	g.d[s].p.Status = registry.Deceased
	g.d[s].p.CivilStatus = registry.Married
	g.d[i].p.CivilStatus = registry.Widowed
	g.wedding(i, s, registry.EventMarriage, m)
	g.event(i, s, registry.EventWidowhood, dead, g.homeOn(dead))
	return s
}

// divorceOf gives person i an ex-spouse born on sb (drawn when sb is
// noBirth): in Others when the ex had lived in the municipality, else only
// named in the events. It returns the ex's index (-1 when not in the
// register) and surname.
func (g *generator) divorceOf(i, sb, married, divorced int) (int, string) {
	d := g.d[i]
	if sb == noBirth {
		sb = g.spouseBorn(d.p.Sex, d.born)
	}
	m := max(married, adult(max(sb, d.born)))
	hi := g.today - 30
	lo := min(max(divorced, m+yrs(1), days(divorceFrom)), hi)
	dv := g.between(lo, min(hi, lo+yrs(3+g.r.IntN(15))))
	if dv <= m {
		m = dv - yrs(1)
	}
	g.d[i].p.CivilStatus = registry.Divorced
	if !g.per(exInOthersShare) {
		grp := g.group()
		surname := grp.surname(g.r)
		name := grp.name(g.r, opposite(d.p.Sex), sb) + " " + surname
		place := g.weddingPlace(i, i, m)
		g.events = append(g.events,
			eventDraft{person: i, other: -1, kind: registry.EventMarriage, day: m, place: place, otherName: name},
			eventDraft{person: i, other: -1, kind: registry.EventDivorce, day: dv, place: g.homeOn(dv), otherName: name})
		return -1, surname
	}
	s := g.add(opposite(d.p.Sex), sb, false, 0)
	if d.origin == originForeign {
		g.d[s].origin, g.d[s].country = originForeign, d.country
	}
	g.d[s].p.Status = registry.Cancelled
	g.d[s].p.CivilStatus = registry.Divorced
	g.d[s].end = g.between(min(m+180, dv), dv) // left on separation
	g.d[s].partner = i
	g.wedding(i, s, registry.EventMarriage, m)
	g.event(i, s, registry.EventDivorce, dv, g.homeOn(dv))
	g.event(s, i, registry.EventDivorce, dv, g.homeOn(dv))
	return s, g.d[s].p.Surname
}

// earlierMarriage gives person i a marriage that ended in divorce before the
// current one began on day m, with a spouse not in the register. It reports
// whether there was room for it in the person's life.
func (g *generator) earlierMarriage(i, m int) bool {
	d := g.d[i]
	first := max(adult(d.born)+yrs(2), m-yrs(4+g.r.IntN(10)))
	dv := g.between(max(first+yrs(1), days(divorceFrom)), m-60)
	if dv >= m-60 || dv <= first {
		return false
	}
	name := g.otherName(opposite(d.p.Sex), d.born)
	g.events = append(g.events,
		eventDraft{person: i, other: -1, kind: registry.EventMarriage, day: first, place: g.weddingPlace(i, i, first), otherName: name},
		eventDraft{person: i, other: -1, kind: registry.EventDivorce, day: dv, place: g.homeOn(dv), otherName: name})
	return true
}

func (g *generator) alone() {
	age := 22 + g.r.IntN(18)
	switch x := g.r.IntN(100); {
	case x < 30:
		age = 40 + g.r.IntN(25)
	case x < 78:
		age = 65 + g.r.IntN(20) + g.r.IntN(15)
	}
	if g.h.aire {
		age = min(age, 75)
	}
	sex := registry.Male
	if (age >= 65 && g.r.IntN(100) < 68) || (age < 65 && g.r.IntN(100) < 47) {
		sex = registry.Female
	}
	if g.h.kind == kindForeign && age < 65 && g.r.IntN(100) < g.h.foreign.womenPer100 {
		sex = registry.Female
	}
	b := g.bornAged(age)
	i := g.add(sex, b, true, registry.Householder)
	unions := g.cfg.Today.After(registry.NewDate(unionsFrom.Year+2, unionsFrom.Month, unionsFrom.Day))
	status := registry.Divorced
	x := g.r.IntN(100)
	switch {
	case age < 35:
		switch {
		case x < 90 || age < 25:
			status = registry.Single
		case x < 93 && unions && age >= 26:
			status = registry.FreeAfterUnionEnded
		}
	case age < 65:
		switch {
		case x < 52:
			status = registry.Single
		case x < 60:
			status = registry.Widowed
		case x < 63 && unions:
			status = registry.FreeAfterUnionEnded
		}
	default:
		widows := 44
		if sex == registry.Female {
			widows = 64
		}
		switch {
		case x < 14:
			status = registry.Single
		case x < 14+widows:
			status = registry.Widowed
		}
	}
	switch status {
	case registry.Single:
		g.h.formed = min(g.between(b+yrs(20), b+yrs(35)), g.today-30)
	case registry.Widowed:
		m := g.between(b+yrs(21), b+yrs(32))
		g.widowOf(i, noBirth, m, m+yrs(3))
		g.h.formed = m
	case registry.FreeAfterUnionEnded:
		u := g.between(max(days(unionsFrom), adult(b)), g.today-yrs(1))
		g.unionEnded(i, u)
		g.h.formed = u
	default:
		m := g.between(b+yrs(22), b+yrs(35))
		g.divorceOf(i, noBirth, m, m+yrs(2))
		g.h.formed = min(m, g.today-30)
	}
	g.d[i].join = g.h.formed
}

// unionEnded gives person i a civil union that ended, by dissolution or
// by the partner's death.
func (g *generator) unionEnded(i, u int) {
	d := g.d[i]
	pb := g.spouseBorn(opposite(d.p.Sex), d.born)
	end := g.between(u+yrs(1), g.today-30)
	name := g.otherName(d.p.Sex, pb)
	if g.per(250) {
		g.d[i].p.CivilStatus = registry.FreeAfterPartnerDied
		g.events = append(g.events,
			eventDraft{person: i, other: -1, kind: registry.EventCivilUnion, day: u, place: g.homeOn(u), otherName: name},
			eventDraft{person: i, other: -1, kind: registry.EventWidowhood, day: end, place: g.homeOn(end), otherName: name})
		return
	}
	g.d[i].p.CivilStatus = registry.FreeAfterUnionEnded
	g.events = append(g.events,
		eventDraft{person: i, other: -1, kind: registry.EventCivilUnion, day: u, place: g.homeOn(u), otherName: name},
		eventDraft{person: i, other: -1, kind: registry.EventUnionDissolved, day: end, place: g.homeOn(end), otherName: name})
}

func (g *generator) siblings() {
	b := g.bornAged(40 + g.r.IntN(40))
	sex := registry.Male
	if g.per(550) {
		sex = registry.Female
	}
	i := g.add(sex, b, true, registry.Householder)
	sb := max(g.minBorn, min(g.today-yrs(30), b+yrs(g.r.IntN(17)-8)+g.r.IntN(365)))
	sex2 := registry.Male
	if g.per(550) {
		sex2 = registry.Female
	}
	j := g.add(sex2, sb, true, registry.Sibling)
	g.d[j].p.Surname = g.d[i].p.Surname
	g.h.formed = g.between(adult(max(b, sb))+yrs(10), g.today-30)
	g.d[i].join, g.d[j].join = g.h.formed, g.h.formed
	for _, k := range []int{i, j} {
		if g.d[k].born < g.today-yrs(70) && g.per(400) {
			m := g.between(g.d[k].born+yrs(21), g.d[k].born+yrs(32))
			g.widowOf(k, noBirth, m, m+yrs(3))
		}
	}
}

func (g *generator) singleParent(pl plan) {
	sex := registry.Female
	if g.per(200) {
		sex = registry.Male
	}
	age := 24 + g.r.IntN(25) + g.r.IntN(25)
	if pl.ascend > 0 {
		age = min(age, 40+g.r.IntN(20))
	}
	b := g.bornAged(age)
	i := g.add(sex, b, true, registry.Householder)
	x := g.r.IntN(100)
	status := registry.Divorced
	switch {
	case age < 30 && x < 70, age >= 30 && x < 28:
		status = registry.Single
	case age >= 60 && x < 80, age >= 30 && age < 60 && x < 45:
		status = registry.Widowed
	}
	mb, other := b, noBirth // the children's mother; the other parent
	if sex == registry.Male {
		mb = g.spouseBorn(registry.Male, b)
		other = mb
	}
	surname := g.d[i].p.Surname
	var spouseSurname string
	var m int
	switch status {
	case registry.Single:
		g.h.formed = g.between(adult(b)+yrs(1), g.today-yrs(1))
	default:
		m = g.between(adult(max(b, mb))+yrs(2), max(adult(max(b, mb))+yrs(2), b+yrs(34)))
		m = min(m, g.today-yrs(2))
		g.h.formed = m
	}
	first := g.kidsOf(pl.kids, mb, "", registry.Child, max(g.h.formed, adult(max(b, mb))), g.today)
	if status == registry.Single {
		g.h.formed = min(g.h.formed, first)
	}
	lastKid := first
	for k := range g.d {
		if g.d[k].rel == registry.Child {
			lastKid = max(lastKid, g.d[k].born)
		}
	}
	switch status {
	case registry.Widowed:
		s := g.widowOf(i, other, m, lastKid-200)
		spouseSurname = g.d[s].p.Surname
	case registry.Divorced:
		_, spouseSurname = g.divorceOf(i, other, m, lastKid+yrs(1))
	}
	for k := range g.d {
		if g.d[k].rel != registry.Child {
			continue
		}
		switch {
		case sex == registry.Male || status == registry.Single:
			g.d[k].p.Surname = surname
		default:
			g.d[k].p.Surname = spouseSurname
		}
	}
	g.d[i].join = g.h.formed
	if pl.ascend > 0 {
		g.ascendants(i, pl.ascend, registry.Parent)
	}
}

func (g *generator) couple(pl plan) {
	nk := pl.kids
	var mb int // the woman's birth, or the first partner's in a same-sex union
	switch {
	case pl.childWed:
		mb = g.bornAged(48 + g.r.IntN(15) + g.r.IntN(13))
	case nk > 0 && pl.ascend > 0:
		mb = g.bornAged(30 + g.r.IntN(15) + g.r.IntN(15))
	case nk > 0:
		mb = g.bornAged(31 + g.r.IntN(21) + g.r.IntN(21))
	case pl.ascend > 0:
		mb = g.bornAged(26 + g.r.IntN(30))
	case g.per(350) || pl.partner != partnerMarried:
		mb = g.bornAged(24 + g.r.IntN(21))
	default:
		mb = g.bornAged(52 + g.r.IntN(22) + g.r.IntN(19))
	}
	if g.h.aire {
		mb = max(mb, g.bornAged(70))
	}
	union := pl.partner == partnerUnion && g.cfg.Today.After(registry.NewDate(unionsFrom.Year+1, unionsFrom.Month, unionsFrom.Day))
	if pl.partner == partnerUnion && !union {
		pl.partner = partnerMarried
	}
	var w, h int // indexes of the woman and the man (or the two partners)
	if union {
		sex := registry.Male
		if g.per(450) {
			sex = registry.Female
		}
		pb := max(g.minBorn, min(g.today-yrs(22), mb+yrs(g.r.IntN(13)-6)))
		first := g.add(sex, mb, true, registry.Householder)
		second := g.add(sex, pb, true, registry.CivilPartner)
		u := g.between(max(days(unionsFrom), adult(max(mb, pb))+yrs(2)), g.today-60)
		g.wedding(first, second, registry.EventCivilUnion, u)
		g.d[first].p.CivilStatus, g.d[second].p.CivilStatus = registry.CivilUnion, registry.CivilUnion
		g.h.formed = u
		g.d[first].join, g.d[second].join = u, u
		return
	}
	fb := g.spouseBorn(registry.Female, mb)
	// Kids first, since the father must be old enough.
	womanFirst := g.per(350)
	if pl.partner == partnerCohabiting {
		womanFirst = g.per(500)
	}
	partnerRel := registry.Spouse
	if pl.partner == partnerCohabiting {
		partnerRel = registry.Cohabitant
	}
	if womanFirst {
		w = g.add(registry.Female, mb, true, registry.Householder)
		h = g.add(registry.Male, fb, true, partnerRel)
	} else {
		h = g.add(registry.Male, fb, true, registry.Householder)
		w = g.add(registry.Female, mb, true, partnerRel)
	}
	hh := h
	if womanFirst {
		hh = w
	}
	if g.h.kind != kindForeign && !g.h.aire && g.per(mixedShare) {
		if g.per(800) {
			g.foreignSpouse(w)
		} else {
			g.foreignSpouse(h)
		}
	}
	surname := g.d[h].p.Surname
	var first int
	kidsFrom := len(g.d)
	if nk > 0 {
		earliest := adult(fb) + yrs(1)
		latest := g.today
		if pl.childWed {
			latest = g.today - yrs(24)
		}
		if pl.grandkids == 0 && !pl.childWed {
			earliest = max(earliest, g.today-yrs(40))
		}
		first = g.kidsOf(nk, mb, surname, registry.Child, earliest, latest)
		// The father was at least 18 at the first birth.
		if fb > first-yrs(18) {
			fb = max(g.minBorn, first-yrs(18)-g.r.IntN(yrs(6)))
			g.d[h].born, g.d[h].p.BirthDate = fb, date(fb)
			g.d[h].p.Name = g.nameFor(h)
		}
	}
	grown := adult(max(mb, fb))
	var m int
	switch {
	case nk > 0:
		m = max(grown, first-g.r.IntN(yrs(4))-30)
	default:
		m = g.between(grown+yrs(4), grown+yrs(17))
	}
	m = min(m, g.today-30)
	g.h.formed = m
	g.d[w].join, g.d[h].join = m, m
	if pl.partner == partnerMarried {
		for _, k := range []int{w, h} {
			if g.per(remarriedShare) && m > adult(g.d[k].born)+yrs(8) {
				g.earlierMarriage(k, m)
			}
		}
		g.wedding(w, h, registry.EventMarriage, m)
		g.d[w].p.CivilStatus, g.d[h].p.CivilStatus = registry.Married, registry.Married
	} else if g.per(200) {
		// One of the two was married before.
		k := []int{w, h}[g.r.IntN(2)]
		if m > adult(g.d[k].born)+yrs(8) && g.earlierMarriage(k, m) {
			g.d[k].p.CivilStatus = registry.Divorced
		}
	}
	if pl.childWed {
		g.childCouple(kidsFrom, pl.grandkids)
	}
	if pl.ascend > 0 {
		// The parents of the householder or of the spouse.
		of, rel := hh, registry.Parent
		if g.per(300) {
			of, rel = h+w-hh, registry.ParentInLaw
		}
		g.ascendants(of, pl.ascend, rel)
	}
}

// nameFor redraws the first name of person i for its birth cohort.
func (g *generator) nameFor(i int) string {
	d := g.d[i]
	grp := g.group()
	if d.country != nil {
		grp = d.country.group
	}
	return grp.name(g.r, d.p.Sex, d.born)
}

// childCouple makes the eldest child (index k) married to a child-in-law
// living here, with n grandchildren.
func (g *generator) childCouple(k, n int) {
	c := g.d[k]
	sb := min(g.spouseBorn(c.p.Sex, c.born), g.today-yrs(22))
	s := g.add(opposite(c.p.Sex), sb, true, registry.ChildInLaw)
	if g.h.kind != kindForeign {
		g.d[s].origin = originLocal
	}
	hi := g.today - yrs(1)
	m := g.between(min(adult(max(c.born, sb))+yrs(3), hi), hi)
	g.wedding(k, s, registry.EventMarriage, m)
	g.d[k].p.CivilStatus, g.d[s].p.CivilStatus = registry.Married, registry.Married
	g.d[s].join = m
	mother, father := k, s
	if c.p.Sex == registry.Male {
		mother, father = s, k
	}
	if n > 0 {
		g.kidsOf(n, g.d[mother].born, g.d[father].p.Surname, registry.Grandchild, m-200, g.today)
	}
}

// ascendants adds n parents (1: a widowed parent; 2: a married couple) of
// person i, who joined the family after it was formed. A father passes on
// his surname; parents of someone born abroad were born there too.
func (g *generator) ascendants(i, n int, rel registry.Relationship) {
	c := g.d[i]
	mb := c.born - yrs(22+g.r.IntN(15)) - g.r.IntN(365)
	if mb < g.minBorn {
		mb = g.minBorn + g.r.IntN(yrs(2))
	}
	if mb > c.born-yrs(17) {
		return
	}
	fb := g.spouseBorn(registry.Female, mb)
	m := g.between(adult(max(mb, fb))+yrs(1), c.born-200)
	var mother, father int
	if n == 1 {
		if g.per(750) {
			mother = g.add(registry.Female, mb, true, rel)
			father = g.widowOf(mother, fb, m, g.h.formed)
		} else {
			father = g.add(registry.Male, fb, true, rel)
			mother = g.widowOf(father, mb, m, g.h.formed)
		}
	} else {
		mother = g.add(registry.Female, mb, true, rel)
		father = g.add(registry.Male, fb, true, rel)
		g.wedding(mother, father, registry.EventMarriage, m)
		g.d[mother].p.CivilStatus, g.d[father].p.CivilStatus = registry.Married, registry.Married
	}
	if c.origin == originForeign && c.country != nil {
		for _, k := range []int{mother, father} {
			d := &g.d[k]
			d.origin, d.country = originForeign, c.country
			d.p.Name = c.country.group.name(g.r, d.p.Sex, d.born)
		}
		g.d[mother].p.Surname = c.country.group.surname(g.r)
	}
	g.d[father].p.Surname = c.p.Surname
	// They came to live here after the family was formed (a widowed parent
	// after the death).
	j := g.h.formed
	for _, k := range []int{mother, father} {
		if !g.d[k].member {
			j = max(j, g.d[k].end+1)
		}
	}
	j = g.between(min(j, g.today-30), g.today-30)
	for _, k := range []int{mother, father} {
		if g.d[k].member {
			g.d[k].join = j
		}
	}
}
