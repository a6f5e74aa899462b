package queue

import (
	"testing"
	"time"

	"sportello/registry"
)

func TestPercentile(t *testing.T) {
	m := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Minute)
		}
		return out
	}
	tests := []struct {
		name string
		ds   []time.Duration
		p    int
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", m(7), 90, 7 * time.Minute},
		{"median of odd", m(9, 1, 5), 50, 5 * time.Minute},
		{"median of even: lower", m(4, 1, 3, 2), 50, 2 * time.Minute},
		{"p90 of ten", m(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.ds, tc.p); got != tc.want {
				t.Errorf("Percentile = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome)
	min := func(n int) time.Time { return at.Add(time.Duration(n) * time.Minute) }
	served := func(service string, arrive, call, start, end int) Ticket {
		return Ticket{Service: service, State: Done, ArrivedAt: min(arrive), FirstCalledAt: min(call), CalledAt: min(call), StartedAt: min(start), EndedAt: min(end)}
	}
	tickets := []Ticket{
		served("A", 0, 10, 11, 20), // wait 10, service 9
		served("A", 0, 30, 32, 40), // wait 30, service 8
		served("B", 5, 15, 16, 30), // wait 10, service 14
		{Service: "B", State: NoShow, ArrivedAt: min(0), FirstCalledAt: min(25), CalledAt: min(25)},
		{Service: "A", State: Cancelled, ArrivedAt: min(1)},
		{Service: "B", State: Waiting, ArrivedAt: min(2), ParentID: 1}, // a transfer: not a new ticket
	}
	got := Summarize(tickets, DefaultWithin, func(t Ticket) string { return t.Service })
	if len(got) != 3 || got[0].Key != "" || got[1].Key != "A" || got[2].Key != "B" {
		t.Fatalf("groups %+v", got)
	}
	all := got[0]
	if all.Tickets != 5 || all.Called != 4 || all.Served != 3 || all.NoShows != 1 || all.Cancelled != 1 {
		t.Errorf("counts %+v", all)
	}
	if all.WaitMedian != 10*time.Minute || all.WaitP90 != 30*time.Minute || all.ServiceMedian != 9*time.Minute || all.Within != 0.5 {
		t.Errorf("times %+v", all)
	}
	if a := got[1]; a.Served != 2 || a.TotalMedian != 20*time.Minute || a.WalkMedian != time.Minute {
		t.Errorf("A %+v", a)
	}
}
