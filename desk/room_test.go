package desk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"sportello/printing"
	"sportello/store"
)

// roomKiosk builds the kiosk, with the booking code, in a window of the
// given size and waits for its services.
func roomKiosk(t *testing.T, st *store.Store, size fyne.Size) (*kioskScreen, *uiQueue, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
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
