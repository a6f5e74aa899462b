package queue

import (
	"slices"
	"strings"
	"time"

	"sportello/fault"
	"sportello/registry"
)

// The office opened to citizens at home ("Sportello online"): bookings made
// on the portal, tickets taken from the phone ("remote" until the person is
// at the office), and the estimate and statistics they rely on.

// Remote is the state of a ticket taken from home whose holder has not yet
// checked in at the kiosk nor been marked present by a clerk: it keeps its
// number but no counter calls it.
const Remote State = "remote"

// ActPresent is a remote ticket's check-in at the kiosk or the clerk's
// "present": from then on it waits like any other.
const ActPresent Action = "present"

func init() {
	transitions[ActPresent] = map[State]State{Remote: Waiting}
	transitions[ActCancel][Remote] = Cancelled
	transitions[ActClose][Remote] = Closed
}

// Channel is how a ticket came to be: printed at the kiosk, taken from home,
// or the check-in of a booking.
type Channel string

const (
	ChannelKiosk       Channel = "kiosk"
	ChannelRemote      Channel = "remote"
	ChannelAppointment Channel = "appointment"
)

// ChannelStats are one channel's figures over some days.
type ChannelStats struct {
	Channel Channel
	Tickets int // tickets of the channel (a transfer is not a new one)
	// NoShows: tickets called and not come; for remote tickets also those
	// never checked in; for appointments also bookings not checked in by
	// the end of their window.
	NoShows  int
	Bookings int // appointments booked for those days (appointment channel only)
	Online   int // of which booked on the portal
}

// ChannelReport is the statistics of the channels and the estimate's error.
type ChannelReport struct {
	Channels []ChannelStats // in Channels order
	// EstimateError is the median absolute error of the wait each ticket
	// was told against its real wait (arrival to first call), over
	// Estimates tickets.
	EstimateError time.Duration
	Estimates     int
}

// Channels in the order the statistics list them.
var Channels = []Channel{ChannelKiosk, ChannelRemote, ChannelAppointment}

// OnlineService is what a service offers citizens at home; a service with
// no such set-up offers nothing online.
type OnlineService struct {
	Service string
	// Bookable: citizens book its appointments on the portal.
	Bookable bool
	// Guests: one may book without SPID/CIE, with a name and an email or
	// mobile number proved by a code sent to it.
	Guests bool
	// BookingLimit: bookings still to come one person may hold at once.
	BookingLimit int
	// Remote: tickets may be taken from home, during opening hours only.
	Remote bool
	// RemoteMaxWait: no remote ticket once the estimated wait reaches it.
	RemoteMaxWait time.Duration
	// RemoteMaxWaiting: remote tickets not yet checked in, at most.
	RemoteMaxWaiting int
	// Bring is what to bring, as the confirmation says it.
	Bring string
}

// OnlineSettings are the office's rules for the online channels.
type OnlineSettings struct {
	DaysAhead int           // bookings open this many days ahead, today included
	NearAhead int           // "your turn is near" when this many tickets are ahead
	Hold      time.Duration // a remote ticket reached before check-in keeps its place this long
}

// DefaultOnline are the online settings of a new office.
var DefaultOnline = OnlineSettings{DaysAhead: 30, NearAhead: 3, Hold: 30 * time.Minute}

// Limits of the online settings.
const (
	MaxDaysAhead        = 180
	MaxNearAhead        = 20
	MaxHoldMinutes      = 120
	MaxBookingLimit     = 10
	MaxRemoteWaiting    = 500
	MaxRemoteWaitMinute = 240
	MaxBringLength      = 1000
)

// Validate checks the online settings before they are saved.
func (o OnlineSettings) Validate() error {
	if o.DaysAhead < 1 || o.DaysAhead > MaxDaysAhead {
		return fault.New(fault.Invalid, "Bookings must open between 1 and {{.Max}} days ahead", map[string]any{"Max": MaxDaysAhead})
	}
	if o.NearAhead < 1 || o.NearAhead > MaxNearAhead {
		return fault.New(fault.Invalid, "The alert must come when between 1 and {{.Max}} tickets are ahead", map[string]any{"Max": MaxNearAhead})
	}
	if o.Hold < time.Minute || o.Hold > MaxHoldMinutes*time.Minute || o.Hold%time.Minute != 0 {
		return fault.New(fault.Invalid, "A remote ticket's place must be held a whole number of minutes between 1 and {{.Max}}", map[string]any{"Max": MaxHoldMinutes})
	}
	return nil
}

// Validate checks a service's online set-up before it is saved.
func (o OnlineService) Validate() error {
	if o.Service == "" {
		return fault.New(fault.Invalid, "The service is required", nil)
	}
	if o.BookingLimit < 1 || o.BookingLimit > MaxBookingLimit {
		return fault.New(fault.Invalid, "Bookings per person must be between 1 and {{.Max}}", map[string]any{"Max": MaxBookingLimit})
	}
	if w := o.RemoteMaxWait; w < time.Minute || w > MaxRemoteWaitMinute*time.Minute || w%time.Minute != 0 {
		return fault.New(fault.Invalid, "The longest wait for a remote ticket must be a whole number of minutes between 1 and {{.Max}}", map[string]any{"Max": MaxRemoteWaitMinute})
	}
	if o.RemoteMaxWaiting < 1 || o.RemoteMaxWaiting > MaxRemoteWaiting {
		return fault.New(fault.Invalid, "Remote tickets waiting must be between 1 and {{.Max}}", map[string]any{"Max": MaxRemoteWaiting})
	}
	if len(o.Bring) > MaxBringLength {
		return fault.New(fault.Invalid, "What to bring must be at most {{.Max}} characters", map[string]any{"Max": MaxBringLength})
	}
	return nil
}

// BookableDay checks a booking on day may be made at now: not in the past,
// not more than daysAhead days ahead (today is the first).
func BookableDay(day registry.Date, now time.Time, daysAhead int) error {
	today := DayOf(now)
	last := DayOf(now.AddDate(0, 0, daysAhead-1))
	if day.Before(today) || last.Before(day) {
		return fault.New(fault.Invalid, "Bookings are open from today to {{.Last}}", map[string]any{"Last": last.Italian()})
	}
	return nil
}

// OpenAt reports whether now falls within one of the opening ranges.
func OpenAt(hours []Hours, now time.Time) bool {
	local := now.In(registry.Rome)
	c := Clock(local.Hour()*60 + local.Minute())
	return slices.ContainsFunc(hours, func(h Hours) bool {
		return h.Weekday == local.Weekday() && h.Opens <= c && c < h.Closes
	})
}

// RemoteAllowed checks a remote ticket may be taken now: the service offers
// them, it is open, the estimated wait is under the limit and fewer than
// the limit of remote tickets wait to check in.
func (o OnlineService) RemoteAllowed(open bool, wait time.Duration, remoteWaiting int) error {
	switch {
	case !o.Remote:
		return fault.New(fault.Forbidden, "This service does not give tickets from home: come to the office", nil)
	case !open:
		return fault.New(fault.Conflict, "Tickets from home are given during opening hours only", nil)
	case wait >= o.RemoteMaxWait:
		return fault.New(fault.Conflict, "The wait is too long for tickets from home now: try again later or come to the office", nil)
	case remoteWaiting >= o.RemoteMaxWaiting:
		return fault.New(fault.Conflict, "Too many tickets from home are waiting now: try again later or come to the office", nil)
	}
	return nil
}

// HoldRule is the rule of remote tickets reached before check-in, as the
// service charter and the ticket page say it (a translation key).
const HoldRule = "If your number comes up before you check in, your ticket is held aside: check in at the kiosk or tell a clerk within {{.Minutes}} minutes and you are called before the people who arrived after you; later, you join the line as a new arrival."

// KeepsPlace applies HoldRule: a remote ticket checked in at now, whose
// place in line was reached at reached (zero: not yet), keeps its place.
func KeepsPlace(reached, now time.Time, hold time.Duration) bool {
	return reached.IsZero() || !now.After(reached.Add(hold))
}

// NoShow reports whether a booking's check-in window has ended at now
// without a check-in: the statistics count it as a no-show.
func (a Appointment) NoShow(now time.Time) bool {
	return a.State == BookingBooked && now.After(a.At().Add(CheckInLate))
}

// PersonKey is the one key of a person for the per-person limits: the
// codice fiscale of a signed-in citizen, else the email (small letters) or
// the mobile number (digits, with its country code) proved by a code.
func PersonKey(cf, email, mobile string) string {
	switch {
	case cf != "":
		return "cf:" + strings.ToUpper(strings.TrimSpace(cf))
	case email != "":
		return "email:" + strings.ToLower(strings.TrimSpace(email))
	case mobile != "":
		return "tel:" + NormalizeMobile(mobile)
	}
	return ""
}

// NormalizeMobile keeps the digits of a mobile number and a leading +; an
// Italian number without its country code gets +39.
func NormalizeMobile(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if r == '+' && i == 0 || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	if !strings.HasPrefix(out, "+") && out != "" {
		out = "+39" + out
	}
	return out
}

// ValidContact checks an email or a mobile number as typed.
func ValidContact(email, mobile string) error {
	if email == "" && mobile == "" {
		return fault.New(fault.Invalid, "An email or a mobile number is required", nil)
	}
	if email != "" {
		at := strings.LastIndexByte(email, '@')
		if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \r\n<>,;") || !strings.Contains(email[at:], ".") || len(email) > 254 {
			return fault.New(fault.Invalid, "The email address is not valid", nil)
		}
	}
	if mobile != "" {
		if n := len(NormalizeMobile(mobile)); n < 10 || n > 16 {
			return fault.New(fault.Invalid, "The mobile number is not valid", nil)
		}
	}
	return nil
}

// EstimateError is the median absolute error of the estimates against the
// real waits (pairs of estimate and wait), zero without any.
func EstimateError(estimates, waits []time.Duration) time.Duration {
	n := min(len(estimates), len(waits))
	if n == 0 {
		return 0
	}
	errs := make([]time.Duration, n)
	for i := range n {
		d := estimates[i] - waits[i]
		errs[i] = max(d, -d)
	}
	slices.Sort(errs)
	if n%2 == 1 {
		return errs[n/2]
	}
	return (errs[n/2-1] + errs[n/2]) / 2
}
