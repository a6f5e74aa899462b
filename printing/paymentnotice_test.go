package printing

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPaymentNoticePDF(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	pdf, err := PaymentNotice(Notice{Creditor: "Comune di Anagni", CreditorTaxCode: "00000000000", Office: "Ufficio Anagrafe", Debtor: "ROSSI MARIO",
		DebtorCF: "RSSMRA80A01H501U", Subject: "Imposta di bollo: certificato di residenza", Number: "3010 0000 0000 0011 84", Cents: 1600,
		Due: at.AddDate(0, 0, 30), QR: "PAGOPA|002|301000000000001184|00000000000|1600", Created: at})
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`[ \t]+`).ReplaceAllString(pdfText(t, pdf), " ")
	if text == "" {
		t.Skip("no pdftotext")
	}
	for _, want := range []string{"AVVISO DI PAGAMENTO", "ENTE CREDITORE", "DESTINATARIO AVVISO", "Comune di Anagni", "ROSSI MARIO",
		"Codice Fiscale RSSMRA80A01H501U", "3010 0000 0000 0011 84", "16,00 Euro", "entro il 03/01/2027", "Cod. Fiscale Ente Creditore 00000000000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice lacks %q:\n%s", want, text)
		}
	}
}
