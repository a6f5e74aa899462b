// Package registry is the population register's domain: persons, families,
// addresses, residence and civil-status history, the codice fiscale, the
// municipality and foreign-state codes, and the search query a clerk types.
// It imports no UI, SQL or HTTP.
package registry

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"sportello/fault"
)

// Sex as recorded in the register and encoded in the codice fiscale.
type Sex string

const (
	Male   Sex = "M"
	Female Sex = "F"
)

// Status is a person's position in the register.
type Status string

const (
	Resident  Status = "resident"  // living in the municipality
	Cancelled Status = "cancelled" // moved away or otherwise removed
	Deceased  Status = "deceased"
	AIRE      Status = "aire" // Italian citizen resident abroad (Anagrafe degli Italiani Residenti all'Estero)
)

// CivilStatus codes follow ANPR's Stato_civile table.
type CivilStatus int

const (
	Single               CivilStatus = 1 // celibe/nubile
	Married              CivilStatus = 2
	Widowed              CivilStatus = 3
	Divorced             CivilStatus = 4
	CivilUnion           CivilStatus = 6
	FreeAfterPartnerDied CivilStatus = 7 // stato libero a seguito di decesso della parte unita civilmente
	FreeAfterUnionEnded  CivilStatus = 8 // stato libero a seguito di scioglimento dell'unione
	CivilStatusUnknown   CivilStatus = 9
)

// CancelReason is why a person left the register: ANPR's Motivi di
// cancellazione dall'Anagrafe. Zero when not recorded.
type CancelReason int

const (
	CancelDeath           CancelReason = 1  // morte accertata
	CancelPresumedDeath   CancelReason = 2  // morte presunta giudizialmente dichiarata
	CancelMoved           CancelReason = 3  // trasferimento di residenza in altro comune
	CancelNoFixedAbode    CancelReason = 4  // trasferimento di domicilio (senza fissa dimora)
	CancelForeignerAbroad CancelReason = 5  // trasferimento all'estero di uno straniero
	CancelUntraceable     CancelReason = 6  // irreperibilità
	CancelNoRenewal       CancelReason = 7  // mancato rinnovo della dimora abituale o del permesso di soggiorno
	CancelAIRE            CancelReason = 8  // trasferimento all'estero con iscrizione AIRE
	CancelCensus          CancelReason = 9  // rettifiche post censuarie
	CancelDouble          CancelReason = 10 // doppia iscrizione
	CancelLostCitizenship CancelReason = 11 // perdita della cittadinanza italiana
	CancelRestored        CancelReason = 12 // ripristino della posizione precedente
	CancelOther           CancelReason = 13
)

// Relationship to the householder, ANPR's Relazione di parentela codes.
type Relationship int

const (
	Householder         Relationship = 1 // intestatario scheda
	Spouse              Relationship = 2
	Child               Relationship = 3
	Grandchild          Relationship = 4
	Parent              Relationship = 6
	Grandparent         Relationship = 7
	Sibling             Relationship = 9
	ChildInLaw          Relationship = 16 // genero / nuora
	ParentInLaw         Relationship = 17 // suocero / suocera
	SiblingInLaw        Relationship = 18
	Cohabitant          Relationship = 23 // convivente con vincoli affettivi
	CivilPartner        Relationship = 28
	OtherRelative       Relationship = 13
	RelationshipUnknown Relationship = 99
)

// CivilEventKind is a civil-status event recorded in a person's history.
type CivilEventKind string

const (
	EventMarriage       CivilEventKind = "marriage"
	EventCivilUnion     CivilEventKind = "civil_union"
	EventDivorce        CivilEventKind = "divorce" // end of a marriage other than by death
	EventUnionDissolved CivilEventKind = "union_dissolved"
	EventWidowhood      CivilEventKind = "widowhood" // the spouse or partner died
)

// Italy is the citizenship code for Italian citizens; foreign citizenships use
// the state's Z code.
const Italy = "IT"

// Person is one entry of the population register.
type Person struct {
	ID             int64  // local row id
	UID            string // stable id across desks and server (ULID)
	CF             string // the codice fiscale as issued by the Revenue Agency
	CFChecked      bool   // validated against the Revenue Agency (ANPR validation state 1)
	Surname        string
	Name           string
	Sex            Sex
	BirthDate      Date
	BirthPlace     string // cadastral (Belfiore) code, or Z code for a foreign state
	BirthPlaceName string // name as recorded, kept for places whose code is unknown
	Citizenships   []string
	CivilStatus    CivilStatus
	Status         Status
	StatusSince    Date
	FamilyID       int64
	Relationship   Relationship
	Version        int64

	// For a cancelled person, why (ANPR motivo di cancellazione) and where
	// they went; for a deceased person, the place of death. The place is a
	// cadastral or Z code ("" when the register does not hold it), its name
	// as recorded beside it (a foreign town).
	CancelReason    CancelReason
	StatusPlace     string
	StatusPlaceName string
}

// Address is a place of residence in the municipality (or abroad, for AIRE).
type Address struct {
	ID          int64
	UID         string
	Toponym     string // specie: VIA, PIAZZA, VIALE ... (ANPR table 4)
	Street      string // denominazione: ROMA, GIUSEPPE GARIBALDI ...
	HouseNumber string // civico, with its letter if any: 12, 12/A
	Internal    string // interno, scala, piano
	Postcode    string
	Place       string // cadastral code of the municipality, or Z code
	// OffStradario: the street is not in the stradario; a registrar
	// confirmed it.
	OffStradario bool
	Version      int64
}

// Line is the address as printed: "Via Roma 12, int. 3".
func (a Address) Line() string {
	var b strings.Builder
	// One phrase, so a particle that opens the street's name stays lower
	// case after the toponym: "Vicolo della Torre".
	b.WriteString(TitleCase(a.Toponym + " " + a.Street))
	if a.HouseNumber != "" {
		b.WriteString(" " + a.HouseNumber)
	}
	if a.Internal != "" {
		b.WriteString(", int. " + a.Internal)
	}
	return b.String()
}

// TitleCase turns a name the register writes in capitals into the form
// printed on screen and paper: "VIA GIUSEPPE GARIBALDI" -> "Via Giuseppe
// Garibaldi", "SANT'ANDREA" -> "Sant'Andrea", "VIALE DEI CADUTI" -> "Viale dei
// Caduti", "PAPA GREGORIO IX" -> "Papa Gregorio IX", "REGGIO NELL'EMILIA" ->
// "Reggio nell'Emilia".
func TitleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		words[i] = titleWord(w, i == 0)
	}
	return strings.Join(words, " ")
}

// lowerWords stay lower case inside a name: articles, prepositions and their
// contractions.
var lowerWords = map[string]bool{
	"di": true, "de": true, "del": true, "dei": true, "degli": true, "della": true, "delle": true, "dello": true,
	"da": true, "dal": true, "dalla": true, "dalle": true, "dai": true, "dagli": true,
	"a": true, "al": true, "alla": true, "alle": true, "ai": true, "agli": true, "allo": true,
	"in": true, "nel": true, "nella": true, "nelle": true, "nei": true, "negli": true, "nello": true,
	"su": true, "sul": true, "sulla": true, "sulle": true, "sui": true, "sugli": true,
	"e": true, "ed": true, "con": true, "per": true, "tra": true, "fra": true, "sotto": true, "sopra": true,
	"d": true, "l": true, "dell": true, "dall": true, "all": true, "nell": true, "sull": true,
}

func titleWord(w string, first bool) string {
	if isRoman(w) && w != "di" && w != "mi" && w != "vi" && w != "li" && w != "ci" {
		return strings.ToUpper(w)
	}
	if i := strings.IndexAny(w, "'’"); i >= 0 && i+1 < len(w) {
		_, n := utf8.DecodeRuneInString(w[i:])
		return titleWord(w[:i], first) + w[i:i+n] + titleWord(w[i+n:], false)
	}
	if !first && lowerWords[w] {
		return w
	}
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

// isRoman reports whether w is a Roman numeral such as iv, xx or xxiv.
func isRoman(w string) bool {
	if w == "" || len(w) > 7 {
		return false
	}
	for _, r := range w {
		if !strings.ContainsRune("ivxlcdm", r) {
			return false
		}
	}
	return w != "d" && w != "l" && w != "c" && w != "m" && w != "mid" && w != "dic"
}

// Residence is a period at an address.
type Residence struct {
	ID        int64
	PersonID  int64
	PersonUID string // the person's UID, set when loaded in bulk (see Household)
	Address   Address
	From      Date
	To        Date // zero while current
	Reason    int  // ANPR motivo di iscrizione (on arrival) code, 0 if none
}

// CivilEvent is one entry of a person's civil-status history.
type CivilEvent struct {
	ID            int64
	UID           string
	PersonID      int64
	Kind          CivilEventKind
	Date          Date
	Place         string // cadastral or Z code where it happened, if known
	OtherPersonID int64  // the spouse or partner, when in the register
	OtherName     string // the spouse or partner's name when not in the register

	PersonUID      string // the person's UID, set when loaded in bulk (see Household)
	OtherPersonUID string // the other person's UID when in the register, set when loaded in bulk
}

// Family is a registry household (famiglia anagrafica).
type Family struct {
	ID            int64
	UID           string
	HouseholderID int64
	FormedOn      Date
	Version       int64
	Convivenza    Convivenza // set for a convivenza, zero for a family
}

// Member is a person as listed in a family.
type Member struct {
	Person       Person
	Relationship Relationship
	From         Date // a member since; zero when not known
	To           Date // a member until (a member who left); zero while a member
}

// Record is everything the desk shows about one person.
type Record struct {
	Person      Person
	Address     Address // current address; zero if none
	Residences  []Residence
	CivilEvents []CivilEvent
	Family      Family
	Members     []Member   // the family, householder first, including the person
	Former      []Member   // who was a member and left, with From and To (set by the store's FullRecord)
	Documents   []Document // identity documents, latest expiry first (set by the store's FullRecord)
	Electoral   Electoral  // the entry in the electoral lists (set by the store's FullRecord)
}

// Match is one search result.
type Match struct {
	ID        int64
	CF        string
	Surname   string
	Name      string
	BirthDate Date
	Status    Status
	Address   string // current address line, for telling namesakes apart
}

// Directory finds and reads persons. The store implements it; the desk and the
// command line use it.
type Directory interface {
	Search(ctx context.Context, q Query, limit int) ([]Match, error)
	Record(ctx context.Context, personID int64) (Record, error)
}

// Validate checks what must hold for any person the desk records.
func (p Person) Validate() error {
	switch {
	case strings.TrimSpace(p.Surname) == "":
		return fault.New(fault.Invalid, "The surname is required", nil)
	case strings.TrimSpace(p.Name) == "":
		return fault.New(fault.Invalid, "The name is required", nil)
	case p.Sex != Male && p.Sex != Female:
		return fault.New(fault.Invalid, "The sex must be M or F", nil)
	case !p.BirthDate.Valid():
		return fault.New(fault.Invalid, "The birth date is not valid", nil)
	case p.BirthPlace == "" && p.BirthPlaceName == "":
		return fault.New(fault.Invalid, "The birth place is required", nil)
	}
	switch p.Status {
	case Resident, Cancelled, Deceased, AIRE:
	default:
		return fault.New(fault.Invalid, "The register status is not valid", nil)
	}
	return nil
}

// Household is a family with its address and the histories of its members, as
// loaded in bulk (seed, import, snapshot).
type Household struct {
	Family      Family
	Address     Address          // current address of the family
	Members     []Member         // householder first
	Others      []Person         // related persons outside the family (a deceased spouse, an ex-spouse who left); FamilyID 0
	Residences  []Residence      // PersonUID set; Address set (may be the family address or an earlier one)
	CivilEvents []CivilEvent     // PersonUID and OtherPersonUID set (OtherPersonUID refers to a person in Members or Others of the same household, or "")
	Electoral   []ElectoralEntry // registrations in the electoral lists, PersonUID set
}
