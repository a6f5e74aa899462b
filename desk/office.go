package desk

import (
	"context"
	"fmt"
	"sync"
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

// officeArea is the supervisor's live view of the whole office, for
// supervisors and admins of a desk with a queue.
func officeArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Queue == nil || (u.Role != access.Supervisor && u.Role != access.Admin) {
		return area{}, false
	}
	o := newOfficeScreen(d.deps.Queue, d.do, d.now)
	content := o.buildUI()
	sh := d.shell
	// The view follows the queue while it is the area shown in this session.
	o.shown = func() bool {
		return sh != nil && d.shell == sh && sh.current < len(sh.areas) && sh.areas[sh.current].content == content
	}
	return area{name: lang.L("Office now"), icon: theme.GridIcon(), content: content, onShow: o.onShow}, true
}

// officeScreen shows every counter's state (free, calling, serving ticket
// X for N minutes, paused, with the clerk) and every service's line with
// its count and longest wait, read every second off the UI goroutine while
// the screen is shown.
type officeScreen struct {
	engine queue.Engine
	pauser queue.Pauser // nil when the engine keeps no pauses
	do     func(func())
	now    func() time.Time
	poll   time.Duration
	shown  func() bool // on the UI goroutine: whether the view is still on screen

	counterTable *widget.Table
	lineTable    *widget.Table
	updated      *widget.Label
	problem      *widget.Label

	// Touched on the UI goroutine only.
	counters []queue.CounterState
	lines    []queue.LineState
	at       time.Time // the time the figures are computed at
	running  bool

	stopOnce sync.Once
	stop     chan struct{} // closed by close: the following goroutine returns
	done     chan struct{} // closed when it has returned
}

func newOfficeScreen(engine queue.Engine, do func(func()), now func() time.Time) *officeScreen {
	o := &officeScreen{engine: engine, do: do, now: now, poll: time.Second, shown: func() bool { return true }, stop: make(chan struct{})}
	o.pauser, _ = engine.(queue.Pauser)
	return o
}

func (o *officeScreen) counterHeaders() []string {
	return []string{lang.L("Counter"), lang.L("State"), lang.L("Clerk"), lang.L("For")}
}

func (o *officeScreen) lineHeaders() []string {
	return []string{lang.L("Service"), lang.L("Waiting"), lang.L("Longest wait")}
}

func (o *officeScreen) buildUI() fyne.CanvasObject {
	o.updated = &widget.Label{Importance: widget.LowImportance}
	o.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	o.problem.Hide()
	o.counterTable = o.table(o.counterHeaders(), func() int { return len(o.counters) }, o.counterCell)
	o.counterTable.SetColumnWidth(1, 320)
	o.lineTable = o.table(o.lineHeaders(), func() int { return len(o.lines) }, o.lineCell)
	title := func(s string) fyne.CanvasObject { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	counters := container.NewBorder(title(lang.L("Counters")), nil, nil, nil, o.counterTable)
	lines := container.NewBorder(title(lang.L("Waiting lines")), nil, nil, nil, o.lineTable)
	return container.NewBorder(container.NewPadded(container.NewVBox(o.updated, o.problem)), nil, nil, nil,
		container.NewGridWithRows(2, counters, lines))
}

func (o *officeScreen) table(headers []string, rows func() int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return rows(), len(headers) },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello sociale - PUA") },
		func(id widget.TableCellID, c fyne.CanvasObject) { c.(*widget.Label).SetText(cell(id.Row, id.Col)) },
	)
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	t.UpdateHeader = func(id widget.TableCellID, c fyne.CanvasObject) {
		if id.Col >= 0 {
			c.(*widget.Label).SetText(headers[id.Col])
		}
	}
	t.SetColumnWidth(0, 220)
	return t
}

func (o *officeScreen) counterCell(row, col int) string {
	c := o.counters[row]
	switch col {
	case 0:
		return c.Counter.Name
	case 1:
		return activityText(c)
	case 2:
		return c.Clerk
	case 3:
		if c.Activity == queue.CounterFree {
			return ""
		}
		return minutesText(c.For(o.at))
	}
	return ""
}

func (o *officeScreen) lineCell(row, col int) string {
	l := o.lines[row]
	switch col {
	case 0:
		return l.Service.Code + " " + l.Service.Name
	case 1:
		return fmt.Sprint(l.Waiting)
	case 2:
		if l.Waiting == 0 {
			return ""
		}
		return minutesText(l.Longest)
	}
	return ""
}

// activityText says what a counter does, with its ticket and tickets on hold.
func activityText(c queue.CounterState) string {
	var s string
	switch c.Activity {
	case queue.CounterCalling:
		s = lang.L("Calling {{.Label}}", map[string]any{"Label": c.Ticket})
	case queue.CounterServing:
		s = lang.L("Serving {{.Label}}", map[string]any{"Label": c.Ticket})
	case queue.CounterPaused:
		s = lang.L("Paused")
	case queue.CounterBackOffice:
		s = lang.L("Back office")
	default:
		s = lang.L("Free")
	}
	if c.Held > 0 {
		s += " · " + lang.L("{{.Count}} on hold", map[string]any{"Count": c.Held})
	}
	return s
}

// minutesText is a duration in whole minutes.
func minutesText(d time.Duration) string {
	return lang.L("{{.Minutes}} min", map[string]any{"Minutes": int(d.Minutes())})
}

// onShow starts following the queue, unless it does already.
func (o *officeScreen) onShow() {
	if o.running {
		return
	}
	o.running = true
	o.done = make(chan struct{})
	go o.follow(o.done)
}

// follow reads the office every poll and shows it, until the view is no
// longer on screen, the UI no longer answers (the desk closed) or close.
func (o *officeScreen) follow(done chan struct{}) {
	defer close(done)
	t := time.NewTicker(o.poll)
	defer t.Stop()
	for {
		counters, lines, at, err := o.read()
		alive := make(chan bool, 1)
		o.do(func() {
			ok := o.shown()
			if ok {
				o.show(counters, lines, at, err)
			} else {
				o.running = false
			}
			alive <- ok
		})
		select {
		case ok := <-alive:
			if !ok {
				return
			}
		case <-o.stop:
			return
		case <-time.After(10 * o.poll):
			return // nobody runs the UI any more
		}
		select {
		case <-t.C:
		case <-o.stop:
			return
		}
	}
}

// read computes the office's state now, off the UI goroutine.
func (o *officeScreen) read() ([]queue.CounterState, []queue.LineState, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	office, err := o.engine.QueueOffice(ctx)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	st, err := o.engine.QueueStatus(ctx)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	var pauses map[string]queue.Pause
	if o.pauser != nil {
		if pauses, err = o.pauser.OpenPauses(ctx); err != nil {
			return nil, nil, time.Time{}, err
		}
	}
	now := o.now()
	counters, lines := queue.OfficeView(office, st, pauses, now)
	return counters, lines, now, nil
}

func (o *officeScreen) show(counters []queue.CounterState, lines []queue.LineState, at time.Time, err error) {
	if err != nil {
		if fault := userMessage(err); fault != "" {
			o.problem.SetText(fault)
			o.problem.Show()
		}
		return
	}
	o.problem.Hide()
	o.counters, o.lines, o.at = counters, lines, at
	o.updated.SetText(lang.L("Updated at {{.Time}}", map[string]any{"Time": at.In(registry.Rome).Format("15:04:05")}))
	o.counterTable.Refresh()
	o.lineTable.Refresh()
}

// close stops following the queue and waits for the last read.
func (o *officeScreen) close() {
	o.stopOnce.Do(func() { close(o.stop) })
	if o.done != nil {
		<-o.done
	}
}
