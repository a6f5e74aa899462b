package printing

import (
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/registry"
)

// TestSelfDeclarationIsTheCitizens checks the self-declaration's paper: no
// municipal letterhead, the art. 38 note, and who declares for whom.
func TestSelfDeclarationIsTheCitizens(t *testing.T) {
	m := certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico, Piazza Cavour"}
	family := household(3)
	child := family
	child.Person = family.Members[2].Person
	child.Person.BirthDate = day(2015, 4, 4)
	for _, tt := range []struct {
		name    string
		rec     registry.Record
		by      certificate.Declarant
		want    []string
		notWant []string
	}{
		{"the person declares", family, certificate.Declarant{},
			[]string{"Il sottoscritto ROSSI MARIO, nato", "DICHIARA", "- di essere residente in questo Comune", "art. 38", "copia fotostatica non autenticata di un documento di identità", "Il dichiarante"},
			[]string{"Comune di Anagni", "Servizi demografici", "Ufficiale d'Anagrafe", "in qualità di"}},
		{"a parent declares for a minor", child, certificate.Declarant{Name: "D'Amico Anna Lucia", Sex: registry.Female, Capacity: certificate.Parent},
			[]string{"La sottoscritta D'AMICO ANNA LUCIA, in qualità di genitore esercente la responsabilità genitoriale di ROSSI NICOLÒ", "che ROSSI NICOLÒ:", "- è residente in questo Comune", "La dichiarante", "art. 38"},
			[]string{"Comune di Anagni", "di essere residente"}},
		{"a guardian of unknown sex", child, certificate.Declarant{Name: "Neri Ugo", Capacity: certificate.Guardian},
			[]string{"Il/La sottoscritto/a NERI UGO, in qualità di tutore di ROSSI NICOLÒ", "Il/La dichiarante"},
			[]string{"Comune di Anagni"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			decl, err := certificate.SelfDeclaration(tt.rec, certificate.Request{Types: []certificate.Type{certificate.Residence}}, tt.by, day(2026, 3, 2), m)
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := SelfDeclaration(decl)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ExtractSeal(pdf); ok {
				t.Error("a self-declaration carries a seal")
			}
			text := pdfText(t, pdf)
			if text == "" {
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q: %s", w, text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, w) {
					t.Errorf("holds %q: %s", w, text)
				}
			}
		})
	}
}
