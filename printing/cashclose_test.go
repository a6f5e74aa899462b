package printing

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/registry"
)

func TestCashClosePDF(t *testing.T) {
	day := registry.NewDate(2026, 3, 2)
	c := certificate.CloseDay(day, []certificate.CashEntry{
		{At: "2026-03-02T08:30:00.000000Z", Operator: "pverdi", Number: "D01-2026-000001-K", Kind: "bollo", Cents: 812050, Method: certificate.PayVirtual},
		{At: "2026-03-02T08:30:00.000000Z", Operator: "pverdi", Number: "D01-2026-000001-K", Kind: "fee", Cents: 52, Method: certificate.PayCash},
	})
	c.Marche = []certificate.Marca{{At: "2026-03-02T09:15:00.000000Z", Operator: "pverdi", Number: "D01-2026-000002-X", Serial: "01234567890123"}}
	c.PagoPA = []certificate.PagoPAReceipt{{At: "2026-03-02T10:00:00.000000Z", Number: "WEB-2026-000001-Q", ReceiptID: "RCP-77", Cents: 1600}}
	tests := []struct {
		name   string
		closed bool
		want   []string
	}{
		{"open", false, []string{"Cassa aperta: il giorno accetta ancora incassi."}},
		{"closed", true, []string{"Cassa chiusa il 02/03/2026 18:05 da lneri: il giorno non accetta altri incassi."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			if tt.closed {
				c.Closed, c.ClosedAt, c.ClosedBy = true, "2026-03-02T17:05:00.000000Z", "lneri"
			}
			pdf, err := CashClose(c, certificate.Municipality{Code: "A269", Name: "Anagni"}, "D01", Letterhead{})
			if err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("SPORTELLO_KEEP_PDF"); dir != "" {
				if err := os.WriteFile(dir+"/cassa-"+tt.name+".pdf", pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			text := pdfText(t, pdf)
			if text == "" {
				return
			}
			flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(text, " ")
			for _, w := range append(tt.want,
				"09:30:00 pverdi D01-2026-000001-K Imposta di bollo bollo virtuale 8.120,50", // 08:30 UTC is 09:30 in Rome
				"Totale 2 8.121,02",
				"10:15:00 pverdi D01-2026-000002-X 01234567890123",
				"11:00:00 WEB-2026-000001-Q RCP-77 16,00", // pagoPA apart, not in the total of 8.121,02
				"Totale pagoPA 1 16,00",
				"Imposta di bollo pagata con pagoPA",
			) {
				if !strings.Contains(flat, w) {
					t.Errorf("report lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "UTC") {
				t.Error("the report shows UTC times")
			}
			// Amounts end at the right edge of their column: every amount of
			// the totals ends where the header "Importo (€)" ends.
			right := wordRights(t, pdf)
			header := right["(€)"]
			if len(header) == 0 {
				t.Fatal("no header found")
			}
			for _, amount := range []string{"8.121,02", "0,52", "8.120,50"} {
				for _, x := range right[amount] {
					if x < header[0]-0.5 || x > header[0]+0.5 && (len(header) < 2 || x < header[1]-0.5 || x > header[1]+0.5) {
						t.Errorf("%s ends at %.1f, its header at %v: not right-aligned", amount, x, header)
					}
				}
			}
		})
	}
}

var bboxWord = regexp.MustCompile(`<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`)

// wordRights maps each word of the PDF to where it ends on the page, in
// order, read with pdftotext -bbox.
func wordRights(tb testing.TB, pdf []byte) map[string][]float64 {
	tb.Helper()
	cmd := exec.Command("pdftotext", "-bbox", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext -bbox: %v", err)
	}
	m := map[string][]float64{}
	for _, w := range bboxWord.FindAllStringSubmatch(string(out), -1) {
		x, _ := strconv.ParseFloat(w[1], 64)
		word := html.UnescapeString(w[2])
		m[word] = append(m[word], x)
	}
	return m
}
