package queue

import (
	"slices"
	"time"
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
// unless K were called in a row; then arrival order. Appointments before
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
	if p.PriorityRun <= 0 || priorityRun < p.PriorityRun || !walkIns {
		for i, t := range waiting {
			if t.Priority && !early(t) {
				better(i, byArrival)
			}
		}
		if best >= 0 {
			return best
		}
	}
	// 4. Arrival order (late appointments included).
	for i, t := range waiting {
		if !early(t) {
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
