package certificate

import (
	"strings"
	"testing"

	"sportello/fault"
	"sportello/registry"
)

// TestSelfDeclarationRules checks who declares what: the person about
// themselves, a parent or guardian for a minor, a guardian for an adult
// under guardianship, nobody for the dead, and only facts the register
// holds.
func TestSelfDeclarationRules(t *testing.T) {
	m := Municipality{Code: "A269", Name: "Anagni"}
	parent := Declarant{Name: "Rossi Mario", Sex: registry.Male, Capacity: Parent}
	guardian := Declarant{Name: "Neri Ugo", Capacity: Guardian}
	tests := []struct {
		name  string
		rec   registry.Record
		types []Type
		by    Declarant
		want  string // "" declared; else part of the refusal
	}{
		{"the resident about himself", family(), []Type{Residence, Citizenship}, Declarant{}, ""},
		{"a minor alone", minor(day(2015, 1, 1)), []Type{Residence}, Declarant{}, "minor"},
		{"a minor by a parent", minor(day(2015, 1, 1)), []Type{Birth, Residence}, parent, ""},
		{"a minor by a guardian", minor(day(2015, 1, 1)), []Type{Residence}, guardian, ""},
		{"a minor by someone in no capacity", minor(day(2015, 1, 1)), []Type{Residence}, Declarant{Name: "Rossi Mario"}, "parent or the guardian"},
		{"an adult by a parent", family(), []Type{Residence}, parent, "guardian declares"},
		{"an adult under guardianship", family(), []Type{Residence}, guardian, ""},
		{"a deceased person", deceased(), []Type{Birth}, Declarant{}, "deceased"},
		{"an AIRE citizen's residence", aire(), []Type{Residence}, Declarant{}, "AIRE"},
		{"an AIRE citizen's AIRE residence", aire(), []Type{ResidenceAIRE}, Declarant{}, ""},
		{"an unknown civil status", unknownStatus(), []Type{CivilStatus}, Declarant{}, "not known"},
		{"a convivenza member's family", convivenzaMember(), []Type{Family}, Declarant{}, "convivenza"},
		{"no type", family(), nil, Declarant{}, "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := SelfDeclaration(tt.rec, Request{Types: tt.types}, tt.by, issueDay, m)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(d.Facts) == 0 || d.By != tt.by || d.Number != (Number{}).String() || d.SealText != "" {
					t.Errorf("declaration %+v", d)
				}
				return
			}
			msg, _ := fault.Message(err)
			if fault.Code(err) != fault.Invalid || !strings.Contains(msg, tt.want) {
				t.Errorf("got %v, want a refusal saying %q", err, tt.want)
			}
		})
	}
}
