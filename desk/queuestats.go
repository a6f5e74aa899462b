package desk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/queue"
	"sportello/registry"
)

// queueStatsArea is the queue's statistics, for supervisors and admins of
// a desk with a queue.
func queueStatsArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Queue == nil || (u.Role != access.Supervisor && u.Role != access.Admin) {
		return area{}, false
	}
	s := newQueueStatsScreen(d.deps.Queue, d.do, d.now)
	return area{name: lang.L("Queue statistics"), icon: theme.ListIcon(), content: s.buildUI(), onShow: s.onRefresh}, true
}

// queueStatsScreen shows the queue's key figures for a period, by service,
// counter or clerk: tickets, served, no-shows, wait and service times
// (median and 90th percentile) and the share first called within 20
// minutes.
type queueStatsScreen struct {
	engine queue.Engine
	do     func(func())
	now    func() time.Time

	period  *widget.RadioGroup
	groupBy *widget.RadioGroup
	table   *widget.Table
	summary *widget.Label
	problem *widget.Label

	rows []queue.Summary // touched on the UI goroutine only
}

func newQueueStatsScreen(engine queue.Engine, do func(func()), now func() time.Time) *queueStatsScreen {
	return &queueStatsScreen{engine: engine, do: do, now: now}
}

// Periods and groupings, as the radio groups list them.
func (s *queueStatsScreen) periods() []string {
	return []string{lang.L("Today"), lang.L("Last 7 days"), lang.L("Last 30 days")}
}

func (s *queueStatsScreen) groupings() []string {
	return []string{lang.L("By service"), lang.L("By counter"), lang.L("By clerk")}
}

func (s *queueStatsScreen) headers() []string {
	return []string{lang.L("Line"), lang.L("Tickets"), lang.L("Served"), lang.L("Not shown"), lang.L("Cancelled"),
		lang.L("Wait (median)"), lang.L("Wait (90%)"), lang.L("Service (median)"), lang.L("Service (90%)"), lang.L("Within 20 min")}
}

func (s *queueStatsScreen) buildUI() fyne.CanvasObject {
	s.period = &widget.RadioGroup{Options: s.periods(), Horizontal: true, Required: true, OnChanged: func(string) { s.onRefresh() }}
	s.period.Selected = s.periods()[0]
	s.groupBy = &widget.RadioGroup{Options: s.groupings(), Horizontal: true, Required: true, OnChanged: func(string) { s.onRefresh() }}
	s.groupBy.Selected = s.groupings()[0]
	s.summary = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	s.problem = &widget.Label{Importance: widget.DangerImportance}
	s.problem.Hide()
	headers := s.headers()
	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(headers) },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello sociale - PUA") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.cell(id.Row, id.Col)) },
	)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(headers[id.Col])
		}
	}
	s.table.SetColumnWidth(0, 220)
	top := container.NewVBox(s.period, s.groupBy, s.summary, s.problem)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, s.table)
}

// cell is the text of a table cell.
func (s *queueStatsScreen) cell(row, col int) string {
	r := s.rows[row]
	minutes := func(d time.Duration) string { return fmt.Sprintf("%.1f", d.Minutes()) }
	switch col {
	case 0:
		if r.Key == "" {
			return lang.L("All")
		}
		return r.Key
	case 1:
		return fmt.Sprint(r.Tickets)
	case 2:
		return fmt.Sprint(r.Served)
	case 3:
		return fmt.Sprint(r.NoShows)
	case 4:
		return fmt.Sprint(r.Cancelled)
	case 5:
		return minutes(r.WaitMedian)
	case 6:
		return minutes(r.WaitP90)
	case 7:
		return minutes(r.ServiceMedian)
	case 8:
		return minutes(r.ServiceP90)
	case 9:
		return fmt.Sprintf("%.0f%%", r.Within*100)
	}
	return ""
}

// onRefresh reads the period's tickets off the UI goroutine and shows
// their figures.
func (s *queueStatsScreen) onRefresh() {
	today := queue.DayOf(s.now())
	days := map[string]int{s.periods()[0]: 0, s.periods()[1]: 6, s.periods()[2]: 29}[s.period.Selected]
	from := registry.DateOf(today.Time().AddDate(0, 0, -days))
	var key func(queue.Ticket) string
	switch s.groupBy.Selected {
	case s.groupings()[1]:
		key = func(t queue.Ticket) string { return orDash(t.Counter) }
	case s.groupings()[2]:
		key = func(t queue.Ticket) string { return orDash(t.Clerk) }
	default:
		key = func(t queue.Ticket) string { return t.Service }
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		tickets, err := s.engine.QueueTickets(ctx, from, today)
		var rows []queue.Summary
		if err == nil {
			rows = queue.Summarize(tickets, queue.DefaultWithin, key)
		}
		s.do(func() { s.show(rows, err) })
	}()
}

// orDash names the group of tickets never called: "—".
func orDash(k string) string {
	if k == "" {
		return "—"
	}
	return k
}

func (s *queueStatsScreen) show(rows []queue.Summary, err error) {
	if err != nil {
		s.showProblem(err)
		return
	}
	s.problem.Hide()
	s.rows = rows
	all := rows[0]
	s.summary.SetText(lang.L("{{.Tickets}} tickets, {{.Served}} served; median wait {{.Wait}} min; {{.Within}}% first called within 20 minutes",
		map[string]any{"Tickets": all.Tickets, "Served": all.Served, "Wait": fmt.Sprintf("%.0f", all.WaitMedian.Minutes()), "Within": fmt.Sprintf("%.0f", all.Within*100)}))
	s.table.Refresh()
}

func (s *queueStatsScreen) showProblem(err error) {
	s.problem.SetText(userMessage(err))
	s.problem.Show()
}
