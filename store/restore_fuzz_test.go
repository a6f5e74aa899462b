package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"sportello/queue"
)

// FuzzReportQueue sends hostile reports to a restored store: it never
// fails with anything but a refusal, never changes a ticket it held, never
// moves a numbering past what its service can give, and never holds a
// number twice in a day.
func FuzzReportQueue(f *testing.F) {
	for _, seed := range []string{
		`{"Numbers":{"A":7},"Tickets":[{"ID":4,"UID":"01J00000000000000000000001","Label":"A004","Service":"A","Number":4,"State":"waiting","Version":1}]}`,
		`{"Numbers":{"A":999,"B":-3,"":1},"Tickets":[{"ID":1,"UID":"x","Label":"A001","Service":"A","Number":1,"State":"done","Version":1}]}`,
		`{"Tickets":[{"ID":5,"UID":"01J00000000000000000000002","Label":"A053","Service":"A","Number":53,"State":"called","Counter":"9","Version":2}]}`,
		`{"Tickets":[{"ID":6,"UID":"01J00000000000000000000003","Label":"B001","Service":"B","Number":1,"State":"bogus","Version":1,"ParentID":3}]}`,
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	dir := f.TempDir()
	live, err := Open(filepath.Join(dir, "live.db"), Options{DeskCode: "SRV", Create: true})
	if err != nil {
		f.Fatal(err)
	}
	for range 3 {
		if _, err := live.IssueTicket(ctx, "kiosk", "A", false); err != nil {
			f.Fatal(err)
		}
	}
	if err := live.Backup(ctx, filepath.Join(dir, "copy.db")); err != nil {
		f.Fatal(err)
	}
	live.Close()
	s, err := Open(filepath.Join(dir, "copy.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	today := queue.DayOf(s.now())
	held, err := s.QueueTickets(ctx, today, today)
	if err != nil || len(held) != 3 {
		f.Fatalf("held %d tickets: %v", len(held), err)
	}
	setups, err := s.ServiceSetups(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var rep QueueReport
		if json.Unmarshal([]byte(text), &rep) != nil {
			return
		}
		rep.Day = today
		for i := range rep.Tickets {
			if rep.Tickets[i].Day.IsZero() {
				rep.Tickets[i].Day = today
			}
		}
		if _, err := s.ReportQueue(ctx, "D01", rep); err != nil && len(rep.Tickets) <= MaxReportTickets {
			t.Fatalf("report: %v", err)
		}
		now, err := s.QueueTickets(ctx, today, today)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]queue.Ticket{}
		labels := map[string]bool{}
		for _, tk := range now {
			byID[tk.ID] = tk
			if tk.ParentID == 0 {
				if labels[tk.Label] {
					t.Fatalf("the number %s is held twice", tk.Label)
				}
				labels[tk.Label] = true
			}
		}
		for _, h := range held {
			if got := byID[h.ID]; got.UID != h.UID || got.State != h.State || got.Version != h.Version {
				t.Fatalf("a held ticket changed: %+v", got)
			}
		}
		for _, ss := range setups {
			var last int
			if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(last_number), 0) FROM queue_number WHERE service = ? AND day = ?`,
				ss.Service.Code, today.String()).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if last > highestNumber(ss) {
				t.Fatalf("service %s numbered up to %d", ss.Service.Code, last)
			}
		}
	})
}
