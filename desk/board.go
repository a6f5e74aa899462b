package desk

import (
	"bytes"
	"context"
	"image/color"
	"os/exec"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"sportello/assets"
	"sportello/queue"
	"sportello/registry"
)

// BoardDeps is what the waiting-room board needs.
type BoardDeps struct {
	Queue  queue.Engine
	Office Office
	Now    func() time.Time
	// Chime plays the call chime; NewBoard makes nil PlayChime. Calls chime
	// only while the queue's settings say so (queue.Settings.Chime).
	Chime func()
}

// chimePlayers are the programs that can play the chime, in order of
// preference: PulseAudio's (or PipeWire's) paplay, then ALSA's aplay. Both
// read the WAV from their standard input.
var chimePlayers = [][]string{{"paplay"}, {"aplay", "-q"}}

// PlayChime plays the call chime with the first player of chimePlayers on
// PATH, without waiting for it to end. A machine with no player, or with
// no sound card (the player fails), stays silent: the chime is a courtesy
// and never stops the board.
func PlayChime() {
	if systemChime(assets.Chime) { // Windows: PlaySoundW (chime_windows.go)
		return
	}
	playChime(exec.LookPath, func(cmd *exec.Cmd) error { return cmd.Start() })
}

// playChime is PlayChime with its seams: lookPath finds a player, start
// starts its command. It reports whether a player was started.
func playChime(lookPath func(string) (string, error), start func(*exec.Cmd) error) bool {
	for _, p := range chimePlayers {
		bin, err := lookPath(p[0])
		if err != nil {
			continue
		}
		cmd := exec.Command(bin, p[1:]...)
		cmd.Stdin = bytes.NewReader(assets.Chime)
		if err := start(cmd); err != nil {
			return false
		}
		if cmd.Process != nil {
			go cmd.Wait() // reap it; a failure to play is not the board's
		}
		return true
	}
	return false
}

// boardFlashes is how many times the last call blinks, boardBlink how long
// each half of a blink lasts.
const (
	boardFlashes = 6
	boardBlink   = 400 * time.Millisecond
)

// boardScreen is the waiting-room display: the ticket just called and its
// counter, large and flashing, the last calls, the people waiting per
// service and the time. It shows ticket numbers only, never names. It
// follows the queue's events by sequence number, so after a failed read it
// catches up from the last event it saw.
type boardScreen struct {
	deps  BoardDeps
	do    func(func())
	now   func() time.Time
	poll  time.Duration
	blink time.Duration

	called  *canvas.Text // the last ticket called
	counter *canvas.Text // its counter
	frame   *canvas.Rectangle
	chime   func()          // plays the chime; nil plays nothing
	side    *fyne.Container // last calls and lines
	history *widget.Label
	waiting *widget.Label
	clock   *canvas.Text
	problem *widget.Label

	// Touched on the UI goroutine only.
	office   queue.Office
	chimeOn  bool  // the queue's settings ask for a chime on each call
	chimes   int   // chimes played, for tests
	seq      int64 // the last event seen
	flashes  int   // blinks left
	flashGen int   // the blinking of the latest call; older ones stop
	calls    int   // calls announced, for tests
	stop     chan struct{}
	done     chan struct{} // closed when the following goroutine has returned
}

// NewBoard shows the board in w, full screen, until the window closes.
func NewBoard(a fyne.App, w fyne.Window, d BoardDeps) {
	a.Settings().SetTheme(newDeskTheme())
	if d.Chime == nil {
		d.Chime = PlayChime
	}
	b := newBoard(d, fyne.Do)
	w.SetTitle(lang.L("Queue") + " - " + d.Office.Municipality)
	w.SetContent(b.buildUI())
	w.SetFullScreen(true)
	w.SetOnClosed(b.end)
	b.begin()
}

func newBoard(d BoardDeps, do func(func())) *boardScreen {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &boardScreen{deps: d, do: do, now: now, poll: queuePoll, blink: boardBlink, chime: d.Chime, chimeOn: queue.DefaultSettings.Chime}
}

func bigText(size float32, c color.Color) *canvas.Text {
	t := canvas.NewText("", c)
	t.TextSize = size
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Alignment = fyne.TextAlignCenter
	return t
}

func (b *boardScreen) buildUI() fyne.CanvasObject {
	title := bigText(32, color.White)
	title.Text = b.deps.Office.Municipality
	b.clock = bigText(32, color.White)
	b.clock.Text = b.clockText()
	bar := container.NewStack(canvas.NewRectangle(paBlue), container.NewPadded(container.NewHBox(title, layout.NewSpacer(), b.clock)))

	b.called = bigText(180, paBlue)
	b.called.Text = "—"
	b.counter = bigText(64, paText)
	b.frame = canvas.NewRectangle(color.Transparent)
	b.frame.StrokeColor = paBlue
	b.frame.StrokeWidth = 8
	callBox := container.NewStack(b.frame, container.NewVBox(layout.NewSpacer(), b.called, b.counter, layout.NewSpacer()))

	b.history = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter}
	b.waiting = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	b.problem = &widget.Label{Importance: widget.DangerImportance, Alignment: fyne.TextAlignCenter}
	b.problem.Hide()
	b.side = container.NewVBox(
		&widget.Label{Text: lang.L("Last calls"), TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter},
		b.history,
		widget.NewSeparator(),
		&widget.Label{Text: lang.L("Waiting"), TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter},
		b.waiting,
	)
	body := container.NewBorder(nil, b.problem, nil, container.NewThemeOverride(container.New(fixedWidth(520), b.side), largeTheme{newDeskTheme()}), container.NewPadded(callBox))
	return container.NewBorder(bar, nil, nil, nil, body)
}

// begin follows the queue until end.
func (b *boardScreen) begin() {
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	stop, done := b.stop, b.done
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		o, err := b.deps.Queue.QueueOffice(ctx)
		cancel()
		b.do(func() {
			if err == nil {
				b.office = o
			}
		})
		// Start from now: the board announces calls made from now on and
		// shows the last ones from the status.
		var seq int64
		t := time.NewTicker(b.poll)
		defer t.Stop()
		first := true
		for {
			seq = b.follow(seq, first)
			first = false
			select {
			case <-stop:
				return
			case <-t.C:
				b.do(b.tick)
			}
		}
	}()
}

func (b *boardScreen) end() {
	if b.stop != nil {
		close(b.stop)
		<-b.done // no read outlives the panel
		b.stop = nil
	}
}

// follow reads the events after seq and, if any, the status; it returns the
// last event seen. A failed read keeps seq, so the next one catches up.
func (b *boardScreen) follow(seq int64, first bool) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	var announce []queue.Event
	if first {
		st, err := b.deps.Queue.QueueStatus(ctx)
		if err != nil {
			b.do(func() { b.showProblem() })
			return seq
		}
		b.do(func() { b.showStatus(st, nil) })
		return st.Seq
	}
	moved := false
	for {
		events, err := b.deps.Queue.QueueEvents(ctx, seq, 200)
		if err != nil {
			b.do(func() { b.showProblem() })
			return seq
		}
		for _, e := range events {
			if e.Action == queue.ActCall || e.Action == queue.ActRecall || e.Action == queue.ActResume {
				announce = append(announce, e)
			}
			seq, moved = e.Seq, true
		}
		if len(events) < 200 {
			break
		}
	}
	if !moved {
		return seq
	}
	st, err := b.deps.Queue.QueueStatus(ctx)
	if err != nil {
		b.do(func() { b.showProblem() })
		return seq
	}
	chime, known := b.chimeSetting(ctx)
	b.do(func() {
		if known {
			b.chimeOn = chime
		}
		b.showStatus(st, announce)
	})
	return seq
}

// chimeSetting reads whether calls chime, when the engine keeps settings;
// known is false when it does not, or the read failed.
func (b *boardScreen) chimeSetting(ctx context.Context) (chime, known bool) {
	r, ok := b.deps.Queue.(queueSettingsReader)
	if !ok {
		return false, false
	}
	qs, err := r.QueueSettings(ctx)
	if err != nil {
		return false, false
	}
	return qs.Chime, true
}

func (b *boardScreen) showProblem() {
	b.problem.SetText(lang.L("The queue cannot be read: trying again"))
	b.problem.Show()
}

// showStatus shows the lines and last calls, and announces the last of
// the calls made since the previous read.
func (b *boardScreen) showStatus(st queue.Status, announce []queue.Event) {
	b.problem.Hide()
	b.seq = st.Seq
	if n := len(announce); n > 0 {
		e := announce[n-1]
		b.called.Text = e.Label
		b.counter.Text = b.counterName(e.Counter)
		b.calls += n
		if b.chimeOn && b.chime != nil {
			b.chimes++
			b.chime() // one chime for the calls read together
		}
		b.flashes = boardFlashes
		b.flashGen++
		b.flash(b.flashGen)
	} else if len(st.LastCall) > 0 && b.called.Text == "—" {
		b.called.Text = st.LastCall[0].Label
		b.counter.Text = b.counterName(st.LastCall[0].Counter)
	}
	b.called.Refresh()
	b.counter.Refresh()
	var hist []string
	for i, t := range st.LastCall {
		if i == 0 {
			continue // it is the big one
		}
		hist = append(hist, t.Label+"  ·  "+b.counterName(t.Counter))
	}
	b.history.SetText(strings.Join(hist, "\n"))
	var lines []string
	for _, l := range st.Lines {
		lines = append(lines, lang.L("{{.Code}} {{.Name}}: {{.Count}} waiting", map[string]any{"Code": l.Service.Code, "Name": l.Service.Name, "Count": l.Waiting}))
	}
	b.waiting.SetText(strings.Join(lines, "\n"))
	b.side.Refresh() // the lists may have grown
}

func (b *boardScreen) counterName(code string) string {
	for _, c := range b.office.Counters {
		if c.Code == code {
			return c.Name
		}
	}
	return lang.L("Counter {{.Code}}", map[string]any{"Code": code})
}

// flash blinks the last call: the number turns white on blue and back.
func (b *boardScreen) flash(gen int) {
	if gen != b.flashGen {
		return
	}
	if b.flashes <= 0 {
		b.called.Color, b.frame.FillColor = paBlue, color.Transparent
		b.called.Refresh()
		b.frame.Refresh()
		return
	}
	if b.flashes%2 == 0 {
		b.called.Color, b.frame.FillColor = color.White, paBlue
	} else {
		b.called.Color, b.frame.FillColor = paBlue, color.Transparent
	}
	b.flashes--
	b.called.Refresh()
	b.frame.Refresh()
	time.AfterFunc(b.blink, func() { b.do(func() { b.flash(gen) }) })
}

func (b *boardScreen) tick() {
	b.clock.Text = b.clockText()
	b.clock.Refresh()
}

func (b *boardScreen) clockText() string {
	return b.now().In(registry.Rome).Format("15:04")
}
