package desk

import (
	"context"
	"errors"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/queue"
)

// TestBoardChime: each call the board reads chimes once; with the chime
// turned off in the settings it stays silent.
func TestBoardChime(t *testing.T) {
	st := queueStore(t)
	ctx := context.Background()
	for range 3 {
		issueTicket(t, st, "A", false)
	}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	q := &uiQueue{}
	var chimes atomic.Int32
	b := newBoard(BoardDeps{Queue: st, Office: Office{Municipality: "Comune di Anagni"}, Now: func() time.Time { return testNow },
		Chime: func() { chimes.Add(1) }}, q.do)
	b.poll, b.blink = 5*time.Millisecond, time.Millisecond
	w.SetContent(b.buildUI())
	b.begin()
	t.Cleanup(b.end)
	waitUI(t, q, "the board", func() bool { return b.waiting.Text != "" })
	if chimes.Load() != 0 {
		t.Fatalf("%d chimes before any call", chimes.Load())
	}
	a1, err := st.CallNext(ctx, "lneri", "1", "c1")
	if err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the call", func() bool { return b.called.Text == a1.Label })
	if chimes.Load() != 1 {
		t.Errorf("%d chimes for one call", chimes.Load())
	}
	if _, err := st.RecallTicket(ctx, "lneri", a1.ID); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the recall", func() bool { return b.calls == 2 })
	if chimes.Load() != 2 {
		t.Errorf("%d chimes after a recall", chimes.Load())
	}

	// The supervisor turns the chime off: the next call is silent.
	qs := queue.DefaultSettings
	qs.Chime = false
	if _, err := st.SaveQueueSettings(ctx, "sbruno", qs); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CallNext(ctx, "lneri", "2", "c2"); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the silent call", func() bool { return b.calls == 3 })
	if chimes.Load() != 2 {
		t.Errorf("%d chimes with the chime turned off", chimes.Load())
	}
}

func TestPlayChime(t *testing.T) {
	missing := func(string) (string, error) { return "", exec.ErrNotFound }
	started := 0
	start := func(*exec.Cmd) error { started++; return nil }
	// No player on PATH: nothing runs, nothing fails.
	if playChime(missing, start) || started != 0 {
		t.Fatalf("played with no player (%d started)", started)
	}
	// Only aplay: it gets the WAV on its standard input, quietly.
	var got *exec.Cmd
	onlyAplay := func(name string) (string, error) {
		if name == "aplay" {
			return "/usr/bin/aplay", nil
		}
		return "", exec.ErrNotFound
	}
	if !playChime(onlyAplay, func(c *exec.Cmd) error { got = c; return nil }) {
		t.Fatal("aplay not started")
	}
	if got.Path != "/usr/bin/aplay" || len(got.Args) != 2 || got.Args[1] != "-q" || got.Stdin == nil {
		t.Errorf("command %v", got.Args)
	}
	// A player that cannot start (no sound card, no server) is no error.
	if playChime(onlyAplay, func(*exec.Cmd) error { return errors.New("no sound") }) {
		t.Error("a failed start reported as played")
	}
}
