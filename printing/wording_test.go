package printing

import (
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/registry"
)

// TestCertificateWordingOnPage reads the printed text of certificates whose
// wording depends on what the register holds: a woman born in a foreign town
// and cancelled on emigration, a man born in a state the register names
// alone and deceased here, a certificate for the immigration proceedings.
func TestCertificateWordingOnPage(t *testing.T) {
	woman := household(3)
	woman.Person.Sex, woman.Person.Name, woman.Person.BirthPlace, woman.Person.BirthPlaceName = registry.Female, "Maria", "Z114", "LONDRA"
	woman.Person.Status, woman.Person.StatusSince = registry.Cancelled, day(2024, 4, 1)
	woman.Person.CancelReason, woman.Person.StatusPlace = registry.CancelAIRE, "Z112"
	man := household(3)
	man.Person.BirthPlace, man.Person.Status, man.Person.StatusSince, man.Person.StatusPlace = "Z112", registry.Deceased, day(2024, 4, 1), "A269"
	marca := certificate.StampDuty{Payment: certificate.PayMarca, Serial: "01201234567890"}
	tests := []struct {
		name string
		rec  registry.Record
		req  certificate.Request
		want []string
		not  []string
	}{
		{"cancellation of a woman", woman, certificate.Request{Types: []certificate.Type{certificate.Cancellation}, Duty: marca}, []string{
			"che ROSSI MARIA, nata a LONDRA (REGNO UNITO) il 01/01/1970",
			"è stata cancellata dall'anagrafe della popolazione residente di questo Comune il 01/04/2024 per trasferimento della residenza in Germania, con iscrizione nell'Anagrafe degli Italiani Residenti all'Estero (AIRE).",
		}, []string{"stato cancellata"}},
		{"death of a man born abroad", man, certificate.Request{Types: []certificate.Type{certificate.Death}}, []string{
			"che ROSSI MARIO, nato in Germania il 01/01/1970", "è deceduto ad Anagni (FR) il 01/04/2024.",
		}, nil},
		{"residence for immigration", household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UseImmigration, Duty: marca}, []string{
			"Certificato rilasciato per i procedimenti disciplinati dalle norme sull'immigrazione",
		}, []string{"non può essere prodotto"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := Certificate(document(t, tt.rec, tt.req), Letterhead{})
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			if text == "" {
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("page lacks %q:\n%s", w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("page says %q:\n%s", n, text)
				}
			}
		})
	}
}
