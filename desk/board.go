package desk

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/color"
	"os/exec"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"sportello/assets"
	"sportello/queue"
	"sportello/registry"
)

// BoardDeps is what the waiting-room board needs.
type BoardDeps struct {
	Queue  queue.Engine
	Office Office
	Now    func() time.Time
	// Sound plays the call chime and speaks the call; NewBoard makes nil
	// SystemSound. Calls sound only while the queue's settings say so
	// (queue.Settings.Chime).
	Sound SoundPlayer
}

// SoundPlayer plays the board's sounds: the chime on each call and the
// call spoken in Italian ("Numero A 12, sportello 3"). Neither may block
// nor fail: where there is no sound, the board stays silent. SystemSound
// is the player of the systems that have paplay or aplay and espeak-ng;
// another system brings its own.
type SoundPlayer interface {
	Chime()
	Say(text string)
}

// SystemSound is the SoundPlayer that runs the programs on PATH.
var SystemSound SoundPlayer = systemSound{lookPath: exec.LookPath, start: func(cmd *exec.Cmd) error { return cmd.Start() }}

type systemSound struct {
	lookPath func(string) (string, error)
	start    func(*exec.Cmd) error
}

func (s systemSound) Chime() {
	if systemChime(assets.Chime) { // Windows: PlaySoundW (chime_windows.go)
		return
	}
	playChime(s.lookPath, s.start)
}
func (s systemSound) Say(text string) { sayText(s.lookPath, s.start, text) }

// sayText speaks text in Italian: espeak-ng writes the WAV to its standard
// output and the chime's player plays it. It reports whether both started;
// with either missing nothing runs.
func sayText(lookPath func(string) (string, error), start func(*exec.Cmd) error, text string) bool {
	tts, err := lookPath("espeak-ng")
	if err != nil {
		return false
	}
	player := findPlayer(lookPath)
	if player == nil {
		return false
	}
	speak := exec.Command(tts, "-v", "it", "--stdout", text)
	play := exec.Command(player[0], player[1:]...)
	out, err := speak.StdoutPipe()
	if err != nil {
		return false
	}
	play.Stdin = out
	if err := start(speak); err != nil {
		return false
	}
	if err := start(play); err != nil {
		if speak.Process != nil {
			_ = speak.Process.Kill()
			go speak.Wait()
		}
		return false
	}
	for _, c := range []*exec.Cmd{speak, play} {
		if c.Process != nil {
			go c.Wait() // reap it; a failure to speak is not the board's
		}
	}
	return true
}

// findPlayer is the command line of the first of chimePlayers on PATH.
func findPlayer(lookPath func(string) (string, error)) []string {
	for _, p := range chimePlayers {
		if bin, err := lookPath(p[0]); err == nil {
			return append([]string{bin}, p[1:]...)
		}
	}
	return nil
}

// chimeLength is how long the chime plays, from its WAV header (the byte
// rate at offset 28, the samples after the 44 bytes of header): the call
// is spoken after it.
func chimeLength() time.Duration {
	if len(assets.Chime) < 44 {
		return 0
	}
	rate := binary.LittleEndian.Uint32(assets.Chime[28:32])
	if rate == 0 {
		return 0
	}
	return time.Duration(len(assets.Chime)-44) * time.Second / time.Duration(rate)
}

// spokenCall is what the board says of a call: "Numero A 12, sportello 3",
// the label read as the browser's board reads it (board.js).
func spokenCall(label, counter string) string {
	i := strings.IndexFunc(label, func(r rune) bool { return r >= '0' && r <= '9' })
	if i > 0 {
		letters := strings.Join(strings.Split(label[:i], ""), " ")
		digits := strings.TrimLeft(label[i:], "0")
		if digits == "" {
			digits = "0"
		}
		label = letters + " " + digits
	}
	return lang.L("Number {{.Label}}, {{.Counter}}", map[string]any{"Label": label, "Counter": strings.ToLower(counter)})
}

// chimePlayers are the programs that can play the chime, in order of
// preference: PulseAudio's (or PipeWire's) paplay, then ALSA's aplay. Both
// read the WAV from their standard input.
var chimePlayers = [][]string{{"paplay"}, {"aplay", "-q"}}

// PlayChime plays the call chime with the first player of chimePlayers on
// PATH, without waiting for it to end. A machine with no player, or with
// no sound card (the player fails), stays silent: the chime is a courtesy
// and never stops the board.
func PlayChime() { SystemSound.Chime() }

// playChime is PlayChime with its seams: lookPath finds a player, start
// starts its command. It reports whether a player was started.
func playChime(lookPath func(string) (string, error), start func(*exec.Cmd) error) bool {
	p := findPlayer(lookPath)
	if p == nil {
		return false
	}
	cmd := exec.Command(p[0], p[1:]...)
	cmd.Stdin = bytes.NewReader(assets.Chime)
	if err := start(cmd); err != nil {
		return false
	}
	if cmd.Process != nil {
		go cmd.Wait() // reap it; a failure to play is not the board's
	}
	return true
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
	// speechDelay is how long after the chime the call is spoken.
	speechDelay time.Duration

	root    *fyne.Container
	title   *canvas.Text
	called  *canvas.Text // the last ticket called
	counter *canvas.Text // its counter
	frame   *canvas.Rectangle
	sound   SoundPlayer // nil plays nothing
	heading *canvas.Text
	rows    []*canvas.Text // the calls before the last: number and counter
	waiting *canvas.Text
	clock   *canvas.Text
	problem *canvas.Text

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

// boardRows is how many calls before the last the board lists.
const boardRows = 3

// NewBoard shows the board in w, full screen, until the window closes.
func NewBoard(a fyne.App, w fyne.Window, d BoardDeps) {
	a.Settings().SetTheme(newDeskTheme())
	if d.Sound == nil {
		d.Sound = SystemSound
	}
	b := newBoard(d, fyne.Do)
	w.SetTitle(lang.L("Queue") + " - " + d.Office.Municipality)
	w.SetPadded(false) // the type is sized from the whole screen
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
	return &boardScreen{deps: d, do: do, now: now, poll: queuePoll, blink: boardBlink, speechDelay: chimeLength(),
		sound: d.Sound, chimeOn: queue.DefaultSettings.Chime}
}

func bigText(size float32, c color.Color) *canvas.Text {
	t := canvas.NewText("", c)
	t.TextSize = size
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Alignment = fyne.TextAlignCenter
	return t
}

func (b *boardScreen) buildUI() fyne.CanvasObject {
	b.title = bigText(32, paWhite)
	b.title.Text = b.deps.Office.Municipality
	b.title.Alignment = fyne.TextAlignLeading
	b.clock = bigText(32, paWhite)
	b.clock.Text = b.clockText()
	b.clock.Alignment = fyne.TextAlignTrailing
	b.called = bigText(180, paBlue)
	b.called.Text = "—"
	b.counter = bigText(64, paText)
	b.frame = canvas.NewRectangle(color.Transparent)
	b.frame.StrokeColor = paBlue
	b.frame.StrokeWidth = 8
	b.heading = bigText(32, paText)
	b.heading.Text = lang.L("Last calls · counter")
	b.rows = make([]*canvas.Text, boardRows)
	for i := range b.rows {
		b.rows[i] = bigText(64, paText)
	}
	b.waiting = bigText(24, paText)
	b.waiting.TextStyle = fyne.TextStyle{}
	b.problem = bigText(24, paError)
	b.problem.Hide()
	objects := []fyne.CanvasObject{canvas.NewRectangle(paBlue), b.title, b.clock, b.frame, b.called, b.counter, b.heading}
	for _, r := range b.rows {
		objects = append(objects, r)
	}
	objects = append(objects, canvas.NewRectangle(paSurface), b.waiting, b.problem)
	b.root = container.New(&boardLayout{b: b}, objects...)
	return b.root
}

// The board's type is sized from the screen's height H, so that it reads
// from the back of the waiting room whatever the screen. The rule is the
// ADA Standards for Accessible Design (2010), 703.5.5, for visual
// characters mounted 1.8 to 3 m above the floor: the height of a capital
// letter is at least 51 mm at 4.6 m, plus 3.2 mm per 305 mm farther. A 43-
// to 55-inch screen (a picture 535 to 685 mm high) at the back of a room 5
// to 7 m deep needs capitals of 59 to 76 mm: a ninth of the picture's
// height. So the counter and the last calls have capitals of H/9 (on a
// 50-inch screen, 69 mm: readable from 6.3 m), and the number called a
// quarter of it (H/4, 156 mm: readable from 15 m). On a 16:9 screen the
// texts fit their places at these sizes; text too wide for its place (a
// long counter name, a narrower screen) is made smaller to fit, never cut.
const (
	boardNumberCap = 1.0 / 4  // the number called
	boardLineCap   = 1.0 / 9  // its counter and the last calls
	boardSmallCap  = 1.0 / 28 // the bar, the heading and the lines waiting
	// titilliumCap is Titillium Web SemiBold's capital height in em
	// (OS/2 sCapHeight 685 of 1000 units).
	titilliumCap = 0.685
)

// boardLayout places the board's parts and sizes its type from the height.
// Top: the bar (municipality, time); left, three fifths: the number called
// and its counter in the blinking frame; right: the last calls; bottom: a
// strip with the people waiting per service.
type boardLayout struct{ b *boardScreen }

func (l *boardLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(640, 360) }

func (l *boardLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	b, w, h := l.b, size.Width, size.Height
	small := h * boardSmallCap / titilliumCap
	pad := h / 80
	barH := small*1.5 + 2*pad
	stripH := barH
	bar, strip := objects[0], objects[7+len(b.rows)]
	bar.Move(fyne.NewPos(0, 0))
	bar.Resize(fyne.NewSize(w, barH))
	strip.Move(fyne.NewPos(0, h-stripH))
	strip.Resize(fyne.NewSize(w, stripH))
	place(b.title, small, fyne.NewPos(pad*2, pad), fyne.NewSize(w*0.7-pad*2, barH-2*pad))
	place(b.clock, small, fyne.NewPos(w*0.7, pad), fyne.NewSize(w*0.3-pad*2, barH-2*pad))
	place(b.waiting, small, fyne.NewPos(pad*2, h-stripH+pad), fyne.NewSize(w-pad*4, stripH-2*pad))
	place(b.problem, small, fyne.NewPos(pad*2, h-stripH+pad), fyne.NewSize(w-pad*4, stripH-2*pad))

	// The call, in the frame: the number over its counter.
	top, bottom := barH+pad, h-stripH-pad
	left := w * 3 / 5
	b.frame.Move(fyne.NewPos(pad, top))
	b.frame.Resize(fyne.NewSize(left-2*pad, bottom-top))
	inner := left - 6*pad
	number := h * boardNumberCap / titilliumCap
	line := h * boardLineCap / titilliumCap
	numberH, lineH := number*1.25, line*1.3
	y := top + (bottom-top-numberH-lineH)/2
	place(b.called, number, fyne.NewPos(3*pad, y), fyne.NewSize(inner, numberH))
	place(b.counter, line, fyne.NewPos(3*pad, y+numberH), fyne.NewSize(inner, lineH))

	// The last calls, each in the same size: the smallest that fits.
	colX, colW := left+pad, w-left-3*pad
	place(b.heading, small, fyne.NewPos(colX, top), fyne.NewSize(colW, small*1.5))
	rowSize := line
	for _, r := range b.rows {
		rowSize = min(rowSize, fitSize(r, line, colW))
	}
	rowH := rowSize * 1.25
	for i, r := range b.rows {
		r.TextSize = rowSize
		r.Move(fyne.NewPos(colX, top+small*1.5+pad+float32(i)*rowH))
		r.Resize(fyne.NewSize(colW, rowH))
	}
}

// place sets t in size, made smaller if it would not fit the width, at pos.
func place(t *canvas.Text, size float32, pos fyne.Position, box fyne.Size) {
	t.TextSize = fitSize(t, size, box.Width)
	t.Move(pos)
	t.Resize(box)
}

// fitSize is size, or less if t's text at size is wider than width.
func fitSize(t *canvas.Text, size, width float32) float32 {
	if t.Text == "" || width <= 0 {
		return size
	}
	for range 4 { // measured widths do not scale exactly with the size
		tw := fyne.MeasureText(t.Text, size, t.TextStyle).Width
		if tw <= width {
			break
		}
		size *= width / tw * 0.99
	}
	return size
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
	b.problem.Text = lang.L("The queue cannot be read: trying again")
	b.problem.Show()
	b.waiting.Hide()
	b.problem.Refresh()
}

// showStatus shows the lines and last calls, and announces the last of
// the calls made since the previous read.
func (b *boardScreen) showStatus(st queue.Status, announce []queue.Event) {
	b.problem.Hide()
	b.waiting.Show()
	b.seq = st.Seq
	if n := len(announce); n > 0 {
		e := announce[n-1]
		b.called.Text = e.Label
		b.counter.Text = b.counterName(e.Counter)
		b.calls += n
		if b.chimeOn && b.sound != nil {
			// One chime, then the call spoken, for the calls read together.
			b.chimes++
			b.sound.Chime()
			text, sound := spokenCall(e.Label, b.counter.Text), b.sound
			time.AfterFunc(b.speechDelay, func() { sound.Say(text) })
		}
		b.flashes = boardFlashes
		b.flashGen++
		b.flash(b.flashGen)
	} else if len(st.LastCall) > 0 && b.called.Text == "—" {
		b.called.Text = st.LastCall[0].Label
		b.counter.Text = b.counterName(st.LastCall[0].Counter)
	}
	for i, r := range b.rows {
		r.Text = ""
		if i+1 < len(st.LastCall) { // the first is the big one
			t := st.LastCall[i+1]
			// The counter's code, not its name: the row stays readable
			// from the back of the room in its column.
			r.Text = t.Label + " · " + t.Counter
		}
	}
	var lines []string
	for _, l := range st.Lines {
		lines = append(lines, lang.L("{{.Code}} {{.Name}}: {{.Count}} waiting", map[string]any{"Code": l.Service.Code, "Name": l.Service.Name, "Count": l.Waiting}))
	}
	b.waiting.Text = strings.Join(lines, "   ·   ")
	b.relayout()
}

// relayout sizes the texts again for what they now say and redraws them.
func (b *boardScreen) relayout() {
	for _, o := range []fyne.CanvasObject{b.called, b.counter, b.waiting, b.problem} {
		o.Refresh()
	}
	for _, r := range b.rows {
		r.Refresh()
	}
	if b.root != nil {
		b.root.Refresh() // lays the board out again
	}
}

func (b *boardScreen) counterName(code string) string {
	for _, c := range b.office.Counters {
		if c.Code == code {
			return c.Name
		}
	}
	return lang.L("Counter {{.Code}}", map[string]any{"Code": code})
}

func (b *boardScreen) refreshCall() {
	b.called.Refresh()
	b.counter.Refresh()
	b.frame.Refresh()
}

// flash blinks the last call: the number and its counter turn white on
// blue and back.
func (b *boardScreen) flash(gen int) {
	if gen != b.flashGen {
		return
	}
	if b.flashes <= 0 {
		b.called.Color, b.counter.Color, b.frame.FillColor = paBlue, paText, color.Transparent
		b.refreshCall()
		return
	}
	if b.flashes%2 == 0 {
		// White on PA blue: 5.6:1 (boardContrast).
		b.called.Color, b.counter.Color, b.frame.FillColor = paWhite, paWhite, paBlue
	} else {
		b.called.Color, b.counter.Color, b.frame.FillColor = paBlue, paText, color.Transparent
	}
	b.flashes--
	b.refreshCall()
	time.AfterFunc(b.blink, func() { b.do(func() { b.flash(gen) }) })
}

func (b *boardScreen) tick() {
	b.clock.Text = b.clockText()
	b.clock.Refresh()
}

func (b *boardScreen) clockText() string {
	return b.now().In(registry.Rome).Format("15:04")
}
