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
	"sportello/store"
)

func newTestSetup(t *testing.T) (*officeSetupScreen, *store.Store, *uiQueue) {
	t.Helper()
	st := queueStore(t)
	test.NewTempApp(t)
	q := &uiQueue{}
	s := newOfficeSetupScreen(st, "sbruno", q.do)
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1280, 800))
	s.onLoad()
	waitUI(t, q, "the set-up", func() bool { return len(s.services) == 3 && s.priorityRun.Text == "2" })
	return s, st, q
}

func TestOfficeSetupPolicy(t *testing.T) {
	s, st, q := newTestSetup(t)
	ctx := context.Background()
	if s.maxWait.Text != "45" || s.window.Text != "10" || s.within.Text != "20" || !s.chime.Checked {
		t.Fatalf("policy shown: %q %q %q %t", s.maxWait.Text, s.window.Text, s.within.Text, s.chime.Checked)
	}
	bad := []struct {
		name, entry, text, message string
	}{
		{"not a number", "K", "due", "scriva un numero intero"},
		{"K too large", "K", "12", "tra 0 (nessun limite) e 10"},
		{"max wait too short", "max", "3", "tra 5 e 240"},
		{"threshold zero", "within", "0", "tra 1 e 120"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			s.maxWait.SetText("")
			s.onLoad()
			waitUI(t, q, "the policy", func() bool { return s.maxWait.Text == "45" })
			switch tc.entry {
			case "K":
				s.priorityRun.SetText(tc.text)
			case "max":
				s.maxWait.SetText(tc.text)
			case "within":
				s.within.SetText(tc.text)
			}
			test.Tap(s.saveSettings)
			waitUI(t, q, "the problem", func() bool { return s.problem.Visible() && !s.saveSettings.Disabled() })
			if !strings.Contains(s.problem.Text, tc.message) {
				t.Errorf("message %q, want it to say %q", s.problem.Text, tc.message)
			}
			if got, _ := st.QueueSettings(ctx); got != queue.DefaultSettings {
				t.Errorf("a refused save changed the settings: %+v", got)
			}
		})
	}
	s.onLoad()
	waitUI(t, q, "the policy", func() bool { return s.priorityRun.Text == "2" })
	s.priorityRun.SetText("3")
	s.maxWait.SetText("0")
	s.within.SetText("15")
	test.Tap(s.chime)
	test.Tap(s.saveSettings)
	waitUI(t, q, "the save", func() bool { return s.message.Visible() })
	want := queue.Settings{Policy: queue.Policy{PriorityRun: 3, AppointmentWindow: 10 * time.Minute}, Within: 15 * time.Minute}
	if got, _ := st.QueueSettings(ctx); got != want {
		t.Fatalf("saved %+v, want %+v", got, want)
	}
	if s.problem.Visible() || s.message.Text != "La politica di chiamata è salvata" {
		t.Errorf("message %q, problem %q", s.message.Text, s.problem.Text)
	}
}

func TestOfficeSetupService(t *testing.T) {
	s, st, q := newTestSetup(t)
	ctx := context.Background()
	// The first service is shown; its prefix cannot change.
	s.serviceList.Select(0)
	if s.svCode.Text != "A" || !s.svCode.Disabled() || s.svHours[0].Text != "08:30-12:30" || s.svHours[5].Text != "" {
		t.Fatalf("service A shown as %q (disabled %t), Monday %q, Saturday %q", s.svCode.Text, s.svCode.Disabled(), s.svHours[0].Text, s.svHours[5].Text)
	}
	// A new service cannot take the prefix of one that exists.
	s.showService(-1)
	test.Type(s.svCode, "b")
	test.Type(s.svName, "Doppione")
	test.Tap(s.saveService)
	if !strings.Contains(s.problem.Text, "esiste già") {
		t.Errorf("a second service B: %q", s.problem.Text)
	}
	// A new service, numbered 100 to 199, open Tuesday morning and
	// afternoon, called at counter 2.
	s.showService(-1)
	test.Type(s.svCode, "d")
	test.Type(s.svName, "Stato civile")
	s.svFirst.SetText("100")
	s.svLast.SetText("199")
	s.svCap.SetText("80")
	s.svHours[1].SetText("09:00-12:00, 14:30-16:00")
	s.svCounters.SetSelected([]string{"2"})
	test.Tap(s.saveService)
	waitUI(t, q, "the new service", func() bool { return len(s.services) == 4 && !s.saveService.Disabled() })
	if s.problem.Visible() {
		t.Fatalf("problem: %s", s.problem.Text)
	}
	setups, err := st.ServiceSetups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := setups[3]
	if d.Service.Code != "D" || d.First != 100 || d.Last != 199 || d.Service.DailyCap != 80 || !slices.Equal(d.Counters, []string{"2"}) || len(d.Hours) != 2 || d.Hours[1].Weekday != time.Tuesday {
		t.Fatalf("saved %+v", d)
	}
	if s.service != 3 || s.svCode.Text != "D" || s.svHours[1].Text != "09:00-12:00, 14:30-16:00" {
		t.Errorf("after the save the form shows %q, Tuesday %q", s.svCode.Text, s.svHours[1].Text)
	}
	is, err := st.IssueTicket(ctx, "kiosk", "D", false)
	if err != nil || is.Ticket.Label != "D100" {
		t.Fatalf("first ticket %q, %v", is.Ticket.Label, err)
	}
	// Bad hours are refused before anything is saved.
	s.svHours[2].SetText("9-12")
	test.Tap(s.saveService)
	q.drain()
	if !s.problem.Visible() || !strings.Contains(s.problem.Text, "non è valido") {
		t.Errorf("bad hours: problem %q", s.problem.Text)
	}
	s.svHours[2].SetText("12:00-09:00")
	test.Tap(s.saveService)
	waitUI(t, q, "the refusal", func() bool { return !s.saveService.Disabled() })
	if !strings.Contains(s.problem.Text, "chiudere dopo") {
		t.Errorf("hours closing before opening: problem %q", s.problem.Text)
	}
	if got, _ := st.ServiceSetups(ctx); len(got[3].Hours) != 2 {
		t.Errorf("a refused save changed the hours: %+v", got[3].Hours)
	}
}

func TestOfficeSetupCounter(t *testing.T) {
	s, st, q := newTestSetup(t)
	ctx := context.Background()
	s.showCounter(-1)
	s.ctCode.SetText("4")
	s.ctName.SetText("Sportello 4")
	test.Tap(s.saveCounter)
	waitUI(t, q, "the refusal", func() bool { return s.problem.Visible() && !s.saveCounter.Disabled() })
	if !strings.Contains(s.problem.Text, "almeno un servizio") {
		t.Errorf("a counter with no service: %q", s.problem.Text)
	}
	// A new counter with the code of one that exists is refused.
	s.ctCode.SetText("2")
	s.ctServices.SetSelected([]string{"C"})
	test.Tap(s.saveCounter)
	if !strings.Contains(s.problem.Text, "esiste già") {
		t.Errorf("a second counter 2: %q", s.problem.Text)
	}
	if o, _ := st.QueueOffice(ctx); o.Counters[1].Name != "Sportello 2" {
		t.Errorf("counter 2 renamed to %q", o.Counters[1].Name)
	}
	s.ctCode.SetText("4")
	test.Tap(s.saveCounter)
	waitUI(t, q, "the new counter", func() bool { return len(s.counters) == 4 && !s.saveCounter.Disabled() })
	o, err := st.QueueOffice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := o.Counters[3]; c.Code != "4" || !slices.Equal(c.Services, []string{"C"}) {
		t.Fatalf("saved %+v", c)
	}
	if !slices.Contains(s.svCounters.Options, "4") {
		t.Errorf("the new counter is not offered to the services: %v", s.svCounters.Options)
	}
}

// TestOfficeSetupArea: supervisors and admins have the set-up in the rail,
// clerks do not.
func TestOfficeSetupArea(t *testing.T) {
	st := queueStore(t)
	for _, tc := range []struct {
		role access.Role
		want bool
	}{{access.Supervisor, true}, {access.Admin, true}, {access.Clerk, false}} {
		h := newHarness(t, Deps{Queue: st})
		h.desk.onLoggedIn(access.User{Username: "u", FullName: "U", Role: tc.role})
		got := slices.ContainsFunc(h.desk.shell.areas, func(a area) bool { return a.name == "Impostazione dell'ufficio" })
		if got != tc.want {
			t.Errorf("%s: set-up in the rail %t, want %t", tc.role, got, tc.want)
		}
		h.desk.onLogout()
	}
}
