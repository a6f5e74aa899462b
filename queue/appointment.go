package queue

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"sportello/fault"
	"sportello/registry"
)

// AppointmentState is where a booking is: booked, cancelled, or checked in
// at the kiosk (it became a ticket).
type AppointmentState string

const (
	BookingBooked    AppointmentState = "booked"
	BookingCancelled AppointmentState = "cancelled"
	BookingCheckedIn AppointmentState = "checked_in"
)

// codeAlphabet is the booking code's alphabet: capitals and digits without
// 0, O, 1 and I, which are read one for the other.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// CodeLength is the length of a booking code: 32^6, about a billion codes.
const CodeLength = 6

// NewBookingCode returns a random booking code from the system's secure
// random source, so that codes cannot be guessed from one another.
func NewBookingCode() string {
	b := make([]byte, CodeLength)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("booking code: %v", err)) // crypto/rand never fails on supported systems
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// NormalizeCode reads a booking code as typed: spaces and dashes dropped,
// small letters made capital. ok is false when it cannot be a code.
func NormalizeCode(s string) (code string, ok bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) != CodeLength {
		return s, false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return s, false
		}
	}
	return s, true
}

// Hours is one opening range of a service on a weekday.
type Hours struct {
	Weekday time.Weekday
	Opens   Clock
	Closes  Clock
}

// Clock is a time of day in minutes from midnight.
type Clock int

// ParseClock reads "08:30".
func ParseClock(s string) (Clock, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fault.New(fault.Invalid, "The time {{.Time}} is not valid (hh:mm)", map[string]any{"Time": s})
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 {
		return 0, fault.New(fault.Invalid, "The time {{.Time}} is not valid (hh:mm)", map[string]any{"Time": s})
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// At is the instant of the clock time on day, in Europe/Rome.
func (c Clock) At(day registry.Date) time.Time {
	d := day.Time()
	return time.Date(d.Year(), d.Month(), d.Day(), int(c)/60, int(c)%60, 0, 0, registry.Rome)
}

// Appointment is a booked slot of a service. Person is a name or a codice
// fiscale as the booking gave it; it never reaches a ticket or the board.
type Appointment struct {
	ID       int64
	UID      string
	Code     string
	Service  string
	Day      registry.Date
	Slot     Clock
	Minutes  int
	Person   string
	State    AppointmentState
	TicketID int64
	Version  int64
}

// At is the appointment's start.
func (a Appointment) At() time.Time { return a.Slot.At(a.Day) }

// Validate checks a booking before it is saved.
func (a Appointment) Validate() error {
	if a.Service == "" {
		return fault.New(fault.Invalid, "The service is required", nil)
	}
	if !a.Day.Valid() {
		return fault.New(fault.Invalid, "The day of the appointment is required", nil)
	}
	if strings.TrimSpace(a.Person) == "" {
		return fault.New(fault.Invalid, "The name or codice fiscale of the person is required", nil)
	}
	if a.Minutes < 5 || a.Minutes > 240 {
		return fault.New(fault.Invalid, "The duration must be between 5 and 240 minutes", nil)
	}
	return nil
}

// Slots cuts the day's opening hours into slots of the given minutes; a
// slot must end by closing time.
func Slots(hours []Hours, day registry.Date, minutes int) []Clock {
	if minutes <= 0 {
		return nil
	}
	wd := day.Time().Weekday()
	var out []Clock
	for _, h := range hours {
		if h.Weekday != wd {
			continue
		}
		for c := h.Opens; c+Clock(minutes) <= h.Closes; c += Clock(minutes) {
			out = append(out, c)
		}
	}
	return out
}

// CheckInWindow is how early before its slot and how late after it a
// booking can still be checked in at the kiosk. Arriving later than the
// policy's window, the ticket joins the walk-in line (the policy does it).
const (
	CheckInEarly = 60 * time.Minute
	CheckInLate  = 60 * time.Minute
)

// CheckIn checks a booking can become a ticket at now.
func (a Appointment) CheckIn(now time.Time) error {
	switch a.State {
	case BookingCancelled:
		return fault.New(fault.Conflict, "This booking was cancelled", nil)
	case BookingCheckedIn:
		return fault.New(fault.Conflict, "This booking code has already been used", nil)
	}
	at := a.At()
	if DayOf(now) != a.Day || now.Before(at.Add(-CheckInEarly)) {
		if DayOf(now) == a.Day {
			// Today, too early: say when the kiosk takes the code.
			return fault.New(fault.Conflict, "Check-in for your appointment at {{.Time}} opens at {{.Opens}}: come back then",
				map[string]any{"Time": a.Slot.String(), "Opens": at.Add(-CheckInEarly).In(registry.Rome).Format("15:04")})
		}
		if now.Before(at) {
			return fault.New(fault.Conflict, "Your appointment is on {{.Day}} at {{.Time}}: come back then", map[string]any{"Day": a.Day.Italian(), "Time": a.Slot.String()})
		}
		return fault.New(fault.Conflict, "This booking has expired", nil)
	}
	if now.After(at.Add(CheckInLate)) {
		return fault.New(fault.Conflict, "This booking has expired", nil)
	}
	return nil
}
