package queue

import (
	"time"

	"sportello/registry"
)

// WaitByHour is the median wait to the first call of the tickets that
// arrived in each hour of the day (Europe/Rome), 0 for an hour with none
// called; a transfer is not a new arrival.
func WaitByHour(tickets []Ticket) [24]time.Duration {
	var waits [24][]time.Duration
	for _, t := range tickets {
		if t.ParentID != 0 || t.FirstCalledAt.IsZero() {
			continue
		}
		h := t.ArrivedAt.In(registry.Rome).Hour()
		waits[h] = append(waits[h], t.Wait())
	}
	var out [24]time.Duration
	for h, ws := range waits {
		out[h] = Percentile(ws, 50)
	}
	return out
}

// WaitByDay is the median wait to the first call of each day from from to
// to (inclusive), 0 for a day with none called.
func WaitByDay(tickets []Ticket, from, to registry.Date) []time.Duration {
	var days []registry.Date
	for d := from; !to.Before(d); d = registry.DateOf(d.Time().AddDate(0, 0, 1)) {
		days = append(days, d)
	}
	waits := make(map[registry.Date][]time.Duration, len(days))
	for _, t := range tickets {
		if t.ParentID != 0 || t.FirstCalledAt.IsZero() {
			continue
		}
		waits[t.Day] = append(waits[t.Day], t.Wait())
	}
	out := make([]time.Duration, len(days))
	for i, d := range days {
		out[i] = Percentile(waits[d], 50)
	}
	return out
}
