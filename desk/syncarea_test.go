package desk

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"sportello/access"
)

// recordingSync is a server link whose state the test sets and which
// records what the screen asks.
type recordingSync struct {
	mu        sync.Mutex
	view      SyncView
	conflicts []ConflictView
	rejected  []RejectedView
	resolved  map[int64]bool // conflict id -> keep mine
	pokes     int
}

func (r *recordingSync) View() SyncView { r.mu.Lock(); defer r.mu.Unlock(); return r.view }
func (r *recordingSync) SyncNow()       { r.mu.Lock(); r.pokes++; r.mu.Unlock() }
func (r *recordingSync) Conflicts(context.Context) ([]ConflictView, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var open []ConflictView
	for _, c := range r.conflicts {
		if _, done := r.resolved[c.ID]; !done {
			open = append(open, c)
		}
	}
	return open, nil
}
func (r *recordingSync) Rejected(context.Context) ([]RejectedView, error) { return r.rejected, nil }
func (r *recordingSync) Resolve(_ context.Context, _ access.User, id int64, keepMine bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolved[id] = keepMine
	return nil
}

func TestSyncStateInTheTopBarAndConflictsResolved(t *testing.T) {
	offline := testNow.Add(-40 * time.Minute)
	link := &recordingSync{
		view: SyncView{OfflineSince: offline, Pending: 3, Conflicts: 1, Rejected: 1, Download: -1},
		conflicts: []ConflictView{{ID: 7, Record: "ROSSI MARIO", Field: "documents",
			Base:   json.RawMessage(`[]`),
			Mine:   json.RawMessage(`[{"uid":"X","kind":"cie","number":"CA1234567","expires_on":"2035-01-31"}]`),
			Theirs: json.RawMessage(`[{"uid":"Y","kind":"passport","number":"YA7654321","expires_on":"2033-06-30"}]`)}},
		rejected: []RejectedView{{Seq: 12, What: "person correct", Message: "Another person in the register has the codice fiscale {{.CF}}",
			Args: map[string]any{"CF": "RSSMRA80A01A269X"}, At: testNow}},
		resolved: map[int64]bool{},
	}
	h := newHarness(t, Deps{Sync: link})
	s := h.enterAs(clerkUser)
	top := s.sync.Text
	if !strings.Contains(top, "Non in linea dalle") || !strings.Contains(top, "3 da inviare") || !strings.Contains(top, "conflitti: 1") {
		t.Fatalf("top bar: %q", top)
	}
	i := -1
	for j, a := range s.areas {
		if a.name == "Sincronizzazione" {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no sync area in %s", areaNames(s))
	}
	s.show(i)
	screen := s.syncScreen
	h.waitFor("the conflicts", func() bool { return len(screen.conflicts) == 1 })
	if !strings.Contains(screen.rejected.Text, "RSSMRA80A01A269X") || !strings.Contains(screen.rejected.Text, "codice fiscale") {
		t.Errorf("refused changes: %q", screen.rejected.Text)
	}
	if !screen.keepMine.Disabled() {
		t.Error("a choice is offered before a conflict is chosen")
	}
	screen.list.Select(0)
	if !strings.Contains(screen.detail.Text, "ROSSI MARIO") || !strings.Contains(screen.values[1].Text, "CA1234567") ||
		!strings.Contains(screen.values[2].Text, "YA7654321") || strings.Contains(screen.values[1].Text, "uid") {
		t.Fatalf("conflict shown as %q | %q | %q", screen.detail.Text, screen.values[1].Text, screen.values[2].Text)
	}
	test.Tap(screen.keepMine)
	h.waitFor("the resolution", func() bool { return len(screen.conflicts) == 0 && link.View().Pending == 3 })
	if keep, ok := link.resolved[7]; !ok || !keep {
		t.Fatalf("resolved %v", link.resolved)
	}
	if link.pokes == 0 {
		t.Error("the resolution did not ask for a sync")
	}

	// While the register downloads, the top bar shows how far.
	link.mu.Lock()
	link.view = SyncView{Download: 0.42}
	link.mu.Unlock()
	s.showSync(link.View())
	if !strings.Contains(s.sync.Text, "42%") || !s.download.Visible() {
		t.Errorf("download: %q, bar visible %v", s.sync.Text, s.download.Visible())
	}
}

func TestTopBarSaysWhyTheServerRefusesTheDesk(t *testing.T) {
	link := &recordingSync{view: SyncView{LastSync: testNow, Pending: 2, Download: -1,
		Refused:     "The desk's clock differs from the server's by {{.Minutes}} minutes: set this computer's date and time right (automatic time) and try again",
		RefusedArgs: map[string]any{"Minutes": 12}}, resolved: map[int64]bool{}}
	h := newHarness(t, Deps{Sync: link})
	s := h.enterAs(clerkUser)
	top := s.sync.Text
	if !strings.Contains(top, "L'orologio della postazione differisce da quello del server di 12 minuti") ||
		strings.Contains(top, "In linea") || !strings.Contains(top, "2 da inviare") {
		t.Fatalf("top bar: %q", top)
	}
}
