// Package demo generates the synthetic register of one municipality that the
// desk opens on in demo mode: households with their members, relationships,
// civil-status histories, addresses and residence histories, and correct
// codici fiscali. The same Config always gives the same register, UIDs
// included: nothing depends on the clock or on global randomness.
package demo

import (
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// Config says what to generate.
type Config struct {
	People       int           // how many persons in families (roughly: households are whole)
	Seed         uint64        // the same seed gives the same register
	Municipality string        // cadastral code of the demo municipality; "" is DefaultMunicipality
	Today        registry.Date // the reference date of ages and statuses; zero is DefaultToday
}

// DefaultMunicipality is Anagni (FR).
const DefaultMunicipality = "A269"

// DefaultToday is the reference date when Config.Today is zero, so that the
// register never depends on the day it is generated.
var DefaultToday = registry.NewDate(2026, time.January, 1)

// MaxPeople is the largest register Generate makes.
const MaxPeople = 10_000_000

// Message keys of configuration errors.
const (
	msgPeople       = "The number of people to generate must be from 0 to {{.Max}}"
	msgToday        = "The reference date of the demo register is not valid"
	msgMunicipality = "The code {{.Code}} is not a municipality in force on {{.Date}}"
)

// Credential is a demo user and the password the login screen shows in demo
// mode.
type Credential struct {
	User     access.User
	Password string
}

// Clerks returns the demo users, one for each role.
func Clerks() []Credential {
	return []Credential{
		{access.User{Username: "operatore", FullName: "Giulia Ferri", Role: access.Clerk}, "sportello"},
		{access.User{Username: "ufficiale", FullName: "Marco Tiberi", Role: access.Registrar}, "anagrafe"},
		{access.User{Username: "responsabile", FullName: "Anna Colella", Role: access.Supervisor}, "direzione"},
		{access.User{Username: "admin", FullName: "Luca Mattei", Role: access.Admin}, "amministra"},
		{access.User{Username: "sociale", FullName: "Elena Proietti", Role: access.SocialWorker}, "assistenza"},
	}
}

// Generate returns the households of the demo municipality, in a fixed
// order. Each range over the result generates the register afresh; a
// configuration error is yielded once, with a zero Household, and ends it.
func Generate(cfg Config) iter.Seq2[registry.Household, error] {
	return func(yield func(registry.Household, error) bool) {
		g, err := newGenerator(cfg)
		if err != nil {
			yield(registry.Household{}, err)
			return
		}
		if g.cfg.People >= convivenzeFrom {
			for _, c := range convivenzePlans {
				h, err := g.convivenza(c)
				if err != nil {
					yield(registry.Household{}, err)
					return
				}
				if !yield(h, nil) {
					return
				}
			}
		}
		for g.people < g.cfg.People {
			h, err := g.household()
			if err != nil {
				yield(registry.Household{}, err)
				return
			}
			if !yield(h, nil) {
				return
			}
		}
	}
}

// Postcodes of the municipalities the demo knows; others get none.
var postcodes = map[string]string{
	"A269": "03012", // Anagni
	"D810": "03100", // Frosinone
	"A310": "03014", // Fiuggi
	"D539": "03013", // Ferentino
	"A123": "03011", // Alatri
}

// codeWeight is a place code and its relative weight.
type codeWeight struct {
	code   string
	weight uint64
}

// nearby are where people of a municipality are born when not at home: the
// hospitals and towns around it and the nearest big city.
var nearby = map[string][]codeWeight{
	"A269": {
		{"H501", 30}, {"D810", 16}, {"C858", 10}, {"A123", 6}, {"D539", 6}, {"A310", 5},
		{"G276", 4}, {"I716", 3}, {"A054", 3}, {"L639", 3}, {"G274", 3}, {"E472", 3},
	},
}

// bigCities are where most people who came from elsewhere in Italy were born.
var bigCities = []codeWeight{
	{"H501", 30}, {"F839", 25}, {"F205", 18}, {"G273", 12}, {"L219", 10}, {"A662", 8},
	{"C351", 7}, {"H224", 5}, {"D612", 5}, {"A944", 5}, {"D969", 5}, {"B963", 4},
	{"H703", 4}, {"L049", 4}, {"B354", 3}, {"G482", 3}, {"A345", 3}, {"G478", 3},
	{"L736", 3}, {"L781", 3}, {"M082", 3},
}

// placeList is a weighted list of place codes.
type placeList struct {
	codes []string
	w     weighted
}

func newPlaceList(cw []codeWeight) placeList {
	var l placeList
	for _, c := range cw {
		l.codes = append(l.codes, c.code)
		l.w.add(c.weight)
	}
	return l
}

func (l *placeList) pick(r *rand.Rand) string { return l.codes[l.w.pick(r)] }

// Shares, per mille unless said otherwise. With the household compositions
// they give about 8% of people born abroad, 15-17% minors, 30-35% with an
// earlier address in the municipality.
const (
	aireShare       = 20  // households registered in AIRE, living abroad
	foreignShare    = 62  // households of foreigners who came from abroad
	incomerShare    = 250 // Italian households that came from another municipality
	cancelledShare  = 30  // households that have since moved away
	movedShare      = 150 // households that moved house within the municipality
	inheritShare    = 550 // native householders living in the house they grew up in
	mixedShare      = 55  // couples where one spouse was born abroad
	emigrantShare   = 25  // Italians over 35 born abroad to emigrants
	naturalShare    = 180 // foreign households settled for 10 years that became Italian
	omocodeForced   = 5   // per 10,000: omocodes given for a namesake elsewhere in Italy
	cfCheckedShare  = 950 // codes validated with the Revenue Agency
	remarriedShare  = 70  // spouses married before, the first marriage ended in divorce
	exInOthersShare = 500 // ex-spouses who lived here, so are in the register
)

const (
	partnerNone = iota
	partnerMarried
	partnerCohabiting
	partnerUnion
)

const (
	kindLocal = iota
	kindIncomer
	kindForeign
)

// Where a person was born, decided after the household's dates are known.
const (
	originLocal     = iota // a local person: mostly the municipality and around it
	originElsewhere        // came from elsewhere in Italy
	originBornHere         // born while the family lived in the municipality
	originPrevTown         // born where the family lived before coming
	originForeign          // born abroad, a foreign citizen
	originEmigrant         // born abroad to Italian emigrants
)

// Civil-union law 76/2016 in force.
var unionsFrom = registry.NewDate(2016, time.June, 5)

// Divorce law 898/1970 in force.
var divorceFrom = registry.NewDate(1970, time.December, 18)

// household size distribution (ISTAT): 1..6 persons.
var sizeWeights = []uint64{332, 271, 194, 151, 41, 11}

// plan is the composition of a household.
type plan struct {
	partner   int // partnerNone ... partnerUnion
	kids      int
	ascend    int  // parents of the householder or spouse living with them
	childWed  bool // the eldest child lives here with a spouse
	grandkids int
	sibling   bool
}

// draft is a person being generated.
type draft struct {
	p       registry.Person
	born    int // day number of the birth
	member  bool
	rel     registry.Relationship
	join    int      // day the person joined the family (members)
	end     int      // for Others: the day they died, or the last day before they left
	origin  int      // originLocal ...
	country *country // birth country for originForeign and originEmigrant
	dual    bool     // also holds the birth country's citizenship (or Italian, for foreigners)
	reg     int      // first day registered in the municipality
	absent  bool     // for Others: never lived in the municipality, so not in the register
	reason  int      // ANPR motivo di iscrizione of the first registration
	partner int      // for Others: the member they were married to
}

// eventDraft is a civil-status event between two drafts.
type eventDraft struct {
	person, other int // indexes in generator.d; other -1 when not in the register
	kind          registry.CivilEventKind
	day           int
	place         string
	otherName     string
}

// hctx is the household being generated.
type hctx struct {
	kind       int      // kindLocal ...
	foreign    *country // for kindForeign households
	aire       bool
	abroad     int              // AIRE: index of the address abroad in tables.abroad
	formed     int              // day the family was formed (marriage, leaving the parents)
	arrived    int              // day the family came to the municipality (= formed for local ones)
	addrSince  int              // day the family moved to its current address
	emigrated  int              // AIRE: day the family left for abroad
	prevTown   string           // incomers: where the family lived before
	famAddr    registry.Address // the family's address (abroad for AIRE)
	homeAddr   registry.Address // its last address in the municipality
	prevHome   registry.Address // the family's home before it moved, if hasPrev
	hasPrev    bool
	naturalise bool // foreigners who became Italian citizens
}

// generator holds the state of one run: the random source, the tables, the
// codes issued so far, and the household being built.
type generator struct {
	cfg      Config
	t        *tables
	r        *rand.Rand
	today    int
	minBorn  int // earliest birth day whose codice fiscale decodes to the right century
	home     string
	postcode string
	near     placeList
	cities   placeList
	province []string
	munis    []registry.Place
	sizes    weighted
	streetW  weighted
	numbers  []int // house numbers in use per street
	// buildings counts the families given an address in each building.
	buildings map[uint32]uint16
	issued    *issuedCodes
	uidSeq    uint64
	uidKey    uint64
	addrKey   uint64
	addrMs    uint64
	people    int
	listed    []int // voters listed so far in each polling section

	h        hctx
	d        []draft
	events   []eventDraft
	res      []registry.Residence
	resOwner []int // index in d of the person of each residence
}

func newGenerator(cfg Config) (*generator, error) {
	if cfg.People < 0 || cfg.People > MaxPeople {
		return nil, fault.New(fault.Invalid, msgPeople, map[string]any{"Max": MaxPeople})
	}
	if cfg.Today.IsZero() {
		cfg.Today = DefaultToday
	}
	if !cfg.Today.Valid() || cfg.Today.Year < 1900 {
		return nil, fault.New(fault.Invalid, msgToday, nil)
	}
	if cfg.Municipality == "" {
		cfg.Municipality = DefaultMunicipality
	}
	home, ok := registry.LookupPlace(cfg.Municipality, cfg.Today)
	if !ok || home.Foreign {
		return nil, fault.New(fault.Invalid, msgMunicipality, map[string]any{"Code": cfg.Municipality, "Date": cfg.Today.Italian()})
	}
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	g := &generator{
		cfg:      cfg,
		t:        t,
		r:        rand.New(rand.NewPCG(cfg.Seed, 0x5350_4f52_5445_4c4c)),
		today:    days(cfg.Today),
		minBorn:  days(registry.NewDate(cfg.Today.Year-100, cfg.Today.Month, cfg.Today.Day)) + 1,
		home:     home.Code,
		postcode: postcodes[home.Code],
		cities:   newPlaceList(bigCities),
		munis:    registry.Municipalities(),
	}
	if cfg.Today.Month == time.February && cfg.Today.Day == 29 {
		g.minBorn = days(registry.NewDate(cfg.Today.Year-100, time.March, 1))
	}
	g.uidKey = g.r.Uint64()
	g.addrKey = g.r.Uint64()
	g.addrMs = uint64(max(0, g.today)) * 86_400_000
	for _, w := range sizeWeights {
		g.sizes.add(w)
	}
	near := nearby[home.Code]
	if near == nil {
		near = []codeWeight{{"H501", 1}}
	}
	g.near = newPlaceList(near)
	for _, p := range g.munis {
		if p.To.IsZero() && p.Province == home.Province && p.Code != home.Code {
			g.province = append(g.province, p.Code)
		}
	}
	// House numbers per street: several families a building on average.
	households := cfg.People*10/23 + 1
	buildings := households*10/25 + 1
	var total uint64
	for _, w := range t.streetWeights {
		total += w
	}
	g.numbers = make([]int, len(t.streets))
	for i, w := range t.streetWeights {
		g.streetW.add(w)
		g.numbers[i] = min(200, max(3, int(uint64(buildings)*w/total)))
	}
	g.buildings = make(map[uint32]uint16, min(buildings, 1<<20))
	g.issued = newIssuedCodes(min(cfg.People+cfg.People/10, 1<<23))
	return g, nil
}

// Day numbers: days since 1970-01-01 in the proleptic Gregorian calendar.

func days(d registry.Date) int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func date(n int) registry.Date {
	n += 719468
	era := n / 146097
	if n < 0 && n%146097 != 0 {
		era--
	}
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return registry.Date{Year: y, Month: time.Month(m), Day: d}
}

// open is the last day of a residence that has not ended.
const open = math.MaxInt32

// yrs is n years in days.
func yrs(n int) int { return n*365 + n/4 }

// between returns a day from a to b inclusive (a when b < a).
func (g *generator) between(a, b int) int {
	if b <= a {
		return a
	}
	return a + g.r.IntN(b-a+1)
}

// per reports true with probability n per mille.
func (g *generator) per(n int) bool { return g.r.IntN(1000) < n }

// bornAged returns a birth day for a person aged a years today.
func (g *generator) bornAged(a int) int {
	return max(g.minBorn, g.today-yrs(a)-g.r.IntN(365))
}

// reset starts a new household.
func (g *generator) reset() {
	g.h = hctx{}
	if g.d == nil {
		g.d = make([]draft, 0, 16)
	}
	g.d = g.d[:0]
	g.events = g.events[:0]
	g.res = g.res[:0]
	g.resOwner = g.resOwner[:0]
}

func (g *generator) household() (registry.Household, error) {
	g.reset()
	size := g.sizes.pick(g.r) + 1
	switch x := g.r.IntN(1000); {
	case x < aireShare:
		g.h.aire = true
		g.h.abroad = g.t.abroadW.pick(g.r)
		size = min(size, 4)
	case x < aireShare+foreignShare:
		g.h.kind = kindForeign
		g.h.foreign = &g.t.foreign[g.t.foreignW.pick(g.r)]
	case x < aireShare+foreignShare+incomerShare:
		g.h.kind = kindIncomer
	}
	pl := g.plan(size)
	switch {
	case pl.partner != partnerNone:
		g.couple(pl)
	case pl.sibling:
		g.siblings()
	case pl.kids > 0:
		g.singleParent(pl)
	default:
		g.alone()
	}
	g.settle()
	g.places()
	g.register()
	h, err := g.assemble()
	if err == nil {
		g.enrol(&h)
	}
	return h, err
}

func (g *generator) plan(size int) plan {
	x := g.r.IntN(100)
	if g.h.aire {
		switch {
		case size == 1:
			return plan{}
		case x < 85:
			return plan{partner: partnerMarried, kids: size - 2}
		default:
			return plan{kids: size - 1}
		}
	}
	switch size {
	case 1:
		return plan{}
	case 2:
		switch {
		case x < 55:
			return plan{partner: partnerMarried}
		case x < 65:
			return plan{partner: partnerCohabiting}
		case x < 66:
			return plan{partner: partnerUnion}
		case x < 96:
			return plan{kids: 1}
		}
		return plan{sibling: true}
	case 3:
		switch {
		case x < 68:
			return plan{partner: partnerMarried, kids: 1}
		case x < 77:
			return plan{partner: partnerCohabiting, kids: 1}
		case x < 92:
			return plan{kids: 2}
		case x < 97:
			return plan{partner: partnerMarried, ascend: 1}
		}
		return plan{kids: 1, ascend: 1}
	case 4:
		switch {
		case x < 76:
			return plan{partner: partnerMarried, kids: 2}
		case x < 83:
			return plan{partner: partnerCohabiting, kids: 2}
		case x < 88:
			return plan{kids: 3}
		case x < 95:
			return plan{partner: partnerMarried, kids: 1, ascend: 1}
		}
		return plan{partner: partnerMarried, kids: 1, childWed: true}
	case 5:
		switch {
		case x < 58:
			return plan{partner: partnerMarried, kids: 3}
		case x < 63:
			return plan{partner: partnerCohabiting, kids: 3}
		case x < 85:
			return plan{partner: partnerMarried, kids: 2, ascend: 1}
		case x < 95:
			return plan{partner: partnerMarried, kids: 1, childWed: true, grandkids: 1}
		}
		return plan{partner: partnerMarried, kids: 1, ascend: 2}
	}
	switch {
	case x < 33:
		return plan{partner: partnerMarried, kids: 4}
	case x < 65:
		return plan{partner: partnerMarried, kids: 3, ascend: 1}
	case x < 80:
		return plan{partner: partnerMarried, kids: 2, ascend: 2}
	case x < 95:
		return plan{partner: partnerMarried, kids: 1, childWed: true, grandkids: 2}
	}
	return plan{partner: partnerCohabiting, kids: 4}
}
