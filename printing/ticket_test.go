package printing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sportello/queue"
	"sportello/registry"
)

// english fills the templates of the keys, as lang.L does with English.
func english(key string, args map[string]any) string {
	for k, v := range args {
		key = strings.ReplaceAll(key, "{{."+k+"}}", fmt.Sprint(v))
	}
	return key
}

var issuedAt = time.Date(2026, 11, 26, 9, 41, 0, 0, registry.Rome)

func info(priority bool, ahead int, wait time.Duration) TicketInfo {
	return TicketInfo{
		Municipality: "Comune di Anagni",
		Office:       "Sportello unico - Piazza Cavour",
		Issued: queue.Issued{
			Ticket:  queue.Ticket{Label: "B007", Priority: priority, ArrivedAt: issuedAt.UTC()},
			Service: queue.Service{Code: "B", Name: "Carta d'identità"},
			Ahead:   ahead,
			Wait:    wait,
		},
	}
}

func TestTicketLines(t *testing.T) {
	tests := []struct {
		name string
		in   TicketInfo
		want []string
	}{
		{"walk-in with people ahead", info(false, 3, 12*time.Minute), []string{
			"Comune di Anagni", "Sportello unico - Piazza Cavour", "Carta d'identità", "B007",
			"26/11/2026 09:41", "3 people ahead of you", "Estimated wait: about 12 min", "Please wait for your number on the screen"}},
		{"priority, nobody ahead", info(true, 0, 0), []string{
			"Comune di Anagni", "Sportello unico - Piazza Cavour", "Carta d'identità", "B007", "PRIORITY",
			"26/11/2026 09:41", "Nobody ahead of you", "Please wait for your number on the screen"}},
		{"one ahead", info(false, 1, 5*time.Minute), []string{
			"Comune di Anagni", "Sportello unico - Piazza Cavour", "Carta d'identità", "B007",
			"26/11/2026 09:41", "1 person ahead of you", "Estimated wait: about 5 min", "Please wait for your number on the screen"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range TicketLines(tc.in, english) {
				got = append(got, l.Text)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	// The number is the biggest text.
	lines := TicketLines(info(false, 0, 0), english)
	for _, l := range lines {
		if l.Text != "B007" && l.Size >= lines[3].Size {
			t.Errorf("%q is as big as the number", l.Text)
		}
	}
}

var mediaBox = regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`)

func TestTicketPDF(t *testing.T) {
	pdf, err := TicketPDF(info(true, 2, 10*time.Minute), english)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[len(pdf)-32:], []byte("%%EOF")) {
		t.Fatal("not a whole PDF")
	}
	m := mediaBox.FindSubmatch(pdf)
	if m == nil || string(m[1]) != "226.77" {
		t.Errorf("page box %q, want 80 mm (226.77 pt) wide", m)
	}
	if n := bytes.Count(pdf, []byte("/Type /Page\n")); n != 1 {
		t.Errorf("%d pages", n)
	}
	if !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Error("the font is not embedded")
	}
	// Where poppler is installed, the text a printer prints is checked too.
	if path, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "t.pdf")
		os.WriteFile(file, pdf, 0o644)
		out, err := exec.Command(path, file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Comune di Anagni", "Carta d'identità", "B007", "PRIORITY", "2 people ahead of you", "about 10 min"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the printed text lacks %q:\n%s", want, out)
			}
		}
	}
}

func TestFolderPrinter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tickets")
	if err := (Folder{Dir: dir}).Print(context.Background(), "B007", []byte("%PDF-1.4")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "B007.pdf")); err != nil || string(b) != "%PDF-1.4" {
		t.Errorf("saved %q, %v", b, err)
	}
}

func TestTicketQRToTheStatusPage(t *testing.T) {
	in := info(false, 1, 5*time.Minute)
	in.StatusURL = "https://sportellod.comune.example/ticket/01JABCDEF0123456789XYZ"
	pdf, err := TicketPDF(in, english)
	if err != nil {
		t.Fatal(err)
	}
	raw := TicketESCPOS(in, english)
	if !bytes.Contains(raw, []byte{0x1d, '(', 'k'}) || !bytes.Contains(raw, []byte(in.StatusURL)) {
		t.Error("the ESC/POS ticket has no QR code of the status page")
	}
	without, _ := TicketPDF(info(false, 1, 5*time.Minute), english)
	if bytes.Equal(pdf, without) {
		t.Fatal("the status page changed nothing on the ticket")
	}
	zbar, err1 := exec.LookPath("zbarimg")
	_, err2 := exec.LookPath("pdftoppm")
	if err1 != nil || err2 != nil {
		t.Skip("zbarimg or pdftoppm not installed")
	}
	dir := t.TempDir()
	cmd := exec.Command("pdftoppm", "-png", "-r", "200", "-singlefile", "-", filepath.Join(dir, "ticket"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(zbar, "-q", "--raw", filepath.Join(dir, "ticket.png")).Output()
	if err != nil || strings.TrimSpace(string(out)) != in.StatusURL {
		t.Fatalf("the ticket's QR reads %q (%v), want %q", out, err, in.StatusURL)
	}
}
