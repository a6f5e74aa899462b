package desk

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/printing"
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
	s.clerks, _ = d.deps.Auth.(interface {
		Users(context.Context) ([]access.User, error)
	})
	s.win = d.win
	s.office = d.deps.Office
	s.steps = d.deps.Visits
	return area{name: lang.L("Queue statistics"), icon: theme.ListIcon(), content: container.NewScroll(s.buildUI()), onShow: s.onRefresh}, true
}

// queueSettingsReader reads the queue settings, for the service-level
// threshold; engines that keep no settings use queue.DefaultWithin.
type queueSettingsReader interface {
	QueueSettings(ctx context.Context) (queue.Settings, error)
}

// queuePauseReader reads the counters' pauses of a period, for the idle and
// pause times; engines that keep no pauses show none.
type queuePauseReader interface {
	QueuePauses(ctx context.Context, from, to registry.Date) ([]queue.Pause, error)
}

// queueStatsScreen shows the queue's key figures for a period, by service,
// counter or clerk: tickets, served, no-shows, wait and service times
// (median and 90th percentile), the share first called within the
// threshold the supervisor set (20 minutes unless changed), and for
// counters and clerks the time paused, in back office and idle; with
// charts of the tickets per hour, the waits by service and the median wait
// over the day or the days.
type queueStatsScreen struct {
	engine   queue.Engine
	settings queueSettingsReader // nil: the default threshold
	pauses   queuePauseReader    // nil: no pause figures
	do       func(func())
	now      func() time.Time
	win      fyne.Window // for the save dialog
	office   Office      // named on the daily report

	period       *widget.RadioGroup
	dates        *fyne.Container // from and to, shown for the chosen period
	fromDate     *widget.Entry
	toDate       *widget.Entry
	groupBy      *widget.RadioGroup
	table        *widget.Table
	summary      *widget.Label
	problem      *widget.Label
	export       *widget.Button
	report       *widget.Button
	hourChart    *chart // tickets issued per hour
	serviceChart *chart // median wait by service
	trendChart   *chart // median wait over the hours of the day or the days of the period

	steps      visitStepsReader  // what the visits did; nil: no visit figures
	visits     visitStats        // their table
	visitSteps []queue.VisitStep // the period's steps, touched on the UI goroutine only

	channelsOf queueChannelReader // nil: no figures of the channels
	channels   channelStats

	// Touched on the UI goroutine only.
	rows     []queue.Summary
	activity map[string]queue.Activity // by the rows' keys; nil when grouped by service
	// clerks gives the clerks' names by username, for the rows by clerk;
	// nil shows usernames.
	clerks interface {
		Users(context.Context) ([]access.User, error)
	}
	clerkNames map[string]string
	tickets    []queue.Ticket // the period's tickets the rows are computed from
	from       registry.Date  // the period shown
	to         registry.Date
	within     time.Duration // the service-level threshold the figures use
	gen        int           // counts the refreshes: an older one's figures are dropped
}

func newQueueStatsScreen(engine queue.Engine, do func(func()), now func() time.Time) *queueStatsScreen {
	s := &queueStatsScreen{engine: engine, do: do, now: now, within: queue.DefaultWithin}
	s.settings, _ = engine.(queueSettingsReader)
	s.pauses, _ = engine.(queuePauseReader)
	s.channelsOf, _ = engine.(queueChannelReader)
	return s
}

// Periods and groupings, as the radio groups list them.
func (s *queueStatsScreen) periods() []string {
	return []string{lang.L("Today"), lang.L("Last 7 days"), lang.L("Last 30 days"), lang.L("From… to…")}
}

// maxStatsDays is the longest period the screen reads at once.
const maxStatsDays = 400

// chosenPeriod reads the dates of "From… to…": both Italian dates, in
// order, not in the future, at most maxStatsDays long.
func (s *queueStatsScreen) chosenPeriod(today registry.Date) (registry.Date, registry.Date, error) {
	from, err1 := registry.ParseItalianDate(strings.TrimSpace(s.fromDate.Text))
	to, err2 := registry.ParseItalianDate(strings.TrimSpace(s.toDate.Text))
	switch {
	case err1 != nil || err2 != nil:
		return from, to, fault.New(fault.Invalid, "Write the period as two dates dd/mm/yyyy", nil)
	case to.Before(from):
		return from, to, fault.New(fault.Invalid, "The period ends before it starts", nil)
	case to.After(today):
		return from, to, fault.New(fault.Invalid, "The period cannot end after today", nil)
	case to.Time().Sub(from.Time()) > maxStatsDays*24*time.Hour:
		return from, to, fault.New(fault.Invalid, "Choose a period of at most {{.Days}} days", map[string]any{"Days": maxStatsDays})
	}
	return from, to, nil
}

func (s *queueStatsScreen) groupings() []string {
	return []string{lang.L("By service"), lang.L("By counter"), lang.L("By clerk")}
}

func (s *queueStatsScreen) headers() []string {
	return []string{lang.L("Line"), lang.L("Tickets"), lang.L("Served"), lang.L("Not shown"), lang.L("Cancelled"),
		inMinutes(lang.L("Wait (median)")), inMinutes(lang.L("Wait (90%)")), inMinutes(lang.L("Walk (median)")), inMinutes(lang.L("Walk (90%)")),
		inMinutes(lang.L("Service (median)")), inMinutes(lang.L("Service (90%)")), inMinutes(lang.L("Total (median)")), inMinutes(lang.L("Total (90%)")),
		lang.L("Within {{.Minutes}} min", map[string]any{"Minutes": int(s.within / time.Minute)}),
		lang.L("Paused (min)"), lang.L("Back office (min)"), lang.L("Idle (min)")}
}

// inMinutes is a heading of a column of times, with their unit.
func inMinutes(heading string) string {
	return lang.L("{{.Heading}} (min)", map[string]any{"Heading": heading})
}

func (s *queueStatsScreen) buildUI() fyne.CanvasObject {
	s.fromDate = &widget.Entry{PlaceHolder: lang.L("from dd/mm/yyyy")}
	s.toDate = &widget.Entry{PlaceHolder: lang.L("to dd/mm/yyyy")}
	s.fromDate.OnSubmitted = func(string) { s.onRefresh() }
	s.toDate.OnSubmitted = func(string) { s.onRefresh() }
	show := &widget.Button{Text: lang.L("Show"), OnTapped: s.onRefresh}
	s.dates = container.NewHBox(container.NewGridWrap(fyne.NewSize(150, s.fromDate.MinSize().Height), s.fromDate, s.toDate), show)
	s.dates.Hide()
	s.period = &widget.RadioGroup{Options: s.periods(), Horizontal: true, Required: true, OnChanged: func(choice string) {
		if choice == s.periods()[3] {
			s.dates.Show()
			if s.fromDate.Text == "" {
				return // the clerk writes the dates first
			}
		} else {
			s.dates.Hide()
		}
		s.onRefresh()
	}}
	s.period.Selected = s.periods()[0]
	s.groupBy = &widget.RadioGroup{Options: s.groupings(), Horizontal: true, Required: true, OnChanged: func(string) { s.onRefresh() }}
	s.groupBy.Selected = s.groupings()[0]
	s.summary = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	s.problem = &widget.Label{Importance: widget.DangerImportance}
	s.problem.Hide()
	columns := len(s.headers())
	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), columns },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello sociale - PUA") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.cell(id.Row, id.Col)) },
	)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(s.headers()[id.Col])
		}
	}
	s.table.SetColumnWidth(0, 220)
	s.export = &widget.Button{Text: lang.L("Export CSV…"), Icon: theme.DownloadIcon(), OnTapped: s.onExport}
	s.export.Disable()
	s.report = &widget.Button{Text: lang.L("Daily report PDF…"), Icon: theme.DocumentPrintIcon(), OnTapped: s.onReport}
	s.report.Disable()
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(s.export, s.report), container.NewHBox(s.period, s.dates)),
		s.groupBy, s.summary, s.problem)
	s.hourChart = newChart(barChart, lang.L("Tickets per hour"), "")
	s.serviceChart = newChart(barChart, lang.L("Median wait by service"), "min")
	s.trendChart = newChart(lineChart, lang.L("Median wait"), "min")
	charts := container.NewGridWithColumns(3, s.hourChart, s.serviceChart, s.trendChart)
	figures := container.NewAppTabs(container.NewTabItem(lang.L("Tickets"), s.table), container.NewTabItem(lang.L("Visits"), s.visits.ui()),
		container.NewTabItem(lang.L("Channels"), s.channels.ui()))
	split := container.NewVSplit(figures, container.NewPadded(charts))
	split.Offset = 0.55
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
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
		if name, ok := s.clerkNames[r.Key]; ok && s.groupBy.Selected == s.groupings()[2] {
			return name // the clerk's name, not the username
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
		return minutes(r.WalkMedian)
	case 8:
		return minutes(r.WalkP90)
	case 9:
		return minutes(r.ServiceMedian)
	case 10:
		return minutes(r.ServiceP90)
	case 11:
		return minutes(r.TotalMedian)
	case 12:
		return minutes(r.TotalP90)
	case 13:
		return fmt.Sprintf("%.0f%%", r.Within*100)
	case 14, 15, 16:
		a, ok := s.activity[r.Key]
		if !ok {
			return ""
		}
		return minutes([]time.Duration{a.Paused, a.BackOffice, a.Idle}[col-14])
	}
	return ""
}

// onRefresh reads the period's tickets off the UI goroutine and shows
// their figures.
func (s *queueStatsScreen) onRefresh() {
	s.gen++
	gen := s.gen
	today := queue.DayOf(s.now())
	days := map[string]int{s.periods()[0]: 0, s.periods()[1]: 6, s.periods()[2]: 29}[s.period.Selected]
	from, to := registry.DateOf(today.Time().AddDate(0, 0, -days)), today
	if s.period.Selected == s.periods()[3] {
		var err error
		if from, to, err = s.chosenPeriod(today); err != nil {
			s.showProblem(err)
			return
		}
	}
	var key func(queue.Ticket) string
	var pauseKey func(queue.Pause) string // nil: no activity figures
	switch s.groupBy.Selected {
	case s.groupings()[1]:
		key = func(t queue.Ticket) string { return orDash(t.Counter) }
		pauseKey = func(p queue.Pause) string { return p.Counter }
	case s.groupings()[2]:
		key = func(t queue.Ticket) string { return orDash(t.Clerk) }
		pauseKey = func(p queue.Pause) string { return p.Clerk }
	default:
		key = func(t queue.Ticket) string { return t.Service }
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		within := queue.DefaultWithin
		var err error
		if s.settings != nil {
			var qs queue.Settings
			if qs, err = s.settings.QueueSettings(ctx); err == nil {
				within = qs.Within
			}
		}
		var tickets []queue.Ticket
		if err == nil {
			tickets, err = s.engine.QueueTickets(ctx, from, to)
		}
		var pauses []queue.Pause
		if err == nil && s.pauses != nil {
			pauses, err = s.pauses.QueuePauses(ctx, from, to)
		}
		var steps []queue.VisitStep
		if err == nil && s.steps != nil {
			steps, err = s.steps.VisitStepsBetween(ctx, from, to)
		}
		var channels queue.ChannelReport
		if err == nil && s.channelsOf != nil {
			channels, err = s.channelsOf.QueueChannels(ctx, from, to)
		}
		var names map[string]string
		if err == nil && s.clerks != nil {
			if users, uerr := s.clerks.Users(ctx); uerr == nil {
				names = map[string]string{}
				for _, u := range users {
					names[u.Username] = u.FullName
				}
			}
		}
		var rows []queue.Summary
		var activity map[string]queue.Activity
		if err == nil {
			rows = queue.Summarize(tickets, within, key)
			if pauseKey != nil {
				activity = queue.Activities(tickets, pauses, key, pauseKey)
			}
		}
		s.do(func() {
			if gen != s.gen {
				return // a later choice is on screen
			}
			if err == nil {
				s.tickets, s.from, s.to, s.within, s.activity = tickets, from, to, within, activity
				s.visitSteps = steps
				s.visits.show(tickets, steps, key)
				s.channels.show(channels, s.channelsOf == nil)
				s.clerkNames = names
			}
			s.show(rows, err)
		})
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
	if s.win != nil {
		s.export.Enable()
		s.report.Enable()
	}
	all := rows[0]
	s.summary.SetText(lang.L("{{.Tickets}} tickets, {{.Served}} served; median wait {{.Wait}} min; {{.Within}}% first called within {{.Minutes}} minutes",
		map[string]any{"Tickets": all.Tickets, "Served": all.Served, "Wait": fmt.Sprintf("%.0f", all.WaitMedian.Minutes()), "Within": fmt.Sprintf("%.0f", all.Within*100),
			"Minutes": int(s.within / time.Minute)}))
	s.table.Refresh()
	s.showCharts()
}

// showCharts draws the period's tickets per hour, median wait by service,
// and median wait over the hours of the day (today) or the days.
func (s *queueStatsScreen) showCharts() {
	perHour := queue.PerHour(s.tickets)
	first, last := 8, 13 // at least the morning's office hours, and every hour with a ticket
	if i := slices.IndexFunc(perHour[:], func(n int) bool { return n > 0 }); i >= 0 {
		first = min(first, i)
		for h := 23; h >= 0; h-- {
			if perHour[h] > 0 {
				last = max(last, h)
				break
			}
		}
	}
	var hours []string
	var counts []float64
	for h := first; h <= last; h++ {
		hours = append(hours, fmt.Sprintf("%02d", h))
		counts = append(counts, float64(perHour[h]))
	}
	s.hourChart.SetData(hours, counts)

	var services []string
	var waits []float64
	for _, r := range queue.Summarize(s.tickets, s.within, func(t queue.Ticket) string { return t.Service })[1:] {
		services = append(services, r.Key)
		waits = append(waits, r.WaitMedian.Minutes())
	}
	s.serviceChart.SetData(services, waits)

	var labels []string
	var medians []float64
	// An hour or a day without a ticket called is a gap in the line, not
	// a wait of zero.
	calledHours, calledDays := map[int]bool{}, map[registry.Date]bool{}
	for _, t := range s.tickets {
		if t.ParentID == 0 && !t.FirstCalledAt.IsZero() {
			calledHours[t.ArrivedAt.In(registry.Rome).Hour()], calledDays[t.Day] = true, true
		}
	}
	if s.from == s.to {
		byHour := queue.WaitByHour(s.tickets)
		for h := first; h <= last; h++ {
			medians = append(medians, minutesOrGap(byHour[h], calledHours[h]))
		}
		labels = hours
	} else {
		d := s.from
		for _, w := range queue.WaitByDay(s.tickets, s.from, s.to) {
			labels = append(labels, fmt.Sprintf("%02d/%02d", d.Day, int(d.Month)))
			medians = append(medians, minutesOrGap(w, calledDays[d]))
			d = registry.DateOf(d.Time().AddDate(0, 0, 1))
		}
	}
	s.trendChart.SetData(labels, medians)
}

// minutesOrGap is d in minutes, or NaN (a gap in a chart) without data.
func minutesOrGap(d time.Duration, any bool) float64 {
	if !any {
		return math.NaN()
	}
	return d.Minutes()
}

func (s *queueStatsScreen) showProblem(err error) {
	s.problem.SetText(userMessage(err))
	s.problem.Show()
}

// waitBuckets is how many 3-minute buckets the export lists; the last holds
// every longer wait.
const waitBuckets = 10

// writeCSV writes the figures shown, then the waits in 3-minute buckets and
// the tickets issued per hour of the day, as CSV blocks apart by an empty
// line.
func (s *queueStatsScreen) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(s.headers())
	for r := range s.rows {
		var row []string
		for c := range s.headers() {
			row = append(row, s.cell(r, c))
		}
		cw.Write(row)
	}
	cw.Write(nil)
	cw.Write([]string{lang.L("Wait (minutes)"), lang.L("Tickets")})
	step := int(queue.WaitBucket.Minutes())
	for i, n := range queue.WaitBuckets(s.tickets, queue.WaitBucket, waitBuckets) {
		span := fmt.Sprintf("%d-%d", i*step, (i+1)*step)
		if i == waitBuckets-1 {
			span = fmt.Sprintf("≥ %d", i*step)
		}
		cw.Write([]string{span, fmt.Sprint(n)})
	}
	cw.Write(nil)
	cw.Write([]string{lang.L("Hour"), lang.L("Tickets issued")})
	for h, n := range queue.PerHour(s.tickets) {
		if n > 0 {
			cw.Write([]string{fmt.Sprintf("%02d:00", h), fmt.Sprint(n)})
		}
	}
	if s.steps != nil {
		cw.Write(nil)
		s.visits.writeCSV(cw)
	}
	cw.Flush()
	return cw.Error()
}

// exportName is the file name offered for the period shown.
func (s *queueStatsScreen) exportName() string {
	if s.from == s.to {
		return "statistiche-coda-" + s.to.String() + ".csv"
	}
	return "statistiche-coda-" + s.from.String() + "-" + s.to.String() + ".csv"
}

// onExport asks where to save the figures shown as CSV.
func (s *queueStatsScreen) onExport() {
	if s.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := s.writeCSV(w); err != nil {
			s.problem.SetText(lang.L("The file could not be written"))
			s.problem.Show()
			return
		}
		s.summary.SetText(lang.L("Statistics exported to {{.File}}", map[string]any{"File": w.URI().Name()}))
	}, s.win)
	d.SetFileName(s.exportName())
	d.Show()
}

// todays is the tickets of the last day of the period shown: the day of
// the daily report.
func (s *queueStatsScreen) todays() []queue.Ticket {
	var out []queue.Ticket
	for _, t := range s.tickets {
		if t.Day == s.to {
			out = append(out, t)
		}
	}
	return out
}

// reportPDF lays out the daily report of the day shown last.
func (s *queueStatsScreen) reportPDF(office queue.Office, tickets []queue.Ticket, day registry.Date) ([]byte, error) {
	m := certificate.Municipality{Name: strings.TrimPrefix(s.office.Municipality, "Comune di "), Office: s.office.Office}
	return printing.QueueReport(printing.QueueDay{Day: day, Office: office, Tickets: tickets, Within: s.within, Desk: s.office.DeskCode, Steps: s.visitSteps}, m, printing.Letterhead{})
}

// onReport asks where to save the day's report, then reads the office and
// lays the PDF out off the UI goroutine.
func (s *queueStatsScreen) onReport() {
	if s.win == nil {
		return
	}
	tickets, day := s.todays(), s.to
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		go func() {
			defer w.Close()
			ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
			office, err := s.engine.QueueOffice(ctx)
			cancel()
			var pdf []byte
			if err == nil {
				pdf, err = s.reportPDF(office, tickets, day)
			}
			if err == nil {
				_, err = w.Write(pdf)
			}
			s.do(func() {
				if err != nil {
					fyne.LogError("queue report", err)
					s.problem.SetText(lang.L("The file could not be written"))
					s.problem.Show()
					return
				}
				s.summary.SetText(lang.L("Daily report saved to {{.File}}", map[string]any{"File": w.URI().Name()}))
			})
		}()
	}, s.win)
	d.SetFileName("rapporto-coda-" + day.String() + ".pdf")
	d.Show()
}
