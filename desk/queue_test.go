package desk

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/fault"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// queueStore is a store of its own for a queue test, with the default office.
func queueStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "queue.db"), store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func issueTicket(t *testing.T, st *store.Store, service string, priority bool) queue.Ticket {
	t.Helper()
	is, err := st.IssueTicket(context.Background(), "kiosk", service, priority)
	if err != nil {
		t.Fatal(err)
	}
	return is.Ticket
}

// waitUI drains q until cond holds, failing after a few seconds.
func waitUI(t *testing.T, q *uiQueue, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newTestPanel(t *testing.T, st *store.Store) (*counterPanel, *uiQueue, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	q := &uiQueue{}
	p := newCounterPanel(st, w, q.do, a.Preferences(), "lneri")
	p.poll = 10 * time.Millisecond
	w.SetContent(p.buildUI())
	p.begin()
	t.Cleanup(p.end)
	waitUI(t, q, "the counters", func() bool { return p.counter.Selected == "Sportello 1" })
	return p, q, w
}

func TestCounterPanel(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "A", true)
	issueTicket(t, st, "C", false)
	p, q, w := newTestPanel(t, st)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	shows := func(label string, state queue.State) func() bool {
		return func() bool {
			cur, ok := p.current()
			if label == "" {
				return !ok && p.ticket.Text == "—" && !p.busy
			}
			return ok && cur.Label == label && cur.State == state && p.ticket.Text == label && !p.busy
		}
	}

	waitUI(t, q, "the lines", func() bool { return strings.Contains(p.lines.Text, "A Anagrafe e certificati: 2") })
	if !strings.Contains(p.next.Text, "A002(P)") || strings.Contains(p.next.Text, "C001") {
		t.Errorf("next tickets %q: counter 1 serves A and B, not C", p.next.Text)
	}
	if p.callNext.Disabled() || !p.recall.Disabled() || !p.finish.Disabled() {
		t.Error("a free counter may only call")
	}

	key(fyne.KeyF2)
	waitUI(t, q, "the priority ticket called", shows("A002", queue.Called))
	if p.callNext.Disabled() || p.recall.Disabled() || p.start.Disabled() || p.noShow.Disabled() || p.finish.Disabled() || !p.transfer.Disabled() {
		t.Error("a called ticket may be ended (by calling the next too), recalled, started or marked not shown")
	}
	key(fyne.KeyF3)
	waitUI(t, q, "the recall", func() bool { cur, _ := p.current(); return cur.Recalls == 1 && !p.busy })
	if !strings.Contains(p.state.Text, "1") {
		t.Errorf("state %q does not count the recall", p.state.Text)
	}
	key(fyne.KeyF4)
	waitUI(t, q, "the service", shows("A002", queue.Serving))
	key(fyne.KeyF5)
	waitUI(t, q, "a free counter", shows("", ""))

	key(fyne.KeyF2)
	waitUI(t, q, "the walk-in called", shows("A001", queue.Called))
	key(fyne.KeyF6)
	waitUI(t, q, "a free counter", shows("", ""))

	// The kiosk gives a ticket: the panel sees it within a poll.
	issueTicket(t, st, "B", false)
	waitUI(t, q, "the kiosk's ticket", func() bool { return strings.Contains(p.next.Text, "B001") })

	// Transfer keeps the number in the new line.
	key(fyne.KeyF2)
	waitUI(t, q, "B001 called", shows("B001", queue.Called))
	key(fyne.KeyF4)
	waitUI(t, q, "B001 served", shows("B001", queue.Serving))
	p.transferTo("C")
	waitUI(t, q, "a free counter", shows("", ""))
	stat, err := st.QueueStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l := stat.Lines[2]; l.Waiting != 2 || l.Next[1].Label != "B001" {
		t.Errorf("line C after the transfer: %+v", l)
	}

	// Nobody left for counter 1: a call says so.
	key(fyne.KeyF2)
	waitUI(t, q, "the refusal", func() bool { return p.problem.Visible() && !p.busy })
	if p.problem.Text == "" || strings.Contains(p.problem.Text, "not_found") {
		t.Errorf("problem %q", p.problem.Text)
	}

	wide := p.open.MinSize().Width
	p.onCollapse()
	if p.body.Visible() {
		t.Error("the collapsed panel still shows its body")
	}
	if ui := p.open.Visible(); ui || !p.strip.Visible() || p.strip.MinSize().Width >= wide/2 {
		t.Errorf("the collapsed panel should be a narrow strip, not %v wide", p.strip.MinSize().Width)
	}
	p.onCollapse()
	if !p.body.Visible() {
		t.Error("the panel does not open again")
	}
}

func TestCounterPanelHoldAndResume(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "B", false)
	issueTicket(t, st, "B", false)
	p, q, _ := newTestPanel(t, st)
	shows := func(label string, state queue.State) func() bool {
		return func() bool {
			cur, ok := p.current()
			return ok && cur.Label == label && cur.State == state && !p.busy
		}
	}
	p.onCallNext()
	waitUI(t, q, "B001 called", shows("B001", queue.Called))
	p.onStart()
	waitUI(t, q, "B001 served", shows("B001", queue.Serving))
	p.onHold()
	waitUI(t, q, "B001 on hold", func() bool { _, ok := p.heldTicket(); return ok && !p.busy })
	if p.resume.Disabled() || p.callNext.Disabled() {
		t.Fatal("with a ticket on hold the counter may call another or resume")
	}
	p.onCallNext()
	waitUI(t, q, "B002 called", shows("B002", queue.Called))
	if !p.resume.Disabled() {
		t.Error("resume while another ticket is called")
	}
	p.onNoShow()
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && !p.busy })
	p.onResume()
	waitUI(t, q, "B001 called again", shows("B001", queue.Called))
}

func TestShellHasCounterPanel(t *testing.T) {
	tests := []struct {
		name  string
		queue bool
		user  string
		want  bool
	}{
		{"clerk with a queue", true, clerkUser, true},
		{"social worker with a queue", true, socialUser, true},
		{"no queue on this desk", false, clerkUser, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var deps Deps
			if tc.queue {
				deps.Queue = queueStore(t)
			}
			h := newHarness(t, deps)
			s := h.enterAs(tc.user)
			if got := s.counter != nil; got != tc.want {
				t.Fatalf("panel %v, want %v", got, tc.want)
			}
			if tc.want && !strings.Contains(rendered(h.win.Content()), "Chiama il prossimo (F2)") {
				t.Error("the window does not show the panel's buttons")
			}
		})
	}
}

func TestKiosk(t *testing.T) {
	st := queueStore(t)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1080, 1920))
	q := &uiQueue{}
	dir := t.TempDir()
	k := newKiosk(w, KioskDeps{Queue: st, Office: Office{Municipality: "Comune di Anagni", Office: "Sportello unico"}, Printer: printing.Folder{Dir: dir}}, q.do)
	k.hold = 50 * time.Millisecond
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) == 3 })
	if !strings.Contains(rendered(w.Content()), "Carta d&#39;identità") && !strings.Contains(rendered(w.Content()), "Carta d'identità") {
		t.Error("the kiosk does not offer the identity card service")
	}

	issueTicket(t, st, "B", false)
	test.TapAt(k.priority, fyne.NewPos(4, k.priority.Size().Height/2))
	test.Tap(k.buttons["B"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "B002" })
	if k.priority.Checked {
		t.Error("the priority option stays on for the next person")
	}
	if !strings.Contains(k.detail.Text, "1") {
		t.Errorf("detail %q does not say one person is ahead", k.detail.Text)
	}
	day := queue.DayOf(time.Now()).String()
	if _, err := os.Stat(filepath.Join(dir, "ticket-"+day+"-B002.pdf")); err != nil {
		t.Errorf("ticket not printed: %v", err)
	}
	stat, _ := st.QueueStatus(context.Background())
	if next := stat.Lines[1].Next; len(next) != 2 || !next[1].Priority {
		t.Errorf("line B: %+v", next)
	}
	waitUI(t, q, "the screen cleared", func() bool { return k.message.Text == "" })

	// A closed service is not offered.
	if _, err := st.SaveService(context.Background(), "admin", queue.Service{Code: "C", Name: "Sociale", DailyCap: 10, Open: false, Position: 3}); err != nil {
		t.Fatal(err)
	}
	k2 := newKiosk(w, KioskDeps{Queue: st}, q.do)
	w.SetContent(k2.buildUI())
	k2.load()
	waitUI(t, q, "the open services", func() bool { return len(k2.buttons) == 2 })
	if _, ok := k2.buttons["C"]; ok {
		t.Error("the closed service has a button")
	}
}

// flakyQueue fails its reads while down, like a lost connection.
type flakyQueue struct {
	queue.Engine
	down atomic.Bool
}

func (f *flakyQueue) QueueEvents(ctx context.Context, after int64, limit int) ([]queue.Event, error) {
	if f.down.Load() {
		return nil, errors.New("connection lost")
	}
	return f.Engine.QueueEvents(ctx, after, limit)
}

func (f *flakyQueue) QueueStatus(ctx context.Context) (queue.Status, error) {
	if f.down.Load() {
		return queue.Status{}, errors.New("connection lost")
	}
	return f.Engine.QueueStatus(ctx)
}

func TestBoard(t *testing.T) {
	st := queueStore(t)
	ctx := context.Background()
	for range 3 {
		issueTicket(t, st, "A", false)
	}
	issueTicket(t, st, "C", false)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1920, 1080))
	q := &uiQueue{}
	fq := &flakyQueue{Engine: st}
	b := newBoard(BoardDeps{Queue: fq, Office: Office{Municipality: "Comune di Anagni"}, Now: func() time.Time { return testNow }}, q.do)
	b.poll, b.blink = 5*time.Millisecond, time.Millisecond
	w.SetContent(b.buildUI())
	b.begin()
	t.Cleanup(b.end)
	waitUI(t, q, "the lines", func() bool { return strings.Contains(b.waiting.Text, "A Anagrafe e certificati: 3") })
	if b.clock.Text != "10:30" {
		t.Errorf("clock %q", b.clock.Text)
	}

	a1, err := st.CallNext(ctx, "lneri", "1", "c1")
	if err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the call", func() bool { return b.called.Text == a1.Label && b.counter.Text == "Sportello 1" && b.calls == 1 })
	waitUI(t, q, "the blinking", func() bool { return b.flashes == 0 && b.called.Color == paBlue })
	if _, err := st.RecallTicket(ctx, "lneri", a1.ID); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the recall", func() bool { return b.calls == 2 })

	// The board loses the queue, calls go on, and it catches up.
	fq.down.Store(true)
	waitUI(t, q, "the problem shown", func() bool { return b.problem.Visible() })
	a2, _ := st.CallNext(ctx, "lneri", "2", "c2")
	c1, _ := st.CallNext(ctx, "lneri", "3", "c3")
	fq.down.Store(false)
	waitUI(t, q, "the catch-up", func() bool { return b.calls == 4 && b.called.Text == c1.Label && !b.problem.Visible() })
	if b.counter.Text != "Sportello 3" {
		t.Errorf("counter %q", b.counter.Text)
	}
	if b.rows[0].Text != a2.Label+" · 2" || b.rows[1].Text != a1.Label+" · 1" {
		t.Errorf("last calls %q, %q", b.rows[0].Text, b.rows[1].Text)
	}
	// Counter 3 serves C and A, and took A003, which came before C001.
	if !strings.Contains(b.waiting.Text, "A Anagrafe e certificati: 0") || !strings.Contains(b.waiting.Text, "C Sportello sociale - PUA: 1") {
		t.Errorf("waiting %q", b.waiting.Text)
	}
}

// TestQueueScreenshots writes the README's pictures of the counter panel,
// the kiosk and the board when SPORTELLO_SCREENSHOTS names a folder.
func TestQueueScreenshots(t *testing.T) {
	dir := os.Getenv("SPORTELLO_SCREENSHOTS")
	if dir == "" {
		t.Skip("set SPORTELLO_SCREENSHOTS=docs to write the pictures")
	}
	st := queueStore(t)
	ctx := context.Background()
	for _, s := range []string{"A", "A", "B", "A", "C", "B", "A"} {
		issueTicket(t, st, s, s == "B")
	}
	office := Office{Municipality: "Comune di Anagni", Office: "Sportello unico - Piazza Cavour", DeskCode: "D01"}
	save := func(w fyne.Window, name string) {
		t.Helper()
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w.SetContent(w.Content()) // lay out what was added since
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}

	h := newHarness(t, Deps{Queue: st, Office: office})
	h.win.Resize(fyne.NewSize(1366, 768))
	s := h.enterAs(clerkUser)
	h.waitFor("the counters", func() bool { return s.counter.counter.Selected != "" })
	s.counter.onCallNext()
	h.waitFor("a call", func() bool { _, ok := s.counter.current(); return ok && !s.counter.busy })
	h.typeSearch("rossi")
	save(h.win, "queue-counter.png")

	q := &uiQueue{}
	fyne.CurrentApp().Settings().SetTheme(newDeskTheme()) // as the kiosk and the board set it
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1366, 768))
	k := newKiosk(w, KioskDeps{Queue: st, Office: office, CheckIn: st}, q.do)
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) == 3 })
	save(w, "queue-kiosk.png")

	for _, c := range []string{"2", "3"} {
		if _, err := st.CallNext(ctx, "lneri", c, "shot"+c); err != nil {
			t.Fatal(err)
		}
	}
	b := newBoard(BoardDeps{Queue: st, Office: office, Now: func() time.Time { return testNow }}, q.do)
	w.SetPadded(false)
	w.SetContent(b.buildUI())
	b.begin()
	t.Cleanup(b.end)
	waitUI(t, q, "the board", func() bool { return b.called.Text != "—" && b.waiting.Text != "" })
	save(w, "queue-board.png")
}

func TestQueueStats(t *testing.T) {
	st := queueStore(t)
	ctx := context.Background()
	for _, s := range []string{"A", "A", "B"} {
		issueTicket(t, st, s, false)
	}
	for _, c := range []string{"1", "2"} {
		tk, err := st.CallNext(ctx, "lneri", c, "stats"+c)
		if err != nil {
			t.Fatal(err)
		}
		if c == "1" {
			st.StartTicket(ctx, "lneri", tk.ID)
			st.FinishTicket(ctx, "lneri", tk.ID, "")
		} else {
			st.NoShowTicket(ctx, "lneri", tk.ID)
		}
	}
	test.NewTempApp(t)
	q := &uiQueue{}
	d := &Desk{deps: Deps{Queue: st}, do: q.do, now: time.Now}
	for _, tc := range []struct {
		role access.Role
		want bool
	}{{access.Clerk, false}, {access.Supervisor, true}, {access.Admin, true}} {
		if _, ok := queueStatsArea(d, access.User{Role: tc.role}); ok != tc.want {
			t.Errorf("statistics for %s: %v", tc.role, ok)
		}
	}
	s := newQueueStatsScreen(st, q.do, time.Now)
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1200, 600))
	s.onRefresh()
	waitUI(t, q, "the figures", func() bool { return len(s.rows) == 3 })
	if got := []string{s.cell(0, 0), s.cell(0, 1), s.cell(0, 2), s.cell(0, 3), s.cell(1, 0), s.cell(1, 1), s.cell(2, 0)}; strings.Join(got, " ") != "Tutti 3 1 1 A 2 B" {
		t.Errorf("rows %v", got)
	}
	if !strings.Contains(s.summary.Text, "3 biglietti, 1 serviti") {
		t.Errorf("summary %q", s.summary.Text)
	}
	s.groupBy.SetSelected(s.groupings()[1])
	waitUI(t, q, "by counter", func() bool { return len(s.rows) == 4 && s.cell(3, 0) == "—" && s.cell(1, 0) == "1" })

	// A period of the clerk's choosing: bad dates are refused in Italian,
	// a period before today holds none of today's tickets.
	s.groupBy.SetSelected(s.groupings()[0])
	s.period.SetSelected(s.periods()[3])
	if !s.dates.Visible() {
		t.Fatal("no dates for the chosen period")
	}
	today := queue.DayOf(time.Now())
	s.fromDate.SetText("31/02/2026")
	s.toDate.SetText(today.Italian())
	s.onRefresh()
	waitUI(t, q, "the refusal", func() bool { return s.problem.Visible() && strings.Contains(s.problem.Text, "gg/mm/aaaa") })
	s.fromDate.SetText(registry.DateOf(today.Time().AddDate(0, 0, -10)).Italian())
	s.toDate.SetText(registry.DateOf(today.Time().AddDate(0, 0, -1)).Italian())
	s.onRefresh()
	waitUI(t, q, "an empty period", func() bool { return !s.problem.Visible() && len(s.rows) == 1 && s.cell(0, 1) == "0" })
	s.toDate.SetText(today.Italian())
	s.onRefresh()
	waitUI(t, q, "the period up to today", func() bool { return len(s.rows) == 3 && s.cell(0, 1) == "3" })
}

func TestCounterPanelEmptyQueue(t *testing.T) {
	st := queueStore(t)
	p, q, _ := newTestPanel(t, st)
	waitUI(t, q, "the lines of an office with no ticket yet", func() bool {
		return strings.Contains(p.lines.Text, "C Sportello sociale - PUA: 0")
	})
	if p.callNext.Disabled() {
		t.Error("a free counter cannot call")
	}
}

// TestFunctionKeysFromTheSearchBox: the clerk calls the next ticket with F2
// while the cursor is in the register's search box, where it spends the day.
func TestFunctionKeysFromTheSearchBox(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "A", false)
	h := newHarness(t, Deps{Queue: st})
	s := h.enterAs(clerkUser)
	if s.counter == nil || s.registry == nil {
		t.Fatal("a clerk should have both the register and the counter panel")
	}
	h.waitFor("the counters", func() bool { return s.counter.counter.Selected != "" })
	if h.win.Canvas().Focused() != s.registry.search {
		t.Fatal("the search box should have the focus after login")
	}
	test.Type(s.registry.search, "ros")
	s.registry.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.waitFor("A001 called", func() bool {
		cur, ok := s.counter.current()
		return ok && cur.Label == "A001" && !s.counter.busy
	})
	if s.registry.search.Text != "ros" {
		t.Errorf("F2 changed the search box: %q", s.registry.search.Text)
	}
}

// textPrinter is a thermal printer that records the tickets it printed as
// text, and fails if asked for a picture.
type textPrinter struct {
	mu      sync.Mutex
	tickets []string
	urls    []string
}

func (p *textPrinter) Print(context.Context, string, []byte) error {
	return errors.New("a thermal printer was sent a PDF")
}

func (p *textPrinter) PrintTicket(_ context.Context, info printing.TicketInfo, _ printing.Translate) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tickets = append(p.tickets, info.Issued.Ticket.Label)
	p.urls = append(p.urls, info.StatusURL)
	return nil
}

func TestKioskPrintsTextOnAThermalPrinter(t *testing.T) {
	st := queueStore(t)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	q := &uiQueue{}
	p := &textPrinter{}
	k := newKiosk(w, KioskDeps{Queue: st, Office: Office{Municipality: "Comune di Anagni"}, Printer: p,
		StatusURL: func(uid string) string { return "https://sportellod.example/ticket/" + uid }}, q.do)
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) > 0 })
	test.Tap(k.buttons["A"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "A001" })
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.tickets) != 1 || p.tickets[0] != "A001" {
		t.Fatalf("printed as text: %v; message %q", p.tickets, k.detail.Text)
	}
	if !strings.HasPrefix(p.urls[0], "https://sportellod.example/ticket/") || len(p.urls[0]) < len("https://sportellod.example/ticket/")+10 {
		t.Errorf("the ticket's status page: %q", p.urls[0])
	}
}

// unansweringOffice is an office queue at a server that stops answering.
type unansweringOffice struct {
	queue.Engine
	down atomic.Bool
}

func (u *unansweringOffice) CallNext(ctx context.Context, operator, counter, callID string) (queue.Ticket, error) {
	if u.down.Load() {
		return queue.Ticket{}, errors.Join(fault.New(fault.Internal, "The office queue server does not answer: check the network and try again", nil), queue.ErrUnreachable)
	}
	return u.Engine.CallNext(ctx, operator, counter, callID)
}

// TestCounterWorksItsOwnQueueWhenTheOfficeDoesNotAnswer: with the office's
// queue at a server that stops answering, the clerk moves to the desk's own
// queue, serves from it, and goes back once the ticket is done.
func TestCounterWorksItsOwnQueueWhenTheOfficeDoesNotAnswer(t *testing.T) {
	office, own := queueStore(t), queueStore(t)
	issueTicket(t, office, "A", false)
	issueTicket(t, own, "B", false) // issued by the desk's kiosk while the line was down
	remote := &unansweringOffice{Engine: office}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	q := &uiQueue{}
	p := newCounterPanel(remote, w, q.do, a.Preferences(), "lneri")
	p.own = own
	p.poll = 10 * time.Millisecond
	w.SetContent(p.buildUI())
	p.begin()
	t.Cleanup(p.end)
	waitUI(t, q, "the counters", func() bool { return p.counter.Selected == "Sportello 1" })

	remote.down.Store(true)
	test.Tap(p.callNext)
	waitUI(t, q, "the offer of the own queue", func() bool { return p.toOwn.Visible() })
	if !strings.Contains(p.problem.Text, "non risponde") {
		t.Errorf("problem %q", p.problem.Text)
	}
	test.Tap(p.toOwn)
	waitUI(t, q, "the own queue", func() bool { return p.where.Visible() && strings.Contains(p.lines.Text, "B") })
	test.Tap(p.callNext)
	waitUI(t, q, "B001 called", func() bool { c, ok := p.current(); return ok && c.Label == "B001" })
	test.Tap(p.toOffice)
	if !p.problem.Visible() || p.eng() != own {
		t.Fatal("the panel left the own queue with a ticket on hand")
	}
	test.Tap(p.noShow)
	waitUI(t, q, "the counter free", func() bool { _, ok := p.current(); return !ok && !p.busy })
	remote.down.Store(false)
	test.Tap(p.toOffice)
	waitUI(t, q, "back to the office queue", func() bool { return !p.where.Visible() && p.eng() == remote })
	test.Tap(p.callNext)
	waitUI(t, q, "A001 called at the office", func() bool { c, ok := p.current(); return ok && c.Label == "A001" })
}

func (u *unansweringOffice) IssueTicket(ctx context.Context, operator, service string, priority bool) (queue.Issued, error) {
	if u.down.Load() {
		return queue.Issued{}, errors.Join(fault.New(fault.Internal, "The office queue server does not answer: check the network and try again", nil), queue.ErrUnreachable)
	}
	return u.Engine.IssueTicket(ctx, operator, service, priority)
}

// TestKioskGivesOwnTicketsWhenTheOfficeDoesNotAnswer: the kiosk keeps
// giving tickets from the machine's own queue, without the server's QR.
func TestKioskGivesOwnTicketsWhenTheOfficeDoesNotAnswer(t *testing.T) {
	office, own := queueStore(t), queueStore(t)
	remote := &unansweringOffice{Engine: office}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	q := &uiQueue{}
	p := &textPrinter{}
	k := newKiosk(w, KioskDeps{Queue: remote, OwnQueue: own, Printer: p,
		StatusURL: func(uid string) string { return "https://sportellod.example/ticket/" + uid }}, q.do)
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) > 0 })
	remote.down.Store(true)
	test.Tap(k.buttons["A"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "A001" })
	st, err := own.QueueStatus(context.Background())
	if err != nil || st.Lines[0].Waiting != 1 {
		t.Fatalf("the own queue: %+v %v", st, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.urls) != 1 || p.urls[0] != "" {
		t.Errorf("a ticket of the own queue points at the server: %q", p.urls)
	}
}
