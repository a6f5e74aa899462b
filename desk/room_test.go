package desk

import (
	"context"
	"encoding/binary"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/assets"
	"sportello/printing"
	"sportello/store"
)

// roomKiosk builds the kiosk, with the booking code, in a window of the
// given size and waits for its services.
func roomKiosk(t *testing.T, st *store.Store, size fyne.Size) (*kioskScreen, *uiQueue, fyne.Window) {
	t.Helper()
	test.NewTempApp(t).Settings().SetTheme(newDeskTheme()) // as NewKiosk does
	w := test.NewTempWindow(t, nil)
	w.Resize(size)
	q := &uiQueue{}
	k := newKiosk(w, KioskDeps{Queue: st, CheckIn: st, Office: Office{Municipality: "Comune di Anagni", Office: "Sportello unico - Piazza Cavour"},
		Printer: printing.Folder{Dir: t.TempDir()}}, q.do)
	w.SetContent(k.buildUI())
	k.load()
	waitUI(t, q, "the services", func() bool { return len(k.buttons) == 3 })
	w.Content().Refresh()
	return k, q, w
}

// textsOf lists the texts drawn under o, with their sizes.
func textsOf(o fyne.CanvasObject) []*canvas.Text {
	var out []*canvas.Text
	for _, c := range test.LaidOutObjects(o) {
		if t, ok := c.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" && t.Visible() {
			out = append(out, t)
		}
	}
	return out
}

// TestKioskServiceNamesAreTheLargestText: the names of the services are
// the largest text of the kiosk, before and after a ticket is given.
func TestKioskServiceNamesAreTheLargestText(t *testing.T) {
	st := queueStore(t)
	k, q, w := roomKiosk(t, st, fyne.NewSize(1366, 768))
	check := func(when string) {
		t.Helper()
		var service float32
		for _, tx := range textsOf(w.Content()) {
			for _, name := range []string{"Anagrafe e certificati", "Carta d'identità", "Sportello sociale - PUA"} {
				if strings.Contains(tx.Text, name) {
					service = max(service, tx.TextSize)
				}
			}
		}
		if service == 0 {
			t.Fatalf("%s: no service name drawn", when)
		}
		for _, tx := range textsOf(w.Content()) {
			if tx.TextSize > service {
				t.Errorf("%s: %q is set at %.0f, larger than the services' %.0f", when, tx.Text, tx.TextSize, service)
			}
		}
	}
	check("offering the services")
	test.Tap(k.buttons["A"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "A001" })
	w.Content().Refresh()
	check("showing the ticket")
}

// TestKioskIgnoresASecondTap: a second touch within a second of the first
// gives no second ticket; a touch after it does.
func TestKioskIgnoresASecondTap(t *testing.T) {
	st := queueStore(t)
	k, q, _ := roomKiosk(t, st, fyne.NewSize(1366, 768))
	now := time.Now()
	k.now = func() time.Time { return now }
	test.Tap(k.buttons["B"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "B001" && !k.printing })
	now = now.Add(600 * time.Millisecond)
	test.Tap(k.buttons["B"])
	time.Sleep(50 * time.Millisecond)
	q.drain()
	waiting := func() int {
		stat, err := st.QueueStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return stat.Lines[1].Waiting
	}
	if n := waiting(); n != 1 {
		t.Fatalf("%d tickets after two taps 0.6 s apart", n)
	}
	now = now.Add(time.Second)
	test.Tap(k.buttons["B"])
	waitUI(t, q, "the second ticket", func() bool { return k.message.Text == "B002" })
	if n := waiting(); n != 2 {
		t.Errorf("%d tickets after a tap a second later", n)
	}
}

// TestKioskBookingCodeKeyboard: the code is typed on the screen's own keys
// (the code's alphabet, no 0/O/1/I), and leaves the field once used, right
// or wrong; the problem goes when the screen resets.
func TestKioskBookingCodeKeyboard(t *testing.T) {
	st := queueStore(t)
	k, q, _ := roomKiosk(t, st, fyne.NewSize(1366, 768))
	k.hold = 30 * time.Millisecond
	for _, r := range "0O1I" {
		if _, ok := k.keys[r]; ok {
			t.Errorf("key %q is not in a booking code", r)
		}
	}
	if len(k.keys) != 32 {
		t.Errorf("%d keys", len(k.keys))
	}
	for _, r := range "ZZ2ZZZQ" {
		test.Tap(k.keys[r])
	}
	if k.code.Text != "ZZ2ZZZ" {
		t.Errorf("typed %q", k.code.Text)
	}
	test.Tap(k.erase)
	test.Tap(k.keys['Z'])
	test.Tap(k.checkIn)
	waitUI(t, q, "the message", func() bool { return k.problem.Visible() && !k.printing })
	if !strings.Contains(k.problem.Text, "non esiste") {
		t.Errorf("message %q", k.problem.Text)
	}
	if k.code.Text != "" {
		t.Errorf("the code %q stays on the screen for the next person", k.code.Text)
	}
	waitUI(t, q, "the message cleared", func() bool { return !k.problem.Visible() })
}

// TestKioskLayoutStaysStill: a message appearing moves nothing: the
// services and the keys stay where the finger expects them.
func TestKioskLayoutStaysStill(t *testing.T) {
	st := queueStore(t)
	k, q, w := roomKiosk(t, st, fyne.NewSize(1366, 768))
	d := fyne.CurrentApp().Driver()
	where := func() []fyne.Position {
		w.Content().Refresh()
		var out []fyne.Position
		for _, o := range []fyne.CanvasObject{k.buttons["A"], k.buttons["C"], k.keys['Z'], k.checkIn, k.priority} {
			out = append(out, d.AbsolutePositionForObject(o), fyne.NewPos(o.Size().Width, o.Size().Height))
		}
		return out
	}
	before := where()
	k.code.SetText("ABC")
	test.Tap(k.checkIn)
	waitUI(t, q, "the message", func() bool { return k.problem.Visible() })
	if after := where(); !equalPositions(before, after) {
		t.Errorf("a problem moved the screen: %v, then %v", before, after)
	}
	k.now = func() time.Time { return time.Now().Add(time.Hour) }
	test.Tap(k.buttons["A"])
	waitUI(t, q, "the ticket", func() bool { return k.message.Text == "A001" })
	if after := where(); !equalPositions(before, after) {
		t.Errorf("a ticket moved the screen: %v, then %v", before, after)
	}
}

func equalPositions(a, b []fyne.Position) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRoomScreensFit: the kiosk and the board fit a 1366x768 and a
// 1024x700 screen: their content never asks for more than the window.
func TestRoomScreensFit(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 700}} {
		t.Run(sizeName(size), func(t *testing.T) {
			st := queueStore(t)
			k, _, w := roomKiosk(t, st, size)
			if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("kiosk needs %v (services %v, check-in %v)", m, k.services.MinSize(), k.code.MinSize())
			}
		})
	}
}

func sizeName(s fyne.Size) string {
	return fmt.Sprintf("%.0fx%.0f", s.Width, s.Height)
}

// roomBoard builds the board in a window of the given size after calls
// at every counter, and waits for the last call and the lines.
func roomBoard(t *testing.T, size fyne.Size) (*boardScreen, *uiQueue, fyne.Window) {
	t.Helper()
	st := queueStore(t)
	ctx := context.Background()
	for range 6 {
		issueTicket(t, st, "A", false)
	}
	test.NewTempApp(t).Settings().SetTheme(newDeskTheme()) // as NewBoard does: Titillium's widths
	w := test.NewTempWindow(t, nil)
	w.Resize(size)
	q := &uiQueue{}
	for i, c := range []string{"1", "2", "3", "1"} {
		tk, err := st.CallNext(ctx, "lneri", c, fmt.Sprint("call", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.NoShowTicket(ctx, "lneri", tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	b := newBoard(BoardDeps{Queue: st, Office: Office{Municipality: "Comune di Anagni"}, Now: func() time.Time { return testNow }}, q.do)
	b.poll, b.blink = 5*time.Millisecond, time.Millisecond
	w.SetPadded(false) // as NewBoard does: the board takes the whole screen
	w.SetContent(b.buildUI())
	b.begin()
	t.Cleanup(b.end)
	waitUI(t, q, "the board", func() bool { return b.called.Text == "A004" && b.rows[2].Text != "" })
	if _, err := st.CallNext(ctx, "lneri", "2", "call-last"); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the call", func() bool { return b.called.Text == "A005" })
	return b, q, w
}

// TestBoardReadableFromTheBack: the number called has capitals of a
// quarter of the screen's height, its counter and the last calls of an
// ninth (the ADA rule in board.go) on a television's 16:9 screen; on any
// screen every text fits its place and none overlaps another.
func TestBoardReadableFromTheBack(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1366, Height: 768}, {Width: 1920, Height: 1080}, {Width: 1024, Height: 700}} {
		t.Run(sizeName(size), func(t *testing.T) {
			b, _, w := roomBoard(t, size)
			if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
				t.Errorf("board needs %v", m)
			}
			caps := []struct {
				what string
				t    *canvas.Text
				cap  float32
			}{{"number", b.called, boardNumberCap}, {"counter", b.counter, boardLineCap}}
			for i, r := range b.rows {
				caps = append(caps, struct {
					what string
					t    *canvas.Text
					cap  float32
				}{fmt.Sprint("last call ", i+1), r, boardLineCap})
			}
			for _, c := range caps {
				if size.Width/size.Height < 1.7 {
					break // not a television: the text fits, smaller
				}
				if got := c.t.TextSize * titilliumCap; got < size.Height*c.cap-0.5 {
					t.Errorf("%s %q: capitals %.0f px high, want %.0f", c.what, c.t.Text, got, size.Height*c.cap)
				}
			}
			texts := []*canvas.Text{b.title, b.clock, b.called, b.counter, b.heading, b.waiting}
			texts = append(texts, b.rows...)
			for i, a := range texts {
				m := fyne.MeasureText(a.Text, a.TextSize, a.TextStyle)
				if m.Width > a.Size().Width+0.5 || a.Position().X < 0 || a.Position().X+a.Size().Width > size.Width ||
					a.Position().Y+a.Size().Height > size.Height {
					t.Errorf("%q (%v at %v) is cut: it needs %v", a.Text, a.Size(), a.Position(), m)
				}
				for _, o := range texts[i+1:] {
					if overlap(a, o) {
						t.Errorf("%q at %v %v overlaps %q at %v %v", a.Text, a.Position(), a.Size(), o.Text, o.Position(), o.Size())
					}
				}
			}
		})
	}
}

// overlap says whether two objects share more than a rounding's half pixel.
func overlap(a, b fyne.CanvasObject) bool {
	const e = 0.5
	ap, as, bp, bs := a.Position(), a.Size(), b.Position(), b.Size()
	return ap.X+e < bp.X+bs.Width && bp.X+e < ap.X+as.Width && ap.Y+e < bp.Y+bs.Height && bp.Y+e < ap.Y+as.Height
}

// TestTitilliumCapHeight: the capital height the board sizes its type with
// is the font's own (OS/2 sCapHeight over the head table's unitsPerEm).
func TestTitilliumCapHeight(t *testing.T) {
	f := assets.FontSemiBold
	table := func(tag string) []byte {
		n := int(binary.BigEndian.Uint16(f[4:6]))
		for i := range n {
			rec := f[12+16*i:]
			if string(rec[:4]) == tag {
				off := binary.BigEndian.Uint32(rec[8:12])
				return f[off:]
			}
		}
		t.Fatalf("no %s table", tag)
		return nil
	}
	capHeight := float32(int16(binary.BigEndian.Uint16(table("OS/2")[88:90])))
	perEm := float32(binary.BigEndian.Uint16(table("head")[18:20]))
	if got := capHeight / perEm; got < titilliumCap-0.002 || got > titilliumCap+0.002 {
		t.Errorf("capital height %.3f em, the board assumes %.3f", got, titilliumCap)
	}
}

// TestBoardBlinkContrast: while the call blinks, the number and its
// counter are white on PA blue, and out of the blink PA blue and dark on
// white: every state at least 4.5:1 (WCAG 2.1, 1.4.3).
func TestBoardBlinkContrast(t *testing.T) {
	b, q, _ := roomBoard(t, fyne.NewSize(1366, 768))
	waitUI(t, q, "the blinking over", func() bool { return b.flashes == 0 })
	b.blink = time.Hour // the test steps the blinking itself
	background := func() color.Color {
		if _, _, _, a := b.frame.FillColor.RGBA(); a == 0 {
			return paWhite
		}
		return b.frame.FillColor
	}
	b.flashes = boardFlashes
	b.flashGen++
	for step := 0; step <= boardFlashes; step++ {
		b.flash(b.flashGen)
		for _, tx := range []*canvas.Text{b.called, b.counter} {
			if c := contrast(tx.Color, background()); c < 4.5 {
				t.Errorf("step %d: %q at %.2f:1 on its background", step, tx.Text, c)
			}
		}
		if step == 0 && background() != color.Color(paBlue) {
			t.Errorf("the blink shows %v, not PA blue", background())
		}
	}
}

// contrast is the WCAG 2.1 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// TestClerkSettings: every role reaches its settings from the rail; the
// high-contrast theme and the text size apply at once and are kept as
// preferences; the language changes every screen at once.
func TestClerkSettings(t *testing.T) {
	t.Cleanup(func() {
		clerkLook.contrast, clerkLook.scale = false, 0
		if err := SetupLanguage("it"); err != nil {
			t.Error(err)
		}
	})
	h := newHarness(t, Deps{})
	for _, u := range []string{clerkUser, socialUser} {
		sh := h.enterAs(u)
		if sh.areas[len(sh.areas)-1].name != "Impostazioni" {
			t.Errorf("%s: no settings in the rail", u)
		}
		h.desk.onLogout()
	}
	sh := h.enterAs(clerkUser)
	sh.show(len(sh.areas) - 1)
	var screen *settingsScreen
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if c, ok := o.(*widget.Check); ok && c.Text == "Contrasto elevato" {
			screen = &settingsScreen{desk: h.desk, contrast: c}
		}
	}
	if screen == nil {
		t.Fatal("no high-contrast option on the settings screen")
	}
	test.Tap(screen.contrast)
	th := fyne.CurrentApp().Settings().Theme()
	if fg := th.Color(theme.ColorNameForeground, theme.VariantLight); fg != color.Color(color.Black) {
		t.Errorf("high contrast: text %v", fg)
	}
	if !fyne.CurrentApp().Preferences().Bool(prefContrast) {
		t.Error("the high contrast is not kept")
	}
	for _, pair := range [][2]fyne.ThemeColorName{
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
		{theme.ColorNamePrimary, theme.ColorNameBackground},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameError, theme.ColorNameBackground},
		{theme.ColorNameDisabled, theme.ColorNameBackground},
		{theme.ColorNameForeground, theme.ColorNameButton},
	} {
		if c := contrast(th.Color(pair[0], theme.VariantLight), th.Color(pair[1], theme.VariantLight)); c < 7 {
			t.Errorf("high contrast: %s on %s at %.1f:1", pair[0], pair[1], c)
		}
	}

	sh = h.desk.shell
	if sh.areas[sh.current].name != "Impostazioni" {
		t.Errorf("after the change the desk shows %q", sh.areas[sh.current].name)
	}
	var size *widget.RadioGroup
	var language *widget.Select
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		switch w := o.(type) {
		case *widget.RadioGroup:
			size = w
		case *widget.Select:
			if w.Selected == "Italiano" {
				language = w
			}
		}
	}
	size.SetSelected("Molto grande")
	if got := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText); got < 15*1.4 {
		t.Errorf("very large text at %.0f", got)
	}
	if fyne.CurrentApp().Preferences().Float(prefTextSize) < 1.4 {
		t.Error("the text size is not kept")
	}
	if language == nil {
		t.Fatal("no language choice")
	}
	language.SetSelected("English")
	if got := h.desk.shell.areas[0].name; got != "Registry" {
		t.Errorf("in English the first area is %q", got)
	}
	if fyne.CurrentApp().Preferences().String(prefLanguage) != "en" {
		t.Error("the language is not kept")
	}
}

// TestSelectPlaceholderInItalian: Fyne's Select shows "(Select one)"
// untranslated, so every Select of the desk is made by newSelect, which
// shows it in Italian.
func TestSelectPlaceholderInItalian(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, newSelect([]string{"a", "b"}, nil))
	if m := rendered(w.Content()); strings.Contains(m, "(Select one)") || !strings.Contains(m, "(Scelga)") {
		t.Errorf("an empty choice reads %s", m)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var sel *ast.SelectorExpr
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, _ = n.Fun.(*ast.SelectorExpr)
			case *ast.CompositeLit:
				sel, _ = n.Type.(*ast.SelectorExpr)
			}
			if sel == nil || (sel.Sel.Name != "NewSelect" && sel.Sel.Name != "Select") {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "widget" {
				if fn := enclosingFunc(f, n.Pos()); fn != "newSelect" {
					t.Errorf("%s: a widget.%s outside newSelect shows \"(Select one)\"", fset.Position(n.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// enclosingFunc names the top-level function of f around pos.
func enclosingFunc(f *ast.File, pos token.Pos) string {
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Pos() <= pos && pos < fn.End() {
			return fn.Name.Name
		}
	}
	return ""
}

// TestChartGapsAndAxis: a value without data (NaN: an hour without
// tickets) draws nothing, not a zero; the values' axis is drawn and
// labelled with what the values are, 0 at its foot and the largest at its
// head with its unit.
func TestChartGapsAndAxis(t *testing.T) {
	test.NewTempApp(t)
	for _, kind := range []chartKind{barChart, lineChart} {
		c := newChart(kind, "Attesa mediana", "min")
		w := test.NewTempWindow(t, c)
		w.Resize(fyne.NewSize(400, 240))
		c.SetData([]string{"09", "10", "11"}, []float64{4, math.NaN(), 6})
		r := test.TempWidgetRenderer(t, c).(*chartRenderer)
		r.Layout(c.Size())
		if r.scale.Text != "6 min" || r.zero.Text != "0" || r.yName.Text != "minuti" {
			t.Errorf("axis: %q, %q, %q", r.scale.Text, r.zero.Text, r.yName.Text)
		}
		if r.yAxis.Position2.Y-r.yAxis.Position1.Y <= 0 {
			t.Error("no values' axis")
		}
		switch kind {
		case barChart:
			if !r.bars[1].Hidden || r.bars[0].Hidden || r.bars[2].Hidden {
				t.Errorf("bars shown: %v %v %v", !r.bars[0].Hidden, !r.bars[1].Hidden, !r.bars[2].Hidden)
			}
		case lineChart:
			if !r.points[1].Hidden || !r.segments[0].Hidden || !r.segments[1].Hidden || r.points[0].Hidden {
				t.Errorf("the hour without tickets is drawn: point %v, segments %v %v", !r.points[1].Hidden, !r.segments[0].Hidden, !r.segments[1].Hidden)
			}
		}
	}
	if got := minutesOrGap(0, false); !math.IsNaN(got) {
		t.Errorf("an hour without tickets waits %v", got)
	}
}

// clerkList is a register of clerks for the statistics.
type clerkList []access.User

func (c clerkList) Users(context.Context) ([]access.User, error) { return c, nil }

// TestQueueStatsByClerkShowNames: the rows by clerk name the clerk as a
// person, not by username; the area finds the names through the desk's
// clerks.
func TestQueueStatsByClerkShowNames(t *testing.T) {
	st := queueStore(t)
	ctx := context.Background()
	issueTicket(t, st, "A", false)
	if _, err := st.CallNext(ctx, clerkUser, "1", "c1"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	q := &uiQueue{}
	a, ok := queueStatsArea(&Desk{deps: Deps{Queue: st, Auth: sharedFixture(t).store}, do: q.do, now: time.Now}, access.User{Role: access.Supervisor})
	if !ok || a.content == nil {
		t.Fatal("no statistics for a supervisor")
	}
	s := newQueueStatsScreen(st, q.do, time.Now)
	s.clerks = clerkList{{Username: clerkUser, FullName: clerkName}}
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1200, 600))
	s.groupBy.SetSelected(s.groupings()[2])
	waitUI(t, q, "by clerk", func() bool { return len(s.rows) == 2 })
	if got := s.cell(1, 0); got != clerkName {
		t.Errorf("the clerk's row reads %q", got)
	}
}

// TestDeskScreensFit: at 1024x700 and 1366x768 no area of any role makes
// the window wider or taller than the screen: the top bar shortens the
// office's name, wide screens scroll.
func TestDeskScreensFit(t *testing.T) {
	st := queueStore(t)
	for _, size := range []fyne.Size{{Width: 1024, Height: 700}, {Width: 1366, Height: 768}} {
		t.Run(sizeName(size), func(t *testing.T) {
			for _, u := range []access.User{
				{Username: clerkUser, FullName: clerkName, Role: access.Clerk},
				{Username: "rgialli", FullName: "Rita Gialli", Role: access.Registrar},
				{Username: "sbruno", FullName: "Sara Bruno", Role: access.Supervisor},
				{Username: "admin", FullName: "Ada Min", Role: access.Admin},
				{Username: socialUser, FullName: socialName, Role: access.SocialWorker},
			} {
				h := newHarness(t, Deps{Queue: st, Registry: sharedFixture(t).store, Appointments: st})
				h.win.Resize(size)
				h.desk.onLoggedIn(u)
				sh := h.desk.shell
				for i, a := range sh.areas {
					sh.show(i)
					if m := h.win.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
						t.Errorf("%s, %s: needs %.0fx%.0f", u.Role, a.name, m.Width, m.Height)
					}
				}
				h.desk.onLogout()
			}
		})
	}
}

// TestQueueStatsTimesHaveTheirUnit: every column of times says it is in
// minutes, and so does the summary.
func TestQueueStatsTimesHaveTheirUnit(t *testing.T) {
	test.NewTempApp(t)
	s := newQueueStatsScreen(queueStore(t), (&uiQueue{}).do, time.Now)
	h := s.headers()
	for col := 5; col < len(h); col++ {
		if !strings.Contains(h[col], "min") {
			t.Errorf("column %d %q has no unit", col, h[col])
		}
	}
}
