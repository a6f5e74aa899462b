package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// online sets what a service offers online, from an open default.
func online(tb testing.TB, s *Store, service string, edit func(*queue.OnlineService)) queue.OnlineService {
	tb.Helper()
	o := queue.OnlineService{Service: service, Bookable: true, Guests: false, BookingLimit: 1, Remote: true,
		RemoteMaxWait: 60 * time.Minute, RemoteMaxWaiting: 20, Bring: "Documento d'identità"}
	if edit != nil {
		edit(&o)
	}
	o, err := s.SaveOnlineService(context.Background(), "admin", o)
	if err != nil {
		tb.Fatalf("SaveOnlineService(%s): %v", service, err)
	}
	return o
}

func hhmm(tb testing.TB, text string) queue.Clock {
	tb.Helper()
	c, err := queue.ParseClock(text)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

const (
	cfRossi   = "RSSMRA80A01H501U"
	cfBianchi = "BNCLCU85M41F205Z"
)

// guestCode starts a contact check for email and returns it with its code.
func guestCode(tb testing.TB, s *Store, email string) (ContactCheck, string) {
	tb.Helper()
	c, code, err := s.StartContactCheck(context.Background(), email, "")
	if err != nil {
		tb.Fatalf("StartContactCheck(%s): %v", email, err)
	}
	return c, code
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if fault.Code(err) != code {
		tb.Errorf("%s: %v (code %s), want %s", what, err, fault.Code(err), code)
	}
}

func TestBookOnlineRules(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	day := queue.DayOf(morning)
	online(t, s, "A", nil)
	online(t, s, "B", func(o *queue.OnlineService) { o.Bookable = false })
	online(t, s, "C", func(o *queue.OnlineService) { o.Guests = true; o.BookingLimit = 2 })

	rossi := Citizen{CF: cfRossi}
	b, err := s.BookOnline(ctx, rossi, "A", day, hhmm(t, "10:00"))
	if err != nil || b.Person != cfRossi || !validSecret(b.Token) || b.State != queue.BookingBooked {
		t.Fatalf("BookOnline: %+v %v", b, err)
	}
	check, code := guestCode(t, s, "Anna.Verdi@example.org")
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	for _, tc := range []struct {
		name    string
		c       Citizen
		service string
		day     registry.Date
		slot    string
		code    string
	}{
		{"over the limit per person", rossi, "A", day, "10:15", fault.Conflict},
		{"the limit counts the codice fiscale in any case", Citizen{CF: strings.ToLower(cfRossi)}, "A", queue.DayOf(morning.AddDate(0, 0, 1)), "10:15", fault.Conflict},
		{"a service not booked online", rossi, "B", day, "10:00", fault.Forbidden},
		{"a service with no online set-up", rossi, "Z", day, "10:00", fault.NotFound},
		{"a guest where only SPID or CIE may book", Citizen{Name: "Anna Verdi", Email: "anna.verdi@example.org", CheckID: check.ID, CheckCode: code}, "A", day, "11:00", fault.Forbidden},
		{"a guest without a code", Citizen{Name: "Anna Verdi", Email: "anna.verdi@example.org"}, "C", day, "11:00", fault.Invalid},
		{"a guest with a wrong code", Citizen{Name: "Anna Verdi", Email: "anna.verdi@example.org", CheckID: check.ID, CheckCode: wrong}, "C", day, "11:00", fault.Invalid},
		{"another contact's code", Citizen{Name: "Eva Neri", Email: "eva@example.org", CheckID: check.ID, CheckCode: code}, "C", day, "11:00", fault.Invalid},
		{"a guest without a name", Citizen{Email: "anna.verdi@example.org", CheckID: check.ID, CheckCode: code}, "C", day, "11:00", fault.Invalid},
		{"a day past", rossi, "C", queue.DayOf(morning.AddDate(0, 0, -1)), "10:00", fault.Invalid},
		{"a day beyond those open", rossi, "C", queue.DayOf(morning.AddDate(0, 0, 30)), "10:00", fault.Invalid},
		{"a slot not free", rossi, "A", day, "10:00", fault.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(appointmentsOf(t, s, tc.day))
			_, err := s.BookOnline(ctx, tc.c, tc.service, tc.day, hhmm(t, tc.slot))
			wantCode(t, "BookOnline", err, tc.code)
			if after := len(appointmentsOf(t, s, tc.day)); after != before {
				t.Errorf("a refused booking changed the bookings: %d, then %d", before, after)
			}
		})
	}
	guest := Citizen{Name: "Anna Verdi", Email: "anna.verdi@example.org", CheckID: check.ID, CheckCode: code, Lang: "en"}
	g, err := s.BookOnline(ctx, guest, "C", queue.DayOf(morning.AddDate(0, 0, 29)), hhmm(t, "09:00"))
	if err != nil || g.Person != "Anna Verdi" || g.Email != "anna.verdi@example.org" || g.Lang != "en" {
		t.Fatalf("guest booking: %+v %v", g, err)
	}
	_, err = s.BookOnline(ctx, guest, "C", queue.DayOf(morning.AddDate(0, 0, 29)), hhmm(t, "09:15"))
	wantCode(t, "the same code twice", err, fault.Invalid)
}

// A code allows five tries; five codes an hour to one contact.
func TestContactCheckLimits(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	online(t, s, "C", func(o *queue.OnlineService) { o.Guests = true })
	check, code := guestCode(t, s, "eva@example.org")
	wrong := "999999"
	if code == wrong {
		wrong = "999998"
	}
	guest := Citizen{Name: "Eva Neri", Email: "eva@example.org", CheckID: check.ID, CheckCode: wrong}
	for range contactCheckAttempts {
		_, err := s.BookOnline(ctx, guest, "C", queue.DayOf(morning), hhmm(t, "11:00"))
		wantCode(t, "wrong code", err, fault.Invalid)
	}
	guest.CheckCode = code
	_, err := s.BookOnline(ctx, guest, "C", queue.DayOf(morning), hhmm(t, "11:00"))
	wantCode(t, "the right code after five wrong ones", err, fault.Invalid)
	for range contactChecksPerHour - 1 {
		guestCode(t, s, "EVA@example.org")
	}
	_, _, err = s.StartContactCheck(ctx, "eva@example.org", "")
	wantCode(t, "a sixth code in an hour", err, fault.Conflict)
	clk.add(time.Hour + time.Minute)
	guestCode(t, s, "eva@example.org")
	clk.add(contactCheckLife + time.Minute)
	_, err = s.BookOnline(ctx, guest, "C", queue.DayOf(morning), hhmm(t, "11:30"))
	wantCode(t, "an expired code", err, fault.Invalid)
}

func appointmentsOf(tb testing.TB, s *Store, day registry.Date) []queue.Appointment {
	tb.Helper()
	as, err := s.Appointments(context.Background(), day)
	if err != nil {
		tb.Fatal(err)
	}
	var out []queue.Appointment
	for _, a := range as {
		if a.State != queue.BookingCancelled {
			out = append(out, a)
		}
	}
	return out
}

func TestBookingToken(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	day := queue.DayOf(morning)
	online(t, s, "A", nil)
	mine, err := s.BookOnline(ctx, Citizen{CF: cfRossi}, "A", day, hhmm(t, "10:00"))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := s.BookOnline(ctx, Citizen{CF: cfBianchi}, "A", day, hhmm(t, "10:30"))
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := newSecret()
	for _, token := range []string{"", forged, mine.Code, strings.ToUpper(mine.Token), mine.Token[:63], mine.Token + "0", "../" + mine.Token[3:]} {
		if _, err := s.BookingByToken(ctx, token); fault.Code(err) != fault.NotFound {
			t.Errorf("BookingByToken(%q): %v, want not found", token, err)
		}
		_, err := s.CancelBooking(ctx, token)
		wantCode(t, "cancel with "+token, err, fault.NotFound)
		_, err = s.MoveBooking(ctx, token, day, hhmm(t, "11:00"))
		wantCode(t, "move with "+token, err, fault.NotFound)
	}
	if got := appointmentsOf(t, s, day); len(got) != 2 {
		t.Fatalf("bookings after hostile links: %+v", got)
	}
	moved, err := s.MoveBooking(ctx, mine.Token, day, hhmm(t, "11:00"))
	if err != nil || moved.Slot != hhmm(t, "11:00") || moved.Code == mine.Code || moved.Person != cfRossi {
		t.Fatalf("move: %+v %v", moved, err)
	}
	_, err = s.MoveBooking(ctx, mine.Token, day, hhmm(t, "10:30"))
	wantCode(t, "move onto another's slot", err, fault.Conflict)
	if b, err := s.BookingByToken(ctx, mine.Token); err != nil || b.Code != moved.Code || b.Token != "" {
		t.Fatalf("the link after a move: %+v %v", b, err)
	}
	free, _ := s.FreeSlots(ctx, "A", day)
	if !slices.Contains(free, hhmm(t, "10:00")) || slices.Contains(free, hhmm(t, "11:00")) {
		t.Errorf("free slots after the move: %v", free)
	}
	if _, err := s.CancelBooking(ctx, mine.Token); err != nil {
		t.Fatal(err)
	}
	_, err = s.CancelBooking(ctx, mine.Token)
	wantCode(t, "cancel twice", err, fault.Conflict)
	if b, _ := s.BookingByToken(ctx, theirs.Token); b.State != queue.BookingBooked {
		t.Errorf("another citizen's booking: %+v", b)
	}
	// Cancelled, the limit of one booking allows a new one.
	if _, err := s.BookOnline(ctx, Citizen{CF: cfRossi}, "A", day, hhmm(t, "12:00")); err != nil {
		t.Errorf("book after cancelling: %v", err)
	}
}

func TestRemoteTicketRules(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		at    time.Time
		edit  func(*queue.OnlineService)
		setup func(t *testing.T, s *Store)
		c     Citizen
		code  string
	}{
		{name: "the service gives none", at: morning, edit: func(o *queue.OnlineService) { o.Remote = false }, c: Citizen{CF: cfRossi}, code: fault.Forbidden},
		{name: "before opening", at: morning.Add(-time.Hour), c: Citizen{CF: cfRossi}, code: fault.Conflict},
		{name: "on a Sunday", at: morning.AddDate(0, 0, 3), c: Citizen{CF: cfRossi}, code: fault.Conflict},
		{name: "closed at the kiosk", at: morning, setup: func(t *testing.T, s *Store) {
			if _, err := s.SaveService(ctx, "admin", queue.Service{Code: "A", Name: "Anagrafe e certificati", DailyCap: 300, Open: false, Position: 1}); err != nil {
				t.Fatal(err)
			}
		}, c: Citizen{CF: cfRossi}, code: fault.Conflict},
		{name: "the wait over the limit", at: morning, edit: func(o *queue.OnlineService) { o.RemoteMaxWait = 5 * time.Minute }, setup: func(t *testing.T, s *Store) {
			for range 4 { // 4 waiting × 5 minutes / 3 counters: 7 minutes
				issue(t, s, "A", false)
			}
		}, c: Citizen{CF: cfRossi}, code: fault.Conflict},
		{name: "remote tickets at their limit", at: morning, edit: func(o *queue.OnlineService) { o.RemoteMaxWaiting = 1 }, setup: func(t *testing.T, s *Store) {
			if _, err := s.TakeRemote(ctx, Citizen{CF: cfBianchi}, "A", false); err != nil {
				t.Fatal(err)
			}
		}, c: Citizen{CF: cfRossi}, code: fault.Conflict},
		{name: "a second ticket of the day", at: morning, setup: func(t *testing.T, s *Store) {
			rt, err := s.TakeRemote(ctx, Citizen{CF: cfRossi}, "A", false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CancelRemote(ctx, rt.Token); err != nil {
				t.Fatal(err)
			}
		}, c: Citizen{CF: strings.ToLower(cfRossi)}, code: fault.Conflict},
		{name: "a guest where guests are not allowed", at: morning, c: Citizen{Email: "eva@example.org"}, code: fault.Forbidden},
		{name: "a guest without a code", at: morning, edit: func(o *queue.OnlineService) { o.Guests = true }, c: Citizen{Email: "eva@example.org", CheckID: "x", CheckCode: "123456"}, code: fault.Invalid},
		{name: "an alert without a contact", at: morning, c: Citizen{CF: cfRossi}, code: fault.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openQueue(t, tc.at)
			online(t, s, "A", tc.edit)
			if tc.setup != nil {
				tc.setup(t, s)
			}
			seq, _ := s.QueueSeq(ctx)
			_, err := s.TakeRemote(ctx, tc.c, "A", tc.name == "an alert without a contact")
			wantCode(t, "TakeRemote", err, tc.code)
			if after, _ := s.QueueSeq(ctx); after != seq {
				t.Errorf("a refused remote ticket made %d queue events", after-seq)
			}
		})
	}
}

func TestRemoteTicketCheckIn(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	online(t, s, "A", nil)
	walkIn := issue(t, s, "A", false)
	rt, err := s.TakeRemote(ctx, Citizen{CF: cfRossi, Email: "mario@example.org"}, "A", true)
	if err != nil || rt.Ticket.State != queue.Remote || rt.Ticket.Label != "A002" || rt.Ahead != 1 || !rt.Notify {
		t.Fatalf("TakeRemote: %+v %v", rt, err)
	}
	later := issue(t, s, "A", false)
	if got, err := s.RemoteByToken(ctx, rt.Token); err != nil || got.Ahead != 1 || got.Ticket.ID != rt.Ticket.ID || got.Token != "" {
		t.Fatalf("RemoteByToken: %+v %v", got, err)
	}
	forged, _ := newSecret()
	_, err = s.RemoteByToken(ctx, forged)
	wantCode(t, "another's ticket link", err, fault.NotFound)
	_, err = s.CancelRemote(ctx, forged)
	wantCode(t, "cancel with a forged link", err, fault.NotFound)
	_, err = s.CheckInRemote(ctx, "ZZZZZZ")
	wantCode(t, "a wrong code", err, fault.NotFound)

	// Not checked in, it is never called: counters call A001 then A003.
	if tk := callNext(t, s, "1"); tk.ID != walkIn.ID {
		t.Fatalf("first call %s", tk.Label)
	}
	clk.add(10 * time.Minute)
	if tk := callNext(t, s, "2"); tk.ID != later.ID {
		t.Fatalf("second call %s, want the walk-in after the remote ticket", tk.Label)
	}
	if _, err := s.CallNext(ctx, "lneri", "3", newUID()); fault.Code(err) != fault.NotFound {
		t.Errorf("a third call with only a remote ticket: %v", err)
	}
	// Reached 10 minutes ago, within the hold of 30: it keeps its place.
	clk.add(10 * time.Minute)
	// The kiosk's code entry for bookings takes remote tickets' codes too.
	is, err := s.CheckInAppointment(ctx, strings.ToLower(rt.Code))
	if err != nil || is.Ticket.State != queue.Waiting || !is.Ticket.ArrivedAt.Equal(rt.Ticket.ArrivedAt) {
		t.Fatalf("check in: %+v %v", is, err)
	}
	issue(t, s, "A", false)
	if tk := callNext(t, s, "3"); tk.ID != rt.Ticket.ID {
		t.Errorf("after check-in %s was called, want the held %s", tk.Label, rt.Ticket.Label)
	}
	_, err = s.CheckInRemote(ctx, rt.Code)
	wantCode(t, "check in twice", err, fault.Conflict)
	_, err = s.CheckInAppointment(ctx, "ZZZZZZ")
	wantCode(t, "a code neither a booking nor a ticket", err, fault.NotFound)
}

func TestRemoteTicketHeldTooLong(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	online(t, s, "A", nil)
	rt, err := s.TakeRemote(ctx, Citizen{CF: cfRossi}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	issue(t, s, "A", false)
	callNext(t, s, "1")
	clk.add(31 * time.Minute)
	next := issue(t, s, "A", false)
	clk.add(time.Minute)
	tk, err := s.MarkPresent(ctx, "lneri", rt.Ticket.ID)
	if err != nil || tk.State != queue.Waiting || !tk.ArrivedAt.Equal(clk.now()) {
		t.Fatalf("present: %+v %v", tk, err)
	}
	if got := callNext(t, s, "2"); got.ID != next.ID {
		t.Errorf("called %s, want %s who arrived before the late check-in", got.Label, next.Label)
	}
	if _, err := s.MarkPresent(ctx, "lneri", next.ID); fault.Code(err) != fault.Conflict {
		t.Errorf("present on a kiosk ticket: %v", err)
	}
}

func TestLiveEstimate(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	// Two hours ago a long service at counter 2.
	old := issue(t, s, "A", false)
	serve(t, s, "2", old, 40*time.Minute)
	clk.add(2 * time.Hour)
	// In the last hour counter 1 served two tickets, 6 and 10 minutes.
	for _, d := range []time.Duration{6 * time.Minute, 10 * time.Minute} {
		serve(t, s, "1", issue(t, s, "A", false), d)
	}
	for range 3 {
		issue(t, s, "A", false)
	}
	is, err := s.IssueTicket(ctx, "kiosk", "A", false)
	// Median of the last hour (6, 10: the upper) 10 minutes × 3 ahead / 1
	// counter at work: the 40 minutes and counter 2 are older than an hour.
	if err != nil || is.Ahead != 3 || is.Wait != 30*time.Minute {
		t.Fatalf("estimate %d ahead, %v, %v", is.Ahead, is.Wait, err)
	}
	// Counter 2 calls again: two counters at work.
	callNext(t, s, "2")
	is, err = s.IssueTicket(ctx, "kiosk", "A", false)
	if err != nil || is.Ahead != 3 || is.Wait != 15*time.Minute {
		t.Fatalf("estimate with two counters %d ahead, %v, %v", is.Ahead, is.Wait, err)
	}
	// Counter 1 pauses: one counter again.
	if _, err := s.PauseCounter(ctx, "lneri", "1", queue.Break); err != nil {
		t.Fatal(err)
	}
	waits, err := s.ServiceWaits(ctx)
	if err != nil || waits[0].Service.Code != "A" || waits[0].Waiting != 4 || waits[0].Wait != 40*time.Minute || !waits[0].Open {
		t.Fatalf("ServiceWaits: %+v %v", waits, err)
	}
}

// serve calls, starts and finishes t at counter, taking d.
func serve(tb testing.TB, s *Store, counter string, t queue.Ticket, d time.Duration) {
	tb.Helper()
	ctx := context.Background()
	c := callNext(tb, s, counter)
	if c.ID != t.ID {
		tb.Fatalf("called %s, want %s", c.Label, t.Label)
	}
	if _, err := s.StartTicket(ctx, "lneri", c.ID); err != nil {
		tb.Fatal(err)
	}
	clk := s.now
	s.now = func() time.Time { return clk().Add(d) }
	defer func() { s.now = clk }()
	if _, err := s.FinishTicket(ctx, "lneri", c.ID, ""); err != nil {
		tb.Fatal(err)
	}
}

func TestQueueChannels(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	day := queue.DayOf(morning)
	online(t, s, "A", func(o *queue.OnlineService) { o.BookingLimit = 3 })
	kiosk := issue(t, s, "A", false)
	remote, err := s.TakeRemote(ctx, Citizen{CF: cfRossi}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeRemote(ctx, Citizen{CF: cfBianchi}, "A", false); err != nil { // never checked in
		t.Fatal(err)
	}
	kept, err := s.BookOnline(ctx, Citizen{CF: cfRossi}, "A", day, hhmm(t, "09:15"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BookOnline(ctx, Citizen{CF: cfRossi}, "A", day, hhmm(t, "09:30")); err != nil { // never checked in
		t.Fatal(err)
	}
	book(t, s, "A", day, "11:00") // at the desk, later today
	if _, err := s.CheckInAppointment(ctx, kept.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckInRemote(ctx, remote.Code); err != nil {
		t.Fatal(err)
	}
	clk.add(20 * time.Minute)
	first := callNext(t, s, "1") // the appointment in its window
	if first.AppointmentAt.IsZero() {
		t.Fatalf("first call %+v, want the appointment", first)
	}
	if k := callNext(t, s, "2"); k.ID != kiosk.ID {
		t.Fatalf("second call %s", k.Label)
	}
	if _, err := s.NoShowTicket(ctx, "lneri", first.ID); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Hour) // 09:30's window has ended
	rep, err := s.QueueChannels(ctx, day, day)
	if err != nil {
		t.Fatal(err)
	}
	want := []ChannelStats{
		{Channel: queue.ChannelKiosk, Tickets: 1},
		{Channel: queue.ChannelRemote, Tickets: 2},
		{Channel: queue.ChannelAppointment, Tickets: 1, NoShows: 2, Bookings: 3, Online: 2},
	}
	for i, w := range want {
		if rep.Channels[i] != w {
			t.Errorf("channel %s = %+v, want %+v", w.Channel, rep.Channels[i], w)
		}
	}
	// The kiosk ticket was told 0 (nobody ahead) and waited 20 minutes;
	// the appointment was told 2 (5 minutes shared by the three counters
	// of A, none at work yet) and waited 20 minutes: errors 20 and 18.
	if rep.Estimates != 2 || rep.EstimateError != 19*time.Minute {
		t.Errorf("estimate error %v over %d", rep.EstimateError, rep.Estimates)
	}
	// Closed at the daily reset, the remote ticket never checked in is a no-show.
	clk.add(24 * time.Hour)
	issue(t, s, "A", false)
	rep, _ = s.QueueChannels(ctx, day, day)
	if rep.Channels[1].NoShows != 1 {
		t.Errorf("remote no-shows after the reset = %d, want 1", rep.Channels[1].NoShows)
	}
}
