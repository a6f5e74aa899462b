package demo

import (
	"hash/fnv"

	"sportello/registry"
)

// Convivenze and the electoral lists of the demo municipality.

// convivenzeFrom is the smallest register that has convivenze: a small one
// is a few families.
const convivenzeFrom = 5000

// votersPerSection is about how many voters a polling section holds.
const votersPerSection = 900

// convivenzaPlan is a convivenza the demo municipality has.
type convivenzaPlan struct {
	name      string
	species   registry.ConvivenzaSpecies
	residents int
	women     int // per cent
	minAge    int
	maxAge    int
	founded   int    // years ago
	title     string // of the person responsible: Dott.ssa, Madre ...
	livesIn   bool   // the person responsible is the first resident
}

var convivenzePlans = []convivenzaPlan{
	{name: "RSA Villa Serena", species: registry.SpeciesCare, residents: 20, women: 70, minAge: 74, maxAge: 98, founded: 24, title: "Dott.ssa"},
	{name: "Monastero di Santa Chiara", species: registry.SpeciesReligious, residents: 7, women: 100, minAge: 32, maxAge: 90, founded: 60, title: "Madre", livesIn: true},
}

// convivenza generates one convivenza: its residents came to it from
// elsewhere in the municipality or from outside, after it opened.
func (g *generator) convivenza(c convivenzaPlan) (registry.Household, error) {
	g.reset()
	g.h.formed = g.today - yrs(c.founded)
	for k := range c.residents {
		sex := registry.Male
		if g.r.IntN(100) < c.women {
			sex = registry.Female
		}
		age := c.minAge + g.r.IntN(c.maxAge-c.minAge+1)
		if c.livesIn && k == 0 {
			age = max(age, 55) // the superior
		}
		b := g.bornAged(age)
		rel := registry.RelationshipUnknown
		if k == 0 && c.livesIn {
			rel = registry.Householder
		}
		i := g.add(sex, b, true, rel)
		g.d[i].join = g.between(max(g.h.formed, adult(b)), g.today-30)
		if c.species == registry.SpeciesCare && g.per(600) {
			m := g.between(b+yrs(21), b+yrs(32))
			g.widowOf(i, noBirth, m, m+yrs(3))
		}
	}
	g.settle()
	g.places()
	g.register()
	h, err := g.assemble()
	if err != nil {
		return h, err
	}
	h.Family.Convivenza = registry.Convivenza{Name: c.name, Species: c.species}
	if c.livesIn {
		head := h.Members[0].Person
		h.Family.Convivenza.Responsible = c.title + " " + head.Name + " " + head.Surname
		h.Family.Convivenza.ResponsibleUID = head.UID
	} else {
		born := g.bornAged(45 + g.r.IntN(15))
		h.Family.Convivenza.Responsible = c.title + " " + g.t.italian.name(g.r, registry.Female, born) + " " + g.t.italian.surname(g.r)
	}
	g.enrol(&h)
	return h, nil
}

// enrol puts in the electoral lists the members who may vote: resident
// Italian citizens of age. The section follows the street; the number is
// the next in the section's list; the registration dates from the 18th
// birthday or the registration in the municipality, whichever came later.
func (g *generator) enrol(h *registry.Household) {
	sections := max(1, g.cfg.People*8/10/votersPerSection)
	if g.listed == nil {
		g.listed = make([]int, sections)
	}
	hash := fnv.New32a()
	hash.Write([]byte(h.Address.Street))
	section := int(hash.Sum32()%uint32(sections)) + 1
	for _, d := range g.d {
		if !d.member || d.absent || !registry.Voter(d.p, g.cfg.Today) {
			continue
		}
		g.listed[section-1]++
		h.Electoral = append(h.Electoral, registry.ElectoralEntry{
			PersonUID: d.p.UID,
			Electoral: registry.Electoral{Registered: true, Section: section, Number: g.listed[section-1], Since: date(max(adult(d.born), d.reg))},
		})
	}
}
