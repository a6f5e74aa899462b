package certificate

import (
	"strings"

	"sportello/fault"
	"sportello/registry"
)

// Capacity is in what capacity someone declares for another person (art. 5
// DPR 445/2000).
type Capacity string

const (
	Parent   Capacity = "parent"   // genitore esercente la responsabilità genitoriale, for a minor
	Guardian Capacity = "guardian" // tutore, for a minor or a person under guardianship
)

// Declarant is who signs a self-declaration: the person it is about (the
// zero value), or their parent or guardian.
type Declarant struct {
	Name     string       // full name of the parent or guardian
	Sex      registry.Sex // "" when not known
	Capacity Capacity
}

// For reports whether the declarant declares for someone else.
func (d Declarant) For() bool { return d.Name != "" }

// Declaration is a pre-filled self-declaration (dichiarazione sostitutiva
// di certificazione, art. 46 DPR 445/2000): the facts of the request in the
// declarant's words, with no number, seal, bollo or fee.
type Declaration struct {
	Document
	By Declarant
}

// SelfDeclaration prepares the self-declaration of the request's facts on
// rec, dated on: a citizen may declare them instead of asking for a
// certificate (art. 46-47 DPR 445/2000). It holds only what the register
// holds (the certificate's rules refuse the same facts, and none is forced);
// a deceased person declares nothing; for a minor the parent or guardian
// declares, for a person under guardianship the guardian (art. 5).
func SelfDeclaration(rec registry.Record, req Request, by Declarant, on registry.Date, m Municipality) (Declaration, error) {
	req.Normalise()
	req.On = on
	by.Name = strings.TrimSpace(by.Name)
	p := rec.Person
	minor := p.BirthDate.AgeOn(on) < MarriageAge
	switch {
	case p.Status == registry.Deceased:
		return Declaration{}, fault.New(fault.Invalid, "A deceased person declares nothing: there is no self-declaration for them", nil)
	case len(req.Types) == 0:
		return Declaration{}, fault.New(fault.Invalid, "The certificate type is required", nil)
	case minor && !by.For():
		return Declaration{}, fault.New(fault.Invalid, "The person is a minor: the parent or guardian declares for them (art. 5 DPR 445/2000); write the declarant's name", nil)
	case by.For() && by.Capacity != Parent && by.Capacity != Guardian:
		return Declaration{}, fault.New(fault.Invalid, "Say whether the declarant is the parent or the guardian", nil)
	case by.For() && by.Capacity == Parent && !minor:
		return Declaration{}, fault.New(fault.Invalid, "A parent declares only for a minor child: for an adult under guardianship the guardian declares", nil)
	}
	for _, t := range req.Types {
		if !t.Valid() {
			return Declaration{}, fault.New(fault.Invalid, "{{.Type}} is not a certificate type", map[string]any{"Type": int(t)})
		}
		if t.Alone() && len(req.Types) > 1 {
			return Declaration{}, fault.New(fault.Invalid, "The {{.Type}} is issued alone and cannot be combined with others", typeArg(t))
		}
	}
	if refusals := Refusals(rec, req); len(refusals) > 0 {
		return Declaration{}, refusals[0].Error()
	}
	return Declaration{Document: Compose(rec, req, Number{}, on, m, Issuer{}), By: by}, nil
}
