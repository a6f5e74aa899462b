package printing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"sportello/assets"
)

// Font is the family name under which NewA4 registers Titillium Web: regular
// and bold "B". Each font costs about a millisecond and a half per document
// to parse, so the italic is registered only by AddItalic. The name is 19
// letters long so that finishA can give the embedded fonts a PostScript name
// with a subset tag of the same length (see fontNames).
const Font = "sportello-titillium"

// NewA4 starts a portrait A4 document in millimetres with Titillium Web
// embedded (so accents print right), compression on, and the creation date
// at.
func NewA4(at time.Time) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	AddFonts(pdf)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCreator("Sportello", false)
	pdf.SetProducer("Sportello", false)
	return pdf
}

// AddFonts registers Titillium Web regular and bold on pdf as Font.
func AddFonts(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(Font, "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes(Font, "B", assets.FontBold)
}

// AddItalic registers Titillium Web italic on pdf as Font, style "I".
func AddItalic(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(Font, "I", assets.FontItalic)
}

// drawQR draws a QR code of text as vector squares, side millimetres wide
// at x, y: sharp at any zoom and printer resolution, and faster than an
// image, which fpdf would encode and parse again.
func drawQR(pdf *fpdf.Fpdf, text string, x, y, side float64) error {
	bits, err := qrBits(text)
	if err != nil {
		return err
	}
	drawBits(pdf, bits, x, y, side)
	return nil
}

// qrBits is the QR code of text (error correction L, no border) as rows of
// dark modules.
func qrBits(text string) ([][]bool, error) {
	code, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	code.DisableBorder = true
	return code.Bitmap(), nil
}

// startQR encodes text's QR code on a goroutine of its own, beside the
// page being laid out (the encoding is about a fifth of a certificate's
// time); the function it returns waits for it.
func startQR(text string) func() ([][]bool, error) {
	type result struct {
		bits [][]bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		bits, err := qrBits(text)
		done <- result{bits, err}
	}()
	var r *result
	return func() ([][]bool, error) {
		if r == nil {
			got := <-done
			r = &got
		}
		return r.bits, r.err
	}
}

// drawBits draws a QR code's modules in a square of side at x, y, with a
// quiet zone of two modules inside it.
func drawBits(pdf *fpdf.Fpdf, bits [][]bool, x, y, side float64) {
	n := len(bits)
	const quiet = 2 // modules of white border inside side
	m := side / float64(n+2*quiet)
	pdf.SetFillColor(0, 0, 0)
	for row, line := range bits {
		for col := 0; col < n; {
			if !line[col] {
				col++
				continue
			}
			run := col
			for run < n && line[run] {
				run++
			}
			pdf.Rect(x+float64(col+quiet)*m, y+float64(row+quiet)*m, float64(run-col)*m, m, "F")
			col = run
		}
	}
}

func dark(c color.Color) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}

// Archive is what a PDF/A document says about itself: the Info dictionary
// and the XMP metadata carry the same values, as PDF/A requires.
type Archive struct {
	Title    string
	Author   string // "Comune di Anagni"
	Subject  string
	Keywords string // ASCII only
	Created  time.Time
	// DocumentID identifies the document across its copies (a duplicate
	// keeps the original's); each rendering gets its own instance id.
	DocumentID string
}

// xmpEscape escapes text for an XML element.
func xmpEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// finishA writes pdf as PDF/A-2b: XMP metadata with the PDF/A
// identification, the sRGB output intent, the language it-IT, a document
// ID in the trailer, and subset-tagged font names. fpdf writes neither the
// trailer ID of an unencrypted file nor subset tags, so both are set on the
// finished bytes, without moving any object (see patchA).
func finishA(pdf *fpdf.Fpdf, a Archive) ([]byte, error) {
	created := a.Created.UTC().Truncate(time.Second)
	perm := sha256.Sum256([]byte("sportello-document:" + a.DocumentID))
	inst := sha256.Sum256([]byte(a.DocumentID + "|" + created.Format(time.RFC3339Nano) + "|" + a.Keywords))
	pdf.SetTitle(a.Title, true)
	pdf.SetAuthor(a.Author, true)
	pdf.SetSubject(a.Subject, true)
	pdf.SetKeywords(a.Keywords, false)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetLang("it-IT")
	pdf.AddOutputIntent(fpdf.OutputIntentType{
		SubtypeIdent: fpdf.OutputIntent_GTS_PDFA1, OutputConditionIdentifier: "sRGB IEC61966-2.1",
		Info: "sRGB IEC61966-2.1", ICCProfile: assets.SRGB,
	})
	date := created.Format("2006-01-02T15:04:05Z")
	var x strings.Builder
	x.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	x.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	x.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>` + "\n")
	x.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format>`)
	x.WriteString(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + xmpEscape(a.Title) + `</rdf:li></rdf:Alt></dc:title>`)
	x.WriteString(`<dc:creator><rdf:Seq><rdf:li>` + xmpEscape(a.Author) + `</rdf:li></rdf:Seq></dc:creator>`)
	x.WriteString(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + xmpEscape(a.Subject) + `</rdf:li></rdf:Alt></dc:description>`)
	x.WriteString(`<dc:language><rdf:Bag><rdf:li>it-IT</rdf:li></rdf:Bag></dc:language></rdf:Description>` + "\n")
	x.WriteString(`<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>Sportello</pdf:Producer>`)
	if a.Keywords != "" {
		x.WriteString(`<pdf:Keywords>` + xmpEscape(a.Keywords) + `</pdf:Keywords>`)
	}
	x.WriteString("</rdf:Description>\n")
	x.WriteString(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>Sportello</xmp:CreatorTool>`)
	x.WriteString(`<xmp:CreateDate>` + date + `</xmp:CreateDate><xmp:ModifyDate>` + date + `</xmp:ModifyDate><xmp:MetadataDate>` + date + `</xmp:MetadataDate></rdf:Description>` + "\n")
	x.WriteString(`<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"><xmpMM:DocumentID>uuid:` + uuid(perm[:16]) + `</xmpMM:DocumentID><xmpMM:InstanceID>uuid:` + uuid(inst[:16]) + `</xmpMM:InstanceID></rdf:Description>` + "\n")
	x.WriteString("</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>")
	pdf.SetXmpMetadata([]byte(x.String()))
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return patchA(buf.Bytes(), perm[:16], inst[:16])
}

func uuid(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// fontNames are the PostScript names of the embedded fonts by fpdf's name
// for them ("utf8" and the font key): each is as long as fpdf's with a
// six-letter subset tag and "+" in front, so replacing one with the other
// moves no byte offset of the cross-reference table.
var fontNames = map[string]string{
	"utf8" + Font:       "TitilliumWeb-Reg",
	"utf8" + Font + "B": "TitilliumWeb-Bold",
	"utf8" + Font + "I": "TitilliumWeb-Ital",
}

// patchA gives the fonts their subset-tagged names and puts the document
// ID into the trailer, which follows the cross-reference table, so no
// offset changes.
func patchA(pdf, perm, inst []byte) ([]byte, error) {
	for old, name := range fontNames {
		tag := sha256.Sum256(append([]byte(old+"|"), inst...))
		var t [6]byte
		for i := range t {
			t[i] = 'A' + tag[i]%26
		}
		repl := string(t[:]) + "+" + name
		if len(repl) != len(old) {
			return nil, fmt.Errorf("pdf/a: font name %s does not fit", name)
		}
		pdf = replaceName(pdf, "/"+old, "/"+repl)
	}
	at := bytes.LastIndex(pdf, []byte("trailer\n<<\n"))
	end := bytes.LastIndex(pdf, []byte("\n>>\nstartxref"))
	info := infoObject.FindSubmatch(pdf)
	if at < 0 || end < at || info == nil {
		return nil, errors.New("pdf/a: no trailer or information dictionary in the document")
	}
	// fpdf writes the dates without a time zone, which the XMP must have:
	// they are in UTC, so each gets a Z for the line break before it.
	start := bytes.Index(pdf, info[0])
	stop := start + bytes.Index(pdf[start:], []byte("endobj"))
	dict := infoDates.ReplaceAll(pdf[start:stop], []byte("/$1 (D:${2}Z)"))
	if len(dict) != stop-start {
		return nil, errors.New("pdf/a: the information dictionary's dates cannot be fixed")
	}
	copy(pdf[start:], dict)
	// fpdf names as /Info the object before the catalogue, which with an
	// output intent is the colour profile: the trailer is written again
	// with the information dictionary's number, and the ID.
	trailer := pdf[at:end]
	trailer = infoRef.ReplaceAll(trailer, []byte("/Info "+string(info[1])+" 0 R"))
	id := fmt.Sprintf("\n/ID [<%x> <%x>]", perm, inst)
	out := make([]byte, 0, len(pdf)+len(id))
	out = append(out, pdf[:at]...)
	out = append(out, trailer...)
	out = append(out, id...)
	return append(out, pdf[end:]...), nil
}

var (
	infoObject = regexp.MustCompile(`\n(\d+) 0 obj\n<<\n/Producer \(`)
	infoRef    = regexp.MustCompile(`/Info \d+ 0 R`)
	infoDates  = regexp.MustCompile(`\n/(CreationDate|ModDate) \(D:(\d{14})\)`)
)

// replaceName replaces the PDF name old wherever it occurs whole (not as
// the start of a longer name).
func replaceName(pdf []byte, old, repl string) []byte {
	for i := 0; ; {
		j := bytes.Index(pdf[i:], []byte(old))
		if j < 0 {
			return pdf
		}
		j += i
		k := j + len(old)
		if k < len(pdf) && !delimiter(pdf[k]) {
			i = k
			continue
		}
		copy(pdf[j:], repl)
		i = k
	}
}

// delimiter reports whether c ends a PDF name.
func delimiter(c byte) bool {
	return strings.IndexByte(" \t\r\n\f\x00/()<>[]{}%", c) >= 0
}

// paBlue is the Italian public administration's blue, #0066CC.
var paBlue = [3]int{0x00, 0x66, 0xcc}

// Print sends a PDF to the system printer (printer "" is the system's
// default): through CUPS's lp on Linux and the other Unixes
// (print_cups.go), through the program Windows has to print PDF files on
// Windows (print_windows.go). A failure is a fault.Invalid error that says
// what to check.
func Print(ctx context.Context, pdf []byte, printer string) error {
	return printPDF(ctx, pdf, printer)
}

// ErrNoPreview says that verify's page check cannot render pages here:
// pdftoppm (poppler) is not installed.
var ErrNoPreview = errors.New("pdftoppm is not installed")

// FirstPage renders the first page of a PDF at dpi in-process (PDFium in
// WebAssembly, render.go), for the desk's preview and the ticket
// printer: it needs no program or library of the system.
func FirstPage(ctx context.Context, pdf []byte, dpi int) (image.Image, error) {
	return pages.firstPage(ctx, pdf, dpi)
}

// renderPage renders page n (from 1) of a PDF at dpi with pdftoppm, for
// verify's page check, which compares pages as poppler draws them.
func renderPage(ctx context.Context, pdf []byte, dpi, n int) (image.Image, error) {
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, ErrNoPreview
	}
	page := strconv.Itoa(n)
	cmd := exec.CommandContext(ctx, bin, "-png", "-r", strconv.Itoa(dpi), "-f", page, "-l", page, "-singlefile", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("render preview: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("render preview: %w", err)
	}
	return img, nil
}
