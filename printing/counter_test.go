package printing

import (
	"strings"
	"testing"

	"sportello/access"
	"sportello/certificate"
)

// TestDraftAndDelegate checks the two pages a clerk meets at the counter:
// the preview before the number is taken reads BOZZA and carries no number
// nor seal; a clerk's certificate is signed by the ufficiale's delegate.
func TestDraftAndDelegate(t *testing.T) {
	m := certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico"}
	clerk := certificate.Issuer{Username: "op", FullName: "Paola Verdi", Role: access.Clerk}
	req := certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}}

	draft := certificate.Draft(household(3), req, day(2026, 3, 2), m, clerk)
	pdf, err := Certificate(draft, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ExtractSeal(pdf); ok {
		t.Error("the draft carries a seal")
	}
	if text := pdfText(t, pdf); text != "" {
		for _, want := range []string{"BOZZA", "L'Ufficiale d'Anagrafe delegato", "Paola Verdi"} {
			if !strings.Contains(text, want) {
				t.Errorf("the draft lacks %q: %s", want, text)
			}
		}
		for _, not := range []string{"Codice di verifica", "D01-"} {
			if strings.Contains(text, not) {
				t.Errorf("the draft reads %q: %s", not, text)
			}
		}
	}

	d := certificate.Compose(household(3), req, certificate.Number{Desk: "D01", Year: 2026, Seq: 7}, day(2026, 3, 2), m, clerk)
	if err := d.SealWith(func(s *certificate.Seal) error { return s.Sign(testKey) }); err != nil {
		t.Fatal(err)
	}
	pdf, err = Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, pdf); text != "" {
		if !strings.Contains(text, "L'Ufficiale d'Anagrafe delegato Paola Verdi") || strings.Contains(text, "BOZZA") {
			t.Errorf("a clerk's certificate: %s", text)
		}
	}
}
