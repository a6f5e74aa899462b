// Package social is the social desk (Punto Unico di Accesso, DM 77/2022):
// the intake of a request, the case that follows it through its phases,
// notes, referrals to services and appointments with a social worker. It
// holds the types and their rules and imports no UI, SQL or HTTP.
package social

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"sportello/fault"
	"sportello/registry"
)

// RequestType is what the person asks the social desk for.
type RequestType string

const (
	HomeCare        RequestType = "home_care"        // assistenza domiciliare (ADI/SAD)
	ResidentialCare RequestType = "residential_care" // residenziale o semiresidenziale (RSA, centro diurno)
	Inclusion       RequestType = "inclusion"        // sostegno all'inclusione (assegno di inclusione, GePI)
	ISEEHelp        RequestType = "isee_help"        // aiuto per l'ISEE
	RentSupport     RequestType = "rent_support"     // sostegno all'affitto
	Disability      RequestType = "disability"       // disabilità
	OtherRequest    RequestType = "other"            // altro
)

// RequestTypes lists the request types in the order the desk offers them.
var RequestTypes = []RequestType{HomeCare, ResidentialCare, Inclusion, ISEEHelp, RentSupport, Disability, OtherRequest}

// Valid reports whether t is one of RequestTypes.
func (t RequestType) Valid() bool { return member(RequestTypes, t) }

// Source is how the request reached the desk.
type Source string

const (
	WalkIn      Source = "walk_in"  // the person came to the desk
	Referred    Source = "referral" // a doctor, a hospital, a school or another office sent them
	Outreach    Source = "outreach" // the services went to them
	OtherSource Source = "other"
	// Online is a request the person sent from the portal (Sportello
	// online): a pre-intake the desk takes up; the desk's form does not
	// offer it.
	Online Source = "online"
)

// Sources lists the intake sources in the order the desk offers them.
var Sources = []Source{WalkIn, Referred, Outreach, OtherSource}

// Valid reports whether s is one of Sources.
func (s Source) Valid() bool { return member(Sources, s) || s == Online }

// Priority says how soon the case needs the worker.
type Priority string

const (
	Low    Priority = "low"
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists the priorities from the lowest.
var Priorities = []Priority{Low, Normal, High, Urgent}

// Valid reports whether p is one of Priorities.
func (p Priority) Valid() bool { return member(Priorities, p) }

// Risk is a risk factor noted at intake.
type Risk string

const (
	LivesAlone     Risk = "lives_alone"
	NotSelfReliant Risk = "not_self_reliant" // non autosufficiente
	NoIncome       Risk = "no_income"
	Eviction       Risk = "eviction"
	Minors         Risk = "minors" // minors in the household at risk
	Violence       Risk = "violence"
	Addiction      Risk = "addiction"
	HealthRisk     Risk = "health"
)

// Risks lists the risk factors in the order the desk offers them.
var Risks = []Risk{LivesAlone, NotSelfReliant, NoIncome, Eviction, Minors, Violence, Addiction, HealthRisk}

// Valid reports whether r is one of Risks.
func (r Risk) Valid() bool { return member(Risks, r) }

func member[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Visitor is a person not in the register, with the data they gave.
type Visitor struct {
	UID       string // set by the store
	Surname   string
	Name      string
	CF        string        // codice fiscale, "" if not given
	BirthDate registry.Date // zero if not given
	Phone     string
	Email     string
	Address   string // where they live or can be found, as they said it
}

// FullName is surname and name.
func (v Visitor) FullName() string { return strings.TrimSpace(v.Surname + " " + v.Name) }

// Validate checks that a visitor is named and that a codice fiscale, if
// given, is well formed.
func (v Visitor) Validate() error {
	switch {
	case strings.TrimSpace(v.Surname) == "" || strings.TrimSpace(v.Name) == "":
		return fault.New(fault.Invalid, "Write the surname and the name of the person", nil)
	case strings.TrimSpace(v.CF) != "" && registry.ValidateCF(strings.ToUpper(strings.TrimSpace(v.CF))) != nil:
		return fault.New(fault.Invalid, "The codice fiscale {{.CF}} is not valid: check it or leave it empty", map[string]any{"CF": v.CF})
	case !v.BirthDate.IsZero() && !v.BirthDate.Valid():
		return fault.New(fault.Invalid, "The birth date is not valid", nil)
	}
	return nil
}

// Member is one person of the household the person declares: pre-filled
// from the registry family and edited as they say it is.
type Member struct {
	PersonUID    string // the register's person, "" for someone not in it
	Name         string // "Surname Name"
	Relationship string // as declared: "coniuge", "figlio", "badante" ...
	BirthDate    registry.Date
}

// ISEE is the value and expiry of the person's ISEE attestation (DPCM
// 159/2013). An ISEE is valid until 31 December of the year it was issued.
type ISEE struct {
	Cents  int64 // the indicator in euro cents; zero is a valid value
	Expiry registry.Date
}

// MaxISEECents bounds the indicator: no household eligible to any social
// service comes near it, so a larger value is a typing error.
const MaxISEECents = 1_000_000_00

// Validate checks the value and that the attestation is in force today.
func (i ISEE) Validate(today registry.Date) error {
	switch {
	case i.Cents < 0 || i.Cents > MaxISEECents:
		return fault.New(fault.Invalid, "The ISEE value must be between 0 and 1,000,000 euro", nil)
	case !i.Expiry.Valid():
		return fault.New(fault.Invalid, "Write the expiry date of the ISEE (dd/mm/yyyy)", nil)
	case i.Expiry.Before(today):
		return fault.New(fault.Invalid, "The ISEE expired on {{.Date}}: the person needs a new DSU, or leave the ISEE empty", map[string]any{"Date": i.Expiry.Italian()})
	case i.Expiry.After(registry.NewDate(today.Year+1, time.December, 31)):
		return fault.New(fault.Invalid, "An ISEE expires on 31 December of the year it was issued: check the expiry date", nil)
	}
	return nil
}

// Consent records the person's consent to the processing of their data
// (Reg. UE 2016/679 art. 6 and 9) at intake.
type Consent struct {
	Given  bool
	Signed bool // the printed form was signed; false when given orally and noted
	At     time.Time
}

// DocumentKind is what a document received is.
type DocumentKind string

const (
	DocIdentity DocumentKind = "identity" // identity document
	DocISEE     DocumentKind = "isee"     // ISEE attestation or DSU
	DocMedical  DocumentKind = "medical"  // medical certificate or report
	DocIncome   DocumentKind = "income"
	DocRent     DocumentKind = "rent" // lease, eviction notice
	DocOther    DocumentKind = "other"
)

// DocumentKinds lists the document kinds in the order the desk offers them.
var DocumentKinds = []DocumentKind{DocIdentity, DocISEE, DocMedical, DocIncome, DocRent, DocOther}

// Valid reports whether k is one of DocumentKinds.
func (k DocumentKind) Valid() bool { return member(DocumentKinds, k) }

// MaxDocumentSize is the largest file the desk keeps: a scan of a few pages.
const MaxDocumentSize = 10 << 20

// Document formats the desk accepts, by their first bytes.
var documentFormats = []struct {
	mime  string
	magic []byte
}{
	{"application/pdf", []byte("%PDF-")},
	{"image/jpeg", []byte{0xFF, 0xD8, 0xFF}},
	{"image/png", []byte("\x89PNG\r\n\x1a\n")},
}

// DocumentType returns the MIME type of a file's content, "" when it is not
// one the desk accepts (PDF, JPEG, PNG).
func DocumentType(content []byte) string {
	for _, f := range documentFormats {
		if bytes.HasPrefix(content, f.magic) {
			return f.mime
		}
	}
	return ""
}

// Document is a paper or file received from the person. The content is
// kept with its SHA-256 (the store computes it).
type Document struct {
	UID     string
	Kind    DocumentKind
	Name    string // the file name, or what the paper is
	MIME    string // set from the content by Validate
	Content []byte
	SHA256  string // hex, set by the store
	Size    int
}

// Validate checks the kind, the name, the size and that the content is a
// PDF, JPEG or PNG file; it sets MIME and Size.
func (d *Document) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case !d.Kind.Valid():
		return fault.New(fault.Invalid, "Choose what the document is", nil)
	case d.Name == "" || utf8.RuneCountInString(d.Name) > 200:
		return fault.New(fault.Invalid, "Name the document (at most 200 characters)", nil)
	case len(d.Content) == 0:
		return fault.New(fault.Invalid, "The file {{.Name}} is empty", map[string]any{"Name": d.Name})
	case len(d.Content) > MaxDocumentSize:
		return fault.New(fault.Invalid, "The file {{.Name}} is larger than 10 MB: scan it at a lower resolution", map[string]any{"Name": d.Name})
	}
	d.MIME = DocumentType(d.Content)
	if d.MIME == "" {
		return fault.New(fault.Invalid, "The file {{.Name}} is not a PDF, JPEG or PNG file", map[string]any{"Name": d.Name})
	}
	d.Size = len(d.Content)
	return nil
}

// Limits on free text.
const (
	maxIssue = 4000
	maxText  = 4000
	maxShort = 200
)

// Intake is a request as the desk takes it at first contact: who, what,
// how it came, and what the person gave.
type Intake struct {
	PersonUID string   // the register's person; "" for a visitor
	Visitor   *Visitor // the person when not in the register; nil otherwise

	Type            RequestType
	Source          Source
	Referrer        string // who sent them, for a referral
	PresentingIssue string // the need in the person's words (required)
	Priority        Priority
	Risks           []Risk
	ISEE            *ISEE // nil when not given
	Household       []Member
	Consent         Consent
	Documents       []Document
	NextStep        string
	Worker          string        // username of the social worker assigned
	TargetDate      registry.Date // when the assessment should be done; zero if none
}

// Validate checks an intake on day today: a person, a request type and
// source, the presenting issue, a sane ISEE, consent given, the documents.
func (in *Intake) Validate(today registry.Date) error {
	in.PresentingIssue = strings.TrimSpace(in.PresentingIssue)
	in.Referrer = strings.TrimSpace(in.Referrer)
	in.NextStep = strings.TrimSpace(in.NextStep)
	if in.Priority == "" {
		in.Priority = Normal
	}
	switch {
	case in.PersonUID == "" && in.Visitor == nil:
		return fault.New(fault.Invalid, "Choose the person from the register or write the visitor's data", nil)
	case in.PersonUID != "" && in.Visitor != nil:
		return fault.New(fault.Invalid, "A request is for a person of the register or for a visitor, not both", nil)
	case !in.Type.Valid():
		return fault.New(fault.Invalid, "Choose the type of request", nil)
	case !in.Source.Valid():
		return fault.New(fault.Invalid, "Choose how the request reached the desk", nil)
	case in.Source == Referred && in.Referrer == "":
		return fault.New(fault.Invalid, "Write who referred the person (doctor, hospital, school...)", nil)
	case in.PresentingIssue == "":
		return fault.New(fault.Invalid, "Describe the presenting issue: it is required", nil)
	case utf8.RuneCountInString(in.PresentingIssue) > maxIssue || utf8.RuneCountInString(in.NextStep) > maxText ||
		utf8.RuneCountInString(in.Referrer) > maxShort:
		return fault.New(fault.Invalid, "The text is too long: shorten it", nil)
	case !in.Priority.Valid():
		return fault.New(fault.Invalid, "Choose the priority", nil)
	case !in.Consent.Given:
		return fault.New(fault.Invalid, "Record the person's consent to the processing of their data: without it the request cannot be taken", nil)
	case strings.TrimSpace(in.Worker) == "":
		return fault.New(fault.Invalid, "Choose the social worker the case is assigned to", nil)
	case !in.TargetDate.IsZero() && (!in.TargetDate.Valid() || in.TargetDate.Before(today)):
		return fault.New(fault.Invalid, "The target date must be today or later", nil)
	}
	if in.Visitor != nil {
		if err := in.Visitor.Validate(); err != nil {
			return err
		}
	}
	for _, r := range in.Risks {
		if !r.Valid() {
			return fault.New(fault.Invalid, "Unknown risk factor {{.Risk}}", map[string]any{"Risk": string(r)})
		}
	}
	if in.ISEE != nil {
		if err := in.ISEE.Validate(today); err != nil {
			return err
		}
	}
	for i, m := range in.Household {
		in.Household[i].Name = strings.TrimSpace(m.Name)
		if in.Household[i].Name == "" {
			return fault.New(fault.Invalid, "Each member of the declared household needs a name", nil)
		}
	}
	for i := range in.Documents {
		if err := in.Documents[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}
