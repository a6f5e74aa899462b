package store

import (
	"context"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
)

func TestCallTicket(t *testing.T) {
	ctx := context.Background()
	s, c := openQueue(t, morning)
	a1 := issue(t, s, "A", false)
	a2 := issue(t, s, "A", false)
	c1 := issue(t, s, "C", false)

	tests := []struct {
		name    string
		counter string
		id      int64
		code    string // the fault code expected, "" for success
	}{
		{"counter 1 does not serve C", "1", c1.ID, fault.Conflict},
		{"out of order", "1", a2.ID, ""},
		{"counter busy", "1", a1.ID, fault.Conflict},
		{"already called", "2", a2.ID, fault.Conflict},
		{"no such counter", "9", a1.ID, fault.NotFound},
		{"another counter", "2", a1.ID, ""},
	}
	for _, tt := range tests {
		got, err := s.CallTicket(ctx, "lneri", tt.counter, tt.id)
		if tt.code != "" {
			if fault.Code(err) != tt.code {
				t.Errorf("%s: error %v, want code %s", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.State != queue.Called || got.Counter != tt.counter || got.Clerk != "lneri" {
			t.Errorf("%s: ticket %+v", tt.name, got)
		}
	}
	st, err := s.QueueStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current["1"].ID != a2.ID || st.LastCall[0].ID != a1.ID {
		t.Errorf("status current %v last %v", st.Current, st.LastCall)
	}

	// A no-show is listed, reactivated, and no longer listed.
	if _, err := s.NoShowTicket(ctx, "lneri", a2.ID); err != nil {
		t.Fatal(err)
	}
	ns, err := s.QueueNoShows(ctx)
	if err != nil || len(ns) != 1 || ns[0].ID != a2.ID {
		t.Fatalf("no-shows %v, %v", ns, err)
	}
	if _, err := s.ReactivateTicket(ctx, "lneri", a2.ID); err != nil {
		t.Fatal(err)
	}
	if ns, _ := s.QueueNoShows(ctx); len(ns) != 0 {
		t.Errorf("no-shows after reactivation: %v", ns)
	}
	// A ticket of an earlier day cannot be called.
	c.add(24 * time.Hour)
	if _, err := s.CallTicket(ctx, "lneri", "3", c1.ID); err == nil {
		t.Error("called a ticket of yesterday")
	}
}

func TestPauseCounter(t *testing.T) {
	ctx := context.Background()
	s, c := openQueue(t, morning)
	a1 := issue(t, s, "A", false)
	if _, err := s.EndPause(ctx, "lneri", "1"); fault.Code(err) != fault.Conflict {
		t.Errorf("ending no pause: %v", err)
	}
	if _, err := s.PauseCounter(ctx, "lneri", "1", "coffee"); fault.Code(err) != fault.Invalid {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := s.PauseCounter(ctx, "lneri", "9", queue.Break); fault.Code(err) != fault.NotFound {
		t.Errorf("no such counter: %v", err)
	}
	callNext(t, s, "1")
	if _, err := s.PauseCounter(ctx, "lneri", "1", queue.Break); fault.Code(err) != fault.Conflict {
		t.Errorf("pause with a ticket called: %v", err)
	}
	if _, err := s.NoShowTicket(ctx, "lneri", a1.ID); err != nil {
		t.Fatal(err)
	}
	p, err := s.PauseCounter(ctx, "lneri", "1", queue.BackOffice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PauseCounter(ctx, "lneri", "1", queue.Break); fault.Code(err) != fault.Conflict {
		t.Errorf("paused twice: %v", err)
	}
	open, err := s.OpenPauses(ctx)
	if err != nil || len(open) != 1 || open["1"].Kind != queue.BackOffice || !open["1"].Start.Equal(p.Start) {
		t.Fatalf("open pauses %v, %v", open, err)
	}
	c.add(7 * time.Minute)
	ended, err := s.EndPause(ctx, "lneri", "1")
	if err != nil {
		t.Fatal(err)
	}
	if d := ended.End.Sub(ended.Start); d != 7*time.Minute {
		t.Errorf("pause lasted %v", d)
	}
	if open, _ := s.OpenPauses(ctx); len(open) != 0 {
		t.Errorf("open after the end: %v", open)
	}

	// A pause left open stays with its day: the next day the counter is not paused.
	if _, err := s.PauseCounter(ctx, "lneri", "2", queue.Break); err != nil {
		t.Fatal(err)
	}
	c.add(24 * time.Hour)
	if open, _ := s.OpenPauses(ctx); len(open) != 0 {
		t.Errorf("yesterday's pause is open today: %v", open)
	}
	if _, err := s.PauseCounter(ctx, "lneri", "2", queue.Break); err != nil {
		t.Errorf("pause the next day: %v", err)
	}
}
