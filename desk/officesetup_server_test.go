package desk

import (
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/central"
	"sportello/store"
)

// With a server, a supervisor's set-up screen sets up the server's
// office; a clerk the server knows as no supervisor is told why not.
func TestOfficeSetupWorksTheServersOffice(t *testing.T) {
	ctx := context.Background()
	srv, err := store.Open(filepath.Join(t.TempDir(), "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, u := range []access.User{{Username: "sbruno", FullName: "Sara Bruno", Role: access.Supervisor},
		{Username: "mverdi", FullName: "Marta Verdi", Role: access.Clerk}} {
		if _, err := srv.CreateUser(ctx, "admin", u, "una-password-lunga"); err != nil {
			t.Fatal(err)
		}
	}
	web := httptest.NewServer(central.NewServer(srv, nil).Handler())
	t.Cleanup(web.Close)
	code, _ := srv.NewEnrolCode(ctx, "admin", "D01")
	pub, priv, _ := ed25519.GenerateKey(nil)
	if _, err := srv.Enrol(ctx, code, "desk-1", "D01", pub); err != nil {
		t.Fatal(err)
	}
	qc := central.NewQueueClient(central.NewClient(web.URL, "desk-1", priv, nil))
	test.NewTempApp(t)
	for _, tc := range []struct {
		operator string
		saved    bool
	}{{"mverdi", false}, {"sbruno", true}} {
		t.Run(tc.operator, func(t *testing.T) {
			q := &uiQueue{}
			s := newOfficeSetupScreen(qc, tc.operator, q.do)
			w := test.NewTempWindow(t, s.buildUI())
			w.Resize(fyne.NewSize(1280, 800))
			s.onLoad()
			waitUI(t, q, "the server's set-up", func() bool { return len(s.services) == 3 && s.priorityRun.Text == "2" })
			s.priorityRun.SetText("4")
			test.Tap(s.saveSettings)
			waitUI(t, q, "the answer", func() bool { return (s.problem.Visible() || s.message.Visible()) && !s.saveSettings.Disabled() })
			got, _ := srv.QueueSettings(ctx)
			if saved := got.PriorityRun == 4; saved != tc.saved {
				t.Fatalf("saved at the server: %t, want %t (%q)", saved, tc.saved, s.problem.Text)
			}
			if !tc.saved && !strings.Contains(s.problem.Text, "Solo un responsabile o un amministratore") {
				t.Errorf("the clerk reads %q", s.problem.Text)
			}
		})
	}
}
