package printing

import (
	"bytes"
	"fmt"
	"time"
)

// Notice is a pagoPA payment notice (avviso di pagamento) of one payment
// in one instalment, as its essentials are laid out by the notice
// specification: the creditor and the recipient with their tax codes, what
// it is for, the amount and when it is due, the notice code, the
// creditor's tax code and the QR code "PAGOPA|002|...".
type Notice struct {
	Creditor, CreditorTaxCode, Office string
	Debtor, DebtorCF                  string
	Subject                           string // the payment's reason
	Number                            string // the notice code in groups of four
	Cents                             int64
	Due                               time.Time
	QR                                string // the QR code's text
	Created                           time.Time
}

// euro writes cents as notices do: "16,00 Euro".
func noticeEuro(cents int64) string { return fmt.Sprintf("%d,%02d Euro", cents/100, cents%100) }

// PaymentNotice renders the notice as an A4 PDF.
func PaymentNotice(n Notice) ([]byte, error) {
	pdf := NewA4(n.Created)
	pdf.SetTitle("Avviso di pagamento pagoPA", true)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	pdf.SetFont(Font, "B", 18)
	pdf.CellFormat(180, 10, "AVVISO DI PAGAMENTO", "", 1, "L", false, 0, "")
	pdf.SetFont(Font, "", 12)
	pdf.MultiCell(180, 6, n.Subject, "", "L", false)
	pdf.Ln(4)
	col := func(x float64, head, name, code string) {
		y := pdf.GetY()
		pdf.SetXY(x, y)
		pdf.SetFont(Font, "B", 9)
		pdf.CellFormat(85, 5, head, "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "B", 12)
		pdf.CellFormat(85, 6, name, "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "", 10)
		pdf.CellFormat(85, 5, "Codice Fiscale "+code, "", 2, "L", false, 0, "")
		pdf.SetY(y)
	}
	col(15, "ENTE CREDITORE", n.Creditor, n.CreditorTaxCode)
	col(110, "DESTINATARIO AVVISO", n.Debtor, n.DebtorCF)
	pdf.SetY(pdf.GetY() + 22)
	if n.Office != "" {
		pdf.SetFont(Font, "", 10)
		pdf.CellFormat(180, 5, n.Office, "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	pdf.SetFont(Font, "B", 14)
	pdf.CellFormat(90, 8, noticeEuro(n.Cents), "", 0, "L", false, 0, "")
	pdf.SetFont(Font, "", 12)
	pdf.CellFormat(90, 8, "entro il "+n.Due.Format("02/01/2006"), "", 1, "L", false, 0, "")
	pdf.SetFont(Font, "", 10)
	pdf.MultiCell(180, 5, "Puoi pagare con pagoPA sul sito o sull'app della tua banca o degli altri canali abilitati, negli uffici postali, "+
		"nelle ricevitorie e nei punti vendita abilitati: inquadra il codice QR o usa il codice avviso e il codice fiscale dell'ente.", "", "L", false)
	pdf.Ln(6)
	y := pdf.GetY()
	pdf.SetDrawColor(0, 0, 0)
	pdf.Rect(15, y, 180, 58, "D")
	pdf.SetXY(20, y+4)
	pdf.SetFont(Font, "B", 12)
	pdf.CellFormat(120, 6, "BANCHE E ALTRI CANALI", "", 2, "L", false, 0, "")
	pdf.SetFont(Font, "", 10)
	rows := [][2]string{{"Destinatario", n.Debtor}, {"Ente Creditore", n.Creditor}, {"Oggetto del pagamento", n.Subject},
		{"Codice Avviso", n.Number}, {"Cod. Fiscale Ente Creditore", n.CreditorTaxCode}, {"Importo", noticeEuro(n.Cents)}}
	for _, r := range rows {
		pdf.SetX(20)
		pdf.SetFont(Font, "", 9)
		pdf.CellFormat(45, 6, r[0], "", 0, "L", false, 0, "")
		pdf.SetFont(Font, "B", 10)
		pdf.CellFormat(75, 6, r[1], "", 1, "L", false, 0, "")
	}
	if err := drawQR(pdf, n.QR, 145, y+6, 45); err != nil {
		return nil, err
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("payment notice pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("payment notice pdf: %w", err)
	}
	return buf.Bytes(), nil
}
