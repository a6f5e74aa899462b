package printing

import (
	"bytes"
	"fmt"

	"sportello/certificate"
)

// CashClose lays out a day's cash register as an A4 report: the totals by
// kind and payment method, then every entry.
func CashClose(c certificate.DailyClose, m certificate.Municipality, deskCode string, lh Letterhead) ([]byte, error) {
	pdf := NewA4(c.Day.Time())
	pdf.SetTitle("Chiusura di cassa "+c.Day.Italian(), true)
	w := newWriter(pdf, m, lh, "Chiusura di cassa del "+c.Day.Italian()+" - postazione "+deskCode, false)
	w.start()
	w.title("Chiusura giornaliera di cassa", c.Day.Italian()+" · postazione "+deskCode)
	totals := &certificate.Table{Header: []string{"Voce", "Modalità", "Operazioni", "Importo (€)"}, Widths: []float64{2, 2, 1, 1.2}}
	for _, t := range c.Totals {
		totals.Rows = append(totals.Rows, []string{certificate.KindName(t.Kind), certificate.MethodName(t.Method), fmt.Sprint(t.Count), certificate.Euro(t.Cents)})
	}
	totals.Rows = append(totals.Rows, []string{"Totale", "", fmt.Sprint(len(c.Entries)), certificate.Euro(c.Cents)})
	w.para("Totali per voce e modalità di pagamento", "B", 11, "L")
	w.table(totals)
	if len(c.Entries) > 0 {
		entries := &certificate.Table{Header: []string{"Ora (UTC)", "Operatore", "Certificato", "Voce", "Modalità", "€"}, Widths: []float64{1.3, 1.2, 1.9, 1.6, 1.3, 0.8}}
		for _, e := range c.Entries {
			at := e.At
			if len(at) >= 19 {
				at = at[11:19]
			}
			entries.Rows = append(entries.Rows, []string{at, e.Operator, e.Number, certificate.KindName(e.Kind), certificate.MethodName(e.Method), certificate.Euro(e.Cents)})
		}
		w.para("Movimenti", "B", 11, "L")
		w.table(entries)
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
