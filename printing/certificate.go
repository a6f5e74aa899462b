package printing

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-pdf/fpdf"

	"sportello/assets"
	"sportello/certificate"
)

// Layout of an A4 page, in millimetres.
const (
	marginX      = 20.0
	marginTop    = 15.0
	marginBottom = 22.0
	pageW        = 210.0
	pageH        = 297.0
	textW        = pageW - 2*marginX
	lineH        = 5.6
)

// Letterhead is what heads every page: the municipality's coat of arms and
// names.
type Letterhead struct {
	CoatOfArms []byte // PNG; nil prints the neutral default of assets
}

// sealKeyword marks the seal in the PDF's keywords, so `sportello verify`
// can read it from the file.
const sealKeyword = "sportello-seal:"

// Certificate lays out d as an A4 PDF: letterhead, title and number, the
// certifying formula and facts (lists flow over pages, with their header
// again), use, stamp duty, the art. 40 sentence, validity, place and date,
// "L'Ufficiale d'Anagrafe" with the operator's name, and the seal as a QR
// code with its verification code. A duplicate is marked on every page.
func Certificate(d certificate.Document, lh Letterhead) ([]byte, error) {
	pdf := NewA4(d.IssueDate.Time())
	pdf.SetTitle(d.Title+" "+d.Number, true)
	pdf.SetAuthor(d.Municipality.Name, true)
	pdf.SetKeywords(sealKeyword+base64.StdEncoding.EncodeToString([]byte(d.SealText)), false)
	w := newWriter(pdf, d.Municipality, lh, "Certificato n. "+d.Number, d.Duplicate)
	w.start()

	w.title(d.Title, "N. "+d.Number)
	w.para(certificate.Intro, "", 11, "J")
	w.gap(1)
	w.para(certificate.Certifies, "B", 12, "C")
	w.gap(1)
	w.para("che "+d.PersonLine, "B", 11, "J")
	for _, f := range d.Facts {
		w.para(f.Certify, "", 11, "J")
		if f.Table != nil {
			w.table(f.Table)
		}
	}
	w.gap(3)
	w.para(d.Use, "", 10, "J")
	w.para(d.Duty, "", 10, "J")
	w.para(d.Art40, "B", 10, "J")
	w.para(d.Validity, "", 10, "J")
	w.signature(d)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certificate pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificate pdf: %w", err)
	}
	return buf.Bytes(), nil
}

var sealPattern = regexp.MustCompile(`sportello-seal:([A-Za-z0-9+/=]+)`)

// ExtractSeal returns the seal's text a certificate PDF carries.
func ExtractSeal(pdf []byte) (string, bool) {
	m := sealPattern.FindSubmatch(pdf)
	if m == nil {
		return "", false
	}
	text, err := base64.StdEncoding.DecodeString(string(m[1]))
	if err != nil || len(text) == 0 {
		return "", false
	}
	return string(text), true
}

// writer lays out text from the top of a page down, starting new pages with
// the letterhead when the text reaches the bottom margin.
type writer struct {
	pdf       *fpdf.Fpdf
	m         certificate.Municipality
	arms      []byte
	footnote  string // printed at the bottom left of every page
	duplicate bool
	plain     bool // no letterhead: a citizen's paper, not the municipality's
}

func newWriter(pdf *fpdf.Fpdf, m certificate.Municipality, lh Letterhead, footnote string, duplicate bool) *writer {
	arms := lh.CoatOfArms
	if len(arms) == 0 {
		arms = assets.CoatOfArms
	}
	w := &writer{pdf: pdf, m: m, arms: arms, footnote: footnote, duplicate: duplicate}
	pdf.RegisterImageOptionsReader("arms", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(arms))
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, marginBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(w.footer)
	return w
}

func (w *writer) start() {
	w.pdf.AddPage()
	w.header()
}

func (w *writer) header() {
	pdf := w.pdf
	if w.plain {
		pdf.SetXY(marginX, marginTop)
		return
	}
	office := "Servizi demografici - Ufficio Anagrafe"
	if w.m.Office != "" {
		office += " - " + w.m.Office
	}
	y := letterhead(pdf, w.m.Name, office)
	if w.duplicate {
		pdf.SetTextColor(180, 0, 0)
		pdf.SetFont(Font, "B", 11)
		pdf.SetXY(marginX, marginTop)
		pdf.CellFormat(textW, 6, "DUPLICATO", "", 0, "R", false, 0, "")
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.SetXY(marginX, y+5)
}

// letterhead draws the municipality's coat of arms, name and office at the
// top of an A4 page and the blue rule under them, and returns the rule's y.
func letterhead(pdf *fpdf.Fpdf, municipality, office string) float64 {
	pdf.ImageOptions("arms", marginX, marginTop, 16, 0, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(marginX+21, marginTop+1)
	pdf.SetTextColor(paBlue[0], paBlue[1], paBlue[2])
	pdf.SetFont(Font, "B", 17)
	pdf.CellFormat(textW-21, 8, "Comune di "+municipality, "", 2, "L", false, 0, "")
	pdf.SetTextColor(40, 40, 40)
	pdf.SetFont(Font, "", 10.5)
	pdf.SetX(marginX + 21)
	pdf.MultiCell(textW-21, 5, office, "", "L", false)
	y := marginTop + 22.0
	pdf.SetDrawColor(paBlue[0], paBlue[1], paBlue[2])
	pdf.SetLineWidth(0.6)
	pdf.Line(marginX, y, pageW-marginX, y)
	return y
}

func (w *writer) footer() { pageFooter(w.pdf, w.footnote) }

// pageFooter draws the grey rule at the foot of an A4 page, the footnote
// on the left and "Pagina N di M" on the right.
func pageFooter(pdf *fpdf.Fpdf, footnote string) {
	pdf.SetY(pageH - 14)
	pdf.SetDrawColor(190, 190, 190)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginX, pageH-15, pageW-marginX, pageH-15)
	pdf.SetFont(Font, "", 8.5)
	pdf.SetTextColor(90, 90, 90)
	pdf.CellFormat(textW/2, 5, footnote, "", 0, "L", false, 0, "")
	pdf.CellFormat(textW/2, 5, fmt.Sprintf("Pagina %d di {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

// room makes sure h millimetres fit above the bottom margin, starting a new
// page when they do not.
func (w *writer) room(h float64) bool {
	if w.pdf.GetY()+h <= pageH-marginBottom {
		return false
	}
	w.start()
	return true
}

func (w *writer) gap(h float64) { w.pdf.Ln(h) }

func (w *writer) title(title, number string) {
	pdf := w.pdf
	pdf.SetFont(Font, "B", 16)
	pdf.SetTextColor(paBlue[0], paBlue[1], paBlue[2])
	pdf.MultiCell(textW, 8, strings.ToUpper(title), "", "C", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont(Font, "", 10.5)
	pdf.CellFormat(textW, 6, number, "", 1, "C", false, 0, "")
	pdf.Ln(4)
}

// para writes a paragraph, line by line so it can continue on the next page.
func (w *writer) para(text, style string, size float64, align string) {
	pdf := w.pdf
	pdf.SetFont(Font, style, size)
	h := lineH * size / 11
	lines := pdf.SplitText(text, textW)
	if align == "J" && pdf.GetY()+float64(len(lines))*h <= pageH-marginBottom {
		pdf.MultiCell(textW, h, text, "", "J", false)
		pdf.Ln(1.2)
		return
	}
	if align == "J" {
		align = "L"
	}
	for _, line := range lines {
		if w.room(h) {
			pdf.SetFont(Font, style, size)
		}
		pdf.CellFormat(textW, h, line, "", 1, align, false, 0, "")
	}
	pdf.Ln(1.2)
}

// table prints rows with wrapped cells; a row never splits, and a new page
// repeats the header.
func (w *writer) table(t *certificate.Table) {
	pdf := w.pdf
	var total float64
	for _, x := range t.Widths {
		total += x
	}
	widths := make([]float64, len(t.Widths))
	for i, x := range t.Widths {
		widths[i] = textW * x / total
	}
	const h = 5.2
	header := func() {
		pdf.SetFont(Font, "B", 9.5)
		pdf.SetFillColor(230, 239, 250)
		for i, c := range t.Header {
			pdf.CellFormat(widths[i], 6.5, c, "B", 0, t.AlignOf(i), true, 0, "")
		}
		pdf.Ln(-1)
	}
	w.room(6.5 + h)
	header()
	for _, row := range t.Rows {
		pdf.SetFont(Font, "", 9.5)
		cells := make([][]string, len(row))
		n := 1
		for i, c := range row {
			cells[i] = pdf.SplitText(c, widths[i]-2)
			n = max(n, len(cells[i]))
		}
		rowH := float64(n)*h + 1
		if w.room(rowH) {
			header()
			pdf.SetFont(Font, "", 9.5)
		}
		x, y := pdf.GetXY()
		for i := range row {
			pdf.SetXY(x, y+0.5)
			for _, line := range cells[i] {
				pdf.SetX(x)
				pdf.CellFormat(widths[i], h, line, "", 2, t.AlignOf(i), false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetDrawColor(210, 210, 210)
		pdf.SetLineWidth(0.2)
		pdf.Line(marginX, y+rowH, pageW-marginX, y+rowH)
		pdf.SetXY(marginX, y+rowH)
	}
	pdf.Ln(3)
}

// signature prints place and date, the registrar's block and the seal,
// together on one page.
func (w *writer) signature(d certificate.Document) {
	pdf := w.pdf
	const block = 52.0
	w.room(block)
	pdf.Ln(4)
	y := pdf.GetY()
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(textW/2, 6, d.Municipality.Name+", "+d.IssueDate.Italian(), "", 0, "L", false, 0, "")
	pdf.SetXY(marginX+textW/2, y)
	pdf.CellFormat(textW/2, 6, "L'Ufficiale d'Anagrafe", "", 2, "C", false, 0, "")
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(textW/2, 6, d.Signer, "", "C", false)
	pdf.SetX(marginX + textW/2)
	pdf.SetFont(Font, "", 7.5)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(textW/2, 3.8, "Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, del D.Lgs. 12 febbraio 1993, n. 39", "", "C", false)
	pdf.SetTextColor(0, 0, 0)

	qrY := y + 12
	if d.SealText != "" {
		if err := drawQR(pdf, d.SealText, marginX, qrY, 32); err != nil {
			pdf.SetError(err)
			return
		}
		pdf.SetXY(marginX+35, qrY+4)
		pdf.SetFont(Font, "", 8.5)
		pdf.CellFormat(50, 4.5, "Codice di verifica", "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "B", 13)
		pdf.CellFormat(50, 7, d.Code, "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "", 7.5)
		pdf.MultiCell(48, 3.6, "Sigillo elettronico del Comune: la verifica conferma i dati certificati.", "", "L", false)
	}
	pdf.SetXY(marginX, qrY+34)
}
