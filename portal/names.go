package portal

import (
	"strings"

	"sportello/registry"
)

// The register's codes as a citizen reads them: registry's labels, which
// the desk translates too, so the portal and the desk say the same words.

// label translates a code's label (registry/labels.go).
func (t *tr) label(l registry.Label) string { return t.L(l.Key) }

// placeName names a municipality or foreign state, "Anagni (FR)" or
// "Marocco", as in force on the date.
func (t *tr) placeName(code string, on registry.Date, recorded string) string {
	if name, ok := registry.PlaceName(code, on, recorded); ok || code == "" {
		return name
	}
	if strings.HasPrefix(strings.ToUpper(code), "Z") {
		return t.L("Unknown foreign state ({{.Code}})", "Code", code)
	}
	return t.L("Unknown municipality ({{.Code}})", "Code", code)
}

func (t *tr) citizenshipName(code string, on registry.Date) string {
	if code == registry.Italy {
		return t.L("citizenship.it")
	}
	return t.placeName(code, on, "")
}
