package queue

import (
	"testing"
	"time"
)

func TestOfficeView(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	office := Office{
		Services: []Service{{Code: "A", Name: "Anagrafe"}, {Code: "B", Name: "CIE"}},
		Counters: []Counter{{Code: "1", Name: "S1"}, {Code: "2", Name: "S2"}, {Code: "3", Name: "S3"}, {Code: "4", Name: "S4"}, {Code: "5", Name: "S5"}},
	}
	st := Status{
		Lines: []ServiceLine{
			{Service: office.Services[0], Waiting: 7, Next: []Ticket{{Label: "A004", ArrivedAt: ago(12)}, {Label: "A005", ArrivedAt: ago(3)}}},
			{Service: office.Services[1]},
		},
		Current: map[string]Ticket{
			"1": {Label: "A001", State: Called, Clerk: "lneri", CalledAt: ago(1)},
			"2": {Label: "B001", State: Serving, Clerk: "mrossi", CalledAt: ago(9), StartedAt: ago(8)},
		},
		Held: map[string][]Ticket{"3": {{Label: "A002", State: OnHold}}},
	}
	pauses := map[string]Pause{
		"3": {Counter: "3", Kind: Break, Clerk: "gbianchi", Start: ago(5)},
		"4": {Counter: "4", Kind: BackOffice, Clerk: "fverdi", Start: ago(30)},
	}
	counters, lines := OfficeView(office, st, pauses, now)
	want := []struct {
		activity CounterActivity
		ticket   string
		clerk    string
		minutes  int
		held     int
	}{
		{CounterCalling, "A001", "lneri", 1, 0},
		{CounterServing, "B001", "mrossi", 8, 0},
		{CounterPaused, "", "gbianchi", 5, 1},
		{CounterBackOffice, "", "fverdi", 30, 0},
		{CounterFree, "", "", 0, 0},
	}
	if len(counters) != len(want) {
		t.Fatalf("%d counters", len(counters))
	}
	for i, w := range want {
		c := counters[i]
		if c.Activity != w.activity || c.Ticket != w.ticket || c.Clerk != w.clerk || c.For(now) != time.Duration(w.minutes)*time.Minute || c.Held != w.held {
			t.Errorf("counter %s: %+v", c.Counter.Code, c)
		}
	}
	if lines[0].Waiting != 7 || lines[0].Longest != 12*time.Minute || lines[1].Waiting != 0 || lines[1].Longest != 0 {
		t.Errorf("lines %+v", lines)
	}
}
