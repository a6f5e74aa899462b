package desk

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// visitFixture is a register of its own (the tests here write to it).
func visitFixture(t *testing.T) *fixture {
	t.Helper()
	fx, err := newFixture(filepath.Join(t.TempDir(), "visit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fx.store.Close() })
	return fx
}

// visitPanel is the counter panel of clerk (with role) over st, as the
// desk makes it: the store keeps the visits and tells the clerk's services.
func visitPanel(t *testing.T, st *store.Store, a fyne.App, clerk string, role access.Role) (*counterPanel, *uiQueue, fyne.Window) {
	t.Helper()
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	q := &uiQueue{}
	p := newCounterPanel(st, w, q.do, a.Preferences(), clerk)
	p.poll = 10 * time.Millisecond
	p.visits = st
	p.services = func(ctx context.Context, o queue.Office) []string { return clerkServices(ctx, st, role, o) }
	w.SetContent(p.buildUI())
	p.begin()
	t.Cleanup(p.end)
	waitUI(t, q, "the counters", func() bool { return p.counter.Selected != "" })
	return p, q, w
}

func personID(t *testing.T, st *store.Store, cf string) int64 {
	t.Helper()
	qy, err := registry.ParseQuery(cf)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.Search(context.Background(), qy, 5)
	if err != nil || len(ms) != 1 {
		t.Fatalf("search %s: %v %v", cf, ms, err)
	}
	return ms[0].ID
}

func ticketNamed(t *testing.T, st *store.Store, label, service string) queue.Ticket {
	t.Helper()
	day := queue.DayOf(time.Now())
	ts, err := st.QueueTickets(context.Background(), day, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ts {
		if tk.Label == label && tk.Service == service {
			return tk
		}
	}
	t.Fatalf("no ticket %s in %s", label, service)
	return queue.Ticket{}
}

// TestCounterShowsTheVisit: what the clerk does while a ticket is on hand
// shows on the counter panel and is the ticket's outcome, with no typing;
// the next key ends the ticket and calls the next one; the social worker
// who serves the transferred ticket reads what the first counter did.
func TestCounterShowsTheVisit(t *testing.T) {
	fx := visitFixture(t)
	st := fx.store
	ctx := context.Background()
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefCounter, "1")
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "A", false)
	p, q, w := visitPanel(t, st, a, clerkUser, access.Clerk)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	onHand := func(label string, state queue.State) func() bool {
		return func() bool {
			cur, ok := p.current()
			return ok && cur.Label == label && cur.State == state && !p.busy
		}
	}
	mario := personID(t, st, fx.cf["Mario"])

	key(fyne.KeyF2)
	waitUI(t, q, "A001 called", onHand("A001", queue.Called))
	if p.callNext.Disabled() {
		t.Fatal("the call key is off while a ticket is on hand: one key a person")
	}
	// The record screen logs its view; the edit form writes a document.
	if err := st.LogAccess(ctx, clerkUser, mario, access.PurposeCertificate); err != nil {
		t.Fatal(err)
	}
	rec, err := st.FullRecord(ctx, mario)
	if err != nil {
		t.Fatal(err)
	}
	doc := registry.Document{Kind: registry.DocPassport, Number: "YA7654321", Expires: registry.NewDate(2031, 1, 1), IssuedBy: "Questura di Frosinone"}
	if err := st.AddDocument(ctx, access.User{Username: clerkUser, Role: access.Clerk}, registry.DocumentEdit{PersonID: mario, BaseVersion: rec.Person.Version, Document: doc}); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the visit on the panel", func() bool {
		return p.visit.Visible() && strings.Contains(p.visit.Text, "Rossi Mario") && strings.Contains(p.visit.Text, "documento")
	})

	key(fyne.KeyF2) // ends A001 and calls A002
	waitUI(t, q, "A002 called", onHand("A002", queue.Called))
	done := ticketNamed(t, st, "A001", "A")
	if done.State != queue.Done || done.StartedAt.IsZero() {
		t.Errorf("A001 after the next call: %s, started %v", done.State, done.StartedAt)
	}
	if !strings.Contains(done.Outcome, ": 1") || strings.Contains(done.Outcome, "Rossi") {
		t.Errorf("outcome %q: the counts of what the visit did, and no names", done.Outcome)
	}

	key(fyne.KeyF4)
	waitUI(t, q, "A002 served", onHand("A002", queue.Serving))
	if err := st.LogAccess(ctx, clerkUser, mario, access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the second visit", func() bool { return strings.Contains(p.visit.Text, "Rossi Mario") })
	p.transferTo("C")
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && !p.busy })

	// The social worker's panel goes to the counter that serves the social
	// desk, though this desk last used counter 1.
	sp, sq, sw := visitPanel(t, st, a, socialUser, access.SocialWorker)
	if sp.counter.Selected != "Sportello 3" || len(sp.counter.Options) != 1 {
		t.Fatalf("the social worker's counter: %q of %v, want Sportello 3 only", sp.counter.Selected, sp.counter.Options)
	}
	sw.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF2})
	waitUI(t, sq, "the transferred ticket's story", func() bool {
		cur, ok := sp.current()
		return ok && cur.Label == "A002" && strings.Contains(sp.visit.Text, "Anagrafe e certificati, "+clerkName) &&
			strings.Contains(sp.visit.Text, "Rossi Mario")
	})
}

// TestCounterOneKey: F5 on a called ticket starts and ends it; a priority
// ticket is marked; with the setting on, ending a ticket asks for a note.
func TestCounterOneKey(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "A", true)
	issueTicket(t, st, "A", false)
	a := test.NewTempApp(t)
	p, q, w := visitPanel(t, st, a, clerkUser, access.Clerk)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }

	key(fyne.KeyF2)
	waitUI(t, q, "A001 called", func() bool { cur, ok := p.current(); return ok && cur.Label == "A001" && !p.busy })
	if !p.priority.Visible() {
		t.Error("the priority ticket is not marked at the counter")
	}
	key(fyne.KeyF5)
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && !p.busy })
	if tk := ticketNamed(t, st, "A001", "A"); tk.State != queue.Done || tk.StartedAt.IsZero() {
		t.Errorf("F5 on a called ticket: %s, started %v", tk.State, tk.StartedAt)
	}
	if p.priority.Visible() {
		t.Error("the priority mark stays with no ticket")
	}

	test.Tap(p.askNote)
	key(fyne.KeyF2)
	waitUI(t, q, "A002 called", func() bool { cur, ok := p.current(); return ok && cur.Label == "A002" && !p.busy })
	if p.priority.Visible() {
		t.Error("a walk-in ticket is marked as priority")
	}
	key(fyne.KeyF5)
	note, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok {
		t.Fatal("ending a ticket with the setting on does not ask for a note")
	}
	test.Type(note, "chiesto orario")
	note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && !p.busy })
	if tk := ticketNamed(t, st, "A002", "A"); tk.State != queue.Done || tk.Outcome != "chiesto orario" {
		t.Errorf("A002: %s, outcome %q", tk.State, tk.Outcome)
	}
}

// TestQueueStatsShowWhatVisitsDid: the statistics tell, per service and
// per clerk, how many visits there were, what they did and which needed
// two services; the daily report carries the same steps.
func TestQueueStatsShowWhatVisitsDid(t *testing.T) {
	fx := visitFixture(t)
	st := fx.store
	ctx := context.Background()
	mario := personID(t, st, fx.cf["Mario"])
	issueTicket(t, st, "A", false)
	tk, err := st.CallNext(ctx, clerkUser, "1", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	if tk, err = st.StartTicket(ctx, clerkUser, tk.ID); err != nil {
		t.Fatal(err)
	}
	st.OpenVisit(clerkUser, tk.Visit())
	if err := st.LogAccess(ctx, clerkUser, mario, access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordVisitStep(ctx, clerkUser, queue.StepSelfDeclaration, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TransferTicket(ctx, clerkUser, tk.ID, "C"); err != nil {
		t.Fatal(err)
	}
	st.CloseVisit(clerkUser)
	social, err := st.CallNext(ctx, socialUser, "3", "call-2")
	if err != nil || social.Label != tk.Label {
		t.Fatalf("the social desk calls %s (%v), want %s", social.Label, err, tk.Label)
	}
	st.StartTicket(ctx, socialUser, social.ID)
	if _, err := st.FinishTicket(ctx, socialUser, social.ID, ""); err != nil {
		t.Fatal(err)
	}

	test.NewTempApp(t)
	q := &uiQueue{}
	s := newQueueStatsScreen(st, q.do, time.Now)
	s.steps = st
	s.win = test.NewTempWindow(t, s.buildUI())
	s.win.Resize(fyne.NewSize(1366, 768))
	s.onRefresh()
	waitUI(t, q, "the visit figures", func() bool { return len(s.visits.rows) == 2 })
	row := func(key string) []string {
		for i, r := range s.visits.rows {
			if r.Key == key {
				var cells []string
				for c := range s.visits.headers() {
					cells = append(cells, s.visits.cell(i, c))
				}
				return cells
			}
		}
		t.Fatalf("no row %s in %+v", key, s.visits.rows)
		return nil
	}
	// Line, visits, certificates, per visit, two services, then minutes by
	// kind: records, certificates, self-declarations, edits, social, nothing.
	if a := row("A"); a[1] != "1" || a[4] != "1" || a[5] == "—" || a[7] == "—" || a[6] != "—" || a[10] != "—" {
		t.Errorf("service A: %v", a)
	}
	if c := row("C"); c[1] != "1" || c[4] != "1" || c[10] == "—" {
		t.Errorf("service C: %v", c)
	}
	if h := s.visits.headers(); h[1] != "Visite" || h[4] != "Due servizi o più" {
		t.Errorf("headers %v", h)
	}
	var b bytes.Buffer
	if err := s.writeCSV(&b); err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(strings.TrimSpace(b.String()), "\n\n")
	if len(blocks) != 4 || !strings.HasPrefix(blocks[3], "Fila,Visite,Certificati,Certificati per visita,Due servizi o più,") || !strings.Contains(blocks[3], "\nA,1,0,0.00,1,") {
		t.Errorf("the export's visit block:\n%s", b.String())
	}
	s.groupBy.SetSelected(s.groupings()[2])
	waitUI(t, q, "the figures by clerk", func() bool { return len(s.visits.rows) == 2 && s.visits.rows[0].Key == clerkUser })
	if len(s.visitSteps) != 2 {
		t.Errorf("the report would get %d steps, want 2", len(s.visitSteps))
	}
}

// TestCounterVisitWithTheOfficeQueueElsewhere: when the office's queue is
// at the server, the visit's steps stay in the desk's own store and their
// counts travel to the server's queue as the outcome of the finish.
func TestCounterVisitWithTheOfficeQueueElsewhere(t *testing.T) {
	fx := visitFixture(t)   // the desk's store: register and visits
	office := queueStore(t) // the office's queue, as the server keeps it
	ctx := context.Background()
	issueTicket(t, office, "A", false)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	q := &uiQueue{}
	p := newCounterPanel(office, w, q.do, a.Preferences(), clerkUser)
	p.poll = 10 * time.Millisecond
	p.visits = fx.store
	w.SetContent(p.buildUI())
	p.begin()
	t.Cleanup(p.end)
	waitUI(t, q, "the counters", func() bool { return p.counter.Selected != "" })
	p.onCallNext()
	waitUI(t, q, "A001 called", func() bool { cur, ok := p.current(); return ok && cur.Label == "A001" && !p.busy })
	if err := fx.store.LogAccess(ctx, clerkUser, personID(t, fx.store, fx.cf["Anna"]), access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the step on the panel", func() bool { return strings.Contains(p.visit.Text, "Bianchi Anna") })
	p.onFinish()
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && !p.busy })
	if tk := ticketNamed(t, office, "A001", "A"); tk.Outcome != "Schede consultate: 1" {
		t.Errorf("the office's ticket ends with outcome %q", tk.Outcome)
	}
	p.end()
	if err := fx.store.LogAccess(ctx, clerkUser, personID(t, fx.store, fx.cf["Anna"]), access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	day := queue.DayOf(time.Now())
	if steps, err := fx.store.VisitStepsBetween(ctx, day, day); err != nil || len(steps) != 1 {
		t.Errorf("%d steps (%v): a view after the ticket ended joined its visit", len(steps), err)
	}
}

// TestVisitScreenshot writes the README's picture of a visit on the counter
// panel, at 1366x768, when SPORTELLO_SCREENSHOTS names a folder.
func TestVisitScreenshot(t *testing.T) {
	dir := os.Getenv("SPORTELLO_SCREENSHOTS")
	if dir == "" {
		t.Skip("set SPORTELLO_SCREENSHOTS=docs to write the picture")
	}
	fx := visitFixture(t)
	st := fx.store
	ctx := context.Background()
	issueTicket(t, st, "A", true)
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "B", false)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1366, 768))
	q := &uiQueue{}
	deps := Deps{Directory: st, Registry: st, Auth: st, Queue: st, Visits: st, Social: st,
		Office: Office{Municipality: "Comune di Anagni", Office: "Sportello unico - Piazza Cavour", DeskCode: "D01"},
		Now:    func() time.Time { return testNow }}
	d := newDesk(a, w, deps, q.do)
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == clerkUser {
			d.onLoggedIn(u)
		}
	}
	t.Cleanup(d.onLogout)
	p := d.shell.counter
	p.poll = 10 * time.Millisecond
	waitUI(t, q, "the counters", func() bool { return p.counter.Selected != "" })
	p.onCallNext()
	waitUI(t, q, "a call", func() bool { _, ok := p.current(); return ok && !p.busy })
	mario := personID(t, st, fx.cf["Mario"])
	if err := st.LogAccess(ctx, clerkUser, mario, access.PurposeCertificate); err != nil {
		t.Fatal(err)
	}
	rec, err := st.FullRecord(ctx, mario)
	if err != nil {
		t.Fatal(err)
	}
	doc := registry.Document{Kind: registry.DocPassport, Number: "YA7654321", Expires: registry.NewDate(2031, 1, 1), IssuedBy: "Questura di Frosinone"}
	if err := st.AddDocument(ctx, access.User{Username: clerkUser, Role: access.Clerk}, registry.DocumentEdit{PersonID: mario, BaseVersion: rec.Person.Version, Document: doc}); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the visit", func() bool { return strings.Contains(p.visit.Text, "documento") })
	f, err := os.Create(filepath.Join(dir, "queue-visit.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w.SetContent(w.Content())
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// TestCertificateScreenRecordsTheVisit: the certificate issued and the
// self-declaration printed from the certificate dialog are steps of the
// visit the clerk has open.
func TestCertificateScreenRecordsTheVisit(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	st := h.fx.store
	ctx := context.Background()
	issueTicket(t, st, "A", false)
	tk, err := st.CallNext(ctx, clerkUser, "1", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	st.OpenVisit(clerkUser, tk.Visit())
	d := &Desk{deps: Deps{Visits: st}}
	h.s.visit = d.visitRecorder(access.User{Username: clerkUser, Role: access.Clerk})
	h.chooseType(certificate.Residence)
	test.Tap(h.s.previewBtn)
	h.waitFor("the draft", func() bool { return h.s.issueBtn != nil })
	test.Tap(h.s.issueBtn)
	h.waitFor("the issued certificate", func() bool { return h.s.issued != nil })
	h.s.onSelfDeclaration()
	var steps []queue.VisitStep
	h.waitFor("the visit's steps", func() bool {
		steps, err = st.VisitSteps(ctx, tk.Day, tk.Label)
		return err == nil && len(steps) == 2
	})
	if steps[0].Kind != queue.StepCertificate || !strings.HasSuffix(steps[0].Detail, h.s.issued.Number) || steps[1].Kind != queue.StepSelfDeclaration {
		t.Errorf("steps %+v", steps)
	}
	if got := stepText(steps[0]); !strings.Contains(got, h.s.issued.Number) || !strings.Contains(got, certificate.Residence.Title()) {
		t.Errorf("the panel would say %q", got)
	}
}

func TestVisitLinesFoldRepeats(t *testing.T) {
	test.NewTempApp(t)
	rec := queue.VisitStep{VisitRef: queue.VisitRef{TicketUID: "t2"}, Kind: queue.StepRecord, Detail: string(access.PurposeCounter), PersonUID: "p1", Person: "Rossi Mario"}
	earlier := rec
	earlier.TicketUID, earlier.Service, earlier.ClerkName = "t1", "A", clerkName
	lines := visitLines([]queue.VisitStep{earlier, rec, rec, rec}, "t2", func(code string) string { return "Servizio " + code })
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "• Servizio A, "+clerkName+": Scheda di Rossi Mario") || !strings.HasSuffix(lines[1], "(×3)") {
		t.Errorf("lines %q", lines)
	}
	if got := outcomeOf([]queue.VisitStep{earlier, rec, rec}, "t2", " nota "); got != "Schede consultate: 1; nota" {
		t.Errorf("outcome %q", got)
	}
}
