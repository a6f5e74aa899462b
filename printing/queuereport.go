package printing

import (
	"bytes"
	"fmt"
	"time"

	"sportello/certificate"
	"sportello/queue"
	"sportello/registry"
)

// QueueDay is what the queue's daily report is made of: the day's tickets
// (transfers included) and the office they were served in.
type QueueDay struct {
	Day     registry.Date
	Office  queue.Office
	Tickets []queue.Ticket
	Within  time.Duration     // the wait threshold of the "within" share
	Desk    string            // the desk that printed the report
	Steps   []queue.VisitStep // what the day's visits did, as this desk recorded it
}

// reportBuckets is how many 3-minute wait buckets the report lists; the
// last holds every longer wait.
const reportBuckets = 10

// QueueReport lays out the queue's day as an A4 report in Italian: the key
// figures by service and by counter, the waits in 3-minute buckets and the
// tickets issued per hour with a bar chart. It names no person.
func QueueReport(r QueueDay, m certificate.Municipality, lh Letterhead) ([]byte, error) {
	pdf := NewA4(r.Day.Time())
	pdf.SetTitle("Rapporto giornaliero della coda "+r.Day.Italian(), true)
	w := newWriter(pdf, m, lh, "Rapporto della coda del "+r.Day.Italian()+" - postazione "+r.Desk, false)
	w.start()
	w.title("Rapporto giornaliero della coda", r.Day.Italian())

	minutes := func(d time.Duration) string { return fmt.Sprintf("%.1f", d.Minutes()) }
	// summary is the table of rows; with total, the first row is the whole day.
	summary := func(name func(string) string, rows []queue.Summary, total bool) *certificate.Table {
		t := &certificate.Table{
			Header: []string{"", "Biglietti", "Serviti", "Assenti", "Annullati", "Attesa med.", "Attesa 90%", "Servizio med.", fmt.Sprintf("Entro %d min", int(r.Within.Minutes()))},
			Widths: []float64{2.4, 1, 1, 1, 1, 1.1, 1.1, 1.2, 1.1},
		}
		for i, s := range rows {
			label := name(s.Key)
			if total && i == 0 {
				label = "Totale"
			}
			t.Rows = append(t.Rows, []string{label, fmt.Sprint(s.Tickets), fmt.Sprint(s.Served), fmt.Sprint(s.NoShows), fmt.Sprint(s.Cancelled),
				minutes(s.WaitMedian), minutes(s.WaitP90), minutes(s.ServiceMedian), fmt.Sprintf("%.0f%%", s.Within*100)})
		}
		return t
	}
	service := func(code string) string {
		if s, ok := r.Office.Service(code); ok {
			return code + " " + s.Name
		}
		return code
	}
	counter := func(code string) string {
		for _, c := range r.Office.Counters {
			if c.Code == code {
				return c.Name
			}
		}
		if code == "" {
			return "Mai chiamati"
		}
		return code
	}
	w.para("Per servizio (tempi in minuti)", "B", 11, "L")
	w.table(summary(service, queue.Summarize(r.Tickets, r.Within, func(t queue.Ticket) string { return t.Service }), true))
	w.para("Per sportello", "B", 11, "L")
	byCounter := queue.Summarize(r.Tickets, r.Within, func(t queue.Ticket) string { return t.Counter })
	w.table(summary(counter, byCounter[1:], false))

	w.visits(r, service, counter)

	step := int(queue.WaitBucket.Minutes())
	waits := &certificate.Table{Header: []string{"Attesa (minuti)", "Biglietti"}, Widths: []float64{1, 1}}
	for i, n := range queue.WaitBuckets(r.Tickets, queue.WaitBucket, reportBuckets) {
		span := fmt.Sprintf("%d-%d", i*step, (i+1)*step)
		if i == reportBuckets-1 {
			span = fmt.Sprintf("%d e oltre", i*step)
		}
		waits.Rows = append(waits.Rows, []string{span, fmt.Sprint(n)})
	}
	w.para("Attese fino alla prima chiamata, in fasce di 3 minuti", "B", 11, "L")
	w.table(waits)

	hours := queue.PerHour(r.Tickets)
	w.para("Biglietti emessi per ora", "B", 11, "L")
	w.hourChart(hours)
	perHour := &certificate.Table{Header: []string{"Ora", "Biglietti"}, Widths: []float64{1, 1}}
	for h, n := range hours {
		if n > 0 {
			perHour.Rows = append(perHour.Rows, []string{fmt.Sprintf("%02d:00-%02d:00", h, h+1), fmt.Sprint(n)})
		}
	}
	if len(perHour.Rows) > 0 {
		w.table(perHour)
	} else {
		w.para("Nessun biglietto emesso.", "", 10, "L")
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("queue report pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("queue report pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// visits writes what the day's visits did, by service and counter (the
// report names no clerk; the statistics screen has the clerks):
// visits, certificates (and per visit), visits that needed two services,
// and the mean minutes at the counter of the visits that did each kind of
// thing.
func (w *writer) visits(r QueueDay, service, counter func(string) string) {
	kinds := []string{"schede", "certif.", "autocert.", "modifiche", "sociale"}
	header := []string{"", "Visite", "Certificati", "Cert./visita", "2 servizi"}
	widths := []float64{2.2, 0.9, 1, 1, 0.9}
	for _, k := range kinds {
		header = append(header, "min "+k)
		widths = append(widths, 0.9)
	}
	header, widths = append(header, "min senza esito"), append(widths, 1)
	minutes := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", d.Minutes())
	}
	table := func(name func(string) string, key func(queue.Ticket) string) *certificate.Table {
		t := &certificate.Table{Header: header, Widths: widths}
		for _, f := range queue.VisitKPIs(r.Tickets, r.Steps, key) {
			row := []string{name(f.Key), fmt.Sprint(f.Visits), fmt.Sprint(f.Certificates), fmt.Sprintf("%.2f", f.PerVisit), fmt.Sprint(f.TwoServices)}
			for _, k := range queue.StepKinds {
				row = append(row, minutes(f.ByKind[k]))
			}
			t.Rows = append(t.Rows, append(row, minutes(f.Nothing)))
		}
		return t
	}
	w.para("Cosa hanno fatto le visite (tempi medi allo sportello in minuti, per tipo di esito)", "B", 11, "L")
	byService := table(service, func(t queue.Ticket) string { return t.Service })
	if len(byService.Rows) == 0 {
		w.para("Nessuna visita servita.", "", 10, "L")
		return
	}
	w.table(byService)
	w.para("Visite per sportello", "B", 11, "L")
	w.table(table(counter, func(t queue.Ticket) string { return t.Counter }))
}

// hourChart draws the tickets per hour from 7:00 to 19:00 as bars, with
// the count over each bar.
func (w *writer) hourChart(hours [24]int) {
	const first, last, height = 7, 19, 38.0
	pdf := w.pdf
	w.room(height + 12)
	peak := 1
	for _, n := range hours[first:last] {
		peak = max(peak, n)
	}
	x0, y0 := marginX, pdf.GetY()+4
	slot := textW / float64(last-first)
	base := y0 + height
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.Line(x0, base, x0+textW, base)
	pdf.SetFont(Font, "", 8)
	for i, n := range hours[first:last] {
		x := x0 + float64(i)*slot
		if n > 0 {
			h := (height - 5) * float64(n) / float64(peak)
			pdf.SetFillColor(paBlue[0], paBlue[1], paBlue[2])
			pdf.Rect(x+slot*0.15, base-h, slot*0.7, h, "F")
			pdf.SetXY(x, base-h-4)
			pdf.CellFormat(slot, 4, fmt.Sprint(n), "", 0, "C", false, 0, "")
		}
		pdf.SetXY(x, base+0.5)
		pdf.CellFormat(slot, 4, fmt.Sprintf("%d", first+i), "", 0, "C", false, 0, "")
	}
	pdf.SetXY(marginX, base+7)
}
