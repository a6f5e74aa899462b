package store

import (
	"context"
	"os"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
)

func TestQueueSettings(t *testing.T) {
	s, c := openQueue(t, morning)
	ctx := context.Background()
	got, err := s.QueueSettings(ctx)
	if err != nil || got != queue.DefaultSettings {
		t.Fatalf("new office settings %+v, %v", got, err)
	}
	bad := []struct {
		name string
		edit func(*queue.Settings)
	}{
		{"K negative", func(q *queue.Settings) { q.PriorityRun = -1 }},
		{"K too large", func(q *queue.Settings) { q.PriorityRun = 11 }},
		{"max wait too short", func(q *queue.Settings) { q.MaxWait = 2 * time.Minute }},
		{"max wait not whole minutes", func(q *queue.Settings) { q.MaxWait = 10*time.Minute + time.Second }},
		{"window too long", func(q *queue.Settings) { q.AppointmentWindow = 2 * time.Hour }},
		{"threshold zero", func(q *queue.Settings) { q.Within = 0 }},
	}
	outbox := countRows(t, s, "outbox")
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			q := queue.DefaultSettings
			tc.edit(&q)
			_, err := s.SaveQueueSettings(ctx, "sup", q)
			if fault.Code(err) != fault.Invalid {
				t.Fatalf("saved %+v: %v", q, err)
			}
		})
	}
	if got, _ := s.QueueSettings(ctx); got != queue.DefaultSettings || countRows(t, s, "outbox") != outbox {
		t.Fatalf("a refused save changed the settings: %+v", got)
	}

	// With K = 2 two priority tickets in a row go first; with no limit (0)
	// all of them do.
	// The priority tickets came first: still the third call is the walk-in.
	for range 3 {
		issue(t, s, "A", true)
	}
	c.add(time.Second)
	walkIn := issue(t, s, "A", false)
	c.add(time.Minute)
	for i := range 2 {
		tk := finish(t, s, callNext(t, s, "1"))
		if !tk.Priority {
			t.Fatalf("call %d is %s, a walk-in", i+1, tk.Label)
		}
	}
	if tk := callNext(t, s, "1"); tk.ID != walkIn.ID {
		t.Fatalf("third call with K=2 is %s, want the walk-in %s", tk.Label, walkIn.Label)
	} else {
		finish(t, s, tk)
	}
	q := queue.DefaultSettings
	q.PriorityRun, q.Within, q.Chime = 0, 15*time.Minute, false
	if _, err := s.SaveQueueSettings(ctx, "sup", q); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.QueueSettings(ctx); got != q {
		t.Fatalf("settings read back %+v, want %+v", got, q)
	}
	issue(t, s, "A", false)
	c.add(time.Second)
	for range 2 {
		issue(t, s, "A", true)
	}
	c.add(time.Minute)
	for i, want := range []bool{true, true, true} {
		if tk := finish(t, s, callNext(t, s, "1")); tk.Priority != want {
			t.Fatalf("call %d is %s (priority %t) with no limit", i+1, tk.Label, tk.Priority)
		}
	}
	// The save is a mutation with its audit entry.
	var action, detail string
	if err := s.r.QueryRow(`SELECT action, detail FROM audit_log WHERE entity = 'queue_settings' ORDER BY id DESC LIMIT 1`).Scan(&action, &detail); err != nil {
		t.Fatal(err)
	}
	if action != "queue.settings.set" || detail != `{"priority_run":0,"max_wait":45,"window":10,"within":15,"chime":false}` {
		t.Errorf("audit %s %s", action, detail)
	}
}

// finish starts and finishes a called ticket, freeing its counter.
func finish(tb testing.TB, s *Store, tk queue.Ticket) queue.Ticket {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.StartTicket(ctx, "lneri", tk.ID); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.FinishTicket(ctx, "lneri", tk.ID, ""); err != nil {
		tb.Fatal(err)
	}
	return tk
}

// TestQueueSettingsSeenAcrossStores: a save by another program sharing the
// file reaches call-next once the cached copy is older than settingsTTL.
func TestQueueSettingsCache(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := s.settings(ctx, tx); err != nil || q.PriorityRun != 2 {
		t.Fatalf("settings %+v, %v", q, err)
	}
	// Another program changes the row behind this store's back.
	if _, err := tx.Exec(`UPDATE queue_settings SET priority_run = 5`); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.settings(ctx, tx); q.PriorityRun != 2 {
		t.Errorf("the cached copy was not used: K = %d", q.PriorityRun)
	}
	l := s.local()
	l.mu.Lock()
	l.read = l.read.Add(-settingsTTL)
	l.mu.Unlock()
	if q, _ := s.settings(ctx, tx); q.PriorityRun != 5 {
		t.Errorf("a stale copy was used: K = %d", q.PriorityRun)
	}
	tx.Rollback()
}

func TestServiceSetup(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	setups, err := s.ServiceSetups(ctx)
	if err != nil || len(setups) != 3 {
		t.Fatalf("%d set-ups, %v", len(setups), err)
	}
	a := setups[0]
	if a.Service.Code != "A" || a.First != 1 || a.Last != 999 || a.SlotMinutes != 15 || len(a.Hours) != 5 || len(a.Counters) != 3 {
		t.Fatalf("service A %+v", a)
	}
	nine, _ := queue.ParseClock("09:00")
	noon, _ := queue.ParseClock("12:00")
	d := queue.ServiceSetup{Service: queue.Service{Code: "D", Name: "Stato civile", DailyCap: 50, Open: true, Position: 4},
		First: 500, Last: 502, SlotMinutes: 20, Counters: []string{"2"},
		Hours: []queue.Hours{{Weekday: time.Tuesday, Opens: nine, Closes: noon}}}
	if _, err := s.SaveServiceSetup(ctx, "sup", d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"D500", "D501", "D502"} {
		if tk := issue(t, s, "D", false); tk.Label != want {
			t.Fatalf("ticket %s, want %s", tk.Label, want)
		}
	}
	if _, err := s.IssueTicket(ctx, "kiosk", "D", false); fault.Code(err) != fault.Conflict {
		t.Fatalf("a ticket past the last number: %v", err)
	}
	if tk := callNext(t, s, "2"); tk.Service != "A" && tk.Label != "D500" {
		t.Fatalf("counter 2 called %s", tk.Label)
	}
	hours, minutes, err := s.ServiceHours(ctx, "D")
	if err != nil || minutes != 20 || len(hours) != 1 || hours[0].Weekday != time.Tuesday || hours[0].Opens != nine {
		t.Fatalf("hours %+v %d %v", hours, minutes, err)
	}

	bad := []struct {
		name string
		edit func(*queue.ServiceSetup)
		code string
	}{
		{"range upside down", func(ss *queue.ServiceSetup) { ss.First, ss.Last = 10, 5 }, fault.Invalid},
		{"range past 999", func(ss *queue.ServiceSetup) { ss.Last = 1000 }, fault.Invalid},
		{"no name", func(ss *queue.ServiceSetup) { ss.Service.Name = "" }, fault.Invalid},
		{"slot too short", func(ss *queue.ServiceSetup) { ss.SlotMinutes = 1 }, fault.Invalid},
		{"hours closing before opening", func(ss *queue.ServiceSetup) { ss.Hours[0].Closes = nine - 60 }, fault.Invalid},
		{"unknown counter", func(ss *queue.ServiceSetup) { ss.Counters = []string{"9"} }, fault.NotFound},
	}
	outbox := countRows(t, s, "outbox")
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			ss := d
			ss.Hours = append([]queue.Hours(nil), d.Hours...)
			tc.edit(&ss)
			if _, err := s.SaveServiceSetup(ctx, "sup", ss); fault.Code(err) != tc.code {
				t.Fatalf("saved: %v", err)
			}
		})
	}
	// Counter 3 serves A and C: taking both away would leave it idle.
	c := setups[2]
	c.Counters = []string{"1"}
	if _, err := s.SaveServiceSetup(ctx, "sup", c); err != nil {
		t.Fatal(err)
	}
	a.Counters = []string{"1", "2"}
	if _, err = s.SaveServiceSetup(ctx, "sup", a); fault.Code(err) != fault.Conflict {
		t.Fatalf("counter 3 left with nothing to call: %v", err)
	}
	if got, _ := s.ServiceSetups(ctx); len(got[0].Counters) != 3 {
		t.Errorf("a refused save changed the counters of A: %v", got[0].Counters)
	}
	if countRows(t, s, "outbox") != outbox+1 {
		t.Errorf("outbox grew by %d, want 1", countRows(t, s, "outbox")-outbox)
	}
}

func TestQueuePauses(t *testing.T) {
	s, c := openQueue(t, morning)
	ctx := context.Background()
	if _, err := s.PauseCounter(ctx, "lneri", "1", queue.Break); err != nil {
		t.Fatal(err)
	}
	c.add(10 * time.Minute)
	if _, err := s.EndPause(ctx, "lneri", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PauseCounter(ctx, "mbianchi", "2", queue.BackOffice); err != nil {
		t.Fatal(err)
	}
	today := queue.DayOf(morning)
	ps, err := s.QueuePauses(ctx, today, today)
	if err != nil || len(ps) != 2 {
		t.Fatalf("%d pauses, %v", len(ps), err)
	}
	if p := ps[0]; p.Counter != "1" || p.Kind != queue.Break || p.End.Sub(p.Start) != 10*time.Minute || p.Clerk != "lneri" {
		t.Errorf("first pause %+v", p)
	}
	if p := ps[1]; p.Counter != "2" || !p.End.IsZero() {
		t.Errorf("running pause %+v", p)
	}
	yesterday := queue.DayOf(morning.AddDate(0, 0, -1))
	if ps, err := s.QueuePauses(ctx, yesterday, yesterday); err != nil || len(ps) != 0 {
		t.Errorf("pauses of yesterday: %d, %v", len(ps), err)
	}
}

// TestQueueKeepsWALShort: the transitions other than calls checkpoint the
// WAL every checkpointEvery queue commits, so it never grows to the 1,000
// pages at which SQLite's automatic checkpoint would run inside a call.
func TestQueueKeepsWALShort(t *testing.T) {
	s, _ := openQueue(t, morning)
	ctx := context.Background()
	for range 150 {
		issue(t, s, "A", false)
	}
	var pageSize int64
	if err := s.w.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for range 150 {
		tk := callNext(t, s, "1")
		if _, err := s.NoShowTicket(ctx, "lneri", tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The WAL file keeps the size of its longest run.
	fi, err := os.Stat(s.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if frames := fi.Size() / (pageSize + 24); frames >= 700 {
		t.Errorf("the WAL reached %d pages in 300 queue commits", frames)
	}
}
