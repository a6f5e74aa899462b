package printing

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportello/fault"
)

func TestTicketESCPOS(t *testing.T) {
	in := info(true, 3, 12*time.Minute)
	in.Office = "Sportello unico - Città"
	got := TicketESCPOS(in, english)
	if !bytes.HasPrefix(got, []byte{0x1b, '@', 0x1b, 't', 19, 0x1b, 'a', 1}) {
		t.Errorf("starts % x, want reset, code page 858, centred", got[:8])
	}
	if !bytes.HasSuffix(got, []byte{0x1d, 'V', 'A', 0}) {
		t.Errorf("ends % x, want a cut", got[len(got)-4:])
	}
	// The number four times the normal size, in bold.
	if !bytes.Contains(got, []byte("\x1d!\x33\x1bE\x01B007\n\x1bE\x00")) {
		t.Errorf("no big bold number in %q", got)
	}
	// Accents in code page 858: "à" is 0x85, "'" stays.
	if !bytes.Contains(got, []byte("Citt\x85\n")) || !bytes.Contains(got, []byte("Carta d'identit\x85")) {
		t.Errorf("accents not in code page 858: %q", got)
	}
	if bytes.Contains(got, []byte("à")) {
		t.Error("UTF-8 sent to the printer")
	}
	for _, want := range []string{"PRIORITY", "26/11/2026 09:41", "3 people ahead of you", "Estimated wait: about 12 min"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("no %q in the ticket", want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"Attendete il vostro numero sullo schermo", 24, []string{"Attendete il vostro", "numero sullo schermo"}},
		{"corto", 24, []string{"corto"}},
		{"", 24, []string{""}},
		{"ABCDEFGHIJ", 4, []string{"ABCD", "EFGH", "IJ"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.width); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// TestESCPOSNetwork: a ticket reaches a printer listening on a TCP port; an
// unreachable one is a clear error.
func TestESCPOSNetwork(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	received := make(chan []byte, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		received <- b
	}()
	p, err := ParseTicketPrinter("escpos-tcp:" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	in := info(false, 0, 0)
	if err := p.(TicketPrinter).PrintTicket(context.Background(), in, english); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-received:
		if !bytes.Equal(b, TicketESCPOS(in, english)) {
			t.Errorf("the printer received %d bytes, not the ticket", len(b))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received")
	}
	l.Close()

	// The port is closed now: nobody answers.
	off := ESCPOS{Addr: l.Addr().String(), Timeout: time.Second}
	err = off.PrintTicket(context.Background(), in, english)
	if fault.Code(err) != fault.Invalid {
		t.Fatalf("unreachable printer: %v", err)
	}
	msg, args := fault.Message(err)
	if !strings.Contains(msg, "cannot be reached") || args["Printer"] != l.Addr().String() {
		t.Errorf("message %q %v", msg, args)
	}
}

func TestESCPOSDevice(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := ESCPOS{Device: dev}
	in := info(false, 1, 5*time.Minute)
	if err := p.PrintTicket(context.Background(), in, english); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dev)
	if !bytes.Equal(got, TicketESCPOS(in, english)) {
		t.Errorf("the device got %d bytes", len(got))
	}
	missing := ESCPOS{Device: filepath.Join(t.TempDir(), "no", "lp0")}
	if err := missing.PrintTicket(context.Background(), in, english); fault.Code(err) != fault.Invalid {
		t.Errorf("missing device: %v", err)
	}
}

func TestRasterESCPOS(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 10, 2))
	for x := range 10 {
		img.Set(x, 0, color.White)
		img.Set(x, 1, color.White)
	}
	img.Set(0, 0, color.Black)
	img.Set(9, 1, color.Black)
	got := RasterESCPOS(img)
	want := []byte{0x1d, 'v', '0', 0, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x40}
	if !bytes.Equal(got, want) {
		t.Errorf("raster % x, want % x", got, want)
	}
	// A long picture goes in bands of 256 rows.
	long := RasterESCPOS(image.NewGray(image.Rect(0, 0, 16, 600)))
	if n := bytes.Count(long, []byte{0x1d, 'v', '0', 0}); n != 3 || len(long) != 3*8+600*2 {
		t.Errorf("%d bands, %d bytes for 600 rows", n, len(long))
	}
	if last := long[2*(8+256*2):]; last[6] != 88 || last[7] != 0 {
		t.Errorf("last band of % x rows, want 88", last[6:8])
	}
}

// TestESCPOSPrintPDF: a PDF handed to the printer goes as a picture.
func TestESCPOSPrintPDF(t *testing.T) {
	pdf, err := TicketPDF(info(false, 0, 0), english)
	if err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(t.TempDir(), "lp0")
	os.WriteFile(dev, nil, 0o600)
	if err := (ESCPOS{Device: dev}).Print(context.Background(), "ticket", pdf); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dev)
	i := bytes.Index(got, []byte{0x1d, 'v', '0', 0})
	if i < 0 || len(got) < i+8 {
		t.Fatalf("no raster image in %d bytes", len(got))
	}
	rowBytes := int(got[i+4]) | int(got[i+5])<<8
	if rowBytes < 70 || rowBytes > 72 {
		t.Errorf("raster %d bytes a row, want about 576 dots", rowBytes)
	}
}

func TestDeviceFlags(t *testing.T) {
	if got := deviceFlags(`\\.\COM3`); got&os.O_APPEND != 0 || got&os.O_WRONLY == 0 {
		t.Errorf("COM port flags %#x: want write-only without append", got)
	}
	if got := deviceFlags("/dev/usb/lp0"); got != os.O_WRONLY|os.O_APPEND {
		t.Errorf("device file flags %#x", got)
	}
}

func TestParseTicketPrinter(t *testing.T) {
	tests := []struct {
		in   string
		want Printer
		bad  bool
	}{
		{"", nil, false},
		{"cups:", LP{}, false},
		{"cups:Termica", LP{Destination: "Termica"}, false},
		{"escpos:/dev/usb/lp0", ESCPOS{Device: "/dev/usb/lp0"}, false},
		{"escpos-tcp:192.168.1.50:9100", ESCPOS{Addr: "192.168.1.50:9100"}, false},
		{"escpos-tcp:stampante", ESCPOS{Addr: "stampante:9100"}, false},
		{"escpos:COM3", ESCPOS{Device: `\\.\COM3`}, false},
		{"escpos:com12", ESCPOS{Device: `\\.\COM12`}, false},
		{`escpos:\\.\COM4`, ESCPOS{Device: `\\.\COM4`}, false},
		{"escpos:COM0", nil, true},
		{"escpos:COM03", nil, true},
		{"escpos:COM257", nil, true},
		{"escpos:COMX", nil, true},
		{"escpos:lp0", nil, true},
		{"laser", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseTicketPrinter(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseTicketPrinter(%q) = %#v, %v", tt.in, got, err)
		}
	}
}
