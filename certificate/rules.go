package certificate

import (
	"slices"
	"strconv"
	"strings"

	"sportello/fault"
	"sportello/registry"
)

// Refusal is a rule that stops a type from being issued for a person.
type Refusal struct {
	Type      Type
	Err       *fault.Error // the reason, a domain error
	Forceable bool         // a registrar may issue anyway, and the force is logged
	Instead   []Type       // the types that certify the person's real position, to offer instead
}

// Error is the refusal as a domain error.
func (r Refusal) Error() error { return r.Err }

// titleInText is the type's title inside a sentence: "certificato di
// residenza AIRE".
func titleInText(t Type) string {
	return strings.Replace(t.Title(), "Certificato", "certificato", 1)
}

// typeArg is the template argument of the refusals: the type's title.
func typeArg(t Type) map[string]any {
	return map[string]any{"Type": titleInText(t)}
}

// Refusals lists what the registry refuses for the request on rec, in the
// request's type order. An empty list means the certificate may be issued.
func Refusals(rec registry.Record, req Request) []Refusal {
	var out []Refusal
	for _, t := range req.Types {
		if r, ok := refuse(rec, t, req); ok {
			out = append(out, r)
		}
	}
	return out
}

// Check applies the rules: it returns the refusals the issuer forced (to be
// logged), or the first refusal that stops the issue as a domain error.
func Check(rec registry.Record, req Request, by Issuer) ([]Refusal, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	refusals := Refusals(rec, req)
	for _, r := range refusals {
		switch {
		case !r.Forceable:
			return nil, r.Error()
		case !req.Force:
			return nil, r.Error()
		case !by.MayForce():
			return nil, fault.New(fault.Forbidden, "Only a registrar may issue despite a refusal", nil)
		}
	}
	return refusals, nil
}

// Marriage ages of art. 84 c.c.: of age, or from 16 with the court's
// authorisation.
const (
	MarriageAge      = 18
	MarriageAgeCourt = 16
)

// The rules below refuse what the register does not hold or holds otherwise.
// A certificate states the register's facts (art. 33 DPR 223/1989: the
// certificates are issued on the register's entries), so no one may force a
// certificate of a fact the register does not hold: an unknown civil
// status, a marriage without the spouse, the residence of someone who lives
// abroad or is dead. Only two refusals are left to a registrar's judgement,
// each force logged with its reason, because what would be printed is still
// true:
//   - the stato di famiglia of a family whose intestatario scheda is not
//     recorded: the members are the register's facts, the certificate only
//     names no head;
//   - the stato libero of a 16- or 17-year-old, whom the Tribunale per i
//     minorenni may admit to marriage (art. 84 c. 2 c.c.): the civil status
//     is the register's, the reason names the court's decree. Under 16 no
//     court may, so nobody issues it.
func refuse(rec registry.Record, t Type, req Request) (Refusal, bool) {
	p := rec.Person
	arg := typeArg(t)
	no := func(err *fault.Error, forceable bool, instead ...Type) (Refusal, bool) {
		return Refusal{Type: t, Err: err, Forceable: forceable, Instead: instead}, true
	}
	alive := p.Status != registry.Deceased
	switch t {
	case Death:
		if alive {
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for a deceased person", arg), false)
		}
		return Refusal{}, false
	case Birth:
		return Refusal{}, false
	case Cancellation:
		// Death cancels from the register too (art. 11 DPR 223/1989).
		if p.Status != registry.Cancelled && p.Status != registry.Deceased {
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for a person cancelled from the register", arg), false)
		}
		return Refusal{}, false
	}
	if !alive && t != ResidenceHistory && t != ResidenceHistoryAtDate && t != CitizenshipHistory {
		return no(fault.New(fault.Invalid, "The {{.Type}} cannot be issued for a deceased person", arg), false)
	}
	switch t {
	case ResidenceAIRE, FamilyAIRE:
		if p.Status != registry.AIRE {
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for a citizen registered in AIRE", arg), false)
		}
	case Residence, Family, FamilyAndCivilStatus, FamilyWithRelationships, ResidenceInstitution:
		if p.Status == registry.AIRE {
			instead := ResidenceAIRE
			if t != Residence && t != ResidenceInstitution {
				instead = FamilyAIRE
			}
			a := map[string]any{"Type": arg["Type"], "Instead": titleInText(instead) + " (" + strconv.Itoa(int(instead)) + ")"}
			return no(fault.New(fault.Invalid, "The person is registered in AIRE: a citizen living abroad, not a resident, so the {{.Type}} cannot be issued; issue the {{.Instead}} instead", a), false, instead)
		}
		fallthrough
	case Alive, CivilStatus, Free, Citizenship, Marriage, CivilUnion:
		if p.Status != registry.Resident && p.Status != registry.AIRE {
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for a person in the register", arg), false)
		}
	}
	switch t {
	case Citizenship:
		if !slices.Contains(p.Citizenships, registry.Italy) {
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for Italian citizens", arg), false)
		}
	case Free:
		switch p.CivilStatus {
		case registry.Single, registry.Widowed, registry.Divorced, registry.FreeAfterPartnerDied, registry.FreeAfterUnionEnded:
		case registry.CivilStatusUnknown:
			return no(unknownCivilStatus(t), false)
		default:
			return no(fault.New(fault.Invalid, "The {{.Type}} is only for a person who is not married or in a civil union", arg), false)
		}
		switch age := p.BirthDate.AgeOn(req.today()); {
		case age < MarriageAgeCourt:
			return no(fault.New(fault.Invalid, "A person under 16 cannot marry (art. 84 c.c.): the {{.Type}} cannot be issued", arg), false)
		case age < MarriageAge:
			return no(fault.New(fault.Invalid, "A minor of 16 or 17 may marry only with the court's authorisation (art. 84 c.c.): a registrar may issue the {{.Type}}, naming the court's decree as the reason", arg), true)
		}
	case CivilStatus:
		if p.CivilStatus == registry.CivilStatusUnknown {
			return no(unknownCivilStatus(t), false)
		}
	case Marriage:
		return needsUnion(rec, t, registry.Married, registry.EventMarriage)
	case CivilUnion:
		return needsUnion(rec, t, registry.CivilUnion, registry.EventCivilUnion)
	case Family, FamilyAndCivilStatus, FamilyWithRelationships, FamilyAIRE:
		switch {
		case p.FamilyID == 0 || len(rec.Members) == 0:
			return no(fault.New(fault.Invalid, "The {{.Type}} needs a family in the register", arg), false)
		case rec.Family.IsConvivenza() && p.Status == registry.Resident:
			a := map[string]any{"Type": arg["Type"], "Instead": titleInText(ResidenceInstitution) + " (14)"}
			return no(fault.New(fault.Invalid, "The person lives in an institutional household (convivenza), which is not a family: the {{.Type}} cannot be issued; issue the {{.Instead}} instead", a), false, ResidenceInstitution)
		case rec.Family.IsConvivenza():
			return no(fault.New(fault.Invalid, "The person lives in an institutional household (convivenza), which is not a family: the {{.Type}} cannot be issued", arg), false)
		case slices.ContainsFunc(rec.Members, func(m registry.Member) bool { return m.Person.Status != p.Status }):
			// A dead or departed member still in the family would be
			// certified as living in it.
			return no(fault.New(fault.Invalid, "The family in the register lists a member who is deceased or no longer registered with it: correct the family before issuing the {{.Type}}", arg), false)
		case t == FamilyAndCivilStatus && slices.ContainsFunc(rec.Members, func(m registry.Member) bool { return m.Person.CivilStatus == registry.CivilStatusUnknown }):
			return no(unknownCivilStatus(t), false)
		case rec.Family.HouseholderID == 0:
			return no(fault.New(fault.Invalid, "The family has no householder, so the {{.Type}} cannot be issued", arg), true)
		}
	case ResidenceHistory, ResidenceHistoryAtDate:
		if len(rec.Residences) == 0 || rec.Residences[0].From.IsZero() {
			return no(fault.New(fault.Invalid, "The {{.Type}} needs the date the residence started", arg), false)
		}
		if t != ResidenceHistoryAtDate {
			break
		}
		switch at := req.AtDate; {
		case at.After(req.today()):
			return no(fault.New(fault.Invalid, "The date asked for the {{.Type}} is in the future", arg), false)
		case at.Before(p.BirthDate):
			return no(fault.New(fault.Invalid, "The date asked for the {{.Type}} is before the person's birth", arg), false)
		case !alive && at.After(p.StatusSince):
			return no(fault.New(fault.Invalid, "The date asked for the {{.Type}} is after the person's death", arg), false)
		case at.Before(rec.Residences[0].From):
			return no(fault.New(fault.Invalid, "The person was not resident on the date asked for the {{.Type}}", arg), false)
		}
	case Residence, Alive:
		if t == Residence && rec.Address.Street == "" {
			return no(fault.New(fault.Invalid, "The {{.Type}} needs a current address in the register", arg), false)
		}
	case ResidenceInstitution:
		if !rec.Family.IsConvivenza() {
			return no(fault.New(fault.Invalid, "The person does not live in an institutional household (convivenza): the {{.Type}} cannot be issued", arg), false)
		}
		if rec.Address.Street == "" {
			return no(fault.New(fault.Invalid, "The {{.Type}} needs a current address in the register", arg), false)
		}
	case CitizenshipHistory, CohabitationContract:
		return no(fault.New(fault.Invalid, "The register of this desk does not hold the data of the {{.Type}}", arg), false)
	}
	return Refusal{}, false
}

// unknownCivilStatus refuses a certificate that would state a civil status
// the register does not hold, whoever asks.
func unknownCivilStatus(t Type) *fault.Error {
	return fault.New(fault.Invalid, "The civil status is not known to the register: the {{.Type}} cannot be issued until it is documented", typeArg(t))
}

// needsUnion refuses a marriage or civil-union certificate without the
// current civil status, the event and the other person.
func needsUnion(rec registry.Record, t Type, status registry.CivilStatus, kind registry.CivilEventKind) (Refusal, bool) {
	e, ok := lastEvent(rec, kind)
	switch {
	case rec.Person.CivilStatus != status || !ok:
		return Refusal{Type: t, Err: fault.New(fault.Invalid, "The {{.Type}} needs the marriage or civil union in the register", typeArg(t))}, true
	case e.OtherName == "" && e.OtherPersonID == 0:
		return Refusal{Type: t, Err: fault.New(fault.Invalid, "The {{.Type}} needs the spouse or partner's name in the register", typeArg(t))}, true
	}
	return Refusal{}, false
}

// lastEvent is the most recent civil event of the kind.
func lastEvent(rec registry.Record, kind registry.CivilEventKind) (registry.CivilEvent, bool) {
	for i := len(rec.CivilEvents) - 1; i >= 0; i-- {
		if rec.CivilEvents[i].Kind == kind {
			return rec.CivilEvents[i], true
		}
	}
	return registry.CivilEvent{}, false
}
