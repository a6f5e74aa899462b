package queue

import (
	"slices"
	"testing"
	"time"

	"sportello/registry"
)

func TestActivities(t *testing.T) {
	day := registry.NewDate(2026, 11, 26)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, registry.Rome) }
	served := func(counter, clerk string, from, to time.Time) Ticket {
		return Ticket{Day: day, Counter: counter, Clerk: clerk, FirstCalledAt: from, CalledAt: from, EndedAt: to, State: Done}
	}
	tickets := []Ticket{
		// Counter 1: 09:00-09:10 and 09:30-09:40, a 10-minute pause at 09:15,
		// back office 10:00-10:20: working 09:00-10:20, busy 20, paused 10,
		// back office 20, idle 80-50 = 30.
		served("1", "lneri", at(9, 0), at(9, 10)),
		served("1", "lneri", at(9, 30), at(9, 40)),
		// Counter 2: two tickets overlapping (one on hold meanwhile) count
		// once: 09:00-09:20 and 09:10-09:30 are 30 minutes busy, no idle.
		served("2", "mbianchi", at(9, 0), at(9, 20)),
		served("2", "mbianchi", at(9, 10), at(9, 30)),
		{Day: day, Counter: "3", State: Waiting}, // never called
	}
	pauses := []Pause{
		{Counter: "1", Clerk: "lneri", Day: day, Kind: Break, Start: at(9, 15), End: at(9, 25)},
		{Counter: "1", Clerk: "lneri", Day: day, Kind: BackOffice, Start: at(10, 0), End: at(10, 20)},
		{Counter: "2", Clerk: "mbianchi", Day: day, Kind: Break, Start: at(11, 0)}, // still running: left out
	}
	got := Activities(tickets, pauses, func(t Ticket) string { return t.Counter }, func(p Pause) string { return p.Counter })
	want := map[string]Activity{
		"1": {Working: 80 * time.Minute, Busy: 20 * time.Minute, Paused: 10 * time.Minute, BackOffice: 20 * time.Minute, Idle: 30 * time.Minute},
		"2": {Working: 30 * time.Minute, Busy: 30 * time.Minute},
		"":  {Working: 110 * time.Minute, Busy: 50 * time.Minute, Paused: 10 * time.Minute, BackOffice: 20 * time.Minute, Idle: 30 * time.Minute},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("counter %q: %+v, want %+v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys %v", got)
	}
	// By clerk, the same figures under the usernames.
	byClerk := Activities(tickets, pauses, func(t Ticket) string { return t.Clerk }, func(p Pause) string { return p.Clerk })
	if byClerk["lneri"] != want["1"] {
		t.Errorf("lneri %+v", byClerk["lneri"])
	}
	// A pause taken while a ticket is open counts as busy, not paused.
	overlapping := Activities([]Ticket{served("1", "x", at(9, 0), at(9, 30))},
		[]Pause{{Counter: "1", Day: day, Kind: Break, Start: at(9, 20), End: at(9, 40)}},
		func(t Ticket) string { return t.Counter }, func(p Pause) string { return p.Counter })
	if a := overlapping["1"]; a.Busy != 30*time.Minute || a.Paused != 10*time.Minute || a.Idle != 0 || a.Working != 40*time.Minute {
		t.Errorf("overlapping pause %+v", a)
	}
}

func TestWaitSeries(t *testing.T) {
	day := registry.NewDate(2026, 11, 26)
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, registry.Rome) }
	waited := func(d, h int, wait time.Duration) Ticket {
		return Ticket{Day: registry.NewDate(2026, 11, d), ArrivedAt: at(d, h, 0), FirstCalledAt: at(d, h, 0).Add(wait)}
	}
	tickets := []Ticket{
		waited(26, 9, 4*time.Minute), waited(26, 9, 10*time.Minute), waited(26, 9, 30*time.Minute),
		waited(26, 11, 2*time.Minute),
		waited(24, 9, 20*time.Minute),
		{Day: day, ArrivedAt: at(26, 10, 0)}, // never called
		{Day: day, ArrivedAt: at(26, 10, 0), FirstCalledAt: at(26, 10, 50), ParentID: 1}, // a transfer
	}
	hours := WaitByHour(tickets)
	if hours[9] != 10*time.Minute || hours[11] != 2*time.Minute || hours[10] != 0 {
		t.Errorf("by hour: 9h %v, 10h %v, 11h %v", hours[9], hours[10], hours[11])
	}
	days := WaitByDay(tickets, registry.NewDate(2026, 11, 24), day)
	if want := []time.Duration{20 * time.Minute, 0, 4 * time.Minute}; !slices.Equal(days, want) {
		t.Errorf("by day %v, want %v", days, want)
	}
}
