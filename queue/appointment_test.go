package queue

import (
	"testing"
	"time"

	"sportello/fault"
	"sportello/registry"
)

func TestBookingCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := NewBookingCode()
		if got, ok := NormalizeCode(c); !ok || got != c {
			t.Fatalf("NormalizeCode(%q) = %q, %v", c, got, ok)
		}
		seen[c] = true
	}
	if len(seen) < 1990 {
		t.Errorf("only %d distinct codes of 2000", len(seen))
	}
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{" abc-234 ", "ABC234", true},
		{"AB0234", "AB0234", false},
		{"ABI234", "ABI234", false},
		{"ABC23", "ABC23", false},
	} {
		got, ok := NormalizeCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSlots(t *testing.T) {
	hours := []Hours{{time.Monday, 8*60 + 30, 10 * 60}, {time.Monday, 14 * 60, 14*60 + 40}, {time.Tuesday, 9 * 60, 12 * 60}}
	monday := registry.NewDate(2026, 11, 30)
	got := Slots(hours, monday, 30)
	want := []string{"08:30", "09:00", "09:30", "14:00"}
	if len(got) != len(want) {
		t.Fatalf("Slots = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("slot %d = %s, want %s", i, got[i], want[i])
		}
	}
	if s := Slots(hours, registry.NewDate(2026, 11, 29), 30); len(s) != 0 {
		t.Errorf("Sunday slots = %v", s)
	}
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in  string
		ok  bool
		out Clock
	}{{"08:30", true, 510}, {"23:59", true, 1439}, {"24:00", false, 0}, {"8:30", false, 0}, {"ab:cd", false, 0}} {
		c, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || (tc.ok && c != tc.out) {
			t.Errorf("ParseClock(%q) = %v, %v", tc.in, c, err)
		}
	}
}

func TestAppointmentCheckIn(t *testing.T) {
	day := registry.NewDate(2026, 11, 26)
	a := Appointment{Day: day, Slot: 10 * 60, Minutes: 15, State: BookingBooked}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, registry.Rome)
	for _, tc := range []struct {
		name  string
		state AppointmentState
		now   time.Time
		ok    bool
	}{
		{"on time", BookingBooked, at.Add(-5 * time.Minute), true},
		{"late within the hour", BookingBooked, at.Add(50 * time.Minute), true},
		{"too late", BookingBooked, at.Add(61 * time.Minute), false},
		{"too early", BookingBooked, at.Add(-2 * time.Hour), false},
		{"another day", BookingBooked, at.AddDate(0, 0, 1), false},
		{"used", BookingCheckedIn, at, false},
		{"cancelled", BookingCancelled, at, false},
	} {
		a.State = tc.state
		err := a.CheckIn(tc.now)
		if (err == nil) != tc.ok {
			t.Errorf("%s: CheckIn = %v", tc.name, err)
		}
		if err != nil && fault.Code(err) != fault.Conflict {
			t.Errorf("%s: code %v", tc.name, fault.Code(err))
		}
	}
}
