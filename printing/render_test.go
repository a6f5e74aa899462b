package printing

import (
	"image"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/requests"

	"sportello/certificate"
)

// textBox is a character on a page and its box in points, y from the
// top of the page.
type textBox struct {
	text                     string
	left, top, right, bottom float64
}

// pdfiumText is the first page's size in points and its characters with
// their boxes, as PDFium reads them from the PDF.
func pdfiumText(tb testing.TB, pdf []byte) (w, h float64, chars []textBox) {
	tb.Helper()
	err := pages.with(tb.Context(), pdf, func(inst pdfium.Pdfium, page requests.Page) error {
		size, err := inst.GetPageSize(&requests.GetPageSize{Page: page})
		if err != nil {
			return err
		}
		w, h = size.Width, size.Height
		text, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{Page: page, Mode: requests.GetPageTextStructuredModeChars})
		if err != nil {
			return err
		}
		for _, c := range text.Chars {
			p := c.PointPosition // PDF space: y grows upwards
			chars = append(chars, textBox{c.Text, p.Left, h - p.Top, p.Right, h - p.Bottom})
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return w, h, chars
}

// wordBoxes are the boxes, one a character, of every occurrence of word
// on the page.
func wordBoxes(chars []textBox, word string) [][]textBox {
	var all strings.Builder
	at := make([]int, 0, len(chars)) // byte offset of each char in all
	for _, c := range chars {
		at = append(at, all.Len())
		all.WriteString(c.text)
	}
	var found [][]textBox
	s := all.String()
	for off := 0; ; {
		i := strings.Index(s[off:], word)
		if i < 0 {
			return found
		}
		start, end := off+i, off+i+len(word)
		var boxes []textBox
		for k, a := range at {
			if a >= start && a < end && strings.TrimSpace(chars[k].text) != "" {
				boxes = append(boxes, chars[k])
			}
		}
		found = append(found, boxes)
		off = end
	}
}

// darkShare is the share of dark pixels of img inside r.
func darkShare(img image.Image, r image.Rectangle) float64 {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return 0
	}
	dark := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c, g, b, _ := img.At(x, y).RGBA()
			if (c+g+b)/3 < 0x8000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(r.Dx()*r.Dy())
}

// TestPreviewInProcess renders a certificate's first page with no
// program on PATH (no pdftoppm) and compares it with the PDF's text
// positions: the page is A4 at the asked dpi, the boxes of the person's
// name and of the municipality are inked, the page's left margin is
// blank.
func TestPreviewInProcess(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	d := document(t, household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	pdf, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	const dpi = 100
	img, err := FirstPage(t.Context(), pdf, dpi)
	if err != nil {
		t.Fatalf("in-process preview: %v", err)
	}
	w, h, chars := pdfiumText(t, pdf)
	if math.Abs(w-595.28) > 1 || math.Abs(h-841.89) > 1 {
		t.Errorf("page is %.1f x %.1f pt, not A4", w, h)
	}
	px := func(pt float64) int { return int(math.Round(pt * dpi / 72)) }
	if b := img.Bounds(); abs(b.Dx()-px(w)) > 1 || abs(b.Dy()-px(h)) > 1 {
		t.Errorf("preview is %v, want %d x %d pixels for the page at %d dpi", b, px(w), px(h), dpi)
	}
	for _, word := range []string{"ROSSI MARIO", "RSSMRA70A01A269S", "Comune di Anagni", "Luca Neri"} {
		t.Run(word, func(t *testing.T) {
			found := wordBoxes(chars, word)
			if len(found) == 0 {
				t.Fatalf("the PDF's text holds no %q", word)
			}
			for _, boxes := range found {
				for _, c := range boxes {
					r := image.Rect(px(c.left), px(c.top), px(c.right), px(c.bottom))
					if s := darkShare(img, r.Inset(-1)); s < 0.1 {
						t.Errorf("%q of %q at %v has %.0f%% dark pixels in the preview, want ink", c.text, word, r, 100*s)
					}
				}
			}
		})
	}
	// The left margin (the first 5 mm) holds no text: no ink either.
	margin := image.Rect(0, 0, px(5*72/25.4), img.Bounds().Dy())
	if s := darkShare(img, margin); s > 0.001 {
		t.Errorf("left margin is %.2f%% dark, want blank", 100*s)
	}
}

// TestPreviewConcurrent: the one renderer serves callers at once.
func TestPreviewConcurrent(t *testing.T) {
	pdf, err := TicketPDF(info(false, 0, 0), english)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	sizes := make([]image.Rectangle, 4)
	for i := range errs {
		wg.Go(func() {
			img, err := FirstPage(t.Context(), pdf, 72)
			errs[i] = err
			if err == nil {
				sizes[i] = img.Bounds()
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
		if sizes[i] != sizes[0] || sizes[i].Empty() {
			t.Errorf("caller %d got %v, caller 0 %v", i, sizes[i], sizes[0])
		}
	}
}

func abs(n int) int { return max(n, -n) }
