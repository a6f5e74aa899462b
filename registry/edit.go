package registry

import (
	"context"
	"strings"

	"sportello/access"
	"sportello/fault"
)

// The edits a desk records. Each carries the version of the record it was
// made on (BaseVersion, FamilyVersion): the store refuses it when someone
// else changed the record meanwhile. Each validates against the record as it
// stands (Validate), so the rules live here and the store only applies them.

// DocumentKind is the type of an identity document.
type DocumentKind string

const (
	DocCIE            DocumentKind = "cie"      // carta d'identità elettronica
	DocPaperID        DocumentKind = "paper_id" // carta d'identità cartacea
	DocPassport       DocumentKind = "passport"
	DocDrivingLicence DocumentKind = "driving_licence"
)

// DocumentKinds lists the kinds in the order a form offers them.
var DocumentKinds = []DocumentKind{DocCIE, DocPaperID, DocPassport, DocDrivingLicence}

// Document is an identity document a person holds.
type Document struct {
	ID       int64
	UID      string
	Kind     DocumentKind
	Number   string
	IssuedOn Date // zero when unknown
	Expires  Date
	IssuedBy string // the authority: "Comune di Anagni", "Questura di Frosinone"
}

// Reasons of a residence opened by an edit (ANPR motivo di iscrizione; 0 for
// a move within the municipality, which is no new registration).
const (
	ReasonMove    = 0
	ReasonBirth   = 1
	ReasonArrival = 3 // from another municipality
	ReasonAbroad  = 4 // from abroad
)

// AddressChange moves a person, with the whole family they belong to, to
// another address in the municipality from a date: the open residences are
// closed the day before and new ones opened.
type AddressChange struct {
	PersonID    int64
	BaseVersion int64
	Address     Address // Place is set by the store to the municipality
	From        Date
	// ConfirmOffStradario records a street that is not in the stradario:
	// the registrar's power only.
	ConfirmOffStradario bool
}

// Validate checks the change against the record rec it was made on.
func (c AddressChange) Validate(rec Record, today Date) error {
	a := c.Address
	switch {
	case strings.TrimSpace(a.Street) == "":
		return fault.New(fault.Invalid, "The street is required", nil)
	case strings.TrimSpace(a.HouseNumber) == "":
		return fault.New(fault.Invalid, "The house number is required", nil)
	}
	if err := checkDate(c.From, rec.Person.BirthDate, today); err != nil {
		return err
	}
	if rec.Person.Status != Resident {
		return fault.New(fault.Invalid, "Only a resident can change address within the municipality", nil)
	}
	for _, r := range rec.Residences {
		if r.To.IsZero() && !r.From.IsZero() && !c.From.After(r.From) {
			return fault.New(fault.Invalid, "The new address must start after the current one ({{.Date}})", map[string]any{"Date": r.From.Italian()})
		}
	}
	return nil
}

// NewMember adds a new person to a family: a birth or an arrival.
type NewMember struct {
	FamilyID      int64
	FamilyVersion int64
	Person        Person // FamilyID and Relationship are set from the family and Relationship
	Relationship  Relationship
	From          Date // start of the residence at the family's address
	Reason        int  // ReasonBirth, ReasonArrival or ReasonAbroad
	// ConfirmMismatch keeps a codice fiscale that does not match the data
	// (registrar only).
	ConfirmMismatch bool
}

// Validate checks the new member against the family f it joins.
func (m NewMember) Validate(f Family, members []Member, today Date) error {
	if err := m.Person.Validate(); err != nil {
		return err
	}
	if m.Relationship == Householder {
		return fault.New(fault.Invalid, "The family already has a householder: record a change of householder instead", nil)
	}
	if m.Relationship == 0 {
		return fault.New(fault.Invalid, "The relationship to the householder is required", nil)
	}
	if m.Person.BirthDate.After(today) {
		return fault.New(fault.Invalid, "The birth date is in the future", nil)
	}
	if err := checkDate(m.From, m.Person.BirthDate, today); err != nil {
		return err
	}
	switch m.Reason {
	case ReasonBirth:
		if m.From != m.Person.BirthDate {
			return fault.New(fault.Invalid, "A birth is registered from the birth date", nil)
		}
	case ReasonArrival, ReasonAbroad:
	default:
		return fault.New(fault.Invalid, "The reason of the registration is not valid", nil)
	}
	return CheckCF(m.Person, m.ConfirmMismatch)
}

// HouseholderChange makes another member the householder of a family; the
// former householder stays as FormerRelationship (unless deceased or gone).
type HouseholderChange struct {
	FamilyID           int64
	FamilyVersion      int64
	NewHouseholderID   int64
	FormerRelationship Relationship
}

// Validate checks the change against the family f and its members.
func (c HouseholderChange) Validate(f Family, members []Member) error {
	var found *Member
	for i := range members {
		if members[i].Person.ID == c.NewHouseholderID {
			found = &members[i]
		}
	}
	switch {
	case found == nil:
		return fault.New(fault.Invalid, "The new householder must be a member of the family", nil)
	case c.NewHouseholderID == f.HouseholderID:
		return fault.New(fault.Invalid, "This person is already the householder", nil)
	case found.Person.Status != Resident:
		return fault.New(fault.Invalid, "The new householder must be a resident", nil)
	case f.HouseholderID != 0 && (c.FormerRelationship == 0 || c.FormerRelationship == Householder):
		return fault.New(fault.Invalid, "Choose the former householder's relationship to the new one", nil)
	}
	return nil
}

// CivilStatusEvent records a marriage, civil union, divorce, end of a union
// or widowhood. A marriage or union with a person in the register is
// recorded for both; so is a divorce or an end of union.
type CivilStatusEvent struct {
	PersonID      int64
	BaseVersion   int64
	Kind          CivilEventKind
	Date          Date
	Place         string // cadastral or Z code, "" if unknown
	OtherPersonID int64  // the spouse or partner in the register, 0 if not
	OtherName     string // the spouse or partner's name when not in the register
}

// Validate checks the event against the person p (and other, the spouse or
// partner in the register, zero if none) and the last event recorded.
func (e CivilStatusEvent) Validate(p, other Person, last CivilEvent, today Date) error {
	if err := checkDate(e.Date, p.BirthDate, today); err != nil {
		return err
	}
	if !last.Date.IsZero() && e.Date.Before(last.Date) {
		return fault.New(fault.Invalid, "The date is before the last civil-status event ({{.Date}})", map[string]any{"Date": last.Date.Italian()})
	}
	if e.OtherPersonID == 0 && strings.TrimSpace(e.OtherName) == "" {
		return fault.New(fault.Invalid, "Name the spouse or partner", nil)
	}
	if e.OtherPersonID != 0 && e.OtherPersonID == p.ID {
		return fault.New(fault.Invalid, "A person cannot be their own spouse or partner", nil)
	}
	if _, err := NextCivilStatus(p.CivilStatus, e.Kind); err != nil {
		return err
	}
	if other.ID != 0 {
		if e.Kind == EventMarriage || e.Kind == EventCivilUnion {
			if _, err := NextCivilStatus(other.CivilStatus, e.Kind); err != nil {
				return fault.New(fault.Invalid, "The other person is not free to marry or join a civil union", nil)
			}
			if other.Status == Deceased {
				return fault.New(fault.Invalid, "The other person is deceased", nil)
			}
		}
		if err := checkDate(e.Date, other.BirthDate, today); err != nil {
			return err
		}
	}
	return nil
}

// NextCivilStatus is the civil status after an event of kind, or a
// fault.Invalid error when the event cannot follow the status cs.
func NextCivilStatus(cs CivilStatus, kind CivilEventKind) (CivilStatus, error) {
	free := cs == Single || cs == Widowed || cs == Divorced || cs == FreeAfterPartnerDied || cs == FreeAfterUnionEnded || cs == CivilStatusUnknown
	switch kind {
	case EventMarriage, EventCivilUnion:
		if !free {
			return 0, fault.New(fault.Invalid, "The person is already married or in a civil union", nil)
		}
		if kind == EventMarriage {
			return Married, nil
		}
		return CivilUnion, nil
	case EventDivorce:
		if cs != Married {
			return 0, fault.New(fault.Invalid, "A divorce needs a marriage", nil)
		}
		return Divorced, nil
	case EventUnionDissolved:
		if cs != CivilUnion {
			return 0, fault.New(fault.Invalid, "The end of a civil union needs a civil union", nil)
		}
		return FreeAfterUnionEnded, nil
	case EventWidowhood:
		switch cs {
		case Married:
			return Widowed, nil
		case CivilUnion:
			return FreeAfterPartnerDied, nil
		}
		return 0, fault.New(fault.Invalid, "Widowhood needs a marriage or a civil union", nil)
	}
	return 0, fault.New(fault.Invalid, "The civil-status event is not valid", nil)
}

// DocumentEdit records an identity document a person holds.
type DocumentEdit struct {
	PersonID    int64
	BaseVersion int64
	Document    Document
}

// Validate checks the document of person p.
func (d DocumentEdit) Validate(p Person, today Date) error {
	doc := d.Document
	switch doc.Kind {
	case DocCIE, DocPaperID, DocPassport, DocDrivingLicence:
	default:
		return fault.New(fault.Invalid, "Choose the type of document", nil)
	}
	if n := strings.TrimSpace(doc.Number); len(n) < 5 || len(n) > 20 {
		return fault.New(fault.Invalid, "The document number must be 5 to 20 characters long", nil)
	}
	if !doc.Expires.Valid() {
		return fault.New(fault.Invalid, "The expiry date is required", nil)
	}
	if !doc.IssuedOn.IsZero() {
		if err := checkDate(doc.IssuedOn, p.BirthDate, today); err != nil {
			return err
		}
		if !doc.Expires.After(doc.IssuedOn) {
			return fault.New(fault.Invalid, "The expiry date must follow the issue date", nil)
		}
	}
	if strings.TrimSpace(doc.IssuedBy) == "" {
		return fault.New(fault.Invalid, "The issuing authority is required", nil)
	}
	return nil
}

// Correction corrects a person's personal data: the registrar's power only.
type Correction struct {
	PersonID       int64
	BaseVersion    int64
	Surname        string
	Name           string
	Sex            Sex
	BirthDate      Date
	BirthPlace     string
	BirthPlaceName string
	CF             string
	// ConfirmMismatch keeps a codice fiscale that does not match the data.
	ConfirmMismatch bool
}

// Apply returns p with the corrected data.
func (c Correction) Apply(p Person) Person {
	p.Surname, p.Name, p.Sex = strings.TrimSpace(c.Surname), strings.TrimSpace(c.Name), c.Sex
	p.BirthDate, p.BirthPlace, p.BirthPlaceName = c.BirthDate, strings.ToUpper(strings.TrimSpace(c.BirthPlace)), strings.TrimSpace(c.BirthPlaceName)
	cf := strings.ToUpper(strings.TrimSpace(c.CF))
	if cf != p.CF {
		p.CFChecked = false
	}
	p.CF = cf
	return p
}

// Validate checks the corrected person p (Apply) as of today.
func (c Correction) Validate(p Person, today Date) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.BirthDate.After(today) {
		return fault.New(fault.Invalid, "The birth date is in the future", nil)
	}
	return CheckCF(p, c.ConfirmMismatch)
}

// CheckCF checks that p's codice fiscale is well formed and matches the
// personal data (an omocode variant matches too). A mismatch is accepted when
// confirmed: only the Revenue Agency issues codes, and the registry keeps the
// issued one.
func CheckCF(p Person, confirmMismatch bool) error {
	if p.CF == "" {
		return fault.New(fault.Invalid, "The codice fiscale is required", nil)
	}
	if err := ValidateCF(p.CF); err != nil {
		return err
	}
	want, err := ComputeCF(p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace)
	if (err != nil || OmocodeBase(p.CF) != want) && !confirmMismatch {
		if err != nil {
			want = "?"
		}
		return fault.New(fault.Invalid, "The codice fiscale {{.CF}} does not match the personal data (computed: {{.Want}}): check the data, or have a registrar confirm the mismatch",
			map[string]any{"CF": p.CF, "Want": want})
	}
	return nil
}

// checkDate checks that an event date is known, not before the birth date
// and not in the future.
func checkDate(d, born, today Date) error {
	switch {
	case !d.Valid():
		return fault.New(fault.Invalid, "The date is required", nil)
	case d.After(today):
		return fault.New(fault.Invalid, "The date is in the future", nil)
	case born.Valid() && d.Before(born):
		return fault.New(fault.Invalid, "The date is before the birth date", nil)
	}
	return nil
}

// Editor records the edits of the desk; the store implements it. Each
// method checks that u may make the edit, refuses a stale base version with
// a fault.Conflict, and records the change, its outbox mutation and its
// audit entry in one transaction.
type Editor interface {
	ChangeAddress(ctx context.Context, u access.User, c AddressChange) error
	AddMember(ctx context.Context, u access.User, m NewMember) (Person, error)
	ChangeHouseholder(ctx context.Context, u access.User, c HouseholderChange) error
	RecordCivilEvent(ctx context.Context, u access.User, e CivilStatusEvent) error
	AddDocument(ctx context.Context, u access.User, d DocumentEdit) error
	CorrectPerson(ctx context.Context, u access.User, c Correction) error
	MoveToFamily(ctx context.Context, u access.User, m FamilyMove) error
}
