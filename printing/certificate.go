package printing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"sportello/assets"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
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

// Letterhead is what the municipality's settings put on every page: its
// coat of arms and the letterhead's lines under its name, and the address
// where a certificate is verified, printed beside the seal.
type Letterhead struct {
	CoatOfArms []byte `json:"-"`          // PNG; nil prints the neutral default of assets
	Province   string `json:",omitempty"` // "Provincia di Frosinone"
	Address    string `json:",omitempty"` // "Piazza Cavour 1, 03012 Anagni (FR)"
	PEC        string `json:",omitempty"` // "protocollo@pec.comune.anagni.fr.it"
	VerifyURL  string `json:",omitempty"` // sportellod's /verify page
}

// CheckCoatOfArms reports whether image, a PNG, can be printed as the coat
// of arms (fpdf takes no interlaced PNG).
func CheckCoatOfArms(image []byte) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.RegisterImageOptionsReader("arms", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(image))
	return pdf.Error()
}

// lines are the letterhead's lines under the office, as printed.
func (lh Letterhead) lines() []string {
	var out []string
	if lh.Province != "" {
		out = append(out, lh.Province)
	}
	var addr []string
	if lh.Address != "" {
		addr = append(addr, lh.Address)
	}
	if lh.PEC != "" {
		addr = append(addr, "PEC "+lh.PEC)
	}
	if len(addr) > 0 {
		out = append(out, strings.Join(addr, " - "))
	}
	return out
}

// sealKeyword marks the seal in the PDF's keywords, so `sportello verify`
// can read it from the file; pageKeyword marks the page's data (the
// document as printed and the letterhead's text, deflated), from which
// verify lays the page out again to compare its text.
const (
	sealKeyword = "sportello-seal:"
	pageKeyword = "sportello-page:"
)

// page is what a certificate carries of itself in pageKeyword.
type page struct {
	Document   certificate.Document
	Letterhead Letterhead
}

// SealNote is the line under the seal that says what it proves.
const SealNote = "Il sigillo attesta i dati rilasciati dal Comune alla data del certificato; non che siano ancora attuali, né l'identità di chi lo presenta."

// Certificate lays out d as an A4 PDF: letterhead, title and number, the
// certifying formula and facts (lists flow over pages, with their header
// again), use, stamp duty, the art. 40 sentence, validity, place and date,
// "L'Ufficiale d'Anagrafe" with the operator's name, and the seal as a QR
// code with its verification code and address and what it proves. A
// duplicate is marked across every page with its reprint's date and
// operator. The file is PDF/A-2b, created now (a duplicate: when it was
// reprinted), and keeps in its keywords the seal and the page's data for
// CheckPage.
func Certificate(d certificate.Document, lh Letterhead) ([]byte, error) {
	var qr func() ([][]bool, error)
	if d.SealText != "" {
		qr = startQR(d.SealText)
	}
	at := time.Now()
	if d.Duplicate && !d.ReprintedAt.IsZero() {
		at = d.ReprintedAt
	}
	pdf := NewA4(at)
	keywords := sealKeyword + base64.StdEncoding.EncodeToString([]byte(d.SealText))
	if d.SealText != "" {
		data, err := pageData(d, lh)
		if err != nil {
			return nil, err
		}
		keywords += " " + pageKeyword + data
	}
	footnote, number := "Certificato n. "+d.Number, "N. "+d.Number
	w := newWriter(pdf, d.Municipality, lh, footnote, d.Duplicate)
	w.qr = qr
	switch {
	case d.Draft:
		w.watermark, w.duplicate = "BOZZA", DraftLine
		w.footnote, number = "Bozza di certificato", "BOZZA"
	case d.Duplicate:
		w.duplicate = duplicateLine(d)
	}
	w.start()

	w.title(d.Title, number)
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
	w.signature(d, lh)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certificate pdf: %w", err)
	}
	subject := "Certificato anagrafico n. " + d.Number + " rilasciato il " + d.IssueDate.Italian()
	if d.Duplicate {
		subject = "Duplicato del c" + strings.TrimPrefix(subject, "C")
	}
	out, err := finishA(pdf, Archive{
		Title: d.Title + " " + d.Number, Author: "Comune di " + d.Municipality.Name, Subject: subject,
		Keywords: keywords, Created: at, DocumentID: d.Number + "|" + d.Code,
	})
	if err != nil {
		return nil, fmt.Errorf("certificate pdf: %w", err)
	}
	return out, nil
}

// DraftLine is printed on every page of a draft: what it is not.
const DraftLine = "BOZZA - non è un certificato: il numero e il sigillo si assegnano al rilascio"

// duplicateLine says on a duplicate's every page whose duplicate it is and
// when and by whom it was printed.
func duplicateLine(d certificate.Document) string {
	s := "DUPLICATO del certificato rilasciato il " + d.IssueDate.Italian()
	if !d.ReprintedAt.IsZero() {
		s += ", stampato il " + d.ReprintedAt.In(registry.Rome).Format("02/01/2006 alle 15:04")
	}
	if d.ReprintedBy != "" {
		s += " da " + d.ReprintedBy
	}
	return s
}

// pageData is the page's data for pageKeyword: JSON in base64. The
// register's record of the person is left out: the file carries only what
// its pages print.
func pageData(d certificate.Document, lh Letterhead) (string, error) {
	d.Person = registry.Person{}
	raw, err := json.Marshal(page{Document: d, Letterhead: lh})
	if err != nil {
		return "", fmt.Errorf("certificate pdf: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

var (
	sealPattern = regexp.MustCompile(`sportello-seal:([A-Za-z0-9+/=]+)`)
	pagePattern = regexp.MustCompile(`sportello-page:([A-Za-z0-9+/=]+)`)
)

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

// Printed is the certificate a PDF says it prints: the document (with its
// seal) and the letterhead's text. ok is false when the file carries none
// (it is not a certificate, or one from before the page data was kept).
// Nothing of it is to be trusted before CheckPage and the seal say so.
func Printed(pdf []byte) (d certificate.Document, lh Letterhead, ok bool) {
	m := pagePattern.FindSubmatch(pdf)
	if m == nil {
		return d, lh, false
	}
	raw, err := base64.StdEncoding.DecodeString(string(m[1]))
	if err != nil {
		return d, lh, false
	}
	var p page
	if err := json.Unmarshal(raw, &p); err != nil || p.Document.SealText == "" {
		return d, lh, false
	}
	return p.Document, p.Letterhead, true
}

// ErrNoText says that the text of a PDF cannot be read here: pdftotext
// (poppler) is not installed.
var ErrNoText = errors.New("pdftotext is not installed")

// PageText is the text on the pages of a PDF as poppler's pdftotext reads
// it, as words separated by single spaces. It returns ErrNoText when
// pdftotext is missing.
func PageText(ctx context.Context, pdf []byte) (string, error) {
	text, _, err := pageText(ctx, pdf)
	return text, err
}

// pageText is PageText and the number of pages.
func pageText(ctx context.Context, pdf []byte) (string, int, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", 0, ErrNoText
	}
	cmd := exec.CommandContext(ctx, bin, "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		return "", 0, fault.New(fault.Invalid, "The file is not a readable PDF", nil)
	}
	// pdftotext ends every page with a form feed.
	return strings.Join(strings.Fields(string(out)), " "), bytes.Count(out, []byte("\f")), nil
}

// checkDPI is the resolution at which CheckPage compares the pages: a QR
// code's module is more than a pixel.
const checkDPI = 60

// CheckPage checks that the pages of pdf are the pages Certificate prints
// for d and lh: the same text (read with PageText from both) and the same
// picture (rendered with pdftoppm, the coat of arms left out since the file
// does not keep it). A name changed on the page, a line added or covered,
// another certificate's QR code drawn in, or the data of another
// certificate put in the file all make them differ. Both tools are
// poppler's; ErrNoText says one is missing.
func CheckPage(ctx context.Context, pdf []byte, d certificate.Document, lh Letterhead) error {
	want, err := Certificate(d, lh)
	if err != nil {
		return err
	}
	got, pages, err := pageText(ctx, pdf)
	if err != nil {
		return err
	}
	again, wantPages, err := pageText(ctx, want)
	if err != nil {
		return err
	}
	altered := fault.New(fault.Invalid, "The text printed on the certificate does not match its seal: the page was altered", nil)
	if got != again || pages != wantPages {
		return altered
	}
	for n := 1; n <= pages; n++ {
		a, err := renderPage(ctx, pdf, checkDPI, n)
		if errors.Is(err, ErrNoPreview) {
			return ErrNoText
		}
		if err != nil {
			return altered
		}
		b, err := renderPage(ctx, want, checkDPI, n)
		if err != nil {
			return err
		}
		if !samePicture(a, b) {
			return altered
		}
	}
	return nil
}

// samePicture compares two renderings of a page pixel by pixel, but for
// the coat of arms' box.
func samePicture(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	px := func(mm float64) int { return int(mm * checkDPI / 25.4) }
	arms := image.Rect(px(marginX)-1, px(marginTop)-1, px(marginX+16)+2, px(marginTop+22)+2).Add(a.Bounds().Min)
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if (image.Point{x, y}).In(arms) {
				continue
			}
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// writer lays out text from the top of a page down, starting new pages with
// the letterhead when the text reaches the bottom margin.
type writer struct {
	pdf       *fpdf.Fpdf
	m         certificate.Municipality
	lines     []string                 // the letterhead's lines under the office
	footnote  string                   // printed at the bottom left of every page
	duplicate string                   // the duplicate's or draft's line ("" for an original), printed on every page
	watermark string                   // printed across every page: DUPLICATO, BOZZA
	plain     bool                     // no letterhead: a citizen's paper, not the municipality's
	qr        func() ([][]bool, error) // the seal's QR code, being encoded (startQR)
}

// sealQR is the QR code of the seal: the one started with the document
// when there is one, else encoded now.
func (w *writer) sealQR(text string) ([][]bool, error) {
	if w.qr != nil {
		return w.qr()
	}
	return qrBits(text)
}

func newWriter(pdf *fpdf.Fpdf, m certificate.Municipality, lh Letterhead, footnote string, duplicate bool) *writer {
	arms := lh.CoatOfArms
	if len(arms) == 0 {
		arms = assets.CoatOfArms
	}
	w := &writer{pdf: pdf, m: m, lines: lh.lines(), footnote: footnote}
	if duplicate {
		w.duplicate, w.watermark = "DUPLICATO", "DUPLICATO"
	}
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
	if w.watermark != "" {
		// Across the page, under the text that follows.
		pdf.SetTextColor(245, 205, 205)
		pdf.SetFont(Font, "B", 96)
		pdf.TransformBegin()
		pdf.TransformRotate(50, pageW/2, pageH/2)
		pdf.SetXY(0, pageH/2-20)
		pdf.CellFormat(pageW, 40, w.watermark, "", 0, "C", false, 0, "")
		pdf.TransformEnd()
	}
	y := letterhead(pdf, w.m.Name, office, w.lines...)
	if w.duplicate != "" {
		pdf.SetTextColor(180, 0, 0)
		pdf.SetFont(Font, "B", 9.5)
		pdf.SetXY(marginX, y+1)
		pdf.CellFormat(textW, 5, w.duplicate, "", 0, "C", false, 0, "")
		y += 5
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.SetXY(marginX, y+5)
}

// letterhead draws the municipality's coat of arms, name, office and
// further lines (province, address, PEC) at the top of an A4 page and the
// blue rule under them, and returns the rule's y.
func letterhead(pdf *fpdf.Fpdf, municipality, office string, lines ...string) float64 {
	pdf.ImageOptions("arms", marginX, marginTop, 16, 0, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(marginX+21, marginTop+1)
	pdf.SetTextColor(paBlue[0], paBlue[1], paBlue[2])
	pdf.SetFont(Font, "B", 17)
	pdf.CellFormat(textW-21, 8, "Comune di "+municipality, "", 2, "L", false, 0, "")
	pdf.SetTextColor(40, 40, 40)
	pdf.SetFont(Font, "", 10.5)
	pdf.SetX(marginX + 21)
	pdf.MultiCell(textW-21, 5, office, "", "L", false)
	if len(lines) > 0 {
		pdf.SetFont(Font, "", 8.5)
		for _, l := range lines {
			pdf.SetX(marginX + 21)
			pdf.MultiCell(textW-21, 3.8, l, "", "L", false)
		}
	}
	y := max(marginTop+22.0, pdf.GetY()+1.5)
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

// signature prints place and date, the registrar's block and the seal
// with its verification code and address and what it proves, together on
// one page.
func (w *writer) signature(d certificate.Document, lh Letterhead) {
	pdf := w.pdf
	const block = 56.0
	w.room(block)
	pdf.Ln(4)
	y := pdf.GetY()
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(textW/2, 6, d.Municipality.Name+", "+d.IssueDate.Italian(), "", 0, "L", false, 0, "")
	pdf.SetXY(marginX+textW/2, y)
	pdf.CellFormat(textW/2, 6, d.SignerTitle(), "", 2, "C", false, 0, "")
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(textW/2, 6, d.Signer, "", "C", false)
	pdf.SetX(marginX + textW/2)
	pdf.SetFont(Font, "", 7.5)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(textW/2, 3.8, "Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, del D.Lgs. 12 febbraio 1993, n. 39", "", "C", false)
	pdf.SetTextColor(0, 0, 0)

	qrY := y + 12
	if d.SealText != "" {
		bits, err := w.sealQR(d.SealText)
		if err != nil {
			pdf.SetError(err)
			return
		}
		drawBits(pdf, bits, marginX, qrY, 32)
		pdf.SetXY(marginX+35, qrY+3)
		pdf.SetFont(Font, "", 8.5)
		pdf.CellFormat(50, 4.5, "Codice di verifica", "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "B", 13)
		pdf.CellFormat(50, 7, d.Code, "", 2, "L", false, 0, "")
		pdf.SetFont(Font, "", 7.5)
		// sportellod's /verify takes the QR code's text, not the
		// verification code (which the issuing desk's register finds).
		verify := "Sigillo elettronico del Comune: si verifica leggendo il codice QR"
		if lh.VerifyURL != "" {
			verify += " e inserendone il testo su " + lh.VerifyURL
		} else {
			verify += "."
		}
		pdf.MultiCell(52, 3.6, verify, "", "L", false)
		pdf.SetXY(marginX, qrY+33)
		pdf.SetTextColor(70, 70, 70)
		pdf.MultiCell(textW, 3.6, SealNote, "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.SetXY(marginX, qrY+38)
}
