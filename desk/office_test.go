package desk

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/queue"
)

func TestOfficeScreen(t *testing.T) {
	ctx := context.Background()
	st := queueStore(t)
	a1 := issueTicket(t, st, "A", false)
	issueTicket(t, st, "A", false)
	issueTicket(t, st, "C", false)
	if _, err := st.CallTicket(ctx, "lneri", "1", a1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PauseCounter(ctx, "gbianchi", "3", queue.BackOffice); err != nil {
		t.Fatal(err)
	}

	test.NewTempApp(t)
	q := &uiQueue{}
	d := &Desk{deps: Deps{Queue: st}, do: q.do, now: time.Now}
	for _, tc := range []struct {
		role access.Role
		want bool
	}{{access.Clerk, false}, {access.SocialWorker, false}, {access.Supervisor, true}, {access.Admin, true}} {
		if _, ok := officeArea(d, access.User{Role: tc.role}); ok != tc.want {
			t.Errorf("office view for %s: %v", tc.role, ok)
		}
	}

	o := newOfficeScreen(st, q.do, time.Now)
	o.poll = 10 * time.Millisecond
	w := test.NewTempWindow(t, o.buildUI())
	w.Resize(fyne.NewSize(1200, 700))
	o.onShow()
	t.Cleanup(o.close)
	row := func(n int) []string {
		var cells []string
		for c := range 4 {
			cells = append(cells, o.counterCell(n, c))
		}
		return cells
	}
	waitUI(t, q, "the counters", func() bool { return len(o.counters) == 3 && len(o.lines) == 3 })
	if got := row(0); !slices.Equal(got, []string{"Sportello 1", "Chiama A001", "lneri", "0 min"}) {
		t.Errorf("counter 1: %q", got)
	}
	if got := row(1); !slices.Equal(got, []string{"Sportello 2", "Libero", "", ""}) {
		t.Errorf("counter 2: %q", got)
	}
	if got := row(2); !slices.Equal(got, []string{"Sportello 3", "Back office", "gbianchi", "0 min"}) {
		t.Errorf("counter 3: %q", got)
	}
	if got := []string{o.lineCell(0, 0), o.lineCell(0, 1), o.lineCell(0, 2), o.lineCell(1, 1), o.lineCell(1, 2)}; !slices.Equal(got, []string{"A Anagrafe e certificati", "1", "0 min", "0", ""}) {
		t.Errorf("lines: %q", got)
	}

	// The view follows what counters do, within a poll.
	if _, err := st.StartTicket(ctx, "lneri", a1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EndPause(ctx, "gbianchi", "3"); err != nil {
		t.Fatal(err)
	}
	waitUI(t, q, "the change", func() bool {
		return o.counterCell(0, 1) == "Serve A001" && o.counterCell(2, 1) == "Libero"
	})

	// Once the view is no longer shown it stops reading, and starts again when shown.
	shown := true
	o.shown = func() bool { return shown }
	shown = false
	waitUI(t, q, "the view to stop", func() bool { return !o.running })
	<-o.done
	shown = true
	o.onShow()
	waitUI(t, q, "the view to run again", func() bool { return o.running })
}

// TestOfficeArea: a supervisor has the view in the rail; it follows the
// queue only while shown and stops at logout.
func TestOfficeArea(t *testing.T) {
	st := queueStore(t)
	issueTicket(t, st, "B", false)
	h := newHarness(t, Deps{Queue: st})
	h.desk.onLoggedIn(access.User{Username: supervisorUser, FullName: "Sara Bruno", Role: access.Supervisor})
	s := h.desk.shell
	i := slices.IndexFunc(s.areas, func(a area) bool { return a.name == "Ufficio ora" })
	if i < 0 {
		t.Fatal("no office view in the supervisor's rail")
	}
	s.show(i)
	h.waitFor("the lines", func() bool { return strings.Contains(rendered(h.win.Content()), "Carta d") })
	h.desk.onLogout()
	if h.desk.shell != nil {
		t.Fatal("still logged in")
	}
}

// TestOfficeTimesInRome: the office view and the counter's pause show the
// time of the office (Europe/Rome), whatever zone the machine runs in.
func TestOfficeTimesInRome(t *testing.T) {
	test.NewTempApp(t)
	q := &uiQueue{}
	st := queueStore(t)
	winter := time.Date(2026, 12, 4, 8, 30, 0, 0, time.UTC) // 09:30 in Rome
	o := newOfficeScreen(st, q.do, func() time.Time { return winter })
	test.NewTempWindow(t, o.buildUI())
	o.show(nil, nil, winter, nil)
	if got := o.updated.Text; got != "Aggiornato alle 09:30:00" {
		t.Errorf("office view: %q, want the time in Rome", got)
	}
	summer := time.Date(2026, 7, 1, 6, 5, 0, 0, time.UTC) // 08:05 in Rome
	if got := pauseText(queue.Pause{Kind: queue.BackOffice, Start: summer}); !strings.Contains(got, "08:05") {
		t.Errorf("pause: %q, want the time in Rome (08:05)", got)
	}
}
