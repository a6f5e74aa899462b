package printing

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportello/registry"
)

func TestBookingSlip(t *testing.T) {
	slip := BookingSlip{Municipality: "Comune di Anagni", Office: "Sportello unico", Service: "Carta d'identità",
		At: time.Date(2026, 12, 9, 10, 30, 0, 0, registry.Rome), Code: "K7M2QX", Person: "Mario Rossi",
		Bring: "Documento scaduto e una fototessera", Printed: time.Date(2026, 12, 4, 9, 0, 0, 0, registry.Rome)}
	tests := []struct {
		name string
		edit func(*BookingSlip)
		want []string
	}{
		{"for a person", nil, []string{"Comune di Anagni", "Sportello unico", "Appointment", "Carta d'identità", "09/12/2026 at 10:30", "Mario Rossi", "Booking code", "K7M2QX"}},
		{"no name", func(b *BookingSlip) { b.Person = "" }, []string{"Comune di Anagni", "Sportello unico", "Appointment", "Carta d'identità", "09/12/2026 at 10:30", "Booking code", "K7M2QX"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := slip
			if tc.edit != nil {
				tc.edit(&b)
			}
			var got []string
			for _, l := range BookingSlipLines(b, english) {
				got = append(got, l.Text)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	pdf, err := BookingSlipPDF(slip, english)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || bytes.Count(pdf, []byte("/Type /Page\n")) != 1 {
		t.Fatal("not a one-page PDF")
	}
	if m := mediaBox.FindSubmatch(pdf); m == nil || string(m[1]) != "297.64" {
		t.Errorf("page box %q, want A6 (105 mm, 297.64 pt) wide", m)
	}
	if path, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "slip.pdf")
		os.WriteFile(file, pdf, 0o644)
		out, err := exec.Command(path, file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"K7M2QX", "10:30", "What to bring", "Documento scaduto e una fototessera", "kiosk"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the slip does not print %q:\n%s", want, out)
			}
		}
	}
}
