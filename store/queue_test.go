package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// clock is a settable clock for queue tests.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }
func (c *clock) now() time.Time      { return c.t.Load().UTC() }

// openQueue opens a test store whose clock starts at start (Rome time).
func openQueue(tb testing.TB, start time.Time) (*Store, *clock) {
	tb.Helper()
	s := openTest(tb)
	c := &clock{}
	c.set(start)
	s.now = c.now
	return s, c
}

var morning = time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome)

func issue(tb testing.TB, s *Store, service string, priority bool) queue.Ticket {
	tb.Helper()
	is, err := s.IssueTicket(context.Background(), "kiosk", service, priority)
	if err != nil {
		tb.Fatalf("IssueTicket(%s): %v", service, err)
	}
	return is.Ticket
}

func callNext(tb testing.TB, s *Store, counter string) queue.Ticket {
	tb.Helper()
	t, err := s.CallNext(context.Background(), "lneri", counter, newUID())
	if err != nil {
		tb.Fatalf("CallNext(%s): %v", counter, err)
	}
	return t
}

func events(tb testing.TB, s *Store) []queue.Event {
	tb.Helper()
	ev, err := s.QueueEvents(context.Background(), 0, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

func TestQueueDefaultOffice(t *testing.T) {
	s, _ := openQueue(t, morning)
	o, err := s.QueueOffice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Services) != 3 || o.Services[0].Code != "A" || o.Services[2].Code != "C" {
		t.Fatalf("services %+v", o.Services)
	}
	if len(o.Counters) != 3 || len(o.Counters[0].Services) != 2 {
		t.Fatalf("counters %+v", o.Counters)
	}
}

func TestQueueLifecycle(t *testing.T) {
	s, c := openQueue(t, morning)
	ctx := context.Background()
	seq0, _ := s.QueueSeq(ctx)
	outbox0 := countRows(t, s, "outbox")

	is, err := s.IssueTicket(ctx, "kiosk", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	if is.Ticket.Label != "A001" || is.Ahead != 0 || is.Wait != 0 {
		t.Errorf("first ticket %s, %d ahead, wait %v", is.Ticket.Label, is.Ahead, is.Wait)
	}
	is2, err := s.IssueTicket(ctx, "kiosk", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	// Three counters serve A and nothing has been served yet: 5 minutes
	// shared by three, rounded up to 2.
	if is2.Ticket.Label != "A002" || is2.Ahead != 1 || is2.Wait != 2*time.Minute {
		t.Errorf("second ticket %s, %d ahead, wait %v", is2.Ticket.Label, is2.Ahead, is2.Wait)
	}
	c.add(4 * time.Minute)
	tk := callNext(t, s, "1")
	if tk.Label != "A001" || tk.State != queue.Called || tk.Counter != "1" || tk.Clerk != "lneri" || tk.Wait() != 4*time.Minute {
		t.Fatalf("called %+v", tk)
	}
	if _, err := s.CallNext(ctx, "lneri", "1", newUID()); fault.Code(err) != fault.Conflict {
		t.Errorf("second call at a busy counter: %v, want a conflict", err)
	}
	if tk, err = s.RecallTicket(ctx, "lneri", tk.ID); err != nil || tk.Recalls != 1 {
		t.Fatalf("recall: %+v %v", tk, err)
	}
	c.add(time.Minute)
	if tk, err = s.StartTicket(ctx, "lneri", tk.ID); err != nil || tk.State != queue.Serving {
		t.Fatalf("start: %+v %v", tk, err)
	}
	c.add(9 * time.Minute)
	if tk, err = s.FinishTicket(ctx, "lneri", tk.ID, "certificato di residenza"); err != nil || tk.State != queue.Done || tk.Outcome != "certificato di residenza" {
		t.Fatalf("finish: %+v %v", tk, err)
	}
	// A new ticket now waits behind A002: one served in 9 minutes, and of
	// the three counters of A only counter 1 worked in the last hour.
	c.add(3 * time.Minute)
	is3, err := s.IssueTicket(ctx, "kiosk", "A", true)
	if err != nil || is3.Ahead != 1 || is3.Wait != 9*time.Minute {
		t.Errorf("third ticket: %d ahead, wait %v, %v", is3.Ahead, is3.Wait, err)
	}

	var got []string
	for _, e := range events(t, s) {
		if e.Seq <= seq0 {
			continue
		}
		got = append(got, e.Label+" "+string(e.Action)+" "+string(e.State))
	}
	want := []string{"A001 issue waiting", "A002 issue waiting", "A001 call called", "A001 recall called",
		"A001 start serving", "A001 finish done", "A003 issue waiting"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events\n%v\nwant\n%v", got, want)
	}
	if n := countRows(t, s, "outbox") - outbox0; n != len(want) {
		t.Errorf("%d outbox mutations, want one per event (%d)", n, len(want))
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

func countRows(tb testing.TB, s *Store, table string) int {
	tb.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestQueueTransitions(t *testing.T) {
	ctx := context.Background()
	type step func(s *Store, id int64) (queue.Ticket, error)
	call := func(s *Store, _ int64) (queue.Ticket, error) { return s.CallNext(ctx, "lneri", "1", newUID()) }
	recall := func(s *Store, id int64) (queue.Ticket, error) { return s.RecallTicket(ctx, "lneri", id) }
	start := func(s *Store, id int64) (queue.Ticket, error) { return s.StartTicket(ctx, "lneri", id) }
	finish := func(s *Store, id int64) (queue.Ticket, error) { return s.FinishTicket(ctx, "lneri", id, "") }
	noShow := func(s *Store, id int64) (queue.Ticket, error) { return s.NoShowTicket(ctx, "lneri", id) }
	reactivate := func(s *Store, id int64) (queue.Ticket, error) { return s.ReactivateTicket(ctx, "lneri", id) }
	hold := func(s *Store, id int64) (queue.Ticket, error) { return s.HoldTicket(ctx, "lneri", id) }
	resume := func(s *Store, id int64) (queue.Ticket, error) { return s.ResumeTicket(ctx, "lneri", id, "1") }
	cancel := func(s *Store, id int64) (queue.Ticket, error) { return s.CancelTicket(ctx, "lneri", id) }
	transfer := func(s *Store, id int64) (queue.Ticket, error) { return s.TransferTicket(ctx, "lneri", id, "B") }

	tests := []struct {
		name  string
		steps []step
		last  step
		want  queue.State // "" for a refusal
	}{
		{"cancel waiting", nil, cancel, queue.Cancelled},
		{"finish waiting refused", nil, finish, ""},
		{"start waiting refused", nil, start, ""},
		{"no-show", []step{call}, noShow, queue.NoShow},
		{"reactivate no-show", []step{call, noShow}, reactivate, queue.Waiting},
		{"cancel called refused", []step{call}, cancel, ""},
		{"recall serving refused", []step{call, start}, recall, ""},
		{"no-show serving refused", []step{call, start}, noShow, ""},
		{"hold", []step{call, start}, hold, queue.OnHold},
		{"resume", []step{call, start, hold}, resume, queue.Called},
		{"hold called refused", []step{call}, hold, ""},
		{"finish done refused", []step{call, start, finish}, finish, ""},
		{"reactivate done refused", []step{call, start, finish}, reactivate, ""},
		{"transfer called refused", []step{call}, transfer, ""},
		{"transfer serving", []step{call, start}, transfer, queue.Waiting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := openQueue(t, morning)
			tk := issue(t, s, "A", false)
			for _, st := range tc.steps {
				c.add(time.Minute)
				if _, err := st(s, tk.ID); err != nil {
					t.Fatal(err)
				}
			}
			before := len(events(t, s))
			got, err := tc.last(s, tk.ID)
			if tc.want == "" {
				if fault.Code(err) != fault.Conflict {
					t.Fatalf("err %v, want a conflict", err)
				}
				if after := len(events(t, s)); after != before {
					t.Errorf("a refused transition recorded %d events", after-before)
				}
				return
			}
			if err != nil || got.State != tc.want {
				t.Fatalf("state %s, %v; want %s", got.State, err, tc.want)
			}
		})
	}
}

func TestQueueTransferKeepsNumber(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	issue(t, s, "B", false)
	tk := issue(t, s, "A", true)
	tk = callNext(t, s, "1")
	if _, err := s.StartTicket(ctx, "lneri", tk.ID); err != nil {
		t.Fatal(err)
	}
	child, err := s.TransferTicket(ctx, "lneri", tk.ID, "B")
	if err != nil {
		t.Fatal(err)
	}
	if child.Label != "A001" || child.Service != "B" || child.ParentID != tk.ID || !child.Priority || child.State != queue.Waiting {
		t.Errorf("transferred %+v", child)
	}
	parent, _ := readTicket(ctx, s.r, tk.ID)
	if parent.State != queue.Transferred {
		t.Errorf("parent %s", parent.State)
	}
	st, err := s.QueueStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines[1].Waiting != 2 || st.Lines[1].Next[1].Label != "A001" {
		t.Errorf("line B %+v", st.Lines[1])
	}
	// The transferred ticket is priority: the next call of counter 2 takes it.
	if next := callNext(t, s, "2"); next.ID != child.ID {
		t.Errorf("called %s in %s, want the transferred A001", next.Label, next.Service)
	}
}

func TestQueueFairness(t *testing.T) {
	s, c := openQueue(t, morning)
	ctx := context.Background()
	// P = priority, W = walk-in, arriving in this order.
	for _, p := range []bool{false, true, false, true, true, true, false} {
		issue(t, s, "A", p)
		c.add(time.Second)
	}
	var got string
	for range 7 {
		c.add(time.Minute)
		tk := callNext(t, s, "1")
		if tk.Priority {
			got += "P"
		} else {
			got += "W"
		}
		if _, err := s.NoShowTicket(ctx, "lneri", tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if want := "PPWPPWW"; got != want {
		t.Errorf("calls %s, want %s", got, want)
	}

	// A walk-in past the maximum wait goes before a priority ticket.
	old := issue(t, s, "A", false)
	c.add(queue.DefaultPolicy.MaxWait + time.Minute)
	issue(t, s, "A", true)
	if tk := callNext(t, s, "2"); tk.ID != old.ID {
		t.Errorf("called %s, want %s past the maximum wait", tk.Label, old.Label)
	}
}

func TestQueueCallIDExactlyOnce(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	issue(t, s, "A", false)
	issue(t, s, "A", false)
	id := newUID()
	first, err := s.CallNext(ctx, "lneri", "1", id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartTicket(ctx, "lneri", first.ID); err != nil {
		t.Fatal(err)
	}
	again, err := s.CallNext(ctx, "lneri", "1", id)
	if err != nil || again.ID != first.ID || again.State != queue.Serving {
		t.Errorf("retried call: %+v, %v; want %s being served", again, err, first.Label)
	}
	if n := countRows(t, s, "queue_call"); n != 1 {
		t.Errorf("%d calls recorded", n)
	}
}

// TestQueueConcurrentCalls has many counters call at once, each call tried
// twice with its id; no ticket may be called twice and none lost. With
// SPORTELLO_QUEUE_STRESS=1 it runs the full 50 counters x 1,000 calls.
func TestQueueConcurrentCalls(t *testing.T) {
	workers, calls := 50, 10
	if os.Getenv("SPORTELLO_QUEUE_STRESS") != "" {
		calls = 1000
	}
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	if _, err := s.SaveService(ctx, "admin", queue.Service{Code: "Z", Name: "Prova", DailyCap: 999, Open: true}); err != nil {
		t.Fatal(err)
	}
	for w := range workers {
		if _, err := s.SaveCounter(ctx, "admin", queue.Counter{Code: "w" + strconv.Itoa(w), Name: "W", Services: []string{"Z"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Tickets straight into the table: the cap of 999 a day is not the point.
	total := workers * calls
	insertWaiting(t, s, "Z", total, morning)

	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			counter := "w" + strconv.Itoa(w)
			for range calls {
				id := newUID()
				tk, err := s.CallNext(ctx, "clerk"+counter, counter, id)
				if err != nil {
					errs <- err
					return
				}
				again, err := s.CallNext(ctx, "clerk"+counter, counter, id)
				if err != nil || again.ID != tk.ID {
					errs <- fmt.Errorf("retry of call %s: ticket %d, %v; first %d", id, again.ID, err, tk.ID)
					return
				}
				mu.Lock()
				if prev, dup := seen[tk.ID]; dup {
					mu.Unlock()
					errs <- fmt.Errorf("ticket %d called by %s and %s", tk.ID, prev, counter)
					return
				}
				seen[tk.ID] = counter
				mu.Unlock()
				if _, err := s.NoShowTicket(ctx, "clerk"+counter, tk.ID); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != total {
		t.Errorf("%d tickets called, want %d", len(seen), total)
	}
	if _, err := s.CallNext(ctx, "x", "w0", newUID()); fault.Code(err) != fault.NotFound {
		t.Errorf("call on an empty line: %v, want not found", err)
	}
}

// insertWaiting puts n waiting tickets of service in the table directly.
func insertWaiting(tb testing.TB, s *Store, service string, n int, at time.Time) {
	tb.Helper()
	tx, err := s.w.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	day := queue.DayOf(at).String()
	for i := range n {
		if _, err := tx.Exec(`INSERT INTO queue_ticket(uid, day, label, service, number, priority, state, arrived_at) VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?)`,
			newUID(), day, queue.Label(service, i+1), service, i+1, i%5 == 0, timestamp(at.Add(time.Duration(i)*time.Millisecond))); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func TestQueueDailyReset(t *testing.T) {
	tests := []struct {
		name          string
		before, after time.Time
	}{
		// Clocks go forward at 02:00 on 29 March 2026 and back at 03:00 on 25 October 2026.
		{"into summer time", time.Date(2026, 3, 28, 23, 58, 0, 0, registry.Rome), time.Date(2026, 3, 29, 0, 1, 0, 0, registry.Rome)},
		{"summer time night", time.Date(2026, 3, 29, 23, 59, 0, 0, registry.Rome), time.Date(2026, 3, 30, 0, 0, 30, 0, registry.Rome)},
		{"into winter time", time.Date(2026, 10, 24, 23, 59, 0, 0, registry.Rome), time.Date(2026, 10, 25, 0, 0, 30, 0, registry.Rome)},
		{"the 25-hour day", time.Date(2026, 10, 25, 23, 59, 0, 0, registry.Rome), time.Date(2026, 10, 26, 0, 0, 30, 0, registry.Rome)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := openQueue(t, tc.before)
			ctx := context.Background()
			issue(t, s, "A", false)
			issue(t, s, "A", false)
			called := callNext(t, s, "1")
			c.set(tc.after)
			first := issue(t, s, "A", false)
			if first.Label != "A001" || first.Day != registry.DateOf(tc.after) {
				t.Errorf("first ticket after midnight %s on %s", first.Label, first.Day)
			}
			for _, id := range []int64{called.ID, called.ID + 1} {
				old, err := readTicket(ctx, s.r, id)
				if err != nil || old.State != queue.Closed {
					t.Errorf("ticket %s of the day before: %s, %v", old.Label, old.State, err)
				}
			}
			st, err := s.QueueStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Lines[0].Waiting != 1 || len(st.Current) != 0 || len(st.LastCall) != 0 {
				t.Errorf("status after the reset: %d waiting, current %v, last calls %d", st.Lines[0].Waiting, st.Current, len(st.LastCall))
			}
			// History is kept.
			if n := countRows(t, s, "queue_ticket"); n != 3 {
				t.Errorf("%d tickets kept", n)
			}
			// Counter 1 is free again: its ticket of yesterday was closed.
			if tk := callNext(t, s, "1"); tk.ID != first.ID {
				t.Errorf("called %s", tk.Label)
			}
		})
	}
}

func TestQueueDailyCapAndClosed(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	if _, err := s.SaveService(ctx, "admin", queue.Service{Code: "D", Name: "Elettorale", DailyCap: 2, Open: true, Position: 4}); err != nil {
		t.Fatal(err)
	}
	issue(t, s, "D", false)
	issue(t, s, "D", false)
	if _, err := s.IssueTicket(ctx, "kiosk", "D", false); fault.Code(err) != fault.Conflict {
		t.Errorf("ticket past the cap: %v", err)
	}
	if _, err := s.SaveService(ctx, "admin", queue.Service{Code: "D", Name: "Elettorale", DailyCap: 5, Open: false, Position: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueTicket(ctx, "kiosk", "D", false); fault.Code(err) != fault.Conflict {
		t.Errorf("ticket of a closed service: %v", err)
	}
	if _, err := s.IssueTicket(ctx, "kiosk", "Q", false); fault.Code(err) != fault.NotFound {
		t.Errorf("ticket of an unknown service: %v", err)
	}
	if _, err := s.SaveCounter(ctx, "admin", queue.Counter{Code: "9", Name: "Nove", Services: []string{"Q"}}); fault.Code(err) != fault.NotFound {
		t.Errorf("counter with an unknown service: %v", err)
	}
}

func TestQueueEventsCatchUp(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	for range 5 {
		issue(t, s, "C", false)
	}
	all := events(t, s)
	part, err := s.QueueEvents(ctx, all[1].Seq, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(part) != 2 || part[0].Seq != all[2].Seq || part[1].Seq != all[3].Seq {
		t.Errorf("events after %d: %+v", all[1].Seq, part)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq != all[i-1].Seq+1 {
			t.Errorf("gap between %d and %d", all[i-1].Seq, all[i].Seq)
		}
	}
}

func TestQueueTickets(t *testing.T) {
	s, c := openQueue(t, morning)
	ctx := context.Background()
	issue(t, s, "A", false)
	c.add(24 * time.Hour)
	issue(t, s, "A", false)
	issue(t, s, "B", false)
	today := queue.DayOf(c.now())
	got, err := s.QueueTickets(ctx, today, today)
	if err != nil || len(got) != 2 {
		t.Fatalf("today: %d tickets, %v", len(got), err)
	}
	got, _ = s.QueueTickets(ctx, queue.DayOf(morning), today)
	if len(got) != 3 || got[0].State != queue.Closed {
		t.Errorf("two days: %+v", got)
	}
}

func TestCallNextBatch(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	for range 3 {
		issue(t, s, "A", false)
	}
	first := callNext(t, s, "1") // counter 1 is busy with it
	res := s.CallNextBatch(ctx, []CallRequest{
		{Operator: "anna", Counter: "2", CallID: "c2"},
		{Operator: "lneri", Counter: "1", CallID: "c1"}, // busy: refused alone
		{Operator: "anna", Counter: "2", CallID: "c2"},  // the same call again: the same ticket
		{Operator: "piero", Counter: "3", CallID: "c3"},
		{Operator: "piero", Counter: "9", CallID: "c9"}, // no such counter
		{Operator: "", Counter: "3", CallID: "c-none"},
	})
	if res[0].Err != nil || res[2].Err != nil || res[0].Ticket.ID != res[2].Ticket.ID {
		t.Fatalf("counter 2 and its retry: %+v %+v", res[0], res[2])
	}
	if fault.Code(res[1].Err) != fault.Conflict || fault.Code(res[4].Err) != fault.NotFound || fault.Code(res[5].Err) != fault.Invalid {
		t.Fatalf("refusals: %v / %v / %v", res[1].Err, res[4].Err, res[5].Err)
	}
	if res[3].Err != nil {
		t.Fatalf("counter 3: %v", res[3].Err)
	}
	got := map[int64]bool{first.ID: true}
	for _, r := range []CallResult{res[0], res[3]} {
		if got[r.Ticket.ID] {
			t.Fatalf("ticket %s called twice", r.Ticket.Label)
		}
		got[r.Ticket.ID] = true
	}
	st, err := s.QueueStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines[0].Waiting != 0 {
		t.Fatalf("%d still waiting after three calls of three tickets", st.Lines[0].Waiting)
	}
}
