package desk

import (
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/queue"
	"sportello/registry"
)

// visitStepsReader reads what the visits of a period did.
type visitStepsReader interface {
	VisitStepsBetween(ctx context.Context, from, to registry.Date) ([]queue.VisitStep, error)
}

// visitStats is the statistics' table of what visits did, by the grouping
// chosen: visits, certificates (and per visit), visits that needed two
// services, and the mean minutes at the counter of the visits that did
// each kind of thing.
type visitStats struct {
	table *widget.Table
	rows  []queue.VisitFigures // touched on the UI goroutine only
}

func (v *visitStats) headers() []string {
	h := []string{lang.L("Line"), lang.L("Visits"), kindName(queue.StepCertificate), lang.L("Certificates per visit"), lang.L("Two services or more")}
	for _, k := range queue.StepKinds {
		h = append(h, lang.L("{{.Kind}} (min)", map[string]any{"Kind": kindName(k)}))
	}
	return append(h, lang.L("Nothing recorded (min)"))
}

func (v *visitStats) ui() fyne.CanvasObject {
	columns := len(v.headers())
	v.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(v.rows), columns },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello sociale - PUA") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(v.cell(id.Row, id.Col)) },
	)
	v.table.ShowHeaderColumn = false
	v.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(v.headers()[id.Col])
		}
	}
	v.table.SetColumnWidth(0, 220)
	return v.table
}

func (v *visitStats) cell(row, col int) string {
	r := v.rows[row]
	minutes := func(d time.Duration) string {
		if d == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f", d.Minutes())
	}
	switch {
	case col == 0:
		return r.Key
	case col == 1:
		return fmt.Sprint(r.Visits)
	case col == 2:
		return fmt.Sprint(r.Certificates)
	case col == 3:
		return fmt.Sprintf("%.2f", r.PerVisit)
	case col == 4:
		return fmt.Sprint(r.TwoServices)
	case col-5 < len(queue.StepKinds):
		return minutes(r.ByKind[queue.StepKinds[col-5]])
	}
	return minutes(r.Nothing)
}

func (v *visitStats) show(tickets []queue.Ticket, steps []queue.VisitStep, key func(queue.Ticket) string) {
	v.rows = queue.VisitKPIs(tickets, steps, key)
	v.table.Refresh()
}

// writeCSV writes the table as a block of the statistics' export.
func (v *visitStats) writeCSV(cw *csv.Writer) {
	cw.Write(v.headers())
	for r := range v.rows {
		var row []string
		for c := range v.headers() {
			row = append(row, v.cell(r, c))
		}
		cw.Write(row)
	}
}
