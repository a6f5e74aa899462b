package desk

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"sync"
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
	sound := &fakeSound{}
	chimes := &sound.chimes
	b := newBoard(BoardDeps{Queue: st, Office: Office{Municipality: "Comune di Anagni"}, Now: func() time.Time { return testNow },
		Sound: sound}, q.do)
	b.poll, b.blink, b.speechDelay = 5*time.Millisecond, time.Millisecond, 0
	w.SetContent(b.buildUI())
	b.begin()
	t.Cleanup(b.end)
	waitUI(t, q, "the board", func() bool { return b.waiting.Text != "" })
	t.Cleanup(func() { time.Sleep(5 * time.Millisecond) }) // the last saying
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
	// After the chime, the call is spoken in Italian: the number as a
	// person says it, and the counter.
	waitUI(t, q, "the call spoken", func() bool { return len(sound.sayings()) == 1 })
	if got := sound.sayings()[0]; got != "Numero A 1, sportello 1" {
		t.Errorf("spoken %q", got)
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
	time.Sleep(10 * time.Millisecond)
	if n := len(sound.sayings()); n != 2 {
		t.Errorf("%d calls spoken, want the two made with the sound on", n)
	}
}

// fakeSound is a SoundPlayer that counts chimes and keeps what it said.
type fakeSound struct {
	chimes atomic.Int32
	mu     sync.Mutex
	said   []string
}

func (f *fakeSound) Chime() { f.chimes.Add(1) }

func (f *fakeSound) Say(text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.said = append(f.said, text)
}

func (f *fakeSound) sayings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.said...)
}

// TestSayText: the call is spoken by espeak-ng in Italian, its WAV played
// by the chime's player; with either missing nothing runs and nothing fails.
func TestSayText(t *testing.T) {
	found := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, n := range names {
				if n == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	for _, tc := range []struct {
		name    string
		path    []string
		spoken  bool
		player  string
		started int
	}{
		{"nothing", nil, false, "", 0},
		{"no espeak-ng", []string{"paplay", "aplay"}, false, "", 0},
		{"no player", []string{"espeak-ng"}, false, "", 0},
		{"espeak-ng and aplay", []string{"espeak-ng", "aplay"}, true, "/usr/bin/aplay", 2},
		{"espeak-ng and paplay", []string{"espeak-ng", "paplay", "aplay"}, true, "/usr/bin/paplay", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cmds []*exec.Cmd
			ok := sayText(found(tc.path...), func(c *exec.Cmd) error { cmds = append(cmds, c); return nil }, "Numero A 1, sportello 1")
			if ok != tc.spoken || len(cmds) != tc.started {
				t.Fatalf("spoken %v with %d commands", ok, len(cmds))
			}
			if !ok {
				return
			}
			speak, play := cmds[0], cmds[1]
			if want := []string{"/usr/bin/espeak-ng", "-v", "it", "--stdout", "Numero A 1, sportello 1"}; !slices.Equal(speak.Args, want) {
				t.Errorf("espeak-ng: %v", speak.Args)
			}
			if play.Path != tc.player || play.Stdin == nil {
				t.Errorf("player %v reads %v", play.Args, play.Stdin)
			}
		})
	}
	// A player that cannot start is no error, and leaves nothing running.
	if sayText(found("espeak-ng", "aplay"), func(c *exec.Cmd) error {
		if c.Path == "/usr/bin/aplay" {
			return errors.New("no sound card")
		}
		return nil
	}, "x") {
		t.Error("a failed player reported as speaking")
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
