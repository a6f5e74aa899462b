// The queue ticket: an 80 mm thermal-roll PDF, and the printers a kiosk
// sends it to (CUPS through lp, or a folder).

package printing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"sportello/assets"
	"sportello/queue"
	"sportello/registry"
)

// TicketWidth is the width of a thermal roll, in millimetres.
const TicketWidth = 80.0

// Translate gives the text of a message key with its arguments: the desk
// passes lang.L, so the ticket is printed in the desk's language.
type Translate func(key string, args map[string]any) string

// TicketInfo is what a ticket shows. It never names the person, nor says
// why a ticket has priority.
type TicketInfo struct {
	Municipality string // "Comune di Anagni"
	Office       string // "Sportello unico - Piazza Cavour"
	Issued       queue.Issued
	// StatusURL is the ticket's page at the central server (position,
	// estimated wait, the counter it is called to), printed as a QR code;
	// "" on a desk with no server.
	StatusURL string
}

// Line is one line of a printed ticket.
type Line struct {
	Text string
	Size float64 // points
	Bold bool
}

// TicketLines is the ticket's content, top to bottom, in the words of tr.
func TicketLines(info TicketInfo, tr Translate) []Line {
	t := info.Issued.Ticket
	at := t.ArrivedAt.In(registry.Rome)
	lines := []Line{
		{Text: info.Municipality, Size: 14, Bold: true},
		{Text: info.Office, Size: 10},
		{Text: info.Issued.Service.Name, Size: 16, Bold: true},
		{Text: t.Label, Size: 64, Bold: true},
	}
	if t.Priority {
		lines = append(lines, Line{Text: tr("PRIORITY", nil), Size: 16, Bold: true})
	}
	lines = append(lines,
		Line{Text: at.Format("02/01/2006 15:04"), Size: 11},
		Line{Text: AheadText(info.Issued.Ahead, tr), Size: 11},
	)
	if info.Issued.Ahead > 0 {
		lines = append(lines, Line{Text: tr("Estimated wait: about {{.Minutes}} min", map[string]any{"Minutes": int(info.Issued.Wait / time.Minute)}), Size: 11})
	}
	lines = append(lines, Line{Text: tr("Please wait for your number on the screen", nil), Size: 9})
	return lines
}

// AheadText says how many people wait before a ticket.
func AheadText(n int, tr Translate) string {
	switch n {
	case 0:
		return tr("Nobody ahead of you", nil)
	case 1:
		return tr("1 person ahead of you", nil)
	}
	return tr("{{.Count}} people ahead of you", map[string]any{"Count": n})
}

// TicketPDF lays the ticket out on an 80 mm page in Titillium Web.
func TicketPDF(info TicketInfo, tr Translate) ([]byte, error) {
	lines := TicketLines(info, tr)
	const margin = 4.0
	height := 2 * margin
	for _, l := range lines {
		height += lineHeight(l)
	}
	if info.StatusURL != "" {
		height += ticketQRSide + 2 + lineHeight(statusLine(tr))
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: TicketWidth, Ht: height}})
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Sportello", true)
	pdf.SetCreationDate(info.Issued.Ticket.ArrivedAt)
	pdf.SetModificationDate(info.Issued.Ticket.ArrivedAt)
	pdf.AddUTF8FontFromBytes("titillium", "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes("titillium", "B", assets.FontBold)
	pdf.AddPage()
	for _, l := range lines {
		style := ""
		if l.Bold {
			style = "B"
		}
		pdf.SetFont("titillium", style, l.Size)
		pdf.CellFormat(0, lineHeight(l), l.Text, "", 1, "C", false, 0, "")
	}
	if info.StatusURL != "" {
		y := pdf.GetY() + 1
		if err := drawQR(pdf, info.StatusURL, (TicketWidth-ticketQRSide)/2, y, ticketQRSide); err != nil {
			return nil, err
		}
		l := statusLine(tr)
		pdf.SetXY(margin, y+ticketQRSide+1)
		pdf.SetFont("titillium", "", l.Size)
		pdf.CellFormat(0, lineHeight(l), l.Text, "", 1, "C", false, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("ticket pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// ticketQRSide is the side of the status page's QR code on a ticket, in
// millimetres: a phone reads it at arm's length.
const ticketQRSide = 30.0

// statusLine is the caption under the QR code.
func statusLine(tr Translate) Line {
	return Line{Text: tr("Scan to follow your turn on your phone", nil), Size: 9}
}

// lineHeight is a line's height in millimetres: its size plus some lead.
func lineHeight(l Line) float64 {
	return l.Size * 0.3528 * 1.35
}

// Printer prints a document.
type Printer interface {
	Print(ctx context.Context, name string, pdf []byte) error
}

// LP prints through CUPS with the lp command, to the named printer or, with
// no name, to the default one.
type LP struct{ Destination string }

// Print sends the PDF to CUPS with the package's Print.
func (p LP) Print(ctx context.Context, _ string, pdf []byte) error {
	return Print(ctx, pdf, p.Destination)
}

// Folder saves each document as a file in Dir, for a desk with no printer.
type Folder struct{ Dir string }

// Print writes name.pdf in the folder.
func (f Folder) Print(_ context.Context, name string, pdf []byte) error {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	if err := os.WriteFile(filepath.Join(f.Dir, name+".pdf"), pdf, 0o644); err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	return nil
}
