package printing

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"sportello/assets"
	"sportello/registry"
)

// BookingSlip is what the slip of a booking made at the desk says: the
// service, when, the booking code (printed as a QR code too, which the
// kiosk's reader takes) and what to bring.
type BookingSlip struct {
	Municipality string // "Comune di Anagni"
	Office       string // "Sportello unico - Piazza Cavour"
	Service      string // the service's name
	At           time.Time
	Code         string
	Person       string // the name the booking is for; "" prints none
	Bring        string // what to bring, "" for nothing said
	Printed      time.Time
}

// BookingSlipLines is the slip's content, top to bottom, in the words of
// tr; the QR code of the code comes after the code.
func BookingSlipLines(b BookingSlip, tr Translate) []Line {
	at := b.At.In(registry.Rome)
	lines := []Line{
		{Text: b.Municipality, Size: 14, Bold: true},
		{Text: b.Office, Size: 11},
		{Text: tr("Appointment", nil), Size: 12, Bold: true},
		{Text: b.Service, Size: 14, Bold: true},
		{Text: tr("{{.Day}} at {{.Time}}", map[string]any{"Day": registry.DateOf(at).Italian(), "Time": at.Format("15:04")}), Size: 16, Bold: true},
	}
	if b.Person != "" {
		lines = append(lines, Line{Text: b.Person, Size: 11})
	}
	return append(lines,
		Line{Text: tr("Booking code", nil), Size: 11},
		Line{Text: b.Code, Size: 28, Bold: true})
}

// bookingSlipFoot is what follows the QR code: how to check in and what to
// bring.
func bookingSlipFoot(b BookingSlip, tr Translate) []Line {
	lines := []Line{{Text: tr("At the office, type the code or show this QR code at the kiosk from an hour before your time", nil), Size: 10}}
	if bring := strings.TrimSpace(b.Bring); bring != "" {
		lines = append(lines, Line{Text: tr("What to bring", nil), Size: 11, Bold: true}, Line{Text: bring, Size: 10})
	}
	return lines
}

// slipQRSide is the side of the booking code's QR code, in millimetres.
const slipQRSide = 35.0

// BookingSlipPDF is the slip as a one-page A6 PDF.
func BookingSlipPDF(b BookingSlip, tr Translate) ([]byte, error) {
	const width, margin = 105.0, 8.0
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: width, Ht: 148}})
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Sportello", true)
	pdf.SetCreationDate(b.Printed)
	pdf.SetModificationDate(b.Printed)
	pdf.AddUTF8FontFromBytes("titillium", "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes("titillium", "B", assets.FontBold)
	pdf.AddPage()
	write := func(lines []Line) {
		for _, l := range lines {
			style := ""
			if l.Bold {
				style = "B"
			}
			pdf.SetFont("titillium", style, l.Size)
			pdf.MultiCell(0, lineHeight(l), l.Text, "", "C", false)
		}
	}
	write(BookingSlipLines(b, tr))
	y := pdf.GetY() + 2
	if err := drawQR(pdf, b.Code, (width-slipQRSide)/2, y, slipQRSide); err != nil {
		return nil, err
	}
	pdf.SetXY(margin, y+slipQRSide+2)
	write(bookingSlipFoot(b, tr))
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("booking slip pdf: %w", err)
	}
	return buf.Bytes(), nil
}
