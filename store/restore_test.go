package store

import (
	"context"
	"path/filepath"
	"testing"

	"sportello/fault"
	"sportello/queue"
)

func TestRestoredFileResumesPastTheLostServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(path string, opt Options) *Store {
		t.Helper()
		s, err := Open(path, opt) // the real clock: the restore is today
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open(filepath.Join(dir, "server.db"), Options{DeskCode: "SRV", Create: true})
	if _, err := s.SaveService(ctx, "admin", queue.Service{Code: "B", Name: "Carta d'identità", DailyCap: 20, Open: true, Position: 2}); err != nil {
		t.Fatal(err)
	}
	issue(t, s, "A", false)
	issue(t, s, "A", false)
	last := issue(t, s, "B", false)
	issue(t, s, "B", false)
	copyPath := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RestoreInfo(ctx); r.Restored() {
		t.Fatal("the live file says it was restored")
	}
	peek := open(copyPath, Options{ReadOnly: true})
	if r, err := peek.RestoreInfo(ctx); err != nil || r.Restored() || r.BackupAt.IsZero() {
		t.Fatalf("a backup looked at: %+v %v", r, err)
	}
	peek.Close()

	restored := open(copyPath, Options{})
	r, err := restored.RestoreInfo(ctx)
	if err != nil || !r.Restored() {
		t.Fatalf("the restored file: %+v %v", r, err)
	}
	a := issue(t, restored, "A", false)
	if a.Number != 2+RestoreNumberJump+1 || a.ID <= last.ID+RestoreIDJump {
		t.Errorf("after the restore A gives %s (id %d)", a.Label, a.ID)
	}
	// B may give 20 a day: the jump stops there, and the numbers jumped
	// over do not count against the cap.
	b := issue(t, restored, "B", false)
	if b.Number != 21 {
		t.Errorf("after the restore B gives %s", b.Label)
	}
	for range 17 {
		issue(t, restored, "B", false)
	}
	if _, err := restored.IssueTicket(ctx, "kiosk", "B", false); fault.Code(err) != fault.Conflict {
		t.Errorf("the 21st ticket of B today: %v", err)
	}
	restored.Close()
	// Opened again, the file jumps no more.
	again := open(copyPath, Options{})
	if next := issue(t, again, "A", false); next.Number != a.Number+1 {
		t.Errorf("reopened, A gives %s", next.Label)
	}
	// A backup of the restored server is a backup again.
	copy2 := filepath.Join(dir, "copy2.db")
	if err := again.Backup(ctx, copy2); err != nil {
		t.Fatal(err)
	}
	second := open(copy2, Options{})
	if next := issue(t, second, "A", false); next.Number != a.Number+1+RestoreNumberJump+1 {
		t.Errorf("restored from the second backup, A gives %s", next.Label)
	}
	if _, err := second.ReportQueue(ctx, "D01", QueueReport{Day: queue.DayOf(second.now()), Numbers: map[string]int{"A": 998}}); err != nil {
		t.Fatal(err)
	}
	if next := issue(t, second, "A", false); next.Number > 300 {
		t.Errorf("a report beyond what A could give moved it to %s", next.Label)
	}
}
