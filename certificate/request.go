package certificate

import (
	"slices"
	"strings"

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
	Payment   Payment // how the bollo was paid: virtual, marca or other
	Serial    string  // serial number of the marca da bollo
}

// Settings are the municipality's amounts, in euro cents.
type Settings struct {
	BolloCents     int64 // €16.00
	FeeCents       int64 // secretarial fee with bollo, €0.52
	FeeExemptCents int64 // secretarial fee when exempt, €0.26
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
	r.Duty.Serial = strings.TrimSpace(r.Duty.Serial)
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

// DutyWording is what the certificate prints about stamp duty.
func (r Request) DutyWording() string {
	switch {
	case r.Duty.Exemption == OtherExemption:
		return "Esente dall'imposta di bollo: " + r.Duty.Reason + "."
	case r.Duty.Exemption != 0:
		e, _ := LookupExemption(r.Duty.Exemption)
		return "Esente dall'imposta di bollo ai sensi di: " + e.Wording + "."
	case r.ExemptByLaw():
		return "Esente dall'imposta di bollo ai sensi dell'art. 7, comma 5, della legge 29 dicembre 1990, n. 405."
	case r.Duty.Payment == PayMarca:
		return "Imposta di bollo assolta con contrassegno telematico n. " + r.Duty.Serial + "."
	}
	return "Imposta di bollo assolta in modo virtuale."
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
	case d.Exemption != 0:
		if _, ok := LookupExemption(d.Exemption); !ok {
			return fault.New(fault.Invalid, "{{.Code}} is not a stamp-duty exemption code", map[string]any{"Code": d.Exemption})
		}
	case !r.ExemptByLaw():
		switch d.Payment {
		case PayVirtual, PayOther:
		case PayMarca:
			if d.Serial == "" {
				return fault.New(fault.Invalid, "The marca da bollo needs its serial number", nil)
			}
		default:
			return fault.New(fault.Invalid, "Say how the bollo was paid: virtual, marca or other", nil)
		}
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

// Issuer is who issues: the operator whose name is printed under
// "L'Ufficiale d'Anagrafe".
type Issuer struct {
	Username string
	FullName string
	Role     access.Role
}

// MayForce reports whether the issuer may override a forceable refusal.
func (i Issuer) MayForce() bool { return i.Role == access.Registrar }

// IssuePolicy is who issues certificates in this municipality: clerks (as
// the ufficiale's delegates) and registrars always; supervisors only when
// the municipality's setting says so (supervisors_issue); nobody else.
type IssuePolicy struct {
	Supervisors bool
}

// MayIssue reports whether the role issues certificates.
func (p IssuePolicy) MayIssue(r access.Role) bool {
	return r == access.Clerk || r == access.Registrar || (p.Supervisors && r == access.Supervisor)
}
