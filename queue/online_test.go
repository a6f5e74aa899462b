package queue

import (
	"testing"
	"time"

	"sportello/fault"
	"sportello/registry"
)

func TestRemoteStateMachine(t *testing.T) {
	for _, tc := range []struct {
		from   State
		action Action
		to     State
		ok     bool
	}{
		{Remote, ActPresent, Waiting, true},
		{Remote, ActCancel, Cancelled, true},
		{Remote, ActClose, Closed, true},
		{Remote, ActCall, "", false}, // never called before check-in
		{Waiting, ActPresent, "", false},
		{Called, ActPresent, "", false},
	} {
		to, err := Next(tc.from, tc.action)
		if (err == nil) != tc.ok || to != tc.to {
			t.Errorf("Next(%s, %s) = %s, %v", tc.from, tc.action, to, err)
		}
	}
	if !Remote.Open() {
		t.Error("a remote ticket is open: the daily reset must close it")
	}
}

func TestRemoteAllowed(t *testing.T) {
	o := OnlineService{Service: "A", Remote: true, RemoteMaxWait: 30 * time.Minute, RemoteMaxWaiting: 5, BookingLimit: 1}
	for _, tc := range []struct {
		name    string
		o       OnlineService
		open    bool
		wait    time.Duration
		waiting int
		code    string
	}{
		{"allowed", o, true, 29 * time.Minute, 4, ""},
		{"off", OnlineService{Service: "A"}, true, 0, 0, fault.Forbidden},
		{"closed", o, false, 0, 0, fault.Conflict},
		{"wait at the limit", o, true, 30 * time.Minute, 0, fault.Conflict},
		{"remote tickets at the limit", o, true, 0, 5, fault.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.RemoteAllowed(tc.open, tc.wait, tc.waiting)
			if (tc.code == "" && err != nil) || (tc.code != "" && fault.Code(err) != tc.code) {
				t.Errorf("RemoteAllowed = %v, want %q", err, tc.code)
			}
		})
	}
}

func TestOnlineValidate(t *testing.T) {
	good := OnlineService{Service: "A", BookingLimit: 2, RemoteMaxWait: time.Hour, RemoteMaxWaiting: 10}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*OnlineService){
		"no service":         func(o *OnlineService) { o.Service = "" },
		"limit zero":         func(o *OnlineService) { o.BookingLimit = 0 },
		"limit too high":     func(o *OnlineService) { o.BookingLimit = MaxBookingLimit + 1 },
		"wait not in minute": func(o *OnlineService) { o.RemoteMaxWait = 90 * time.Second },
		"waiting zero":       func(o *OnlineService) { o.RemoteMaxWaiting = 0 },
		"bring too long":     func(o *OnlineService) { o.Bring = string(make([]byte, MaxBringLength+1)) },
	} {
		o := good
		edit(&o)
		if fault.Code(o.Validate()) != fault.Invalid {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := DefaultOnline.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]OnlineSettings{
		"days zero":     {DaysAhead: 0, NearAhead: 3, Hold: time.Minute},
		"near zero":     {DaysAhead: 1, NearAhead: 0, Hold: time.Minute},
		"hold zero":     {DaysAhead: 1, NearAhead: 3},
		"hold too long": {DaysAhead: 1, NearAhead: 3, Hold: (MaxHoldMinutes + 1) * time.Minute},
	} {
		if fault.Code(o.Validate()) != fault.Invalid {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestBookableDayAndOpenAt(t *testing.T) {
	now := time.Date(2026, 11, 26, 23, 30, 0, 0, registry.Rome) // Thursday, late
	for _, tc := range []struct {
		day string
		ok  bool
	}{
		{"2026-11-25", false}, {"2026-11-26", true}, {"2026-11-28", true}, {"2026-11-29", false},
	} {
		d, _ := registry.ParseDate(tc.day)
		if err := BookableDay(d, now, 3); (err == nil) != tc.ok {
			t.Errorf("BookableDay(%s) = %v", tc.day, err)
		}
	}
	hours := []Hours{{Weekday: time.Thursday, Opens: 8*60 + 30, Closes: 12*60 + 30}}
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 26, 8, 29, 0, 0, registry.Rome), false},
		{time.Date(2026, 11, 26, 8, 30, 0, 0, registry.Rome), true},
		{time.Date(2026, 11, 26, 11, 29, 0, 0, time.UTC), true}, // 12:29 in Rome
		{time.Date(2026, 11, 26, 7, 29, 0, 0, time.UTC), false}, // 08:29 in Rome
		{time.Date(2026, 11, 26, 12, 30, 0, 0, registry.Rome), false},
		{time.Date(2026, 11, 27, 9, 0, 0, 0, registry.Rome), false},
	} {
		if got := OpenAt(hours, tc.at); got != tc.open {
			t.Errorf("OpenAt(%v) = %v", tc.at, got)
		}
	}
}

func TestKeepsPlace(t *testing.T) {
	reached := time.Date(2026, 11, 26, 10, 0, 0, 0, registry.Rome)
	hold := 30 * time.Minute
	if !KeepsPlace(time.Time{}, reached, hold) || !KeepsPlace(reached, reached.Add(hold), hold) || KeepsPlace(reached, reached.Add(hold+time.Second), hold) {
		t.Error("KeepsPlace does not follow the hold rule")
	}
}

func TestPersonKeyAndContact(t *testing.T) {
	for _, tc := range []struct{ cf, email, mobile, want string }{
		{"rssmra80a01h501u", "x@y.it", "", "cf:RSSMRA80A01H501U"},
		{"", " Anna@Example.ORG ", "333", "email:anna@example.org"},
		{"", "", "333 123 4567", "tel:+393331234567"},
		{"", "", "0039 333 1234567", "tel:+393331234567"},
		{"", "", "+39 333-1234567", "tel:+393331234567"},
	} {
		if got := PersonKey(tc.cf, tc.email, tc.mobile); got != tc.want {
			t.Errorf("PersonKey(%q, %q, %q) = %q, want %q", tc.cf, tc.email, tc.mobile, got, tc.want)
		}
	}
	for _, tc := range []struct {
		email, mobile string
		ok            bool
	}{
		{"anna@example.org", "", true}, {"", "3331234567", true}, {"", "", false}, {"anna", "", false},
		{"anna@example", "", false}, {"a b@example.org", "", false}, {"a@example.org\r\nBcc: x@y.z", "", false}, {"", "12345", false},
	} {
		if err := ValidContact(tc.email, tc.mobile); (err == nil) != tc.ok {
			t.Errorf("ValidContact(%q, %q) = %v", tc.email, tc.mobile, err)
		}
	}
}

func TestEstimateError(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		est, real []time.Duration
		want      time.Duration
	}{
		{nil, nil, 0},
		{[]time.Duration{10 * m}, []time.Duration{4 * m}, 6 * m},
		{[]time.Duration{10 * m, 0, 5 * m}, []time.Duration{12 * m, 9 * m, 5 * m}, 2 * m},
		{[]time.Duration{10 * m, 0}, []time.Duration{12 * m, 9 * m}, 5*m + 30*time.Second},
	} {
		if got := EstimateError(tc.est, tc.real); got != tc.want {
			t.Errorf("EstimateError(%v, %v) = %v, want %v", tc.est, tc.real, got, tc.want)
		}
	}
}

func TestBookingNoShow(t *testing.T) {
	day, _ := registry.ParseDate("2026-11-26")
	a := Appointment{Day: day, Slot: 9 * 60, State: BookingBooked}
	end := a.At().Add(CheckInLate)
	if a.NoShow(end) || !a.NoShow(end.Add(time.Second)) {
		t.Error("a booking is a no-show only after its window")
	}
	a.State = BookingCheckedIn
	if a.NoShow(end.Add(time.Hour)) {
		t.Error("a checked-in booking is no no-show")
	}
}
