package certificate

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sportello/registry"
)

// Table is a list printed in columns: family members, residence periods.
type Table struct {
	Header []string
	Widths []float64 // relative widths of the columns
	Align  []string  // per column, "R" to right-align (amounts); "L" or none for the rest
	Rows   [][]string
}

// AlignOf is the alignment of column i: "R" or "L".
func (t *Table) AlignOf(i int) string {
	if i < len(t.Align) && t.Align[i] == "R" {
		return "R"
	}
	return "L"
}

// Fact is one thing a certificate certifies, in the certificate's words
// (third person, "è residente...") and in the self-declaration's (first
// person, "di essere residente..."), with its list when it has one.
type Fact struct {
	Certify string
	Declare string
	Table   *Table
}

// Municipality names the issuing municipality.
type Municipality struct {
	Code   string // cadastral code, A269
	Name   string // "Anagni"
	Office string // "Ufficio Anagrafe - Sportello unico"
}

// Document is a certificate as printed, before and after sealing.
type Document struct {
	Municipality Municipality
	Title        string
	Types        []Type
	UseOf        Use
	Number       string
	IssueDate    registry.Date
	Person       registry.Person
	PersonLine   string // "ROSSI MARIO, nato ad Anagni (FR) il 01/01/1980, codice fiscale RSS..."
	Facts        []Fact
	Use          string
	Duty         string
	Art40        string
	Validity     string
	Signer       string // the operator's full name
	Delegate     bool   `json:",omitempty"` // the signer issues as the ufficiale's delegate
	Draft        bool   `json:",omitempty"` // a preview before the number is taken: no number, no seal
	Duplicate    bool   // a reprint of a registered certificate

	// When and by whom (the operator's full name) a duplicate was printed.
	ReprintedAt time.Time `json:",omitzero"`
	ReprintedBy string    `json:",omitempty"`

	Seal     Seal
	SealText string // the QR code's content
	Code     string // the verification code
}

// Intro is the certifying formula.
const Intro = "L'Ufficiale d'Anagrafe, visti gli atti d'ufficio,"

// Certifies is the word that opens the facts.
const Certifies = "CERTIFICA"

// Text is the certified content in a canonical form: what the seal's
// content hash covers.
func (d Document) Text() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	line(d.Municipality.Name)
	line(d.Title)
	line(d.Number)
	line(d.IssueDate.String())
	line(d.PersonLine)
	for _, f := range d.Facts {
		line(f.Certify)
		if f.Table != nil {
			for _, r := range f.Table.Rows {
				line(strings.Join(r, "\t"))
			}
		}
	}
	line(d.Use)
	line(d.Duty)
	line(d.Art40)
	line(d.Validity)
	if d.Delegate {
		line(d.SignerTitle())
	}
	line(d.Signer)
	return b.String()
}

// Registrar is the title under which a certificate is signed.
const Registrar = "L'Ufficiale d'Anagrafe"

// SignerTitle is the title printed above the signer's name: the
// registrar's, or "delegato" when a clerk issues as the ufficiale's
// delegate.
func (d Document) SignerTitle() string {
	if d.Delegate {
		return Registrar + " delegato"
	}
	return Registrar
}

// AnnulNote says that a certificate was annulled, on which day (Europe/Rome)
// and why: what verification answers for it.
func AnnulNote(at time.Time, reason string) string {
	return "Certificato annullato il " + at.In(registry.Rome).Format("02/01/2006") + " (" + reason + ")"
}

// Compose builds the document for the request on rec. It does not check
// the rules (see Check) nor seal it (see Document.SealWith).
func Compose(rec registry.Record, req Request, num Number, issued registry.Date, m Municipality, by Issuer) Document {
	req.Normalise()
	p := rec.Person
	d := Document{
		Municipality: m,
		Title:        req.Title(),
		Types:        req.Types,
		UseOf:        req.Use,
		Number:       num.String(),
		IssueDate:    issued,
		Person:       p,
		PersonLine:   personLine(p),
		Use:          req.Use.Wording(),
		Duty:         req.DutyWording(),
		Art40:        req.Use.Art40(),
		Validity:     validity(req),
		Signer:       by.FullName,
		Delegate:     by.Delegate(),
	}
	for _, t := range req.Types {
		d.Facts = append(d.Facts, facts(rec, t, req, m)...)
	}
	d.Facts = certified(d.Facts)
	return d
}

// Draft is the document for the request as it will read, before the
// number is taken: no number, no seal, marked as a draft. The counter shows
// it to the citizen before issuing.
func Draft(rec registry.Record, req Request, on registry.Date, m Municipality, by Issuer) Document {
	d := Compose(rec, req, Number{}, on, m, by)
	d.Number, d.Draft = "", true
	return d
}

func validity(req Request) string {
	for _, t := range req.Types {
		if !t.Unlimited() {
			return "Il presente certificato ha validità di sei mesi dalla data di rilascio (art. 41, d.P.R. 28 dicembre 2000, n. 445)."
		}
	}
	return "Il presente certificato ha validità illimitata (art. 41, d.P.R. 28 dicembre 2000, n. 445)."
}

// Validity is the date until which the certificate is valid; zero when
// unlimited.
func Validity(types []Type, issued registry.Date) registry.Date {
	for _, t := range types {
		if !t.Unlimited() {
			return registry.DateOf(issued.Time().AddDate(0, 6, 0))
		}
	}
	return registry.Date{}
}

// SealWith seals the document: it fills the seal from the document's data
// and signs it.
func (d *Document) SealWith(sign func(*Seal) error) error {
	d.Seal = Seal{
		Number: d.Number, Types: d.Types, Surname: d.Person.Surname, Name: d.Person.Name, CF: d.Person.CF,
		BirthDate: d.Person.BirthDate, IssueDate: d.IssueDate, Use: d.UseOf, ContentHash: ContentHash(d.Text()),
	}
	if err := sign(&d.Seal); err != nil {
		return err
	}
	text, err := d.Seal.Text()
	if err != nil {
		return err
	}
	d.SealText, d.Code = text, d.Seal.Code()
	return nil
}

// bySex picks the masculine or feminine form.
func bySex(p registry.Person, male, female string) string {
	if p.Sex == registry.Female {
		return female
	}
	return male
}

// lookupPlace is the place of a code in force on the date, else the code's
// latest entry.
func lookupPlace(code string, on registry.Date) (registry.Place, bool) {
	pl, ok := registry.LookupPlace(code, on)
	if !ok {
		pl, ok = registry.LookupPlace(code, registry.Date{})
	}
	return pl, ok
}

// foreignTown is the town of a foreign birth or event as the register
// records it beside the state's code ("LONDRA" with Z114), "" when the
// register holds only the state.
func foreignTown(pl registry.Place, recorded string) string {
	town := strings.TrimSpace(recorded)
	if town == "" || strings.EqualFold(town, pl.Name) || strings.EqualFold(town, registry.TitleCase(pl.Name)) {
		return ""
	}
	return town
}

// PlaceName is a place as printed in a list: "Anagni (FR)", "Germania" when
// the register holds only the state, "LONDRA (REGNO UNITO)" when it also
// holds the foreign town (written as recorded, with the state in the same
// capitals).
func PlaceName(code string, on registry.Date, recorded string) string {
	pl, ok := lookupPlace(code, on)
	switch {
	case ok && pl.Foreign && foreignTown(pl, recorded) != "":
		return foreignTown(pl, recorded) + " (" + strings.ToUpper(pl.Name) + ")"
	case ok && pl.Province != "":
		return registry.TitleCase(pl.Name) + " (" + pl.Province + ")"
	case ok:
		return registry.TitleCase(pl.Name)
	case recorded != "":
		return recorded
	}
	return code
}

// placePhrase is a place with the preposition Italian gives it after "nato",
// "deceduto", "trasferito": "ad Anagni (FR)", "a Roma (RM)", "a LONDRA (REGNO
// UNITO)" for a town, "in Germania", "nel Regno Unito", "negli Stati Uniti
// d'America" for a state the register holds alone.
func placePhrase(code string, on registry.Date, recorded string) string {
	name := PlaceName(code, on, recorded)
	if pl, ok := lookupPlace(code, on); ok && pl.Foreign && foreignTown(pl, recorded) == "" {
		return statePreposition(pl.Name) + name
	}
	return toPlace(name)
}

// toPlace puts "a" before a town, or the euphonic "ad" when the name opens
// with an a ("ad Anagni", "ad Alatri"). Only before the same vowel: Italian
// usage today (the Accademia della Crusca's advice, and the registry's own
// certificates) writes "a Empoli", "a Imola", "a Orvieto", "a Udine".
func toPlace(name string) string {
	r, _ := utf8.DecodeRuneInString(name)
	switch unicode.ToLower(r) {
	case 'a', 'à', 'á':
		return "ad " + name
	}
	return "a " + name
}

// statePrepositions are the articled prepositions a state's name takes by its
// first word ("nel Regno Unito", "negli Stati Uniti d'America"); the others
// take "in" ("in Germania", "in Marocco").
var statePrepositions = map[string]string{
	"REGNO": "nel ", "PRINCIPATO": "nel ", "GRANDUCATO": "nel ", "SULTANATO": "nel ",
	"STATO": "nello ", "STATI": "negli ", "EMIRATI": "negli ", "PAESI": "nei ",
	"REPUBBLICA": "nella ", "FEDERAZIONE": "nella ", "SANTA": "nella ", "CITTA'": "nella ", "CITTÀ": "nella ",
	"UNIONE": "nell'", "ISOLE": "nelle ", "FILIPPINE": "nelle ", "MALDIVE": "nelle ", "SEYCHELLES": "nelle ",
	"BAHAMAS": "nelle ", "COMORE": "nelle ", "FIGI": "nelle ",
}

func statePreposition(name string) string {
	first, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(name)), " ")
	if p, ok := statePrepositions[first]; ok {
		return p
	}
	return "in "
}

func personLine(p registry.Person) string {
	s := strings.ToUpper(p.Surname + " " + p.Name)
	s += ", " + bySex(p, "nato", "nata") + " " + placePhrase(p.BirthPlace, p.BirthDate, p.BirthPlaceName) + " il " + p.BirthDate.Italian()
	if p.CF != "" {
		s += ", codice fiscale " + p.CF
	}
	return s
}

// certified puts the facts in the order they are printed and gives each
// its punctuation: the facts continue the sentence "CERTIFICA che ROSSI
// MARIO, nato ...", one a line, each closed by a semicolon and the last by
// a full stop, so no line opens a sentence in lower case; a fact with a
// list (the family) ends in a colon and goes last.
func certified(fs []Fact) []Fact {
	slices.SortStableFunc(fs, func(a, b Fact) int {
		switch {
		case a.Table == nil && b.Table != nil:
			return -1
		case a.Table != nil && b.Table == nil:
			return 1
		}
		return 0
	})
	for i := range fs {
		switch {
		case fs[i].Table != nil:
			fs[i].Certify += ":"
		case i == len(fs)-1:
			fs[i].Certify += "."
		default:
			fs[i].Certify += ";"
		}
	}
	return fs
}

func facts(rec registry.Record, t Type, req Request, m Municipality) []Fact {
	p := rec.Person
	addr := addressLine(rec.Address, m)
	switch t {
	case Birth:
		s := bySex(p, "nato", "nata") + " " + placePhrase(p.BirthPlace, p.BirthDate, p.BirthPlaceName) + " il " + p.BirthDate.Italian()
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case Death:
		s := bySex(p, "deceduto", "deceduta")
		if p.StatusPlace != "" {
			s += " " + placePhrase(p.StatusPlace, p.StatusSince, p.StatusPlaceName)
		}
		s += " il " + p.StatusSince.Italian()
		return []Fact{{Certify: "è " + s, Declare: "che la persona indicata è " + s + ";"}}
	case Marriage, CivilUnion:
		kind, word := registry.EventMarriage, "ha contratto matrimonio con "
		if t == CivilUnion {
			kind, word = registry.EventCivilUnion, "ha costituito unione civile con "
		}
		e, _ := lastEvent(rec, kind)
		s := word + strings.ToUpper(e.OtherName)
		if !e.Date.IsZero() {
			s += " il " + e.Date.Italian()
		}
		if e.Place != "" {
			s += " " + placePhrase(e.Place, e.Date, "")
		}
		return []Fact{{Certify: s, Declare: "di aver " + strings.TrimPrefix(s, "ha ") + ";"}}
	case Cancellation:
		s := bySex(p, "stato cancellato", "stata cancellata") + " dall'anagrafe della popolazione residente di questo Comune il " + p.StatusSince.Italian()
		if r := cancellationReason(p); r != "" {
			s += " " + r
		}
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case Citizenship:
		s := bySex(p, "cittadino italiano", "cittadina italiana")
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case Alive:
		return []Fact{{Certify: "è in vita", Declare: "di essere in vita;"}}
	case Residence:
		s := "residente in questo Comune, " + addr
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case ResidenceInstitution:
		c := rec.Family.Convivenza
		s := "residente in questo Comune, " + addr + ", nella convivenza anagrafica «" + c.Name + "» (" + speciesName(c.Species) + ")"
		if c.Responsible != "" {
			s += ", responsabile " + c.Responsible
		}
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case ResidenceAIRE:
		s := bySex(p, "iscritto", "iscritta") + " nell'Anagrafe degli Italiani Residenti all'Estero (AIRE) di questo Comune, con residenza in " + addr
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case ResidenceHistory:
		return []Fact{{
			Certify: "ha avuto in questo Comune le seguenti residenze",
			Declare: "di aver avuto in questo Comune le seguenti residenze:",
			Table:   residenceTable(residencesHere(rec.Residences, m), m),
		}}
	case ResidenceHistoryAtDate:
		for _, r := range residencesHere(rec.Residences, m) {
			if !req.AtDate.Before(r.From) && (r.To.IsZero() || !req.AtDate.After(r.To)) {
				s := "alla data del " + req.AtDate.Italian() + " risiedeva in questo Comune, " + addressLine(r.Address, m)
				return []Fact{{Certify: s, Declare: "che " + s + ";"}}
			}
		}
		s := "alla data del " + req.AtDate.Italian() + " non risiedeva in questo Comune"
		return []Fact{{Certify: s, Declare: "che " + s + ";"}}
	case CivilStatus:
		s := "di stato civile: " + civilStatusName(p)
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case Free:
		s := "di stato libero (" + civilStatusName(p) + ")"
		return []Fact{{Certify: "è " + s, Declare: "di essere " + s + ";"}}
	case Family, FamilyAndCivilStatus, FamilyWithRelationships:
		s := "fa parte della famiglia anagrafica residente in " + addr + ", che è così composta"
		return []Fact{{Certify: s, Declare: "di far parte della famiglia anagrafica residente in " + addr + ", che è così composta:", Table: familyTable(rec, t)}}
	case FamilyAIRE:
		s := "della famiglia iscritta nell'Anagrafe degli Italiani Residenti all'Estero (AIRE) di questo Comune, residente in " + addr + ", che è così composta"
		return []Fact{{Certify: "fa parte " + s, Declare: "di far parte " + s + ":", Table: familyTable(rec, t)}}
	}
	return nil
}

// cancellationReason is why the person left the register (ANPR's motivi di
// cancellazione), with the destination where the register holds it; "" when
// the register does not say.
func cancellationReason(p registry.Person) string {
	dest := ""
	if p.StatusPlace != "" {
		dest = placePhrase(p.StatusPlace, p.StatusSince, p.StatusPlaceName)
	}
	abroad := "all'estero"
	if dest != "" {
		abroad = dest
	}
	switch p.CancelReason {
	case registry.CancelDeath:
		return "per morte"
	case registry.CancelPresumedDeath:
		return "per morte presunta giudizialmente dichiarata"
	case registry.CancelMoved:
		if dest == "" {
			return "per trasferimento della residenza in altro Comune"
		}
		return "per trasferimento della residenza " + dest
	case registry.CancelNoFixedAbode:
		if dest == "" {
			return "per trasferimento del domicilio (persona senza fissa dimora)"
		}
		return "per trasferimento del domicilio (persona senza fissa dimora) " + dest
	case registry.CancelForeignerAbroad:
		return "per trasferimento della residenza " + abroad
	case registry.CancelUntraceable:
		return "per irreperibilità"
	case registry.CancelNoRenewal:
		return "per mancato rinnovo della dichiarazione di dimora abituale"
	case registry.CancelAIRE:
		return "per trasferimento della residenza " + abroad + ", con iscrizione nell'Anagrafe degli Italiani Residenti all'Estero (AIRE)"
	case registry.CancelCensus:
		return "a seguito delle rettifiche post censuarie"
	case registry.CancelDouble:
		return "per doppia iscrizione"
	case registry.CancelLostCitizenship:
		return "per perdita della cittadinanza italiana"
	case registry.CancelRestored:
		return "per ripristino della posizione anagrafica precedente"
	}
	return ""
}

// speciesName is the kind of a convivenza as a certificate names it.
func speciesName(s registry.ConvivenzaSpecies) string {
	switch s {
	case registry.SpeciesReligious:
		return "comunità religiosa"
	case registry.SpeciesCare:
		return "casa di cura o di riposo"
	case registry.SpeciesAssistance:
		return "istituto di assistenza"
	case registry.SpeciesMilitary:
		return "caserma"
	case registry.SpeciesPenal:
		return "istituto di pena"
	}
	return "altra convivenza"
}

func addressLine(a registry.Address, m Municipality) string {
	s := a.Line()
	if a.Place != "" && a.Place != m.Code {
		s += ", " + PlaceName(a.Place, registry.Date{}, "")
	}
	if a.Postcode != "" && a.Place == m.Code {
		s += ", " + a.Postcode + " " + m.Name
	}
	return s
}

// residencesHere keeps the periods of residence in this municipality: a
// period abroad (AIRE) or in another municipality is not a residence here.
// An address with no place recorded is one of the municipality's streets.
func residencesHere(rs []registry.Residence, m Municipality) []registry.Residence {
	var out []registry.Residence
	for _, r := range rs {
		if r.Address.Place == "" || r.Address.Place == m.Code {
			out = append(out, r)
		}
	}
	return out
}

func residenceTable(rs []registry.Residence, m Municipality) *Table {
	t := &Table{Header: []string{"Dal", "Al", "Indirizzo"}, Widths: []float64{1, 1, 4}}
	for _, r := range rs {
		to := r.To.Italian()
		if r.To.IsZero() {
			to = "ad oggi"
		}
		t.Rows = append(t.Rows, []string{r.From.Italian(), to, addressLine(r.Address, m)})
	}
	return t
}

// relationshipRank orders a family as the register lists it: the
// intestatario scheda, the spouse or civil partner, the children, then the
// other relatives and in-laws in the order of ANPR's table, then cohabitants,
// then those whose tie is not recorded.
func relationshipRank(r registry.Relationship) int {
	switch r {
	case registry.Householder:
		return 0
	case registry.Spouse, registry.CivilPartner:
		return 1
	case registry.Child:
		return 2
	case registry.Cohabitant:
		return 200
	case registry.RelationshipUnknown, 0:
		return 300
	}
	return 10 + int(r)
}

// familyMembers are the members in the register's order of relationship,
// the oldest first among equals (the children by birth).
func familyMembers(ms []registry.Member) []registry.Member {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b registry.Member) int {
		if d := relationshipRank(a.Relationship) - relationshipRank(b.Relationship); d != 0 {
			return d
		}
		switch {
		case a.Person.BirthDate.Before(b.Person.BirthDate):
			return -1
		case b.Person.BirthDate.Before(a.Person.BirthDate):
			return 1
		}
		return 0
	})
	return out
}

func familyTable(rec registry.Record, t Type) *Table {
	tb := &Table{Header: []string{"Cognome e nome", "Luogo di nascita", "Data di nascita"}, Widths: []float64{3, 2.4, 1.2}}
	switch t {
	case FamilyWithRelationships:
		tb.Header = append(tb.Header, "Rapporto di parentela")
		tb.Widths = append(tb.Widths, 1.8)
	case FamilyAndCivilStatus:
		tb.Header = append(tb.Header, "Stato civile")
		tb.Widths = append(tb.Widths, 1.8)
	}
	for _, mem := range familyMembers(rec.Members) {
		mp := mem.Person
		name := strings.ToUpper(mp.Surname + " " + mp.Name)
		if mem.Relationship == registry.Householder && t != FamilyWithRelationships {
			// Without the relationship column the intestatario is named
			// beside the name; with it, the column says so.
			name += " (" + RelationshipName(registry.Householder, mp) + ")"
		}
		row := []string{name, PlaceName(mp.BirthPlace, mp.BirthDate, mp.BirthPlaceName), mp.BirthDate.Italian()}
		switch t {
		case FamilyWithRelationships:
			row = append(row, RelationshipName(mem.Relationship, mp))
		case FamilyAndCivilStatus:
			row = append(row, civilStatusName(mp))
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

func civilStatusName(p registry.Person) string {
	switch p.CivilStatus {
	case registry.Single:
		return bySex(p, "celibe", "nubile")
	case registry.Married:
		return bySex(p, "coniugato", "coniugata")
	case registry.Widowed:
		return bySex(p, "vedovo", "vedova")
	case registry.Divorced:
		return bySex(p, "divorziato", "divorziata")
	case registry.CivilUnion:
		return bySex(p, "unito civilmente", "unita civilmente")
	case registry.FreeAfterPartnerDied:
		return "stato libero a seguito di decesso della parte unita civilmente"
	case registry.FreeAfterUnionEnded:
		return "stato libero a seguito di scioglimento dell'unione civile"
	}
	return "non documentato"
}

// RelationshipName is the relationship to the householder as printed.
func RelationshipName(r registry.Relationship, p registry.Person) string {
	switch r {
	case registry.Householder:
		return bySex(p, "intestatario scheda", "intestataria scheda")
	case registry.Spouse:
		return bySex(p, "marito", "moglie")
	case registry.Child:
		return bySex(p, "figlio", "figlia")
	case registry.Grandchild:
		return "nipote"
	case registry.Parent:
		return bySex(p, "padre", "madre")
	case registry.Grandparent:
		return bySex(p, "nonno", "nonna")
	case registry.Sibling:
		return bySex(p, "fratello", "sorella")
	case registry.ChildInLaw:
		return bySex(p, "genero", "nuora")
	case registry.ParentInLaw:
		return bySex(p, "suocero", "suocera")
	case registry.SiblingInLaw:
		return bySex(p, "cognato", "cognata")
	case registry.Cohabitant:
		return "convivente"
	case registry.CivilPartner:
		return bySex(p, "unito civilmente", "unita civilmente")
	case registry.OtherRelative:
		return "altro parente"
	}
	return "non indicato"
}

// Issued is a certificate as registered and handed out.
type Issued struct {
	Number   string
	Document Document
	PDF      []byte
	SHA256   string
	Fees     Fees
	Forced   []Refusal // the refusals a registrar overrode
}
