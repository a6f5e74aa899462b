package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"sportello/queue"
)

func TestCounterPanelPickCancelReactivate(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "B", false)
	issueTicket(t, st, "C", false)
	p, q, w := newTestPanel(t, st)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	idle := func() bool { return !p.busy }
	waitUI(t, q, "the lines", func() bool { return len(p.waitingHere()) == 3 })
	labels := func() string {
		var ls []string
		for _, tk := range p.waitingHere() {
			ls = append(ls, tk.Label)
		}
		return strings.Join(ls, " ")
	}
	if got := labels(); got != "A001 A002 B001" {
		t.Fatalf("waiting for counter 1: %q (C is not served there)", got)
	}
	if p.pick.Disabled() || p.cancel.Disabled() || p.revive.Disabled() {
		t.Fatal("a free counter with people waiting may pick, cancel and reactivate")
	}

	// F7 opens the choice; the clerk calls B001 out of order.
	key(fyne.KeyF7)
	if !strings.Contains(rendered(w.Canvas().Overlays().Top()), "A001") {
		t.Error("the pick dialog does not list A001")
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	b001 := p.waitingHere()[2]
	p.callTicket(b001)
	waitUI(t, q, "B001 called", func() bool {
		cur, ok := p.current()
		return ok && cur.Label == "B001" && cur.State == queue.Called && idle()
	})
	if !p.pick.Disabled() {
		t.Error("a counter with a ticket called may not pick another")
	}

	// A002 leaves: cancelled, it is no longer waiting.
	p.cancelTicket(p.waitingHere()[1])
	waitUI(t, q, "A002 cancelled", func() bool { return labels() == "A001" && idle() })

	// B001 does not come; reactivated, it is back in line.
	key(fyne.KeyF6)
	waitUI(t, q, "a free counter", func() bool { _, ok := p.current(); return !ok && idle() })
	key(fyne.KeyF9)
	waitUI(t, q, "the no-show dialog", func() bool {
		top := w.Canvas().Overlays().Top()
		return top != nil && strings.Contains(rendered(top), "B001")
	})
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	p.reactivate(queue.Ticket{ID: b001.ID})
	waitUI(t, q, "B001 back in line", func() bool { return labels() == "A001 B001" && idle() })

	// Nobody else was absent: F9 says so instead of an empty dialog.
	key(fyne.KeyF9)
	waitUI(t, q, "the message", func() bool { return p.problem.Visible() })
	if w.Canvas().Overlays().Top() != nil {
		t.Error("a dialog opened with no no-show to choose")
	}
}

func TestCounterPanelPause(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "A", false)
	p, q, w := newTestPanel(t, st)
	key := func(k fyne.KeyName) { w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	paused := func(want bool) func() bool {
		return func() bool { _, ok := p.paused(); return ok == want && !p.busy }
	}
	waitUI(t, q, "the line", func() bool { return len(p.waitingHere()) == 1 && !p.callNext.Disabled() })

	key(fyne.KeyF10)
	waitUI(t, q, "the pause", paused(true))
	if !p.callNext.Disabled() || !p.pick.Disabled() || !p.backOff.Disabled() || p.pause.Disabled() {
		t.Error("a paused counter may only end its pause")
	}
	if p.pause.Text != "Termina la pausa (F10)" || !strings.HasPrefix(p.state.Text, "In pausa dalle") {
		t.Errorf("paused panel: button %q, state %q", p.pause.Text, p.state.Text)
	}
	key(fyne.KeyF2)
	if p.busy {
		t.Error("F2 calls while paused")
	}
	key(fyne.KeyF10)
	waitUI(t, q, "the end of the pause", paused(false))
	if p.callNext.Disabled() {
		t.Error("the counter cannot call after its pause")
	}

	key(fyne.KeyF11)
	waitUI(t, q, "back office", paused(true))
	if pz, _ := p.paused(); pz.Kind != queue.BackOffice || !strings.HasPrefix(p.state.Text, "In back office dalle") {
		t.Errorf("back office: %+v, state %q", pz, p.state.Text)
	}
	p.onPause()
	waitUI(t, q, "the end of back office", paused(false))

	// With a ticket called the counter cannot pause.
	key(fyne.KeyF2)
	waitUI(t, q, "A001 called", func() bool { _, ok := p.current(); return ok && !p.busy })
	if !p.pause.Disabled() || !p.backOff.Disabled() {
		t.Error("a counter with a ticket called may pause")
	}
}
