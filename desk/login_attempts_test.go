package desk

import (
	"testing"

	"sportello/access"
)

// TestLoginSaysAttemptsLeft: a wrong password says how many tries are left
// before the lock, the last one says it is the last, then the lock.
func TestLoginSaysAttemptsLeft(t *testing.T) {
	h := newHarness(t, Deps{})
	h.desk.deps.Auth = h.fx.store.WithLockout()
	h.desk.showLogin()
	ls := h.desk.login
	want := []string{
		"Nome utente o password sbagliati: 4 tentativi rimasti prima del blocco",
		"Nome utente o password sbagliati: 3 tentativi rimasti prima del blocco",
		"Nome utente o password sbagliati: 2 tentativi rimasti prima del blocco",
		"Nome utente o password sbagliati: ultimo tentativo prima del blocco",
	}
	if len(want) != access.MaxFailedLogins-1 {
		t.Fatalf("the test expects %d tries before the lock", access.MaxFailedLogins)
	}
	try := func() string {
		t.Helper()
		ls.problem.Hide()
		h.login("tentativi-test", "sbagliata")
		h.waitFor("the login's answer", func() bool { return ls.problem.Visible() && !ls.submit.Disabled() })
		ls.username.SetText("")
		return ls.problem.Text
	}
	for i, w := range want {
		if got := try(); got != w {
			t.Errorf("try %d: %q, want %q", i+1, got, w)
		}
	}
	if got := try(); got == want[len(want)-1] || got == "" {
		t.Errorf("the last try does not say the account is locked: %q", got)
	}
}
