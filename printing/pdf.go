package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"

	"sportello/assets"
	"sportello/fault"
)

// Font is the family name under which NewA4 registers Titillium Web: regular
// and bold "B". Each font costs about a millisecond and a half per document
// to parse, so the italic is registered only by AddItalic.
const Font = "titillium"

// NewA4 starts a portrait A4 document in millimetres with Titillium Web
// embedded (so accents print right), compression on, and the creation date
// fixed to at, so the same content always gives the same bytes.
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
	code, err := qr.Encode(text, qr.L, qr.Auto)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	n := code.Bounds().Dx()
	const quiet = 2 // modules of white border inside side
	m := side / float64(n+2*quiet)
	pdf.SetFillColor(0, 0, 0)
	for row := range n {
		for col := 0; col < n; {
			if !dark(code.At(col, row)) {
				col++
				continue
			}
			run := col
			for run < n && dark(code.At(run, row)) {
				run++
			}
			pdf.Rect(x+float64(col+quiet)*m, y+float64(row+quiet)*m, float64(run-col)*m, m, "F")
			col = run
		}
	}
	return nil
}

func dark(c color.Color) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}

// paBlue is the Italian public administration's blue, #0066CC.
var paBlue = [3]int{0x00, 0x66, 0xcc}

// Print sends a PDF to the system printer through CUPS's lp (printer "" is
// CUPS's default destination). A failure is a fault.Invalid error that says
// what to check.
func Print(ctx context.Context, pdf []byte, printer string) error {
	bin, err := exec.LookPath("lp")
	if err != nil {
		return fault.New(fault.Invalid, "Printing needs CUPS (the lp command), which is not installed: save the PDF and print it from another program", nil)
	}
	args := []string{"-t", "Sportello"}
	if printer != "" {
		args = append(args, "-d", printer)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fault.New(fault.Invalid, "The printer did not accept the document ({{.Detail}}): check that it is on, connected and set as the default printer in CUPS", map[string]any{"Detail": strings.TrimSpace(stderr.String())})
	}
	return nil
}

// ErrNoPreview says that no page can be rendered here: pdftoppm (poppler)
// is not installed.
var ErrNoPreview = errors.New("pdftoppm is not installed")

// FirstPage renders the first page of a PDF at dpi with poppler's pdftoppm,
// for the desk's preview. It returns ErrNoPreview when pdftoppm is missing.
func FirstPage(ctx context.Context, pdf []byte, dpi int) (image.Image, error) {
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, ErrNoPreview
	}
	cmd := exec.CommandContext(ctx, bin, "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", "-")
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
