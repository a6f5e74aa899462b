package queue

import (
	"testing"
	"time"

	"sportello/fault"
	"sportello/registry"
)

func TestNext(t *testing.T) {
	allowed := []struct {
		from   State
		action Action
		to     State
	}{
		{Waiting, ActCall, Called},
		{Called, ActRecall, Called},
		{Called, ActStart, Serving},
		{Serving, ActFinish, Done},
		{Called, ActNoShow, NoShow},
		{NoShow, ActReactivate, Waiting},
		{Serving, ActTransfer, Transferred},
		{Serving, ActHold, OnHold},
		{OnHold, ActResume, Called},
		{Waiting, ActCancel, Cancelled},
		{Waiting, ActClose, Closed},
		{Called, ActClose, Closed},
		{Serving, ActClose, Closed},
		{OnHold, ActClose, Closed},
	}
	ok := map[[2]string]bool{}
	for _, tc := range allowed {
		t.Run(string(tc.from)+"/"+string(tc.action), func(t *testing.T) {
			got, err := Next(tc.from, tc.action)
			if err != nil || got != tc.to {
				t.Errorf("Next(%s, %s) = %s, %v; want %s", tc.from, tc.action, got, err, tc.to)
			}
		})
		ok[[2]string{string(tc.from), string(tc.action)}] = true
	}
	states := []State{Waiting, Called, Serving, Done, NoShow, Cancelled, Transferred, OnHold, Closed}
	actions := []Action{ActCall, ActRecall, ActStart, ActFinish, ActNoShow, ActReactivate, ActTransfer, ActHold, ActResume, ActCancel, ActClose}
	for _, s := range states {
		for _, a := range actions {
			if ok[[2]string{string(s), string(a)}] {
				continue
			}
			if _, err := Next(s, a); fault.Code(err) != fault.Conflict {
				t.Errorf("Next(%s, %s): err %v, want a conflict", s, a, err)
			}
		}
	}
}

func TestPick(t *testing.T) {
	base := time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	walk := func(id int64, min int) Ticket { return Ticket{ID: id, ArrivedAt: at(min)} }
	prio := func(id int64, min int) Ticket { return Ticket{ID: id, ArrivedAt: at(min), Priority: true} }
	appt := func(id int64, min, slot int) Ticket {
		return Ticket{ID: id, ArrivedAt: at(min), AppointmentAt: at(slot)}
	}
	p := Policy{PriorityRun: 2, MaxWait: 45 * time.Minute, AppointmentWindow: 10 * time.Minute}
	tests := []struct {
		name    string
		waiting []Ticket
		now     int
		run     int
		want    int64
	}{
		{"empty", nil, 0, 0, -1},
		{"arrival order", []Ticket{walk(2, 5), walk(1, 1), walk(3, 3)}, 10, 0, 1},
		{"priority first", []Ticket{walk(1, 1), prio(2, 5)}, 10, 0, 2},
		{"priority after one in a row", []Ticket{walk(1, 1), prio(2, 5)}, 10, 1, 2},
		{"K priority in a row: a walk-in now", []Ticket{walk(1, 1), prio(2, 5)}, 10, 2, 1},
		{"K in a row but only priority waits", []Ticket{prio(2, 5), prio(3, 6)}, 10, 2, 2},
		{"max wait beats priority", []Ticket{walk(1, 0), prio(2, 5)}, 46, 0, 1},
		{"oldest past max wait first", []Ticket{walk(3, 1), walk(1, 0), prio(2, 2)}, 50, 0, 1},
		{"appointment in window beats priority", []Ticket{prio(1, 0), appt(2, 5, 20)}, 12, 0, 2},
		{"appointment before window waits", []Ticket{walk(1, 5), appt(2, 0, 40)}, 12, 0, 1},
		{"late appointment joins the walk-in line", []Ticket{walk(1, 5), appt(2, 8, 20)}, 31, 0, 1},
		{"late appointment by arrival", []Ticket{walk(1, 9), appt(2, 8, 20)}, 31, 0, 2},
		{"only early appointments", []Ticket{appt(1, 0, 60), appt(2, 1, 50)}, 5, 0, 2},
		{"earliest slot in window first", []Ticket{appt(1, 0, 20), appt(2, 1, 15)}, 12, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := p.Pick(tc.waiting, at(tc.now), tc.run)
			got := int64(-1)
			if i >= 0 {
				got = tc.waiting[i].ID
			}
			if got != tc.want {
				t.Errorf("Pick = ticket %d, want %d", got, tc.want)
			}
		})
	}
}

// TestPickScriptedDay runs a morning: 4 priority and 4 walk-in tickets
// arrive at once, K=2; calls must alternate two priority and one walk-in
// until the priority line is empty.
func TestPickScriptedDay(t *testing.T) {
	base := time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome)
	var waiting []Ticket
	for i := range 8 {
		waiting = append(waiting, Ticket{ID: int64(i + 1), ArrivedAt: base.Add(time.Duration(i) * time.Second), Priority: i%2 == 0})
	}
	p := Policy{PriorityRun: 2, MaxWait: time.Hour}
	var recent []bool
	var got string
	for len(waiting) > 0 {
		i := p.Pick(waiting, base.Add(time.Minute), PriorityRun(recent))
		tk := waiting[i]
		waiting = append(waiting[:i], waiting[i+1:]...)
		recent = append([]bool{tk.Priority}, recent...)
		if tk.Priority {
			got += "P"
		} else {
			got += "W"
		}
	}
	if want := "PPWPPWWW"; got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
}

func TestEstimateWait(t *testing.T) {
	tests := []struct {
		name     string
		ahead    int
		recent   []time.Duration
		counters int
		want     time.Duration
	}{
		{"nobody ahead", 0, nil, 1, 0},
		{"no history", 3, nil, 1, 15 * time.Minute},
		{"median", 2, []time.Duration{time.Minute, 10 * time.Minute, 4 * time.Minute}, 1, 8 * time.Minute},
		{"two counters, rounded up", 3, []time.Duration{3 * time.Minute}, 2, 5 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := EstimateWait(tc.ahead, tc.recent, tc.counters); got != tc.want {
				t.Errorf("EstimateWait = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDayOfAcrossDST(t *testing.T) {
	// 29 March 2026: clocks go from 02:00 to 03:00 in Rome.
	tests := []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2026, 3, 28, 22, 59, 0, 0, time.UTC), "2026-03-28"}, // 23:59 CET
		{time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), "2026-03-29"},  // 00:00 CET
		{time.Date(2026, 3, 29, 21, 59, 0, 0, time.UTC), "2026-03-29"}, // 23:59 CEST
		{time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), "2026-03-30"},  // 00:00 CEST
	}
	for _, tc := range tests {
		if got := DayOf(tc.utc).String(); got != tc.want {
			t.Errorf("DayOf(%v) = %s, want %s", tc.utc, got, tc.want)
		}
	}
}

func TestServiceValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Service
		ok   bool
	}{
		{"good", Service{Code: "A", Name: "Anagrafe", DailyCap: 200}, true},
		{"lower-case prefix", Service{Code: "a", Name: "Anagrafe", DailyCap: 200}, false},
		{"no name", Service{Code: "A", DailyCap: 200}, false},
		{"cap too big", Service{Code: "A", Name: "Anagrafe", DailyCap: 1000}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.s.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}
