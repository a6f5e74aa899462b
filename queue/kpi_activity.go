package queue

import (
	"slices"
	"time"

	"sportello/registry"
)

// Activity is how the working time of a counter or a clerk went, over the
// days of a period. A working day runs from the first call or pause to the
// last end of a ticket or pause; within it the time is busy (from a
// ticket's first call to its end), paused, in back office, or idle (none of
// these: free, waiting for someone to call).
type Activity struct {
	Working    time.Duration
	Busy       time.Duration
	Paused     time.Duration
	BackOffice time.Duration
	Idle       time.Duration
}

// interval is a stretch of time, start before end.
type interval struct{ start, end time.Time }

// Activities computes the activity of each key (a counter's code or a
// clerk's username, as key and pauseKey give them) and of all keys
// together, under "". Tickets never called and pauses still running are
// left out. Busy and paused time that overlap (a pause taken while a
// ticket is on hold) count once, as busy.
func Activities(tickets []Ticket, pauses []Pause, key func(Ticket) string, pauseKey func(Pause) string) map[string]Activity {
	type dayKey struct {
		key string
		day registry.Date
	}
	busy := map[dayKey][]interval{}
	stops := map[dayKey][]Pause{}
	for _, t := range tickets {
		if t.FirstCalledAt.IsZero() || !t.EndedAt.After(t.FirstCalledAt) {
			continue
		}
		k := dayKey{key(t), t.Day}
		busy[k] = append(busy[k], interval{t.FirstCalledAt, t.EndedAt})
	}
	for _, p := range pauses {
		if p.End.IsZero() || !p.End.After(p.Start) {
			continue
		}
		k := dayKey{pauseKey(p), p.Day}
		stops[k] = append(stops[k], p)
	}
	out := map[string]Activity{}
	days := map[dayKey]bool{}
	for k := range busy {
		days[k] = true
	}
	for k := range stops {
		days[k] = true
	}
	for k := range days {
		a := dayActivity(busy[k], stops[k])
		for _, key := range []string{k.key, ""} {
			sum := out[key]
			sum.Working += a.Working
			sum.Busy += a.Busy
			sum.Paused += a.Paused
			sum.BackOffice += a.BackOffice
			sum.Idle += a.Idle
			out[key] = sum
		}
	}
	return out
}

// dayActivity is one key's activity on one day.
func dayActivity(busy []interval, pauses []Pause) Activity {
	var all []interval
	all = append(all, busy...)
	for _, p := range pauses {
		all = append(all, interval{p.Start, p.End})
	}
	if len(all) == 0 {
		return Activity{}
	}
	first, last := all[0].start, all[0].end
	for _, iv := range all {
		if iv.start.Before(first) {
			first = iv.start
		}
		if iv.end.After(last) {
			last = iv.end
		}
	}
	var a Activity
	a.Working = last.Sub(first)
	busyUnion := union(busy)
	a.Busy = total(busyUnion)
	for _, p := range pauses {
		// The part of the pause not spent on a ticket.
		d := p.End.Sub(p.Start) - overlap(interval{p.Start, p.End}, busyUnion)
		if p.Kind == BackOffice {
			a.BackOffice += d
		} else {
			a.Paused += d
		}
	}
	a.Idle = max(a.Working-total(union(all)), 0)
	return a
}

// union merges overlapping intervals, in order.
func union(ivs []interval) []interval {
	s := slices.Clone(ivs)
	slices.SortFunc(s, func(a, b interval) int { return a.start.Compare(b.start) })
	var out []interval
	for _, iv := range s {
		if n := len(out); n > 0 && !iv.start.After(out[n-1].end) {
			if iv.end.After(out[n-1].end) {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func total(ivs []interval) time.Duration {
	var d time.Duration
	for _, iv := range ivs {
		d += iv.end.Sub(iv.start)
	}
	return d
}

// overlap is how much of iv the merged intervals cover.
func overlap(iv interval, merged []interval) time.Duration {
	var d time.Duration
	for _, m := range merged {
		start, end := later(iv.start, m.start), earlier(iv.end, m.end)
		if end.After(start) {
			d += end.Sub(start)
		}
	}
	return d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
