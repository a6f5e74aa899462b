package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
)

func TestAppointmentsArea(t *testing.T) {
	st := queueStore(t)
	test.NewTempApp(t)
	q := &uiQueue{}
	for _, tc := range []struct {
		deps Deps
		role access.Role
		want bool
	}{
		{Deps{Appointments: st}, access.Clerk, true},
		{Deps{Appointments: st}, access.SocialWorker, true},
		{Deps{Appointments: st}, access.Supervisor, true},
		{Deps{Appointments: st}, access.Admin, false},
		{Deps{}, access.Clerk, false},
	} {
		d := &Desk{deps: tc.deps, do: q.do, now: time.Now}
		if _, ok := appointmentsArea(d, access.User{Username: "lneri", Role: tc.role}); ok != tc.want {
			t.Errorf("area for %s (appointments %v): %v", tc.role, tc.deps.Appointments != nil, ok)
		}
	}
}

func TestAppointmentsBookAndCancel(t *testing.T) {
	st := queueStore(t)
	test.NewTempApp(t)
	q := &uiQueue{}
	monday := registry.NewDate(2030, 1, 7)
	s := newAppointmentsScreen(st, "lneri", q.do, func() registry.Date { return monday })
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1200, 700))
	s.onShow()
	waitUI(t, q, "the services", func() bool { return len(s.service.Options) == 3 })

	// Booking with no service or time says what is missing.
	test.Tap(s.book)
	if !s.problem.Visible() || s.problem.Text == "" {
		t.Error("booking without a time shows no message")
	}

	s.service.SetSelectedIndex(1) // B
	waitUI(t, q, "the free times", func() bool { return len(s.slot.Options) == 16 })
	if s.slot.Options[2] != "09:00" {
		t.Fatalf("times %v", s.slot.Options)
	}
	s.slot.SetSelectedIndex(2)
	test.Type(s.person, "Mario Rossi")
	test.Tap(s.book)
	waitUI(t, q, "the booking code", func() bool { return s.code.Text != "" && len(s.rows) == 1 })
	if _, ok := queue.NormalizeCode(s.code.Text); !ok {
		t.Errorf("code %q", s.code.Text)
	}
	if !strings.Contains(s.booked.Text, "07/01/2030") || !strings.Contains(s.booked.Text, s.code.Text) {
		t.Errorf("booked %q", s.booked.Text)
	}
	if len(s.slot.Options) != 15 || s.person.Text != "" {
		t.Errorf("after booking: %d times, person %q", len(s.slot.Options), s.person.Text)
	}
	list, err := st.Appointments(context.Background(), monday)
	if err != nil || len(list) != 1 || list[0].Person != "Mario Rossi" || list[0].Slot.String() != "09:00" || list[0].Service != "B" {
		t.Fatalf("stored %+v, %v", list, err)
	}
	if !strings.Contains(s.rowText(0), "09:00  B  "+s.code.Text+"  Mario Rossi") {
		t.Errorf("row %q", s.rowText(0))
	}

	s.list.Select(0)
	test.Tap(s.cancel)
	waitUI(t, q, "the cancellation", func() bool { return len(s.rows) == 1 && s.rows[0].State == queue.BookingCancelled })
	if len(s.slot.Options) != 16 {
		t.Errorf("the cancelled time is not free again: %d", len(s.slot.Options))
	}
	if !strings.Contains(s.rowText(0), "annullat") {
		t.Errorf("row %q does not say cancelled", s.rowText(0))
	}
}

// TestKioskCheckIn checks a booking in at the kiosk: service A is open every
// day in 5-minute slots, so the next free slot is within the check-in window
// whatever the time the test runs.
func TestKioskCheckIn(t *testing.T) {
	st := queueStore(t)
	ctx := context.Background()
	var all []queue.Hours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		all = append(all, queue.Hours{Weekday: wd, Opens: 0, Closes: 23*60 + 55})
	}
	if err := st.SetServiceHours(ctx, "admin", "A", all, 5); err != nil {
		t.Fatal(err)
	}
	today := queue.DayOf(time.Now())
	free, err := st.FreeSlots(ctx, "A", today)
	if err != nil {
		t.Fatal(err)
	}
	if len(free) < 2 {
		t.Skip("too close to midnight for a slot today")
	}
	a, err := st.BookAppointment(ctx, "lneri", queue.Appointment{Service: "A", Day: today, Slot: free[0], Person: "Mario Rossi"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.BookAppointment(ctx, "lneri", queue.Appointment{Service: "A", Day: today, Slot: free[1], Person: "Anna Bianchi"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CancelAppointment(ctx, "lneri", gone.Code); err != nil {
		t.Fatal(err)
	}

	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1080, 1920))
	q := &uiQueue{}
	k := newKiosk(w, KioskDeps{Queue: st, CheckIn: st, Printer: printing.Folder{Dir: t.TempDir()}}, q.do)
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) == 3 })

	for _, tc := range []struct{ code, want string }{
		{"ABC", "non esiste"},
		{"ZZZZZZ", "non esiste"},
		{gone.Code, "annullata"},
	} {
		k.problem.Hide()
		k.code.SetText(tc.code)
		test.Tap(k.checkIn)
		waitUI(t, q, "the message for "+tc.code, func() bool { return k.problem.Visible() && !k.printing })
		if !strings.Contains(k.problem.Text, tc.want) {
			t.Errorf("code %q: message %q, want %q", tc.code, k.problem.Text, tc.want)
		}
	}

	k.code.SetText(strings.ToLower(a.Code))
	test.Tap(k.checkIn)
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "A001" })
	if k.problem.Visible() || k.code.Text != "" || !strings.Contains(k.detail.Text, a.Slot.String()) {
		t.Errorf("after check-in: problem %v, code %q, detail %q", k.problem.Visible(), k.code.Text, k.detail.Text)
	}
	stat, _ := st.QueueStatus(ctx)
	if next := stat.Lines[0].Next; len(next) != 1 || !next[0].AppointmentAt.Equal(a.At()) {
		t.Errorf("line A: %+v", next)
	}

	k.code.SetText(a.Code)
	test.Tap(k.checkIn)
	waitUI(t, q, "the used code", func() bool { return k.problem.Visible() && !k.printing })
	if !strings.Contains(k.problem.Text, "già stato usato") {
		t.Errorf("used code: %q", k.problem.Text)
	}
}
