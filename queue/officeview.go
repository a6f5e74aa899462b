package queue

import "time"

// CounterActivity is what a counter is doing, as the supervisor sees it.
type CounterActivity string

const (
	CounterFree       CounterActivity = "free"
	CounterCalling    CounterActivity = "calling"
	CounterServing    CounterActivity = "serving"
	CounterPaused     CounterActivity = "paused"
	CounterBackOffice CounterActivity = "back_office"
)

// CounterState is one counter in the supervisor's view of the office.
type CounterState struct {
	Counter  Counter
	Activity CounterActivity
	Ticket   string    // the label of the ticket called or served, "" otherwise
	Clerk    string    // who calls, serves or paused; "" when free
	Since    time.Time // when the activity began; zero when free
	Held     int       // tickets on hold at the counter
}

// For is how long the activity has lasted at now.
func (c CounterState) For(now time.Time) time.Duration {
	if c.Since.IsZero() || now.Before(c.Since) {
		return 0
	}
	return now.Sub(c.Since)
}

// LineState is one service's waiting line in the supervisor's view.
type LineState struct {
	Service Service
	Waiting int
	Longest time.Duration // the wait so far of the first person in line
}

// OfficeView is the state of every counter and every line at now, from a
// status snapshot and the running pauses by counter code. A ticket on hand
// wins over a pause (a pause cannot start with a ticket on hand).
func OfficeView(o Office, st Status, pauses map[string]Pause, now time.Time) ([]CounterState, []LineState) {
	var counters []CounterState
	for _, c := range o.Counters {
		cs := CounterState{Counter: c, Activity: CounterFree, Held: len(st.Held[c.Code])}
		if t, ok := st.Current[c.Code]; ok && (t.State == Called || t.State == Serving) {
			cs.Ticket, cs.Clerk = t.Label, t.Clerk
			cs.Activity, cs.Since = CounterCalling, t.CalledAt
			if t.State == Serving {
				cs.Activity, cs.Since = CounterServing, t.StartedAt
			}
		} else if p, ok := pauses[c.Code]; ok {
			cs.Activity, cs.Clerk, cs.Since = CounterPaused, p.Clerk, p.Start
			if p.Kind == BackOffice {
				cs.Activity = CounterBackOffice
			}
		}
		counters = append(counters, cs)
	}
	var lines []LineState
	for _, l := range st.Lines {
		ls := LineState{Service: l.Service, Waiting: l.Waiting}
		for _, t := range l.Next {
			if w := now.Sub(t.ArrivedAt); w > ls.Longest {
				ls.Longest = w
			}
		}
		lines = append(lines, ls)
	}
	return counters, lines
}
