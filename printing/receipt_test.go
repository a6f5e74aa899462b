package printing

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sportello/registry"
	"sportello/social"
)

func receiptCase() Receipt {
	opened := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	c := social.Case{
		UID: "case-1", Number: social.Number{Year: 2026, Seq: 42}, PersonName: "Rossi Mario", Phase: social.PhaseIntake, OpenedAt: opened,
		Intake: social.Intake{
			Type: social.HomeCare, Source: social.Referred, Referrer: "Dr. Bianchi",
			PresentingIssue: "Ictus a gennaio, vive solo", Priority: social.Urgent, Risks: []social.Risk{social.LivesAlone},
			ISEE:      &social.ISEE{Cents: 734512, Expiry: registry.NewDate(2026, 12, 31)},
			Household: []social.Member{{Name: "Rossi Luca", Relationship: "figlio"}},
			Documents: []social.Document{{Kind: social.DocISEE, Name: "isee-2026.pdf"}, {Kind: social.DocMedical, Name: "dimissione ospedaliera"}},
		},
	}
	return Receipt{
		Office: SocialOffice{Municipality: "Anagni", Office: "Punto Unico di Accesso - Casa di Comunità", Address: "Via Roma 1, 03012 Anagni",
			Phone: "0775 123456", Email: "pua@comune.anagni.fr.it", Hours: "lunedì-venerdì 8:30-12:30"},
		Case: c, Worker: "Paolo Blu",
		Next: &social.Appointment{At: time.Date(2026, 3, 5, 10, 0, 0, 0, registry.Rome), Minutes: 30, Place: "stanza 2"},
		At:   opened,
	}
}

func TestCaseReceipt(t *testing.T) {
	r := receiptCase()
	pdf, err := CaseReceipt(r, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if again, _ := CaseReceipt(r, Letterhead{}); !bytes.Equal(pdf, again) {
		t.Error("the same receipt renders to different bytes")
	}
	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, w := range []string{
		"Comune di Anagni", "Servizi sociali - Punto Unico di Accesso", "RICEVUTA DELLA RICHIESTA", "Pratica n. SOC-2026-00042",
		"02/03/2026 10:30", "Rossi Mario", "Assistenza domiciliare (ADI/SAD)", "Paolo Blu",
		"Attestazione ISEE o DSU: isee-2026.pdf", "Documentazione sanitaria: dimissione ospedaliera",
		"giovedì 05/03/2026 alle ore 10:00, stanza 2", "0775 123456", "pua@comune.anagni.fr.it", "lunedì-venerdì 8:30-12:30",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("receipt lacks %q: %s", w, text)
		}
	}
	// what the assessment holds stays off the citizen's paper
	for _, w := range []string{"Ictus", "vive solo", "7.345", "7345", "Rossi Luca", "figlio", "Bianchi", "Urgent", "urgente", "lives_alone"} {
		if strings.Contains(text, w) {
			t.Errorf("receipt shows %q", w)
		}
	}

	r.Next, r.Case.Documents = nil, nil
	pdf, err = CaseReceipt(r, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, pdf)
	for _, w := range []string{"Nessun documento consegnato.", "Sarà comunicato dall'ufficio."} {
		if !strings.Contains(text, w) {
			t.Errorf("receipt without documents and appointment lacks %q", w)
		}
	}
}

func TestConsentForm(t *testing.T) {
	pdf, err := ConsentForm(receiptCase(), Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, w := range []string{"INFORMATIVA E CONSENSO", "Regolamento (UE) 2016/679", "SOC-2026-00042", "Il/La sottoscritto/a Rossi Mario",
		"presta il consenso", "nega il consenso", "Titolare del trattamento è il Comune di Anagni", "Firma", "Garante"} {
		if !strings.Contains(text, w) {
			t.Errorf("consent form lacks %q: %s", w, text)
		}
	}
	if strings.Contains(text, "Ictus") {
		t.Error("the consent form shows the presenting issue")
	}
}
