package printing

import (
	"bytes"
	"fmt"

	"sportello/certificate"
)

// CashClose lays out a day's cash register as an A4 report: whether the day
// is open or closed (and by whom), the totals by kind and payment method,
// every entry, the marche da bollo of the day's certificates, and apart
// from the cash the bolli paid online through pagoPA. Times are
// in Europe/Rome; amounts are right-aligned with thousands separators.
func CashClose(c certificate.DailyClose, m certificate.Municipality, deskCode string, lh Letterhead) ([]byte, error) {
	pdf := NewA4(c.Day.Time())
	pdf.SetTitle("Chiusura di cassa "+c.Day.Italian(), true)
	w := newWriter(pdf, m, lh, "Chiusura di cassa del "+c.Day.Italian()+" - postazione "+deskCode, false)
	w.start()
	w.title("Chiusura giornaliera di cassa", c.Day.Italian()+" · postazione "+deskCode)
	w.para(c.State(), "B", 10.5, "L")
	totals := &certificate.Table{Header: []string{"Voce", "Modalità", "Operazioni", "Importo (€)"}, Widths: []float64{2, 2, 1, 1.2},
		Align: []string{"L", "L", "R", "R"}}
	for _, t := range c.Totals {
		totals.Rows = append(totals.Rows, []string{certificate.KindName(t.Kind), certificate.MethodName(t.Method), fmt.Sprint(t.Count), certificate.Euro(t.Cents)})
	}
	totals.Rows = append(totals.Rows, []string{"Totale", "", fmt.Sprint(len(c.Entries)), certificate.Euro(c.Cents)})
	w.para("Totali per voce e modalità di pagamento", "B", 11, "L")
	w.table(totals)
	if len(c.Entries) > 0 {
		entries := &certificate.Table{Header: []string{"Ora", "Operatore", "Certificato", "Voce", "Modalità", "Importo (€)"}, Widths: []float64{0.9, 1.2, 1.9, 1.7, 1.3, 1},
			Align: []string{"L", "L", "L", "L", "L", "R"}}
		for _, e := range c.Entries {
			entries.Rows = append(entries.Rows, []string{certificate.LocalTime(e.At), e.Operator, e.Number, certificate.KindName(e.Kind), certificate.MethodName(e.Method), certificate.Euro(e.Cents)})
		}
		w.para("Movimenti (ora italiana)", "B", 11, "L")
		w.table(entries)
	}
	w.para("Marche da bollo dei certificati del giorno", "B", 11, "L")
	if len(c.Marche) == 0 {
		w.para("Nessun certificato del giorno è stato rilasciato con marca da bollo.", "", 10, "L")
	} else {
		marche := &certificate.Table{Header: []string{"Ora", "Operatore", "Certificato", "Marca da bollo n."}, Widths: []float64{0.9, 1.2, 1.9, 2}}
		for _, mb := range c.Marche {
			marche.Rows = append(marche.Rows, []string{certificate.LocalTime(mb.At), mb.Operator, mb.Number, mb.Serial})
		}
		w.table(marche)
	}
	w.para("Imposta di bollo pagata con pagoPA (certificati online, non in cassa)", "B", 11, "L")
	if len(c.PagoPA) == 0 {
		w.para("Nessun bollo del giorno è stato pagato con pagoPA.", "", 10, "L")
	} else {
		paid := &certificate.Table{Header: []string{"Ora", "Certificato", "Ricevuta pagoPA", "Importo (€)"}, Widths: []float64{0.9, 1.9, 2, 1},
			Align: []string{"L", "L", "L", "R"}}
		for _, r := range c.PagoPA {
			paid.Rows = append(paid.Rows, []string{certificate.LocalTime(r.At), r.Number, r.ReceiptID, certificate.Euro(r.Cents)})
		}
		paid.Rows = append(paid.Rows, []string{"Totale pagoPA", fmt.Sprint(len(c.PagoPA)), "", certificate.Euro(c.PagoPACents())})
		w.table(paid)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("cash close pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("cash close pdf: %w", err)
	}
	return buf.Bytes(), nil
}
