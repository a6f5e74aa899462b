package certificate

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// Payment is how the bollo or a fee was paid.
type Payment string

const (
	PayVirtual Payment = "virtual" // bollo virtuale, collected at the desk
	PayMarca   Payment = "marca"   // marca da bollo brought by the citizen, with its serial number
	PayCash    Payment = "cash"
	PayCard    Payment = "card"   // POS
	PayPagoPA  Payment = "pagopa" // paid through pagoPA
	PayOther   Payment = "other"
)

// StampDuty is the bollo of one certificate: paid, or exempt with a table 39
// code (99 with a reason), or exempt by law for civil-status facts.
type StampDuty struct {
	Exemption int     // table 39 code; 0 when paid or exempt by law
	Reason    string  // the reason for code 99
	Norm      string  // the legal reference of code 99 ("art. 8, L. 266/1991")
	Payment   Payment // how the bollo was paid: virtual, marca or other
	Serial    string  // serial number of the marca da bollo, 14 digits

	// Authorisation is the Agenzia delle Entrate's authorisation to pay the
	// bollo virtually, copied from the settings by ApplySettings and printed
	// on a certificate paid that way.
	Authorisation Authorisation
}

// Authorisation is the authorisation to pay the bollo in the virtual way
// (art. 15 DPR 642/1972), granted to the municipality by the Agenzia delle
// Entrate: its number and date, which the certificate must print.
type Authorisation struct {
	Number string        // "12345/2019"
	Date   registry.Date // the date it was granted
}

// Valid reports whether the authorisation has its number and date.
func (a Authorisation) Valid() bool { return strings.TrimSpace(a.Number) != "" && a.Date.Valid() }

// Settings are the municipality's amounts, in euro cents, and its
// authorisation to pay the bollo virtually.
type Settings struct {
	BolloCents     int64 // €16.00
	FeeCents       int64 // secretarial fee with bollo, €0.52
	FeeExemptCents int64 // secretarial fee when exempt, €0.26

	VirtualBollo Authorisation // zero when the municipality has none: the bollo is then paid with a marca
}

// DefaultSettings are the national amounts.
var DefaultSettings = Settings{BolloCents: 1600, FeeCents: 52, FeeExemptCents: 26}

// Request is what the clerk asks for.
type Request struct {
	Types       []Type // one type, or several for a contestuale
	Use         Use
	Duty        StampDuty
	FeePayment  Payment       // how the secretarial fee was paid
	AtDate      registry.Date // for ResidenceHistoryAtDate: the date asked about
	On          registry.Date // the issue date the rules judge on (ages, dates in the future); zero is today
	Force       bool          // a registrar issues despite a refusal the law lets them override
	ForceReason string
}

// Normalise sorts the types in table order and fills the default use.
func (r *Request) Normalise() {
	slices.Sort(r.Types)
	r.Types = slices.Compact(r.Types)
	if r.Use == "" {
		r.Use = UsePrivate
	}
	r.Duty.Reason = strings.TrimSpace(r.Duty.Reason)
	r.Duty.Norm = strings.TrimSpace(r.Duty.Norm)
	r.Duty.Serial = NormaliseSerial(r.Duty.Serial)
	r.ForceReason = strings.TrimSpace(r.ForceReason)
}

// today is the date the rules judge on.
func (r Request) today() registry.Date {
	if r.On.IsZero() {
		return registry.Today()
	}
	return r.On
}

// Contestuale reports whether the request combines several types.
func (r Request) Contestuale() bool { return len(r.Types) > 1 }

// Title is the printed title of the request: the type's, or for several
// "Certificato contestuale di nascita, residenza e stato di famiglia".
func (r Request) Title() string {
	if r.Contestuale() {
		parts := make([]string, len(r.Types))
		for i, t := range r.Types {
			parts[i] = strings.TrimPrefix(strings.TrimPrefix(capitalFix(t.Name()), "anagrafico "), "di ")
		}
		last := len(parts) - 1
		return "Certificato contestuale di " + strings.Join(parts[:last], ", ") + " e " + parts[last]
	}
	if len(r.Types) == 1 {
		return r.Types[0].Title()
	}
	return ""
}

// ExemptByLaw reports whether every type certifies civil-status facts, so the
// certificate is exempt from bollo whatever the use (art. 7 L. 405/1990).
func (r Request) ExemptByLaw() bool {
	if len(r.Types) == 0 {
		return false
	}
	for _, t := range r.Types {
		if !t.CivilStatusFact() {
			return false
		}
	}
	return true
}

// Exempt reports whether no bollo is due.
func (r Request) Exempt() bool { return r.ExemptByLaw() || r.Duty.Exemption != 0 }

// DutyWording is what the certificate prints about stamp duty. The
// exemption's caption follows the colon in lower case, unless it opens with
// an abbreviation (ONLUS, C.T.U.).
func (r Request) DutyWording() string {
	switch {
	case r.Duty.Exemption == OtherExemption:
		return "Esente dall'imposta di bollo: " + lowerFirst(r.Duty.Reason) + " (" + r.Duty.Norm + ")."
	case r.Duty.Exemption != 0:
		e, _ := LookupExemption(r.Duty.Exemption)
		return "Esente dall'imposta di bollo: " + lowerFirst(e.Caption) + "."
	case r.ExemptByLaw():
		return "Esente dall'imposta di bollo ai sensi dell'art. 7, comma 5, della legge 29 dicembre 1990, n. 405."
	case r.Duty.Payment == PayMarca:
		return "Imposta di bollo assolta con contrassegno telematico n. " + r.Duty.Serial + "."
	case r.Duty.Payment == PayPagoPA:
		return "Imposta di bollo assolta tramite pagoPA."
	case r.Duty.Payment == PayVirtual:
		a := r.Duty.Authorisation
		return "Imposta di bollo assolta in modo virtuale, autorizzazione dell'Agenzia delle Entrate n. " + a.Number + " del " + a.Date.Italian() +
			" (art. 15 d.P.R. 26 ottobre 1972, n. 642)."
	}
	return "Imposta di bollo assolta."
}

// lowerFirst lowers the first letter of a caption put after a colon, unless
// the first word is an abbreviation in capitals ("ONLUS", "C.T.U.").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(next) || next == '.' {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// ApplySettings takes from the settings what the request prints: the
// authorisation of the virtual bollo. A virtual bollo without the
// authorisation in the settings is refused, saying what to configure.
func (r *Request) ApplySettings(s Settings) error {
	if r.Exempt() || r.Duty.Payment != PayVirtual {
		r.Duty.Authorisation = Authorisation{}
		return nil
	}
	if !s.VirtualBollo.Valid() {
		return fault.New(fault.Invalid, "The bollo cannot be paid virtually: the municipality's authorisation (number and date) is not in the settings. Set bollo_virtual_authorisation and bollo_virtual_authorisation_date in the configuration, or take a marca da bollo", nil)
	}
	r.Duty.Authorisation = s.VirtualBollo
	return nil
}

// NormaliseSerial is a marca da bollo's serial as the register keeps it:
// the digits, without the spaces a clerk types between groups.
func NormaliseSerial(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s)
}

// SerialLen is the length of a marca da bollo's serial (the contrassegno
// telematico's identificativo, the 14 digits over its bar code).
const SerialLen = 14

// CheckSerial checks a marca da bollo's serial: 14 digits, not all zeros.
// The Agenzia delle Entrate publishes no check digit for it; whether the
// marca is genuine is answered only by its online "interrogazione
// contrassegni", so the desk checks the form and that the register never
// takes the same serial twice.
func CheckSerial(serial string) error {
	s := NormaliseSerial(serial)
	if s == "" {
		return fault.New(fault.Invalid, "The marca da bollo needs its serial number", nil)
	}
	if len(s) != SerialLen || strings.Trim(s, "0123456789") != "" || strings.Trim(s, "0") == "" {
		return fault.New(fault.Invalid, "{{.Serial}} is not the serial of a marca da bollo: it has 14 digits, printed over the bar code", map[string]any{"Serial": serial})
	}
	return nil
}

// exemptionUses are the uses each exemption agrees with: an exemption for
// court proceedings is for use in court, the exchange between public offices
// is for an office's use, a foreign pension is for use abroad. Code 99 and a
// paid bollo take any use but the office's (the exchange between offices is
// exempt by code 10).
var exemptionUses = map[int][]Use{
	1:  {UsePrivate},          // ONLUS
	2:  {UsePrivate},          // amateur sports clubs
	3:  {UseCourt},            // court proceedings
	4:  {UseCourt},            // court experts and receivers
	5:  {UseCourt},            // interdiction, guardianship
	6:  {UseCourt, UseAbroad}, // adoption (also international), foster care
	7:  {UseCourt},            // separation and divorce
	8:  {UsePrivate},          // street renaming and renumbering
	9:  {UseAbroad},           // foreign pensions
	10: {UseOffice},           // exchange between public offices
	0:  {UsePrivate, UseAbroad, UseCourt, UseImmigration},
	99: {UsePrivate, UseAbroad, UseCourt, UseImmigration},
}

// UsesFor lists the uses a request with the exemption may print, in the
// desk's order.
func UsesFor(exemption int) []Use {
	return slices.Clone(exemptionUses[exemption])
}

// Fees are the amounts the citizen pays at the desk, in euro cents.
type Fees struct {
	BolloCents int64 // the bollo the desk collects (virtual); 0 when exempt or paid with a marca
	BolloDue   int64 // the bollo due, however paid
	FeeCents   int64 // secretarial fee (diritti di segreteria)
}

// Total is what the desk collects.
func (f Fees) Total() int64 { return f.BolloCents + f.FeeCents }

// Fees computes the amounts under the settings.
func (r Request) Fees(s Settings) Fees {
	var f Fees
	if !r.Exempt() {
		f.BolloDue = s.BolloCents
		if r.Duty.Payment != PayMarca {
			f.BolloCents = s.BolloCents
		}
		f.FeeCents = s.FeeCents
		return f
	}
	f.FeeCents = s.FeeExemptCents
	if e, ok := LookupExemption(r.Duty.Exemption); ok && e.WaivesFee {
		f.FeeCents = 0
	}
	return f
}

// Validate checks the request itself, before the rules look at the person.
func (r Request) Validate() error {
	if len(r.Types) == 0 {
		return fault.New(fault.Invalid, "The certificate type is required", nil)
	}
	for _, t := range r.Types {
		if !t.Valid() {
			return fault.New(fault.Invalid, "{{.Type}} is not a certificate type", map[string]any{"Type": int(t)})
		}
		if t.Alone() && len(r.Types) > 1 {
			return fault.New(fault.Invalid, "The {{.Type}} is issued alone and cannot be combined with others", map[string]any{"Type": strings.ToLower(t.Title())})
		}
	}
	if _, err := ParseUse(string(r.Use)); err != nil {
		return err
	}
	if slices.Contains(r.Types, ResidenceHistoryAtDate) && !r.AtDate.Valid() {
		return fault.New(fault.Invalid, "The historical residence at a date needs the date", nil)
	}
	d := r.Duty
	switch {
	case d.Exemption == OtherExemption && d.Reason == "":
		return fault.New(fault.Invalid, "Exemption 99 needs the reason", nil)
	case d.Exemption == OtherExemption && d.Norm == "":
		return fault.New(fault.Invalid, "Exemption 99 needs the legal reference (the law and article that exempt the certificate) beside the reason", nil)
	case d.Exemption != 0:
		if _, ok := LookupExemption(d.Exemption); !ok {
			return fault.New(fault.Invalid, "{{.Code}} is not a stamp-duty exemption code", map[string]any{"Code": d.Exemption})
		}
	case !r.ExemptByLaw():
		switch d.Payment {
		case PayVirtual, PayOther, PayPagoPA:
		case PayMarca:
			if err := CheckSerial(d.Serial); err != nil {
				return err
			}
		default:
			return fault.New(fault.Invalid, "Say how the bollo was paid: virtual, marca or other", nil)
		}
	}
	if err := r.checkUse(); err != nil {
		return err
	}
	switch r.FeePayment {
	case "", PayCash, PayCard, PayPagoPA:
	default:
		return fault.New(fault.Invalid, "Say how the fee was paid: cash, card or pagoPA", nil)
	}
	if r.Force && r.ForceReason == "" {
		return fault.New(fault.Invalid, "Forcing an issue needs the reason", nil)
	}
	return nil
}

// checkUse refuses a use the exemption contradicts (exemption 10, between
// public offices, printed "per uso tra privati"; a court exemption for use
// abroad).
func (r Request) checkUse() error {
	use := r.Use
	if use == "" {
		use = UsePrivate
	}
	code := r.Duty.Exemption
	if _, known := exemptionUses[code]; !known {
		return nil // an unknown code is refused above
	}
	if code == 0 && use == UseOffice && r.ExemptByLaw() {
		return nil // a civil-status certificate a public office asks for: exempt by law whatever the use
	}
	if slices.Contains(exemptionUses[code], use) {
		return nil
	}
	names := make([]string, 0, 4)
	for _, u := range exemptionUses[code] {
		names = append(names, u.Label())
	}
	if code == 0 {
		return fault.New(fault.Invalid, "A certificate for use by a public office is exempt as an exchange between public offices: choose exemption 10", nil)
	}
	return fault.New(fault.Invalid, "Exemption {{.Code}} does not agree with the use {{.Use}}: with it the certificate is {{.Uses}}",
		map[string]any{"Code": code, "Use": use.Label(), "Uses": strings.Join(names, ", ")})
}

// Issuer is who issues: the operator whose name is printed under
// "L'Ufficiale d'Anagrafe".
type Issuer struct {
	Username string
	FullName string
	Role     access.Role
}

// MayForce reports whether the issuer may override a forceable refusal.
func (i Issuer) MayForce() bool { return i.Role == access.Registrar }

// IssuePolicy is who issues certificates in this municipality: registrars
// always; clerks (as the ufficiale's delegates) unless the municipality's
// setting bars them (clerks_issue: false); supervisors only when the setting
// says so (supervisors_issue); nobody else. The zero policy is the default.
type IssuePolicy struct {
	Supervisors  bool
	ClerksBarred bool
}

// MayIssue reports whether the role issues certificates.
func (p IssuePolicy) MayIssue(r access.Role) bool {
	return r == access.Registrar || (r == access.Clerk && !p.ClerksBarred) || (p.Supervisors && r == access.Supervisor)
}

// Delegate reports whether the issuer signs as the ufficiale's delegate:
// everyone but a registrar (DOMAIN.md: a clerk issues as the ufficiale's
// delegate).
func (i Issuer) Delegate() bool { return i.Role != access.Registrar }
