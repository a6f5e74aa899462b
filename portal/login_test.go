package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignInGreetsAndSignOutEndsTheSession(t *testing.T) {
	st := testStore(t)
	for _, federation := range []bool{true, false} {
		name := "federation"
		if !federation {
			name = "standard discovery"
		}
		t.Run(name, func(t *testing.T) {
			op, pc := testOP(t, st, func(op *OP) { op.federation = federation })
			p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
			first, err := op.citizens(t.Context())
			if err != nil || len(first) == 0 {
				t.Fatalf("citizens: %v %v", first, err)
			}
			b := newBrowser(t)
			status, body := b.signIn(p, "test")
			want := "Buongiorno, " + first[0].Name + " " + first[0].Surname
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("after sign-in: %d, want %q in\n%s", status, want, body)
			}
			u, _ := url.Parse(p.URL())
			var old *http.Cookie
			for _, c := range b.c.Jar.Cookies(u) {
				if c.Name == p.sessionCookie() {
					old = c
				}
			}
			if old == nil {
				t.Fatal("no session cookie")
			}
			csrf := hiddenCSRF.FindStringSubmatch(body)
			if csrf == nil {
				t.Fatal("no CSRF token on the sign-out form")
			}
			status, body = b.post(p.URL()+"/logout", url.Values{"csrf": {csrf[1]}})
			if status != http.StatusOK || strings.Contains(body, want) || !strings.Contains(body, "Ha chiuso la sessione") {
				t.Fatalf("after sign-out: %d\n%s", status, body)
			}
			// The old cookie, replayed, opens nothing.
			req, _ := http.NewRequest(http.MethodGet, p.URL()+"/", nil)
			req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			page := readAll(t, resp)
			if strings.Contains(page, want) || strings.Contains(page, `action="/logout"`) {
				t.Fatalf("the old session cookie still signs in:\n%s", page)
			}
		})
	}
}

func TestRelyingPartyRefusesBadTokens(t *testing.T) {
	st := testStore(t)
	cases := []struct {
		name  string
		setup func(op *OP)
	}{
		{"ID token signed with a key the provider does not publish", func(op *OP) {
			k, err := newSigningKey()
			if err != nil {
				t.Fatal(err)
			}
			op.forgeKey = &k
		}},
		{"expired ID token", func(op *OP) { op.tokenTTL = -time.Minute }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, pc := testOP(t, st, tc.setup)
			p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
			b := newBrowser(t)
			status, body := b.signIn(p, "test")
			if status != http.StatusForbidden || !strings.Contains(body, "Non è stato possibile verificare") || strings.Contains(body, "Buongiorno") {
				t.Fatalf("forged or expired token: %d\n%s", status, body)
			}
			if n, err := st.OpenPortalSessions(t.Context()); err != nil || n != 0 {
				t.Fatalf("sessions opened: %d %v", n, err)
			}
		})
	}
}

func TestCallbackRefusesWhatItDidNotStart(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	t.Run("unknown state", func(t *testing.T) {
		status, body := newBrowser(t).get(p.URL() + "/oidc/callback?code=abc&state=" + strings.Repeat("a", 48))
		if status != http.StatusNotFound || !strings.Contains(body, "scaduto") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("state of another browser", func(t *testing.T) {
		victim := newBrowser(t)
		// The victim's sign-in stops at the provider; an attacker's browser
		// brings its answer back.
		victim.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if strings.Contains(req.URL.Path, "/oidc/callback") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		status, body := victim.get(p.URL() + "/login/test")
		req, cf := hiddenRequest.FindStringSubmatch(body), hiddenCF.FindStringSubmatch(body)
		if status != http.StatusOK || req == nil {
			t.Fatalf("chooser: %d", status)
		}
		resp, err := victim.c.PostForm(pc.Issuer+"/authorize", url.Values{"request": {req[1]}, "cf": {cf[1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		back := resp.Header.Get("Location")
		if !strings.Contains(back, "/oidc/callback") {
			t.Fatalf("provider's answer: %d %q", resp.StatusCode, back)
		}
		status, body = newBrowser(t).get(back)
		if status != http.StatusBadRequest || strings.Contains(body, "Buongiorno") {
			t.Fatalf("answer replayed in another browser: %d\n%s", status, body)
		}
		// And it was used: the victim cannot use it either.
		victim.c.CheckRedirect = nil
		if status, _ := victim.get(back); status == http.StatusOK {
			t.Fatal("a state was used twice")
		}
	})
}

func TestSigningInAgainEndsTheBrowsersOldSession(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	b := newBrowser(t)
	b.signIn(p, "test")
	b.signIn(p, "test")
	if n, err := st.OpenPortalSessions(t.Context()); err != nil || n != 1 {
		t.Fatalf("open sessions after two sign-ins in one browser: %d %v", n, err)
	}
}

func TestSignInAfterTheProviderRotatesItsKey(t *testing.T) {
	st := testStore(t)
	for _, federation := range []bool{true, false} {
		t.Run(map[bool]string{true: "federation", false: "standard discovery"}[federation], func(t *testing.T) {
			op, pc := testOP(t, st, func(op *OP) { op.federation = federation })
			p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
			if status, body := newBrowser(t).signIn(p, "test"); status != http.StatusOK || !strings.Contains(body, "Buongiorno") {
				t.Fatalf("first sign-in: %d", status)
			}
			if err := op.rotateSigningKey(); err != nil {
				t.Fatal(err)
			}
			// The portal discovered the provider more than keyRefresh ago.
			pr := p.providers["test"]
			pr.mu.Lock()
			aged := *pr.d
			aged.at = aged.at.Add(-2 * keyRefresh)
			pr.d = &aged
			pr.mu.Unlock()
			if status, body := newBrowser(t).signIn(p, "test"); status != http.StatusOK || !strings.Contains(body, "Buongiorno") {
				t.Fatalf("sign-in after the provider's key rotation: %d\n%s", status, body)
			}
		})
	}
}
