package registry

import (
	"context"
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

// Stradario looks up the street register as a form completes from it.
type Stradario interface {
	// Streets are the streets a word of whose name (or whose toponym and
	// name) starts with prefix, at most limit.
	Streets(ctx context.Context, prefix string, limit int) ([]Street, error)
	// StreetNumbers are the house numbers of the street code that start
	// with prefix, at most limit.
	StreetNumbers(ctx context.Context, code, prefix string, limit int) ([]string, error)
}
