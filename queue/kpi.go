package queue

import (
	"slices"
	"time"
)

// DefaultWithin is the wait the share of people served in time is measured
// against: ISTAT reports how many waited more than 20 minutes.
const DefaultWithin = 20 * time.Minute

// Summary is the key figures of a set of tickets.
type Summary struct {
	Key           string // the service, counter or clerk; "" for all
	Tickets       int    // tickets issued (a transfer counts once, in its first line)
	Called        int
	Served        int // finished
	NoShows       int
	Cancelled     int
	WaitMedian    time.Duration // arrival to first call
	WaitP90       time.Duration
	WalkMedian    time.Duration // call to start
	WalkP90       time.Duration
	ServiceMedian time.Duration // start to end
	ServiceP90    time.Duration
	TotalMedian   time.Duration // arrival to end
	TotalP90      time.Duration
	Within        float64 // share of called tickets first called within the threshold, 0..1
}

// Summarize computes the figures of tickets grouped by key (nil: one
// group), the whole first, then the groups in key order. within is the
// wait threshold of Summary.Within.
func Summarize(tickets []Ticket, within time.Duration, key func(Ticket) string) []Summary {
	groups := map[string][]Ticket{}
	var keys []string
	if key != nil {
		for _, t := range tickets {
			k := key(t)
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], t)
		}
	}
	slices.Sort(keys)
	out := []Summary{summarize("", tickets, within)}
	for _, k := range keys {
		out = append(out, summarize(k, groups[k], within))
	}
	return out
}

func summarize(k string, tickets []Ticket, within time.Duration) Summary {
	s := Summary{Key: k}
	var waits, walks, services, totals []time.Duration
	inTime := 0
	for _, t := range tickets {
		if t.ParentID == 0 {
			s.Tickets++
		}
		switch t.State {
		case NoShow:
			s.NoShows++
		case Cancelled:
			s.Cancelled++
		case Done:
			s.Served++
		}
		if !t.FirstCalledAt.IsZero() {
			s.Called++
			w := t.FirstCalledAt.Sub(t.ArrivedAt)
			waits = append(waits, w)
			if w <= within {
				inTime++
			}
		}
		if !t.StartedAt.IsZero() && !t.CalledAt.IsZero() && t.StartedAt.After(t.CalledAt) {
			walks = append(walks, t.StartedAt.Sub(t.CalledAt))
		}
		if t.State == Done && !t.StartedAt.IsZero() {
			services = append(services, t.EndedAt.Sub(t.StartedAt))
			totals = append(totals, t.EndedAt.Sub(t.ArrivedAt))
		}
	}
	s.WaitMedian, s.WaitP90 = Percentile(waits, 50), Percentile(waits, 90)
	s.WalkMedian, s.WalkP90 = Percentile(walks, 50), Percentile(walks, 90)
	s.ServiceMedian, s.ServiceP90 = Percentile(services, 50), Percentile(services, 90)
	s.TotalMedian, s.TotalP90 = Percentile(totals, 50), Percentile(totals, 90)
	if s.Called > 0 {
		s.Within = float64(inTime) / float64(s.Called)
	}
	return s
}

// Percentile is the nearest-rank p-th percentile of ds, 0 for none.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}
