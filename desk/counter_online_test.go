package desk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// onlineQueue is a queue store whose service A is open all day in 5-minute
// slots and gives tickets from home.
func onlineQueue(t *testing.T) *store.Store {
	t.Helper()
	if now := time.Now().In(registry.Rome); now.Hour() == 23 && now.Minute() >= 45 {
		t.Skip("the queue's day would turn while the test runs")
	}
	st := queueStore(t)
	ctx := context.Background()
	var all []queue.Hours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		all = append(all, queue.Hours{Weekday: wd, Opens: 0, Closes: 23*60 + 55})
	}
	if err := st.SetServiceHours(ctx, "admin", "A", all, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveOnlineService(ctx, "admin", queue.OnlineService{Service: "A", Bookable: true, BookingLimit: 1,
		Remote: true, RemoteMaxWait: time.Hour, RemoteMaxWaiting: 5}); err != nil {
		t.Fatal(err)
	}
	return st
}

// checkedInAppointment books the next free slot of A today and checks it in.
func checkedInAppointment(t *testing.T, st *store.Store) queue.Ticket {
	t.Helper()
	ctx := context.Background()
	free, err := st.FreeSlots(ctx, "A", queue.DayOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(free) == 0 {
		t.Skip("too close to midnight for a slot today")
	}
	a, err := st.BookAppointment(ctx, "lneri", queue.Appointment{Service: "A", Day: queue.DayOf(time.Now()), Slot: free[0], Person: "Mario Rossi"})
	if err != nil {
		t.Fatal(err)
	}
	is, err := st.CheckInAppointment(ctx, a.Code)
	if err != nil {
		t.Fatal(err)
	}
	return is.Ticket
}

// TestCounterPanelMarksChannelsAndChecksInRemote: the next tickets carry a
// mark for those taken from home and those of appointments, the tickets
// from home not yet here are listed, and "Presente" (F12) checks one in.
func TestCounterPanelMarksChannelsAndChecksInRemote(t *testing.T) {
	st := onlineQueue(t)
	ctx := context.Background()
	issueTicket(t, st, "A", false) // A001 at the kiosk
	far, err := st.TakeRemote(ctx, store.Citizen{CF: "RSSMRA80A01H501U"}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	appt := checkedInAppointment(t, st)
	here, err := st.TakeRemote(ctx, store.Citizen{CF: "BNCNNA85M41F205X"}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	p, q, w := newTestPanel(t, st)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }

	waitUI(t, q, "the remote tickets", func() bool { return len(p.remoteHere()) == 2 })
	for _, want := range []string{far.Ticket.Label + "(R)", here.Ticket.Label + "(R)"} {
		if !strings.Contains(p.remote.Text, want) || strings.Contains(p.next.Text, want) {
			t.Errorf("remote %q, next %q: %s is from home and not here yet", p.remote.Text, p.next.Text, want)
		}
	}
	if !strings.Contains(p.next.Text, appt.Label+"(A)") || !strings.Contains(p.next.Text, "A001 ") && !strings.HasSuffix(p.next.Text, "A001") {
		t.Errorf("next %q: want %s marked as an appointment and A001 unmarked", p.next.Text, appt.Label)
	}
	if !strings.Contains(rendered(w.Content()), "(R) da remoto") {
		t.Error("the panel does not say what the marks mean")
	}
	if p.present.Disabled() {
		t.Fatal("Presente is disabled with tickets from home to check in")
	}

	key(fyne.KeyF12)
	top := w.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(rendered(top), far.Ticket.Label+"(R)") {
		t.Fatal("F12 does not offer the first ticket from home")
	}
	w.Canvas().Overlays().Remove(top)
	p.markPresent(p.remoteHere()[1])
	waitUI(t, q, "the ticket checked in", func() bool { return len(p.remoteHere()) == 1 && !p.busy })
	if p.problem.Visible() {
		t.Fatalf("present: %s", p.problem.Text)
	}
	if !strings.Contains(p.next.Text, here.Ticket.Label+"(R)") || strings.Contains(p.remote.Text, here.Ticket.Label) {
		t.Errorf("next %q, remote %q: %s is here and waits marked as from home", p.next.Text, p.remote.Text, here.Ticket.Label)
	}

	// Called, the ticket on hand says how it came.
	for range 3 {
		key(fyne.KeyF2)
		waitUI(t, q, "a call", func() bool { _, ok := p.current(); return ok && !p.busy })
		if cur, _ := p.current(); cur.ID == appt.ID && !strings.Contains(p.state.Text, "appuntamento") {
			t.Errorf("state %q of an appointment's ticket", p.state.Text)
		} else if cur.ID == here.Ticket.ID && !strings.Contains(p.state.Text, "da remoto") {
			t.Errorf("state %q of a ticket from home", p.state.Text)
		}
	}
}

// TestQueueStatsChannels: the statistics show the tickets, bookings and
// no-shows of each channel and the estimate's error.
func TestQueueStatsChannels(t *testing.T) {
	st := onlineQueue(t)
	ctx := context.Background()
	issueTicket(t, st, "A", false)
	if _, err := st.TakeRemote(ctx, store.Citizen{CF: "RSSMRA80A01H501U"}, "A", false); err != nil {
		t.Fatal(err)
	}
	checkedInAppointment(t, st)
	free, err := st.FreeSlots(ctx, "A", queue.DayOf(time.Now()))
	if err != nil || len(free) == 0 {
		t.Skip("too close to midnight for a second slot")
	}
	if _, err := st.BookAppointment(ctx, "lneri", queue.Appointment{Service: "A", Day: queue.DayOf(time.Now()), Slot: free[len(free)-1], Person: "Anna Bianchi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CallNext(ctx, "lneri", "1", "stats-channels"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	q := &uiQueue{}
	s := newQueueStatsScreen(st, q.do, time.Now)
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1200, 600))
	s.onRefresh()
	waitUI(t, q, "the channels", func() bool { return len(s.channels.rep.Channels) == 3 })
	var rows []string
	for r := range s.channels.rep.Channels {
		var cells []string
		for c := range s.channels.headers() {
			cells = append(cells, s.channels.cell(r, c))
		}
		rows = append(rows, strings.Join(cells, " "))
	}
	if got, want := strings.Join(rows, " | "), "Chiosco 1 0 — — | Da remoto 1 0 — — | Appuntamento 1 0 2 0"; got != want {
		t.Errorf("channels %q, want %q", got, want)
	}
	if !strings.Contains(s.channels.estimate.Text, "Errore dell'attesa stimata") || !strings.Contains(s.channels.estimate.Text, "su 1 biglietti") {
		t.Errorf("estimate %q", s.channels.estimate.Text)
	}
}

// TestAppointmentLinkedToThePersonWithASlip: a codice fiscale typed in the
// booking form is looked up in the register; the booking names the person
// by it, and the slip (service, day and time, code, what to bring) prints
// the person's name.
func TestAppointmentLinkedToThePersonWithASlip(t *testing.T) {
	f, err := newFixture(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	st := f.store
	if _, err := st.SaveOnlineService(context.Background(), "admin", queue.OnlineService{Service: "B", BookingLimit: 1,
		RemoteMaxWait: time.Hour, RemoteMaxWaiting: 5, Bring: "La carta d'identità scaduta e una fototessera"}); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	q := &uiQueue{}
	monday := registry.NewDate(2030, 1, 7)
	s := newAppointmentsScreen(st, "lneri", q.do, func() registry.Date { return monday })
	w := test.NewTempWindow(t, s.buildUI())
	s.win, s.office = w, Office{Municipality: "Comune di Anagni", Office: "Sportello unico"}
	w.Resize(fyne.NewSize(1200, 700))
	s.onShow()
	waitUI(t, q, "the services", func() bool { return len(s.service.Options) == 3 })
	s.service.SetSelectedIndex(1) // B
	waitUI(t, q, "the free times", func() bool { return len(s.slot.Options) == 16 })

	test.Type(s.person, "RSSMRA80A01H501U")
	waitUI(t, q, "the unknown codice fiscale", func() bool { return strings.Contains(s.found.Text, "Nessuna persona") })
	s.person.SetText("")
	test.Type(s.person, strings.ToLower(f.cf["Mario"]))
	waitUI(t, q, "the person found", func() bool { return strings.Contains(s.found.Text, "Mario Rossi") })
	if !strings.Contains(s.found.Text, "15/03/1970") {
		t.Errorf("found %q", s.found.Text)
	}
	if !s.slip.Disabled() {
		t.Error("a slip before any booking")
	}
	s.slot.SetSelectedIndex(2)
	test.Tap(s.book)
	waitUI(t, q, "the booking", func() bool { return s.code.Text != "" && len(s.rows) == 1 })
	if s.rows[0].Person != f.cf["Mario"] {
		t.Errorf("the booking names %q, not the person's codice fiscale", s.rows[0].Person)
	}
	if s.slip.Disabled() {
		t.Fatal("no slip for the booking just made")
	}
	pdf, err := s.slipPDF(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("no pdftotext to read the slip")
	}
	file := filepath.Join(t.TempDir(), "slip.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Comune di Anagni", s.services[1].Name, "Mario Rossi", "07/01/2030 alle 09:00", s.code.Text, "Cosa portare", "fototessera", "totem"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the slip does not say %q:\n%s", want, out)
		}
	}
}
