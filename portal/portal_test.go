package portal

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"sportello/access"
	"sportello/registry"
)

func TestEntityConfigurationPublishesTheRelyingParty(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Contacts: []string{"urp@comune.example.it"}, AuthorityHints: []string{"https://registry.spid.gov.it"}})
	fetch := func() (entityStatement, rpMetadata, jose.JSONWebKeySet) {
		t.Helper()
		es, err := fetchEntityConfiguration(t.Context(), http.DefaultClient, p.URL(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		md, err := relyingPartyOf(es)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(md.JWKSURI)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set jose.JSONWebKeySet
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
			t.Fatal(err)
		}
		return es, md, set
	}
	es, md, set := fetch()
	if md.ClientID != p.URL() || len(md.RedirectURIs) != 1 || md.RedirectURIs[0] != p.URL()+"/oidc/callback" ||
		md.ClientName != "Sportello online - Comune di Anagni" || len(md.Contacts) != 1 || md.TokenEndpointAuthMethod != "private_key_jwt" ||
		md.JWKSURI != p.URL()+"/oidc/jwks.json" {
		t.Fatalf("metadata: %+v", md)
	}
	if len(es.AuthorityHints) != 1 || es.AuthorityHints[0] != "https://registry.spid.gov.it" {
		t.Fatalf("authority_hints: %v", es.AuthorityHints)
	}
	if len(es.JWKS.Keys) != 1 || len(md.JWKS.Keys) != 2 || len(set.Keys) != 2 {
		t.Fatalf("keys: federation %d, metadata %d, jwks_uri %d", len(es.JWKS.Keys), len(md.JWKS.Keys), len(set.Keys))
	}
	for _, k := range append(append([]jose.JSONWebKey{}, es.JWKS.Keys...), set.Keys...) {
		if !k.IsPublic() {
			t.Fatalf("a private key is published: %s", k.KeyID)
		}
	}
	oldSig := p.keys.current("sig").KeyID

	t.Run("a forged entity configuration is refused", func(t *testing.T) {
		other, _ := newSigningKey()
		token, err := signJWT(other, entityStatementType, entityStatement{Iss: p.URL(), Sub: p.URL(), Iat: time.Now().Unix(),
			Exp: time.Now().Add(time.Hour).Unix(), JWKS: es.JWKS})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseEntityConfiguration(token, p.URL(), time.Now()); err == nil {
			t.Fatal("an entity configuration signed by a key it does not carry was accepted")
		}
	})

	t.Run("rotation", func(t *testing.T) {
		if err := p.RotateKeys(t.Context()); err != nil {
			t.Fatal(err)
		}
		if p.keys.current("sig").KeyID == oldSig {
			t.Fatal("the sig key did not change")
		}
		_, md, set := fetch()
		if len(md.JWKS.Keys) != 4 || len(set.Keys) != 4 {
			t.Fatalf("after rotation: metadata %d keys, jwks_uri %d (want the old ones too)", len(md.JWKS.Keys), len(set.Keys))
		}
		// The keys are the database's: a restart keeps them.
		again, err := loadKeyring(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		if again.current("sig").KeyID != p.keys.current("sig").KeyID {
			t.Fatal("a restart made new keys")
		}
	})
}

func TestSignInAfterKeyRotation(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	if err := p.RotateKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	if status, body := newBrowser(t).signIn(p, "test"); status != http.StatusOK || !strings.Contains(body, "Buongiorno") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestSessionTimeouts(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	cases := []struct {
		name  string
		steps []time.Duration // requests after the sign-in
		ends  bool
	}{
		{"active within the idle timeout", []time.Duration{10 * time.Minute, 25 * time.Minute}, false},
		{"idle too long", []time.Duration{idleTimeout + time.Minute}, true},
		{"active but past the absolute timeout", func() []time.Duration {
			var s []time.Duration
			for d := 15 * time.Minute; d <= absoluteTimeout+time.Minute; d += 15 * time.Minute {
				s = append(s, d)
			}
			return s
		}(), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
			start := time.Now()
			p.setClock(func() time.Time { return start })
			b := newBrowser(t)
			if status, body := b.signIn(p, "test"); status != http.StatusOK || !strings.Contains(body, "Buongiorno") {
				t.Fatalf("sign-in: %d", status)
			}
			signedIn := true
			for _, d := range tc.steps {
				p.setClock(func() time.Time { return start.Add(d) })
				_, body := b.get(p.URL() + "/")
				signedIn = strings.Contains(body, "Buongiorno")
			}
			if signedIn == tc.ends {
				t.Fatalf("signed in at the end: %v", signedIn)
			}
		})
	}
}

func TestSignOutNeedsTheFormToken(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	b := newBrowser(t)
	_, body := b.signIn(p, "test")
	token := hiddenCSRF.FindStringSubmatch(body)[1]
	cases := []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"no token", url.Values{}, nil},
		{"another token", url.Values{"csrf": {strings.Repeat("0", 64)}}, nil},
		{"from another site", url.Values{"csrf": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"another origin", url.Values{"csrf": {token}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, p.URL()+"/logout", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if _, home := b.get(p.URL() + "/"); !strings.Contains(home, "Buongiorno") {
				t.Fatal("a forged sign-out ended the session")
			}
		})
	}
}

func TestPagesCarryTheSecurityHeaders(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true})
	for _, path := range []string{"/", "/no-such-page", "/login/demo", "/static/portal.css"} {
		resp, err := http.Get(p.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if resp.Header.Get(h) != want {
				t.Errorf("%s: %s = %q", path, h, resp.Header.Get(h))
			}
		}
		if strings.HasSuffix(path, ".css") {
			continue
		}
		if strings.Contains(string(body), "<script") || strings.Contains(string(body), " style=") || strings.Contains(string(body), " on") && strings.Contains(string(body), "onclick") {
			t.Errorf("%s: inline script or style", path)
		}
		if !strings.Contains(string(body), "Dimostrazione") {
			t.Errorf("%s: the demonstration is not marked", path)
		}
	}
	if _, err := New(t.Context(), st, Config{URL: "http://10.0.0.5:8421"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("plain http beyond loopback: %v", err)
	}
}

func TestEveryStringIsTranslated(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	var lacking []string
	missing = func(lang, key string) { lacking = append(lacking, lang+": "+key) }
	defer func() { missing = func(string, string) {} }()
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}, Demo: true})
	for _, lang := range []string{"it", "en"} {
		b := newBrowser(t)
		b.get(p.URL() + "/lang/" + lang)
		b.get(p.URL() + "/")
		b.get(p.URL() + "/no-such-page")
		b.get(p.URL() + "/oidc/callback?state=x")
		_, body := b.signIn(p, DemoProvider)
		if !strings.Contains(body, `action="/logout"`) {
			t.Fatalf("%s: not signed in: %s", lang, body)
		}
		b.get(p.URL() + "/record/accesses")
		if status, _ := b.get(p.URL() + "/record"); status != http.StatusOK {
			t.Fatalf("%s: record: %d", lang, status)
		}
		for _, err := range []error{errProviderDown, errBadAnswer, errOtherBrowser, errCancelled, errNotVerified, errLevel, errForm, errNoProvider} {
			newTr(lang).Error(err)
		}
	}
	if len(lacking) > 0 {
		t.Fatalf("untranslated: %q", lacking)
	}
	if got := newTr("en").L("Sign out"); got != "Sign out" {
		t.Fatalf("English: %q", got)
	}
	if got := newTr("it").L("Sign out"); got != "Esci" {
		t.Fatalf("Italian: %q", got)
	}
}

func TestSignInRateLimit(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var last int
	for range signInRate + 1 {
		resp, err := client.Get(p.URL() + "/login/test")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp.StatusCode
		if last != http.StatusSeeOther && last != http.StatusTooManyRequests {
			t.Fatalf("status %d", last)
		}
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("sign-in %d was not limited: %d", signInRate+1, last)
	}
	// A minute later it goes again.
	p.setClock(func() time.Time { return time.Now().Add(time.Minute) })
	resp, err := client.Get(p.URL() + "/login/test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after a minute: %d", resp.StatusCode)
	}
}

func TestCitizenNotInTheRegister(t *testing.T) {
	st := testStore(t)
	people, err := st.DemoCitizens(context.Background(), 1)
	if err != nil || len(people) == 0 {
		t.Fatal(err)
	}
	stranger := registry.OmocodeVariant(people[0].CF, 1) // a valid code the register does not hold
	if registry.ValidateCF(stranger) != nil {
		t.Fatalf("%s is not a valid code", stranger)
	}
	_, pc := testOP(t, st, func(op *OP) {
		op.citizens = func(context.Context) ([]Citizen, error) {
			return []Citizen{{CF: stranger, Surname: "Ignoto", Name: "Tizio"}}, nil
		}
	})
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	status, body := newBrowser(t).signIn(p, "test")
	if status != http.StatusNotFound || !strings.Contains(body, "nessuna persona con il Suo codice fiscale") {
		t.Fatalf("%d %s", status, body)
	}
	if n, _ := st.OpenPortalSessions(t.Context()); n != 0 {
		t.Fatalf("%d sessions", n)
	}
}

func TestRecordShowsTheCitizensOwnRecordAndLogsTheView(t *testing.T) {
	st := testStore(t)
	op, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	people, err := op.citizens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	me, err := st.PersonByCF(t.Context(), people[0].CF)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Record(t.Context(), me.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Signed out, the page shows nothing and logs nothing.
	anon := newBrowser(t)
	if _, body := anon.get(p.URL() + "/record"); strings.Contains(body, rec.Person.CF) {
		t.Fatal("the record is shown to someone not signed in")
	}
	if log, _ := st.AccessLog(t.Context(), access.LogFilter{Subject: rec.Person.UID}); len(log) != 0 {
		t.Fatalf("logged: %+v", log)
	}

	b := newBrowser(t)
	b.signIn(p, "test")
	status, body := b.get(p.URL() + "/record")
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	want := []string{rec.Person.CF, rec.Person.Surname, rec.Address.Line(), "Dati anagrafici", "Famiglia"}
	for _, m := range rec.Members {
		want = append(want, m.Person.Surname+" "+m.Person.Name)
	}
	if len(rec.Members) < 2 {
		t.Fatalf("the demo citizen lives alone: %+v", rec.Members)
	}
	for _, w := range want {
		if !strings.Contains(body, html.EscapeString(w)) {
			t.Errorf("the record lacks %q", w)
		}
	}
	log, err := st.AccessLog(t.Context(), access.LogFilter{Subject: rec.Person.UID})
	if err != nil || len(log) != 1 || log[0].Purpose != access.PurposeOnline || log[0].Operator != "online:"+rec.Person.UID {
		t.Fatalf("access log: %+v %v", log, err)
	}
}

func TestAccessHistoryShowsWhoViewedTheRecord(t *testing.T) {
	st := testStore(t)
	op, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	people, err := op.citizens(t.Context())
	if err != nil || len(people) < 2 {
		t.Fatalf("%v %v", people, err)
	}
	me, _ := st.PersonByCF(t.Context(), people[0].CF)
	other, _ := st.PersonByCF(t.Context(), people[1].CF)
	if err := st.LogAccess(t.Context(), "operatore", me.ID, access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	if err := st.LogAccess(t.Context(), "ufficiale", other.ID, access.PurposeElectoral); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.signIn(p, "test")
	b.get(p.URL() + "/record")
	status, body := b.get(p.URL() + "/record/accesses")
	if status != http.StatusOK {
		t.Fatalf("%d", status)
	}
	for _, want := range []string{"Lei, online", "Online, la persona stessa", "Il personale del Comune", "Richiesta della persona allo sportello"} {
		if !strings.Contains(body, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	for _, not := range []string{"operatore", "ufficiale", "Adempimenti dell"} {
		if strings.Contains(body, not) {
			t.Errorf("the history shows %q", not)
		}
	}
	if _, body := newBrowser(t).get(p.URL() + "/record/accesses"); strings.Contains(body, "Lei, online") {
		t.Fatal("the history is shown to someone not signed in")
	}
}

func TestHostileRequestsChangeNothing(t *testing.T) {
	st := testStore(t)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	b := newBrowser(t)
	_, body := b.signIn(p, "test")
	token := hiddenCSRF.FindStringSubmatch(body)[1]
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"an oversized form", http.MethodPost, "/logout", "csrf=" + token + "&x=" + strings.Repeat("a", 2*maxFormBytes), http.StatusForbidden},
		{"sign-out by GET", http.MethodGet, "/logout", "", http.StatusNotFound},
		{"an unknown provider", http.MethodGet, "/login/nobody", "", http.StatusNotFound},
		{"a language the portal does not speak", http.MethodGet, "/lang/xx", "", http.StatusNotFound},
		{"a callback without state", http.MethodGet, "/oidc/callback?code=abc", "", http.StatusBadRequest},
		{"a callback with a huge state", http.MethodGet, "/oidc/callback?code=abc&state=" + strings.Repeat("a", 300), "", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, p.URL()+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if _, home := b.get(p.URL() + "/"); !strings.Contains(home, "Buongiorno") {
				t.Fatal("the session did not survive")
			}
		})
	}
	t.Run("the language switch goes nowhere else", func(t *testing.T) {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, next := range []string{"//evil.example/x", "https://evil.example", `/\evil.example`} {
			resp, err := client.Get(p.URL() + "/lang/en?next=" + url.QueryEscape(next))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); loc != "/" {
				t.Errorf("next=%s: redirected to %q", next, loc)
			}
		}
	})
}

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	st := testStore(t)
	p, err := New(t.Context(), st, Config{URL: "https://sportello.example.it", TrustedProxies: []string{"127.0.0.1", "10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote, xff, want string
	}{
		{"direct, a header ignored", "198.51.100.7:4000", "1.2.3.4", "198.51.100.7"},
		{"through the proxy", "127.0.0.1:4000", "203.0.113.9", "203.0.113.9"},
		{"through two proxies", "127.0.0.1:4000", "203.0.113.9, 10.1.2.3", "203.0.113.9"},
		{"a caller's forged hop before its own", "127.0.0.1:4000", "6.6.6.6, 203.0.113.9", "203.0.113.9"},
		{"a broken header", "127.0.0.1:4000", "203.0.113.9, nonsense", "127.0.0.1"},
		{"no header", "127.0.0.1:4000", "", "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := p.clientIP(r); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	for _, bad := range []Config{{URL: "https://x.example.it", TrustedProxies: []string{"proxy"}}, {URL: "https://x.example.it/sportello"}} {
		if _, err := New(t.Context(), st, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
