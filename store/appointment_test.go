package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// morning (Thursday 26 November 2026, 09:00 Rome) is a working day: the
// migration opens A, B and C Monday to Friday 08:30-12:30 in 15-minute slots.

func book(tb testing.TB, s *Store, service string, day registry.Date, slot string) queue.Appointment {
	tb.Helper()
	c, err := queue.ParseClock(slot)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := s.BookAppointment(context.Background(), "lneri", queue.Appointment{Service: service, Day: day, Slot: c, Person: "RSSMRA80A01H501U"})
	if err != nil {
		tb.Fatalf("BookAppointment(%s %s): %v", service, slot, err)
	}
	return a
}

func TestBookAndCancel(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	day := queue.DayOf(morning)
	free, err := s.FreeSlots(ctx, "A", day)
	if err != nil {
		t.Fatal(err)
	}
	if len(free) != 14 || free[0].String() != "09:00" || free[13].String() != "12:15" { // 08:30 and 08:45 are past
		t.Fatalf("free slots = %v", free)
	}
	before := outboxCount(t, s)
	a := book(t, s, "A", day, "10:00")
	if _, ok := queue.NormalizeCode(a.Code); !ok || a.Minutes != 15 || a.State != queue.BookingBooked {
		t.Fatalf("booked %+v", a)
	}
	if got := outboxCount(t, s); got != before+1 {
		t.Errorf("outbox grew by %d, want 1", got-before)
	}
	free, _ = s.FreeSlots(ctx, "A", day)
	if len(free) != 13 {
		t.Errorf("free after booking = %d", len(free))
	}
	for _, tc := range []struct {
		name string
		a    queue.Appointment
		code string
	}{
		{"slot taken", queue.Appointment{Service: "A", Day: day, Slot: 600, Person: "Mario Rossi"}, fault.Conflict},
		{"not a slot", queue.Appointment{Service: "A", Day: day, Slot: 607, Person: "Mario Rossi"}, fault.Conflict},
		{"sunday", queue.Appointment{Service: "A", Day: registry.NewDate(2026, 11, 29), Slot: 600, Person: "Mario Rossi"}, fault.Conflict},
		{"past", queue.Appointment{Service: "A", Day: day, Slot: 510, Person: "Mario Rossi"}, fault.Conflict},
		{"no person", queue.Appointment{Service: "A", Day: day, Slot: 615, Person: "  "}, fault.Invalid},
		{"no service", queue.Appointment{Service: "X", Day: day, Slot: 615, Person: "Mario Rossi"}, fault.NotFound},
	} {
		if _, err := s.BookAppointment(ctx, "lneri", tc.a); fault.Code(err) != tc.code {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.code)
		}
	}
	if _, err := s.CancelAppointment(ctx, "lneri", a.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelAppointment(ctx, "lneri", a.Code); fault.Code(err) != fault.Conflict {
		t.Errorf("second cancel: %v", err)
	}
	book(t, s, "A", day, "10:00") // the slot is free again
	list, err := s.Appointments(ctx, day)
	if err != nil || len(list) != 2 {
		t.Fatalf("Appointments = %v, %v", list, err)
	}
}

func TestCheckInAppointment(t *testing.T) {
	s, clk := openQueue(t, morning)
	ctx := context.Background()
	day := queue.DayOf(morning)
	a := book(t, s, "A", day, "09:30")
	late := book(t, s, "A", day, "09:00")
	walkin := issue(t, s, "A", false)

	// wrong code, lower case with a dash accepted
	if _, err := s.CheckInAppointment(ctx, "ZZZZZZ"); fault.Code(err) != fault.NotFound {
		t.Errorf("wrong code: %v", err)
	}
	clk.set(morning.Add(25 * time.Minute)) // 09:25, within the window of 09:30
	is, err := s.CheckInAppointment(ctx, a.Code[:3]+"-"+string([]rune(a.Code[3:])))
	if err != nil {
		t.Fatal(err)
	}
	if !is.Ticket.AppointmentAt.Equal(a.At()) || is.Ticket.Label != "A002" {
		t.Errorf("ticket %+v", is.Ticket)
	}
	if _, err := s.CheckInAppointment(ctx, a.Code); fault.Code(err) != fault.Conflict {
		t.Errorf("used code: %v", err)
	}
	if _, err := s.CancelAppointment(ctx, "lneri", a.Code); fault.Code(err) != fault.Conflict {
		t.Errorf("cancel used: %v", err)
	}
	// 09:00 booking checked in at 09:26: past its window, it waits with walk-ins.
	clk.add(time.Minute)
	lateIs, err := s.CheckInAppointment(ctx, late.Code)
	if err != nil {
		t.Fatal(err)
	}
	// The appointment in its window goes first, then arrival order.
	want := []string{is.Ticket.Label, walkin.Label, lateIs.Ticket.Label}
	for i, w := range want {
		if got := callNext(t, s, "1"); got.Label != w {
			t.Errorf("call %d = %s, want %s", i, got.Label, w)
		}
		finishCurrent(t, s, "1")
	}
	// expired
	exp := book(t, s, "B", day, "12:15")
	clk.set(time.Date(2026, 11, 26, 13, 30, 0, 0, registry.Rome))
	if _, err := s.CheckInAppointment(ctx, exp.Code); fault.Code(err) != fault.Conflict {
		t.Errorf("expired: %v", err)
	}
}

func outboxCount(tb testing.TB, s *Store) int {
	tb.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// finishCurrent starts and finishes the ticket the counter holds.
func finishCurrent(tb testing.TB, s *Store, counter string) {
	tb.Helper()
	st, err := s.QueueStatus(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	t := st.Current[counter]
	if _, err := s.StartTicket(context.Background(), "lneri", t.ID); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.FinishTicket(context.Background(), "lneri", t.ID, ""); err != nil {
		tb.Fatal(err)
	}
}

func TestSetServiceHours(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	hours := []queue.Hours{{Weekday: time.Thursday, Opens: 14 * 60, Closes: 15 * 60}, {Weekday: time.Sunday, Opens: 600, Closes: 660}}
	if err := s.SetServiceHours(ctx, "admin", "C", hours, 20); err != nil {
		t.Fatal(err)
	}
	got, minutes, err := s.ServiceHours(ctx, "C")
	if err != nil || minutes != 20 || len(got) != 2 || got[0] != hours[0] || got[1] != hours[1] {
		t.Fatalf("ServiceHours = %v, %d, %v", got, minutes, err)
	}
	free, _ := s.FreeSlots(ctx, "C", queue.DayOf(morning))
	if len(free) != 3 || free[0].String() != "14:00" {
		t.Errorf("free = %v", free)
	}
	for _, tc := range []struct {
		name    string
		service string
		hours   []queue.Hours
		minutes int
		code    string
	}{
		{"closes before", "C", []queue.Hours{{Weekday: time.Monday, Opens: 600, Closes: 540}}, 15, fault.Invalid},
		{"slot too short", "C", nil, 2, fault.Invalid},
		{"no service", "X", nil, 15, fault.NotFound},
	} {
		if err := s.SetServiceHours(ctx, "admin", tc.service, tc.hours, tc.minutes); fault.Code(err) != tc.code {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestImportAppointments(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	good := "service,date,time,person\nA,27/11/2026,09:00,Mario Rossi\nb,2026-11-27,09:15,RSSMRA80A01H501U\nA,27/11/2026,09:15,Anna Bianchi\n"
	rep, err := s.ImportAppointments(ctx, "admin", strings.NewReader(good))
	if err != nil || rep.Rows != 3 || len(rep.Booked) != 3 {
		t.Fatalf("import = %+v, %v", rep, err)
	}
	list, _ := s.Appointments(ctx, registry.NewDate(2026, 11, 27))
	if len(list) != 3 || list[0].Code == list[1].Code {
		t.Fatalf("stored %+v", list)
	}
	bad := "person,time,date,service\n" +
		"Luca Rossi,10:00,27/11/2026,A\n" + // line 2: good
		"Luca Rossi,09:00,27/11/2026,A\n" + // 3: taken by the first import
		"Luca Rossi,10:07,27/11/2026,A\n" + // 4: not a slot
		"Luca Rossi,10:30,31/02/2026,A\n" + // 5: no such date
		",10:30,27/11/2026,A\n" + // 6: no person
		"Luca Rossi,10:30,27/11/2026,X\n" + // 7: no service
		"Luca Rossi,25:00,27/11/2026,A\n" + // 8: bad time
		"Luca Rossi,10:00,27/11/2026,A\n" + // 9: same slot as line 2
		"Luca Rossi,10:00,25/11/2026,A\n" // 10: past
	rep, err = s.ImportAppointments(ctx, "admin", strings.NewReader(bad))
	if fault.Code(err) != fault.Invalid || len(rep.Booked) != 0 {
		t.Fatalf("bad import = %+v, %v", rep, err)
	}
	var lines []int
	for _, p := range rep.Problems {
		lines = append(lines, p.Line)
	}
	if fmt.Sprint(lines) != "[3 4 5 6 7 8 9 10]" {
		t.Errorf("bad lines %v (%+v)", lines, rep.Problems)
	}
	list, _ = s.Appointments(ctx, registry.NewDate(2026, 11, 27))
	if len(list) != 3 {
		t.Errorf("a bad file imported %d bookings", len(list)-3)
	}
	if _, err := s.ImportAppointments(ctx, "admin", strings.NewReader("service,date,person\n")); fault.Code(err) != fault.Invalid {
		t.Errorf("missing column: %v", err)
	}
}
