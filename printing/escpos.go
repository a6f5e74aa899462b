// Raw ESC/POS for thermal ticket printers reached without CUPS: a USB
// device file or a network printer's raw port.

package printing

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"sportello/fault"
)

// ESC/POS commands (Epson's, which thermal printers of every brand follow).
var (
	escInit       = []byte{0x1b, '@'}                       // ESC @: reset
	escCodePage   = []byte{0x1b, 't', 19}                   // ESC t 19: code page 858 (Latin-1 with €)
	escCentre     = []byte{0x1b, 'a', 1}                    // ESC a 1: centred lines
	escBoldOn     = []byte{0x1b, 'E', 1}                    // ESC E 1
	escBoldOff    = []byte{0x1b, 'E', 0}                    // ESC E 0
	escFeedAndCut = []byte{0x1b, 'd', 4, 0x1d, 'V', 'A', 0} // feed 4 lines, GS V A 0: partial cut after feeding to the blade
)

// escSize is GS ! n: character width and height multipliers, 1 to 8.
func escSize(width, height int) []byte {
	return []byte{0x1d, '!', byte((width-1)<<4 | (height - 1))}
}

// TicketColumns is how many normal characters fit a line of an 80 mm roll
// (576 dots, font A of 12 dots).
const TicketColumns = 48

// TicketPrinter prints a ticket from its content rather than from a PDF:
// an ESC/POS printer draws text in its own fonts, sharp and fast.
type TicketPrinter interface {
	PrintTicket(ctx context.Context, info TicketInfo, tr Translate) error
}

// ESCPOS is a thermal printer spoken to in raw ESC/POS: a device file
// (Device, "/dev/usb/lp0") or a network printer's raw port (Addr,
// "192.168.1.50:9100"). It prints tickets as text (PrintTicket) and any
// PDF as a picture (Print), so it serves where a Printer does.
type ESCPOS struct {
	Device  string
	Addr    string
	Timeout time.Duration // to reach a network printer and send; 0 is 5 seconds
}

// name is how messages name the printer.
func (p ESCPOS) name() string {
	if p.Addr != "" {
		return p.Addr
	}
	return p.Device
}

// TicketESCPOS renders a ticket as ESC/POS bytes: reset, code page 858 so
// accents and the € print, centred lines, the number four times the normal
// size, the service and the priority mark twice, then feed and cut. Lines
// too long for the roll are wrapped at spaces.
func TicketESCPOS(info TicketInfo, tr Translate) []byte {
	var b bytes.Buffer
	b.Write(escInit)
	b.Write(escCodePage)
	b.Write(escCentre)
	for _, l := range TicketLines(info, tr) {
		size := 1
		switch {
		case l.Size >= 40:
			size = 4
		case l.Size >= 14:
			size = 2
		}
		b.Write(escSize(size, size))
		if l.Bold {
			b.Write(escBoldOn)
		}
		for _, line := range wrap(l.Text, TicketColumns/size) {
			b.Write(encode858(line))
			b.WriteByte('\n')
		}
		if l.Bold {
			b.Write(escBoldOff)
		}
	}
	b.Write(escSize(1, 1))
	if info.StatusURL != "" {
		b.Write(escQR(info.StatusURL))
		b.Write(encode858(statusLine(tr).Text))
		b.WriteByte('\n')
	}
	b.Write(escFeedAndCut)
	return b.Bytes()
}

// escQR prints text as a QR code with the printer's own encoder (GS ( k:
// model 2, module size 6 dots, error correction M, store, print).
func escQR(text string) []byte {
	data := []byte(text)
	n := len(data) + 3
	var b bytes.Buffer
	b.Write([]byte{0x1d, '(', 'k', 4, 0, 49, 65, 50, 0}) // model 2
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 67, 6})     // module size
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 69, 49})    // error correction M
	b.Write([]byte{0x1d, '(', 'k', byte(n), byte(n >> 8), 49, 80, 48})
	b.Write(data)
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 81, 48}) // print
	b.WriteByte('\n')
	return b.Bytes()
}

// encode858 converts text to code page 858; a character it lacks prints
// as "?".
func encode858(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.CodePage858.EncodeRune(r)
		if !ok {
			c = '?'
		}
		out = append(out, c)
	}
	return out
}

// wrap breaks s into lines of at most width characters, at spaces where it
// can.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		for len([]rune(w)) > width { // a word longer than the line
			if line != "" {
				lines, line = append(lines, line), ""
			}
			r := []rune(w)
			lines, w = append(lines, string(r[:width])), string(r[width:])
		}
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// PrintTicket renders the ticket and sends it to the printer.
func (p ESCPOS) PrintTicket(ctx context.Context, info TicketInfo, tr Translate) error {
	return p.Send(ctx, TicketESCPOS(info, tr))
}

// rasterDPI renders an 80 mm page 576 dots wide, the printable width of
// the roll.
const rasterDPI = 183

// Print prints a PDF's first page as a raster picture, for the callers
// that hand printers a PDF, rendered in-process (FirstPage).
func (p ESCPOS) Print(ctx context.Context, _ string, pdf []byte) error {
	img, err := FirstPage(ctx, pdf, rasterDPI)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Write(escInit)
	b.Write(escCentre)
	b.Write(RasterESCPOS(img))
	b.Write(escFeedAndCut)
	return p.Send(ctx, b.Bytes())
}

// rasterBand is how many dot rows one GS v 0 command carries: printers
// with small buffers take a long picture in bands.
const rasterBand = 256

// RasterESCPOS is the picture as GS v 0 raster images, one bit a dot, in
// bands of rasterBand rows: dark pixels print, at most 576 dots wide
// (wider pictures are cut).
func RasterESCPOS(img image.Image) []byte {
	bounds := img.Bounds()
	width := min(bounds.Dx(), 576)
	rowBytes := (width + 7) / 8
	var out []byte
	row := make([]byte, rowBytes)
	for top := 0; top < bounds.Dy(); top += rasterBand {
		height := min(rasterBand, bounds.Dy()-top)
		out = append(out, 0x1d, 'v', '0', 0, byte(rowBytes), byte(rowBytes>>8), byte(height), byte(height>>8))
		for y := top; y < top+height; y++ {
			clear(row)
			for x := range width {
				if dark(img.At(bounds.Min.X+x, bounds.Min.Y+y)) {
					row[x/8] |= 0x80 >> (x % 8)
				}
			}
			out = append(out, row...)
		}
	}
	return out
}

// Send writes raw bytes to the printer: the device file, or a connection
// to the network printer. An unreachable printer is a fault.Invalid error
// that says what to check.
func (p ESCPOS) Send(ctx context.Context, data []byte) error {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	unreachable := func(err error) error {
		return fault.New(fault.Invalid, "The ticket printer {{.Printer}} cannot be reached ({{.Detail}}): check that it is on, connected and set in the configuration (ticket_printer)",
			map[string]any{"Printer": p.name(), "Detail": err.Error()})
	}
	switch {
	case p.Addr != "":
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", p.Addr)
		if err != nil {
			return unreachable(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(timeout))
		if _, err := conn.Write(data); err != nil {
			return unreachable(err)
		}
		return nil
	case p.Device != "":
		f, err := os.OpenFile(p.Device, deviceFlags(p.Device), 0)
		if err != nil {
			return unreachable(err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return unreachable(err)
		}
		if err := f.Close(); err != nil {
			return unreachable(err)
		}
		return nil
	}
	return fault.New(fault.Invalid, "No ticket printer is set: set ticket_printer in the configuration", nil)
}

// deviceFlags opens a device file for writing: appending on Unix, plainly
// on a Windows COM port, since Windows opens a file for appending without
// the write access a serial device's WriteFile needs.
func deviceFlags(device string) int {
	if strings.HasPrefix(device, `\\.\`) {
		return os.O_WRONLY
	}
	return os.O_WRONLY | os.O_APPEND
}

// comPort is a Windows serial port's name (COM1 to COM256, any case, with or
// without the \\.\ prefix) as the device path Windows opens, which needs
// the prefix from COM10 on; ok is false for anything else.
func comPort(name string) (device string, ok bool) {
	n := strings.TrimPrefix(name, `\\.\`)
	if len(n) < 4 || !strings.EqualFold(n[:3], "COM") {
		return "", false
	}
	num, err := strconv.Atoi(n[3:])
	if err != nil || num < 1 || num > 256 || n[3] == '0' {
		return "", false
	}
	return `\\.\COM` + n[3:], true
}

// ParseTicketPrinter reads the ticket_printer setting: "cups:" for CUPS's
// default printer, "cups:NAME" for a CUPS queue, "escpos:/dev/usb/lp0" for
// an ESC/POS printer's device file, "escpos:COM3" for one on a Windows
// serial (or USB serial) port, used at the speed and framing Windows has
// set for the port, "escpos-tcp:HOST:PORT" for a network one (port 9100 if
// none). "" is no printer (nil, nil).
func ParseTicketPrinter(setting string) (Printer, error) {
	setting = strings.TrimSpace(setting)
	kind, rest, _ := strings.Cut(setting, ":")
	switch {
	case setting == "":
		return nil, nil
	case kind == "cups":
		return LP{Destination: rest}, nil
	case kind == "escpos" && strings.HasPrefix(rest, "/"):
		return ESCPOS{Device: rest}, nil
	case kind == "escpos":
		if dev, ok := comPort(rest); ok {
			return ESCPOS{Device: dev}, nil
		}
	case kind == "escpos-tcp" && rest != "":
		if _, _, err := net.SplitHostPort(rest); err != nil {
			rest = net.JoinHostPort(rest, "9100")
		}
		return ESCPOS{Addr: rest}, nil
	}
	return nil, fmt.Errorf("impostazione ticket_printer: %q non è valida: usi cups:NOME, escpos:/dev/usb/lp0, escpos:COM3 oppure escpos-tcp:INDIRIZZO:PORTA", setting)
}
