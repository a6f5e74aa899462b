package desk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/oklog/ulid/v2"

	"sportello/access"
	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// queuePoll is how often the counter panel and the board look for new
// queue events.
const queuePoll = time.Second

// prefCounter is the Fyne preference that remembers this desk's counter.
const prefCounter = "queue.counter"

// servesPublic reports whether the role calls tickets at a counter.
func servesPublic(r access.Role) bool {
	return r == access.Clerk || r == access.Registrar || r == access.SocialWorker || r == access.Supervisor
}

// counterPanel is the queue at the clerk's counter, beside every screen:
// the ticket on hand, the lines, the next tickets, and the buttons (F2 call
// next, F3 recall, F4 start, F5 finish, F6 no-show). It follows the queue's
// event sequence, so it shows what other counters and the kiosk do.
type counterPanel struct {
	emu      sync.Mutex     // guards engine: the clerk may switch to the desk's own queue
	engine   queue.Engine   // the queue the panel works now
	shared   queue.Engine   // the office's queue (at the server, or the desk's own)
	own      queue.Engine   // the desk's own queue, when the office's is at a server; nil otherwise
	toOwn    *widget.Button // shown when the office's queue does not answer
	toOffice *widget.Button // back to the office's queue, while working the own
	where    *widget.Label  // says the panel works the desk's own queue
	win      fyne.Window
	do       func(func())
	prefs    fyne.Preferences
	clerk    string
	poll     time.Duration

	counter   *widget.Select
	collapse  *widget.Button
	expand    *widget.Button  // opens the collapsed panel again
	open      *fyne.Container // the panel at its full width
	strip     *fyne.Container // what is left of the panel while collapsed
	body      *fyne.Container
	ticket    *canvas.Text  // the ticket on hand, big
	state     *widget.Label // its state and service
	lines     *widget.Label // waiting per service
	next      *widget.Label // the next tickets
	problem   *widget.Label // the last refusal
	callNext  *widget.Button
	recall    *widget.Button
	start     *widget.Button
	finish    *widget.Button
	noShow    *widget.Button
	transfer  *widget.Button
	hold      *widget.Button
	resume    *widget.Button
	pick      *widget.Button // call a chosen waiting ticket
	cancel    *widget.Button // cancel a waiting ticket
	revive    *widget.Button // reactivate a no-show
	present   *widget.Button // check in a ticket taken from home
	remote    *widget.Label  // tickets taken from home not yet checked in
	legend    *widget.Label  // what the marks beside the labels mean
	pause     *widget.Button // pause, or end the pause
	backOff   *widget.Button // back-office time
	collapsed bool

	visits   queue.Visits                                       // nil: the desk keeps no visits
	services func(ctx context.Context, o queue.Office) []string // the clerk's services; nil: all
	visit    *widget.Label                                      // what the visit on hand did so far
	priority *widget.Label                                      // says the ticket on hand has priority
	askNote  *widget.Check                                      // ask for a note when a ticket ends
	vmu      sync.Mutex
	vref     queue.VisitRef  // the visit open in visits, on the UI goroutine's word
	vseen    string          // the visit's steps last shown
	frame    *fyne.Container // the open panel: laid out again when the visit shows or hides

	// Touched on the UI goroutine only.
	office queue.Office
	status queue.Status
	seq    int64                  // the event sequence shown
	callID string                 // the call id of a call not yet answered, reused on retry
	pauses map[string]queue.Pause // today's running pauses by counter
	busy   bool                   // an action is running
	stop   chan struct{}
	done   chan struct{} // closed when the following goroutine has returned

	polled atomic.Int64 // the sequence of the last status read
	pmu    sync.Mutex
	pseen  string // the running pauses last shown, as their uids
}

// counterPanelFor is the panel of a clerk who serves the public on a desk
// with a queue, nil otherwise.
func counterPanelFor(d *Desk, u access.User) *counterPanel {
	if d.deps.Queue == nil || !servesPublic(u.Role) {
		return nil
	}
	p := newCounterPanel(d.deps.Queue, d.win, d.do, d.app.Preferences(), u.Username)
	p.own = d.deps.OwnQueue
	p.visits = d.deps.Visits
	if sq, ok := d.deps.Social.(socialQueue); ok {
		p.services = func(ctx context.Context, o queue.Office) []string { return clerkServices(ctx, sq, u.Role, o) }
	}
	return p
}

// ui is the panel's content, nil for no panel.
func (p *counterPanel) ui() fyne.CanvasObject {
	if p == nil {
		return nil
	}
	return p.buildUI()
}

func newCounterPanel(engine queue.Engine, win fyne.Window, do func(func()), prefs fyne.Preferences, clerk string) *counterPanel {
	p := &counterPanel{engine: engine, shared: engine, win: win, do: do, prefs: prefs, clerk: clerk, poll: queuePoll}
	p.polled.Store(-1) // read the status once even if the queue has no event yet
	return p
}

// eng is the queue the panel works now.
func (p *counterPanel) eng() queue.Engine {
	p.emu.Lock()
	defer p.emu.Unlock()
	return p.engine
}

// pickerNow is the queue's way to call a chosen ticket; nil when it has none.
func (p *counterPanel) pickerNow() queue.Picker {
	pk, _ := p.eng().(queue.Picker)
	return pk
}

// pauserNow is the queue's record of pauses; nil when it keeps none.
func (p *counterPanel) pauserNow() queue.Pauser {
	ps, _ := p.eng().(queue.Pauser)
	return ps
}

func (p *counterPanel) buildUI() fyne.CanvasObject {
	p.counter = newSelect(nil, p.onCounter)
	p.counter.PlaceHolder = lang.L("Choose the counter")
	p.collapse = &widget.Button{Icon: theme.NavigateNextIcon(), Importance: widget.LowImportance, OnTapped: p.onCollapse}
	p.ticket = canvas.NewText("—", paBlue)
	p.ticket.TextSize = 44
	p.ticket.TextStyle = fyne.TextStyle{Bold: true}
	p.ticket.Alignment = fyne.TextAlignCenter
	p.state = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	p.priority = &widget.Label{Text: lang.L("Priority ticket"), Importance: widget.WarningImportance, Alignment: fyne.TextAlignCenter, TextStyle: fyne.TextStyle{Bold: true}}
	p.priority.Hide()
	p.visit = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.visit.Hide()
	p.askNote = widget.NewCheck(lang.L("Ask for a note when a ticket ends"), func(on bool) { p.prefs.SetBool(prefAskOutcome, on) })
	p.askNote.SetChecked(p.prefs.Bool(prefAskOutcome))
	p.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	p.problem.Hide()
	p.lines = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.next = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	p.remote = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	p.legend = &widget.Label{Text: lang.L("(P) priority · (R) from home · (A) appointment"), Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}

	p.callNext = &widget.Button{Text: lang.L("Call next (F2)"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: p.onCallNext}
	p.recall = &widget.Button{Text: lang.L("Recall (F3)"), Icon: theme.MediaReplayIcon(), OnTapped: p.onRecall}
	p.start = &widget.Button{Text: lang.L("Start (F4)"), Icon: theme.AccountIcon(), OnTapped: p.onStart}
	p.finish = &widget.Button{Text: lang.L("Finish (F5)"), Icon: theme.ConfirmIcon(), OnTapped: p.onFinish}
	p.noShow = &widget.Button{Text: lang.L("Not shown (F6)"), Icon: theme.CancelIcon(), OnTapped: p.onNoShow}
	p.transfer = &widget.Button{Text: lang.L("Transfer…"), Icon: theme.MailForwardIcon(), OnTapped: p.onTransfer}
	p.hold = &widget.Button{Text: lang.L("Hold"), Icon: theme.MediaPauseIcon(), OnTapped: p.onHold}
	p.resume = &widget.Button{Text: lang.L("Resume"), Icon: theme.MediaPlayIcon(), OnTapped: p.onResume}
	p.pick = &widget.Button{Text: lang.L("Call a ticket… (F7)"), Icon: theme.ListIcon(), OnTapped: p.onPick}
	p.cancel = &widget.Button{Text: lang.L("Cancel a ticket… (F8)"), Icon: theme.DeleteIcon(), OnTapped: p.onCancelTicket}
	p.revive = &widget.Button{Text: lang.L("Reactivate a no-show… (F9)"), Icon: theme.HistoryIcon(), OnTapped: p.onReactivate}
	extra := container.NewVBox()
	if p.pickerNow() != nil {
		extra.Add(p.pick)
	}
	extra.Add(p.cancel)
	p.present = &widget.Button{Text: lang.L("Present… (F12)"), Icon: theme.LoginIcon(), OnTapped: p.onPresent}
	extra.Add(p.present)
	if p.pickerNow() != nil {
		extra.Add(p.revive)
	}
	p.pause = &widget.Button{Text: lang.L("Pause (F10)"), Icon: theme.MediaPauseIcon(), OnTapped: p.onPause}
	p.backOff = &widget.Button{Text: lang.L("Back office (F11)"), Icon: theme.DocumentIcon(), OnTapped: p.onBackOffice}
	if p.pauserNow() != nil {
		extra.Add(p.pause)
		extra.Add(p.backOff)
	}

	p.toOwn = &widget.Button{Text: lang.L("Work this desk's own queue"), Icon: theme.StorageIcon(), OnTapped: func() { p.switchQueue(true) }}
	p.toOwn.Hide()
	p.toOffice = &widget.Button{Text: lang.L("Back to the office queue"), Icon: theme.ViewRefreshIcon(), OnTapped: func() { p.switchQueue(false) }}
	p.toOffice.Hide()
	p.where = &widget.Label{Text: lang.L("This desk's own queue: the office queue does not answer"), Importance: widget.WarningImportance, Wrapping: fyne.TextWrapWord}
	p.where.Hide()
	title := &widget.Label{Text: lang.L("Queue"), TextStyle: fyne.TextStyle{Bold: true}}
	p.body = container.NewVBox(
		p.where,
		p.counter,
		p.ticket, p.priority, p.state,
		p.callNext,
		p.recall, p.start, p.finish, p.noShow, p.transfer, p.hold,
		p.resume,
		extra,
		p.problem,
		p.toOwn,
		p.toOffice,
		widget.NewSeparator(),
		&widget.Label{Text: lang.L("Waiting"), TextStyle: fyne.TextStyle{Bold: true}},
		p.lines,
		p.next,
		p.remote,
		p.legend,
		p.askNote,
	)
	p.updateButtons()
	// The visit on hand stays in sight below the buttons, whatever their
	// scroll, and grows upwards without moving them.
	panel := container.NewBorder(container.NewBorder(nil, nil, nil, p.collapse, title), p.visit, nil, nil, container.NewVScroll(p.body))
	p.frame = panel
	// Collapsed, the panel is a narrow strip with the button that opens it,
	// and the work in the centre takes the width back.
	p.expand = &widget.Button{Icon: theme.NavigateBackIcon(), Importance: widget.LowImportance, OnTapped: p.onCollapse}
	p.open = container.New(fixedWidth(280), panel)
	p.strip = container.NewVBox(p.expand)
	p.strip.Hide()
	return container.NewHBox(widget.NewSeparator(), p.open, p.strip)
}

// fixedWidth lays its objects out over its whole size and asks for that
// width whatever their own.
type fixedWidth float32

func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// begin takes the function keys of the window (chained before the keys
// the window handled already), loads the office and follows the queue
// until end. Nothing for no panel.
func (p *counterPanel) begin() {
	if p == nil {
		return
	}
	c := p.win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !p.onKey(ev) && prev != nil {
			prev(ev)
		}
	})
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	stop, done := p.stop, p.done
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		office, err := p.eng().QueueOffice(ctx)
		mine := p.clerkServices(ctx, office, err)
		cancel()
		p.do(func() { p.showOffice(office, mine, err) })
		t := time.NewTicker(p.poll)
		defer t.Stop()
		for {
			p.refresh(false)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
}

func (p *counterPanel) end() {
	if p != nil && p.stop != nil {
		close(p.stop)
		<-p.done // no read outlives the panel
		p.stop = nil
		p.followVisit(queue.Ticket{}, false) // the clerk's writes belong to no visit once the panel is gone
	}
}

// refresh reads the queue's status when its sequence moved (or always with
// force), off the UI goroutine.
func (p *counterPanel) refresh(force bool) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	p.refreshPauses(ctx, force)
	p.refreshVisit(ctx)
	seq, err := p.eng().QueueSeq(ctx)
	if err != nil {
		fyne.LogError("queue seq", err)
		return
	}
	if seq == p.polled.Load() && !force {
		return
	}
	st, err := p.eng().QueueStatus(ctx)
	if err != nil {
		fyne.LogError("queue status", err)
		return
	}
	p.polled.Store(st.Seq)
	p.do(func() { p.showStatus(st) })
}

// refreshPauses reads the running pauses and shows them when they changed
// (or always with force), off the UI goroutine.
func (p *counterPanel) refreshPauses(ctx context.Context, force bool) {
	if p.pauserNow() == nil {
		return
	}
	ps, err := p.pauserNow().OpenPauses(ctx)
	if err != nil {
		fyne.LogError("queue pauses", err)
		return
	}
	var uids []string
	for _, x := range ps {
		uids = append(uids, x.UID)
	}
	slices.Sort(uids)
	seen := strings.Join(uids, " ")
	p.pmu.Lock()
	changed := seen != p.pseen
	p.pseen = seen
	p.pmu.Unlock()
	if changed || force {
		p.do(func() {
			p.pauses = ps
			p.showStatus(p.status)
		})
	}
}

// clerkServices is the services of the clerk, nil for all (or when the
// office could not be read).
func (p *counterPanel) clerkServices(ctx context.Context, o queue.Office, err error) []string {
	if err != nil || p.services == nil {
		return nil
	}
	return p.services(ctx, o)
}

// showOffice offers the counters that serve the clerk's services (mine;
// all for nil) and picks the one this desk used last if it is one of them,
// else the first of them.
func (p *counterPanel) showOffice(o queue.Office, mine []string, err error) {
	if err != nil {
		p.showProblem(err)
		return
	}
	p.office = o
	counters := servingCounters(o, mine)
	var names []string
	for _, c := range counters {
		names = append(names, c.Name)
	}
	p.counter.Options = names
	want := p.prefs.String(prefCounter)
	for _, c := range counters {
		if c.Code == want {
			p.counter.SetSelected(c.Name)
			return
		}
	}
	if len(counters) > 0 {
		p.counter.SetSelected(counters[0].Name)
	}
}

// counterCode is the code of the counter chosen, "" if none.
func (p *counterPanel) counterCode() string {
	for _, c := range p.office.Counters {
		if c.Name == p.counter.Selected {
			return c.Code
		}
	}
	return ""
}

func (p *counterPanel) onCounter(string) {
	if code := p.counterCode(); code != "" {
		p.prefs.SetString(prefCounter, code)
	}
	p.showStatus(p.status)
}

func (p *counterPanel) onCollapse() {
	p.collapsed = !p.collapsed
	if p.collapsed {
		p.body.Hide()
		p.open.Hide()
		p.strip.Show()
	} else {
		p.body.Show()
		p.strip.Hide()
		p.open.Show()
	}
}

// current is the ticket on hand at this counter, if any.
func (p *counterPanel) current() (queue.Ticket, bool) {
	t, ok := p.status.Current[p.counterCode()]
	return t, ok
}

func (p *counterPanel) showStatus(st queue.Status) {
	if st.Seq < p.seq {
		return // an older read arrived late
	}
	p.status = st
	p.seq = st.Seq
	t, ok := p.current()
	p.followVisit(t, ok)
	p.priority.Hidden = !ok || !t.Priority
	p.priority.Refresh()
	if ok {
		p.ticket.Text = t.Label
		p.state.SetText(stateName(t.State) + " · " + p.serviceName(t.Service) + channelText(t) + recallText(t))
	} else if pz, paused := p.paused(); paused {
		p.ticket.Text = "—"
		p.state.SetText(pauseText(pz))
	} else {
		p.ticket.Text = "—"
		p.state.SetText(lang.L("No ticket at this counter"))
	}
	p.ticket.Refresh()
	mine := p.myServices()
	var lines, next []string
	for _, l := range st.Lines {
		lines = append(lines, lang.L("{{.Code}} {{.Name}}: {{.Count}} waiting", map[string]any{"Code": l.Service.Code, "Name": l.Service.Name, "Count": l.Waiting}))
		if mine[l.Service.Code] {
			for _, t := range l.Next {
				next = append(next, ticketMark(t))
			}
		}
	}
	p.lines.SetText(strings.Join(lines, "\n"))
	var remote []string
	for _, t := range p.remoteHere() {
		remote = append(remote, ticketMark(t))
	}
	if len(remote) > 0 {
		p.remote.SetText(lang.L("From home, not here yet: {{.Tickets}}", map[string]any{"Tickets": strings.Join(remote, " ")}))
		p.remote.Show()
	} else {
		p.remote.Hide()
	}
	if len(next) > 0 {
		p.next.SetText(lang.L("Next: {{.Tickets}}", map[string]any{"Tickets": strings.Join(next, " ")}))
	} else {
		p.next.SetText(lang.L("Nobody is waiting for this counter"))
	}
	p.updateButtons()
	p.body.Refresh() // the lines may have grown
}

// stateName is a ticket state as the clerk reads it.
func stateName(s queue.State) string {
	switch s {
	case queue.Waiting:
		return lang.X("queue.state.waiting", "Waiting")
	case queue.Called:
		return lang.X("queue.state.called", "Called")
	case queue.Serving:
		return lang.X("queue.state.serving", "Being served")
	case queue.OnHold:
		return lang.X("queue.state.on_hold", "On hold")
	}
	return string(s)
}

func recallText(t queue.Ticket) string {
	if t.Recalls == 0 {
		return ""
	}
	return " · " + lang.L("recalled {{.Count}} times", map[string]any{"Count": t.Recalls})
}

// ticketMark is a ticket's label with "(P)" when it has priority, "(R)"
// when it was taken from home and "(A)" when it is an appointment's (the
// panel's legend says so).
func ticketMark(t queue.Ticket) string {
	mark := t.Label
	if t.Priority {
		mark += "(P)"
	}
	switch t.Channel() {
	case queue.ChannelRemote:
		mark += "(R)"
	case queue.ChannelAppointment:
		mark += "(A)"
	}
	return mark
}

// channelText says how the ticket on hand came, nothing for the kiosk's.
func channelText(t queue.Ticket) string {
	switch t.Channel() {
	case queue.ChannelRemote:
		return " · " + lang.L("taken from home")
	case queue.ChannelAppointment:
		return " · " + lang.L("by appointment at {{.Time}}", map[string]any{"Time": t.AppointmentAt.In(registry.Rome).Format("15:04")})
	}
	return ""
}

func (p *counterPanel) serviceName(code string) string {
	if s, ok := p.office.Service(code); ok {
		return s.Name
	}
	return code
}

// updateButtons enables what the ticket on hand allows.
func (p *counterPanel) updateButtons() {
	t, ok := p.current()
	state := queue.State("")
	if ok {
		state = t.State
	}
	_, paused := p.paused()
	free := !ok && p.counterCode() != "" && !paused
	// One key a person: calling the next ends the ticket on hand.
	enable(p.callNext, (free || (ok && !paused && (state == queue.Called || state == queue.Serving))) && !p.busy)
	enable(p.recall, state == queue.Called && !p.busy)
	enable(p.start, state == queue.Called && !p.busy)
	enable(p.noShow, state == queue.Called && !p.busy)
	enable(p.finish, (state == queue.Called || state == queue.Serving) && !p.busy)
	enable(p.transfer, state == queue.Serving && !p.busy)
	enable(p.hold, state == queue.Serving && !p.busy)
	_, held := p.heldTicket()
	enable(p.resume, free && held && !p.busy)
	waiting := len(p.waitingHere()) > 0
	enable(p.pick, free && waiting && !p.busy && p.pickerNow() != nil)
	enable(p.cancel, waiting && !p.busy)
	enable(p.present, len(p.remoteHere()) > 0 && !p.busy)
	enable(p.revive, p.counterCode() != "" && !p.busy && p.pickerNow() != nil)
	enable(p.pause, (free || paused) && !p.busy)
	enable(p.backOff, free && !p.busy)
	if paused {
		p.pause.SetText(lang.L("End the pause (F10)"))
		p.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		p.pause.SetText(lang.L("Pause (F10)"))
		p.pause.SetIcon(theme.MediaPauseIcon())
	}
	if held {
		h, _ := p.heldTicket()
		p.resume.SetText(lang.L("Resume {{.Label}}", map[string]any{"Label": h.Label}))
	} else {
		p.resume.SetText(lang.L("Resume"))
	}
}

func (p *counterPanel) heldTicket() (queue.Ticket, bool) {
	h := p.status.Held[p.counterCode()]
	if len(h) == 0 {
		return queue.Ticket{}, false
	}
	return h[0], true
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// onKey handles the panel's function keys; it reports whether it used ev.
func (p *counterPanel) onKey(ev *fyne.KeyEvent) bool {
	buttons := map[fyne.KeyName]*widget.Button{
		fyne.KeyF2: p.callNext, fyne.KeyF3: p.recall, fyne.KeyF4: p.start, fyne.KeyF5: p.finish, fyne.KeyF6: p.noShow,
		fyne.KeyF7: p.pick, fyne.KeyF8: p.cancel, fyne.KeyF12: p.present,
	}
	if p.pickerNow() != nil {
		buttons[fyne.KeyF9] = p.revive
	}
	if p.pauserNow() != nil {
		buttons[fyne.KeyF10], buttons[fyne.KeyF11] = p.pause, p.backOff
	}
	b, ok := buttons[ev.Name]
	if !ok {
		return false
	}
	if !b.Disabled() {
		b.OnTapped()
	}
	return true
}

// act runs an engine call off the UI goroutine and shows the queue after it.
func (p *counterPanel) act(f func(ctx context.Context) (queue.Ticket, error), done func(queue.Ticket)) {
	if p.busy {
		return
	}
	p.busy = true
	p.updateButtons()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		t, err := f(ctx)
		cancel()
		p.do(func() {
			p.busy = false
			if err != nil {
				p.showProblem(err)
			} else {
				p.problem.Hide()
				if done != nil {
					done(t)
				}
			}
			p.updateButtons()
		})
		p.refresh(true)
	}()
}

func (p *counterPanel) showProblem(err error) {
	if fault.Code(err) == fault.Internal {
		fyne.LogError("queue", err)
	}
	p.problem.SetText(userMessage(err))
	p.problem.Show()
	if errors.Is(err, queue.ErrUnreachable) && p.own != nil && p.eng() != p.own {
		p.toOwn.Show()
	}
}

// switchQueue moves the panel to the desk's own queue (the office's does
// not answer: the counter keeps serving, with the desk's kiosk) or back to
// the office's. It goes back only with no ticket on hand here, so no
// ticket is left half-served in the queue the panel leaves.
func (p *counterPanel) switchQueue(own bool) {
	if _, busy := p.current(); busy || p.busy {
		p.showProblem(fault.New(fault.Conflict, "Finish the ticket on hand before changing queue", nil))
		return
	}
	to := p.shared
	if own {
		to = p.own
	}
	p.emu.Lock()
	p.engine = to
	p.emu.Unlock()
	p.toOwn.Hide()
	p.problem.Hide()
	p.callID = ""
	if own {
		p.where.Show()
		p.toOffice.Show()
	} else {
		p.where.Hide()
		p.toOffice.Hide()
	}
	p.status, p.pauses, p.seq = queue.Status{}, nil, 0
	p.polled.Store(-1)
	p.pmu.Lock()
	p.pseen = ""
	p.pmu.Unlock()
	p.updateButtons()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		office, err := to.QueueOffice(ctx)
		mine := p.clerkServices(ctx, office, err)
		cancel()
		p.do(func() { p.showOffice(office, mine, err) })
		p.refresh(true)
	}()
}

// onCallNext calls the next ticket. A call that failed for a reason other
// than an empty line keeps its id, so trying again cannot call two tickets.
// The ticket on hand, called or being served, ends first (F2 is the one key
// a clerk needs for each person).
func (p *counterPanel) onCallNext() {
	counter := p.counterCode()
	if counter == "" {
		return
	}
	if p.callID == "" {
		p.callID = newCallID()
	}
	id := p.callID
	call := func(ctx context.Context) (queue.Ticket, error) {
		t, err := p.eng().CallNext(ctx, p.clerk, counter, id)
		if err == nil || fault.Code(err) != fault.Internal {
			p.do(func() {
				if p.callID == id {
					p.callID = ""
				}
			})
		}
		return t, err
	}
	if cur, ok := p.current(); ok && (cur.State == queue.Called || cur.State == queue.Serving) {
		p.endTicket(cur, call)
		return
	}
	p.act(call, nil)
}

func (p *counterPanel) onTicket(f func(ctx context.Context, id int64) (queue.Ticket, error)) {
	t, ok := p.current()
	if !ok {
		return
	}
	p.act(func(ctx context.Context) (queue.Ticket, error) { return f(ctx, t.ID) }, nil)
}

func (p *counterPanel) onRecall() {
	p.onTicket(func(ctx context.Context, id int64) (queue.Ticket, error) {
		return p.eng().RecallTicket(ctx, p.clerk, id)
	})
}

func (p *counterPanel) onStart() {
	p.onTicket(func(ctx context.Context, id int64) (queue.Ticket, error) {
		return p.eng().StartTicket(ctx, p.clerk, id)
	})
}

// onFinish ends the ticket on hand; a called one is started and ended at
// once (the person was served without the start key).
func (p *counterPanel) onFinish() {
	if t, ok := p.current(); ok {
		p.endTicket(t, nil)
	}
}

func (p *counterPanel) onNoShow() {
	p.onTicket(func(ctx context.Context, id int64) (queue.Ticket, error) {
		return p.eng().NoShowTicket(ctx, p.clerk, id)
	})
}

func (p *counterPanel) onHold() {
	p.onTicket(func(ctx context.Context, id int64) (queue.Ticket, error) {
		return p.eng().HoldTicket(ctx, p.clerk, id)
	})
}

func (p *counterPanel) onResume() {
	h, ok := p.heldTicket()
	counter := p.counterCode()
	if !ok || counter == "" {
		return
	}
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		return p.eng().ResumeTicket(ctx, p.clerk, h.ID, counter)
	}, nil)
}

// onTransfer asks which service the ticket on hand moves to.
func (p *counterPanel) onTransfer() {
	t, ok := p.current()
	if !ok {
		return
	}
	var names []string
	for _, s := range p.office.Services {
		if s.Code != t.Service {
			names = append(names, s.Code+" "+s.Name)
		}
	}
	choice := newFieldSelect(names, nil)
	d := dialog.NewForm(lang.L("Transfer ticket {{.Label}}", map[string]any{"Label": t.Label}), lang.L("Transfer"), lang.L("Cancel"),
		[]*widget.FormItem{{Text: lang.L("To the service"), Widget: choice}},
		func(ok bool) {
			if ok && choice.Selected != "" {
				code, _, _ := strings.Cut(choice.Selected, " ")
				p.transferTo(code)
			}
		}, p.win)
	showDialog(p.win, d, choice, choice, d.Submit, d.Hide)
}

func (p *counterPanel) transferTo(service string) {
	p.onTicket(func(ctx context.Context, id int64) (queue.Ticket, error) {
		return p.eng().TransferTicket(ctx, p.clerk, id, service)
	})
}

// newCallID makes a call id unique to this desk and moment.
func newCallID() string { return ulid.Make().String() }

// waitingHere is the waiting tickets shown for this counter's services, in
// the order of their lines.
func (p *counterPanel) waitingHere() []queue.Ticket {
	mine := p.myServices()
	var ts []queue.Ticket
	for _, l := range p.status.Lines {
		if mine[l.Service.Code] {
			ts = append(ts, l.Next...)
		}
	}
	return ts
}

// myServices is the set of the services this counter calls.
func (p *counterPanel) myServices() map[string]bool {
	mine := map[string]bool{}
	for _, c := range p.office.Counters {
		if c.Code == p.counterCode() {
			for _, sv := range c.Services {
				mine[sv] = true
			}
		}
	}
	return mine
}

// remoteHere is today's tickets taken from home for this counter's
// services whose holders have not checked in yet.
func (p *counterPanel) remoteHere() []queue.Ticket {
	mine := p.myServices()
	var ts []queue.Ticket
	for _, t := range p.status.Remote {
		if mine[t.Service] {
			ts = append(ts, t)
		}
	}
	return ts
}

// onPresent checks in a ticket taken from home whose holder is at the
// counter: from then on it waits in its line.
func (p *counterPanel) onPresent() {
	p.chooseTicket(lang.L("Mark a ticket from home present"), lang.L("Present"), p.remoteHere(), p.markPresent)
}

func (p *counterPanel) markPresent(t queue.Ticket) {
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		return p.eng().MarkPresent(ctx, p.clerk, t.ID)
	}, nil)
}

// chooseTicket asks which of ts the clerk means and hands it to then.
func (p *counterPanel) chooseTicket(title, confirm string, ts []queue.Ticket, then func(queue.Ticket)) {
	byText := map[string]queue.Ticket{}
	var options []string
	for _, t := range ts {
		text := ticketMark(t) + " · " + p.serviceName(t.Service)
		byText[text] = t
		options = append(options, text)
	}
	choice := newFieldSelect(options, nil)
	if len(options) > 0 {
		choice.SetSelected(options[0])
	}
	d := dialog.NewForm(title, confirm, lang.L("Close"),
		[]*widget.FormItem{{Text: lang.L("Ticket"), Widget: choice}},
		func(ok bool) {
			if t, found := byText[choice.Selected]; ok && found {
				then(t)
			}
		}, p.win)
	showDialog(p.win, d, choice, choice, d.Submit, d.Hide)
}

// onPick calls a waiting ticket the clerk chooses, out of the policy's order.
func (p *counterPanel) onPick() {
	p.chooseTicket(lang.L("Call a ticket"), lang.L("Call"), p.waitingHere(), p.callTicket)
}

func (p *counterPanel) callTicket(t queue.Ticket) {
	counter := p.counterCode()
	if counter == "" || p.pickerNow() == nil {
		return
	}
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		return p.pickerNow().CallTicket(ctx, p.clerk, counter, t.ID)
	}, nil)
}

// onCancelTicket withdraws a waiting ticket (the person left).
func (p *counterPanel) onCancelTicket() {
	p.chooseTicket(lang.L("Cancel a ticket"), lang.L("Cancel the ticket"), p.waitingHere(), p.cancelTicket)
}

func (p *counterPanel) cancelTicket(t queue.Ticket) {
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		return p.eng().CancelTicket(ctx, p.clerk, t.ID)
	}, nil)
}

// onReactivate reads today's no-shows off the UI goroutine and asks which
// one goes back in its line.
func (p *counterPanel) onReactivate() {
	if p.pickerNow() == nil || p.busy {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		ts, err := p.pickerNow().QueueNoShows(ctx)
		cancel()
		p.do(func() {
			switch {
			case err != nil:
				p.showProblem(err)
			case len(ts) == 0:
				p.problem.SetText(lang.L("Nobody was marked as not shown today"))
				p.problem.Show()
			default:
				p.chooseTicket(lang.L("Reactivate a no-show"), lang.L("Back in line"), ts, p.reactivate)
			}
		})
	}()
}

func (p *counterPanel) reactivate(t queue.Ticket) {
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		return p.eng().ReactivateTicket(ctx, p.clerk, t.ID)
	}, nil)
}

// paused is this counter's running pause, if any.
func (p *counterPanel) paused() (queue.Pause, bool) {
	pz, ok := p.pauses[p.counterCode()]
	return pz, ok
}

// pauseText says what kind of pause runs and since when.
func pauseText(pz queue.Pause) string {
	since := pz.Start.In(registry.Rome).Format("15:04")
	if pz.Kind == queue.BackOffice {
		return lang.L("Back office since {{.Time}}", map[string]any{"Time": since})
	}
	return lang.L("Paused since {{.Time}}", map[string]any{"Time": since})
}

// onPause starts a pause, or ends the one running.
func (p *counterPanel) onPause() {
	if _, paused := p.paused(); paused {
		p.endPause()
		return
	}
	p.startPause(queue.Break)
}

func (p *counterPanel) onBackOffice() { p.startPause(queue.BackOffice) }

func (p *counterPanel) startPause(kind queue.PauseKind) {
	counter := p.counterCode()
	if counter == "" || p.pauserNow() == nil {
		return
	}
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		_, err := p.pauserNow().PauseCounter(ctx, p.clerk, counter, kind)
		return queue.Ticket{}, err
	}, nil)
}

func (p *counterPanel) endPause() {
	counter := p.counterCode()
	if counter == "" || p.pauserNow() == nil {
		return
	}
	p.act(func(ctx context.Context) (queue.Ticket, error) {
		_, err := p.pauserNow().EndPause(ctx, p.clerk, counter)
		return queue.Ticket{}, err
	}, nil)
}
