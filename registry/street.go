package registry

import (
	"strings"

	"sportello/fault"
)

// Street is a street of the municipality's stradario (street register), as
// the national archive of street numbers (ANNCSU) codes it.
type Street struct {
	Code    string // the archive's code of the street (progressivo nazionale)
	Toponym string // DUG: VIA, PIAZZA ...
	Name    string // official name: GIUSEPPE GARIBALDI
}

// Label is the street as a completion list shows it: "VIA GIUSEPPE GARIBALDI".
func (s Street) Label() string { return s.Toponym + " " + s.Name }

// Validate checks a street before it enters the stradario.
func (s Street) Validate() error {
	switch {
	case strings.TrimSpace(s.Code) == "":
		return fault.New(fault.Invalid, "The street's code is required", nil)
	case strings.TrimSpace(s.Toponym) == "":
		return fault.New(fault.Invalid, "The street's toponym is required", nil)
	case strings.TrimSpace(s.Name) == "":
		return fault.New(fault.Invalid, "The street's name is required", nil)
	case strings.ContainsAny(s.Code+s.Toponym+s.Name, "\n\r\t"):
		return fault.New(fault.Invalid, "The street holds a control character", nil)
	}
	return nil
}

// Normalized is the street as the register keeps it: trimmed, upper case.
func (s Street) Normalized() Street {
	return Street{Code: strings.TrimSpace(s.Code), Toponym: strings.ToUpper(strings.TrimSpace(s.Toponym)),
		Name: strings.ToUpper(strings.Join(strings.Fields(s.Name), " "))}
}
