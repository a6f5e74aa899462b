package queue

import (
	"slices"
	"time"

	"sportello/fault"
)

// Policy is the calling policy of an office.
type Policy struct {
	// PriorityRun is K: at most K priority tickets are called in a row
	// while walk-ins wait (K=2: one in every two calls may be priority).
	PriorityRun int
	// MaxWait: a ticket waiting longer than this goes before all others.
	MaxWait time.Duration
	// AppointmentWindow: an appointment is called from this long before its
	// slot to this long after; later, it joins the walk-in line.
	AppointmentWindow time.Duration
}

// DefaultPolicy is the policy of a new office.
var DefaultPolicy = Policy{PriorityRun: 2, MaxWait: 45 * time.Minute, AppointmentWindow: 10 * time.Minute}

// Pick chooses the next ticket among waiting (tickets of the counter's
// services, any order) at now. priorityRun is how many of the last calls of
// those services, counting back from the latest, were priority tickets.
// The rules, in order: a ticket past the maximum wait (oldest first); an
// appointment within its window (earliest slot first); a priority ticket
// unless K were called in a row while others wait; then arrival order
// (without the priority tickets after K in a row). Appointments before
// their window are called only when nobody else waits. It returns -1 when
// waiting is empty.
func (p Policy) Pick(waiting []Ticket, now time.Time, priorityRun int) int {
	if len(waiting) == 0 {
		return -1
	}
	best := -1
	better := func(i int, less func(a, b Ticket) bool) {
		if best < 0 || less(waiting[i], waiting[best]) {
			best = i
		}
	}
	byArrival := func(a, b Ticket) bool {
		if !a.ArrivedAt.Equal(b.ArrivedAt) {
			return a.ArrivedAt.Before(b.ArrivedAt)
		}
		return a.ID < b.ID
	}
	bySlot := func(a, b Ticket) bool {
		if !a.AppointmentAt.Equal(b.AppointmentAt) {
			return a.AppointmentAt.Before(b.AppointmentAt)
		}
		return byArrival(a, b)
	}
	early := func(t Ticket) bool {
		return !t.AppointmentAt.IsZero() && now.Before(t.AppointmentAt.Add(-p.AppointmentWindow))
	}
	inWindow := func(t Ticket) bool {
		return !t.AppointmentAt.IsZero() && !early(t) && !now.After(t.AppointmentAt.Add(p.AppointmentWindow))
	}
	// 1. Past the maximum wait.
	if p.MaxWait > 0 {
		for i, t := range waiting {
			if !early(t) && now.Sub(t.ArrivedAt) > p.MaxWait {
				better(i, byArrival)
			}
		}
		if best >= 0 {
			return best
		}
	}
	// 2. Appointments in their window.
	for i, t := range waiting {
		if inWindow(t) {
			better(i, bySlot)
		}
	}
	if best >= 0 {
		return best
	}
	// 3. Priority, at most K in a row while others wait.
	walkIns := slices.ContainsFunc(waiting, func(t Ticket) bool { return !t.Priority && !early(t) })
	priorityAllowed := p.PriorityRun <= 0 || priorityRun < p.PriorityRun || !walkIns
	if priorityAllowed {
		for i, t := range waiting {
			if t.Priority && !early(t) {
				better(i, byArrival)
			}
		}
		if best >= 0 {
			return best
		}
	}
	// 4. Arrival order (late appointments included); after K priority
	// calls in a row, the others only, even if a priority ticket came
	// before them.
	for i, t := range waiting {
		if !early(t) && (priorityAllowed || !t.Priority) {
			better(i, byArrival)
		}
	}
	if best >= 0 {
		return best
	}
	// Only early appointments: the earliest slot rather than an idle counter.
	for i := range waiting {
		better(i, bySlot)
	}
	return best
}

// PriorityRun counts the priority calls at the start of recent, the
// priority flags of the last calls, most recent first.
func PriorityRun(recent []bool) int {
	n := 0
	for _, p := range recent {
		if !p {
			break
		}
		n++
	}
	return n
}

// defaultServiceTime is the estimate when a service has no recent history.
const defaultServiceTime = 5 * time.Minute

// EstimateWait is how long a ticket with ahead tickets before it may wait:
// the median of the recent service times (defaultServiceTime when there
// are none) times the tickets ahead, shared among the counters serving the
// line, rounded up to the minute.
func EstimateWait(ahead int, recent []time.Duration, counters int) time.Duration {
	if ahead <= 0 {
		return 0
	}
	per := defaultServiceTime
	if len(recent) > 0 {
		s := slices.Clone(recent)
		slices.Sort(s)
		per = s[len(s)/2]
	}
	counters = max(counters, 1)
	d := per * time.Duration(ahead) / time.Duration(counters)
	return ((d + time.Minute - 1) / time.Minute) * time.Minute
}

// Settings is the queue's set-up a supervisor edits beyond services and
// counters: the calling policy, the wait the statistics measure the
// service level against, and whether boards chime on a call.
type Settings struct {
	Policy
	// Within is the KPI threshold: the share of people first called within
	// it is the office's service level (DOMAIN.md: 20 minutes).
	Within time.Duration
	// Chime: boards play a short sound on each call where they can.
	Chime bool
}

// DefaultSettings are the settings of a new office.
var DefaultSettings = Settings{Policy: DefaultPolicy, Within: DefaultWithin, Chime: true}

// Limits of the settings, in the units the supervisor edits.
const (
	MaxPriorityRun    = 10
	MinMaxWaitMinutes = 5
	MaxMaxWaitMinutes = 240
	MaxWindowMinutes  = 60
	MaxWithinMinutes  = 120
	maxNumber         = 999 // labels have three digits
	minSlotMinutes    = 5
	maxSlotMinutes    = 240
)

// Validate checks settings before they are saved; the messages say which
// values are allowed.
func (s Settings) Validate() error {
	if s.PriorityRun < 0 || s.PriorityRun > MaxPriorityRun {
		return fault.New(fault.Invalid, "Priority calls in a row must be between 0 (no limit) and {{.Max}}", map[string]any{"Max": MaxPriorityRun})
	}
	if w := s.MaxWait; w != 0 && (w < MinMaxWaitMinutes*time.Minute || w > MaxMaxWaitMinutes*time.Minute || w%time.Minute != 0) {
		return fault.New(fault.Invalid, "The maximum wait must be a whole number of minutes between {{.Min}} and {{.Max}}, or 0 to turn the rule off",
			map[string]any{"Min": MinMaxWaitMinutes, "Max": MaxMaxWaitMinutes})
	}
	if w := s.AppointmentWindow; w < 0 || w > MaxWindowMinutes*time.Minute || w%time.Minute != 0 {
		return fault.New(fault.Invalid, "The appointment window must be a whole number of minutes between 0 and {{.Max}}", map[string]any{"Max": MaxWindowMinutes})
	}
	if w := s.Within; w < time.Minute || w > MaxWithinMinutes*time.Minute || w%time.Minute != 0 {
		return fault.New(fault.Invalid, "The service-level threshold must be a whole number of minutes between 1 and {{.Max}}", map[string]any{"Max": MaxWithinMinutes})
	}
	return nil
}

// ServiceSetup is one service as the supervisor sets it up: the service,
// the range its numbers run through each day, its opening hours and slot
// length for appointments, and the counters that call it.
type ServiceSetup struct {
	Service     Service
	First, Last int // the day's first and last number; a ticket past Last is refused
	Hours       []Hours
	SlotMinutes int
	Counters    []string // codes of the counters that call it
}

// Validate checks a service's set-up before it is saved.
func (s ServiceSetup) Validate() error {
	if err := s.Service.Validate(); err != nil {
		return err
	}
	if s.First < 1 || s.Last > maxNumber || s.First > s.Last {
		return fault.New(fault.Invalid, "The numbers must run from a first to a last number between 1 and 999, the first not above the last", nil)
	}
	if s.SlotMinutes < minSlotMinutes || s.SlotMinutes > maxSlotMinutes {
		return fault.New(fault.Invalid, "The duration must be between 5 and 240 minutes", nil)
	}
	for _, h := range s.Hours {
		if h.Closes <= h.Opens || h.Opens < 0 || h.Closes >= 24*60 {
			return fault.New(fault.Invalid, "Each opening range must close after it opens", nil)
		}
	}
	return nil
}
