package portal

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sportello/demo"
	"sportello/store"
)

// registerOnce builds one small demo register and copies it for each test.
var registerOnce = sync.OnceValues(func() (string, error) {
	dir, err := osMkdirTemp()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "register.db")
	st, err := store.Open(path, store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		return "", err
	}
	defer st.Close()
	if _, err := st.Load(context.Background(), demo.Generate(demo.Config{People: 60, Seed: 1}), nil); err != nil {
		return "", err
	}
	// The portal's keys too, made once: every test's portal starts with them.
	if _, err := loadKeyring(context.Background(), st); err != nil {
		return "", err
	}
	return path, nil
})

// testStore is a server database with a small demo register.
func testStore(tb testing.TB) *store.Store {
	tb.Helper()
	src, err := registerOnce()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "server.db")
	st0, err := store.Open(src, store.Options{DeskCode: "SRV"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st0.Backup(context.Background(), path); err != nil {
		tb.Fatal(err)
	}
	st0.Close()
	st, err := store.Open(path, store.Options{DeskCode: "SRV"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// testPortal runs a portal on 127.0.0.1 with the providers given.
func testPortal(tb testing.TB, st *store.Store, cfg Config) *Portal {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	cfg.URL = "http://" + ln.Addr().String()
	if cfg.Municipality == "" {
		cfg.Municipality = "Comune di Anagni"
	}
	cfg.Log = discardLog()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(ctx, st, cfg)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	tb.Cleanup(func() { cancel(); srv.Close() })
	return p
}

// testOP runs a provider on 127.0.0.1 that signs in the register's demo citizens.
func testOP(tb testing.TB, st *store.Store, opts ...func(*OP)) (*OP, ProviderConfig) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	op, err := NewOP("http://"+ln.Addr().String(), func(ctx context.Context) ([]Citizen, error) {
		people, err := st.DemoCitizens(ctx, 3)
		var out []Citizen
		for _, m := range people {
			out = append(out, Citizen{CF: m.CF, Surname: m.Surname, Name: m.Name})
		}
		return out, err
	}, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range opts {
		o(op)
	}
	srv := httptest.NewUnstartedServer(op.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	tb.Cleanup(srv.Close)
	return op, ProviderConfig{Name: "test", Issuer: op.Issuer(), Label: "Test ID"}
}

// browser is a citizen's browser: it keeps cookies and follows redirects.
type browser struct {
	tb testing.TB
	c  *http.Client
}

func newBrowser(tb testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (b *browser) get(u string) (int, string) {
	b.tb.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(u string, form url.Values) (int, string) {
	b.tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var (
	hiddenRequest = regexp.MustCompile(`name="request" value="([0-9a-f]+)"`)
	hiddenCF      = regexp.MustCompile(`name="cf" value="([A-Z0-9]+)"`)
	hiddenCSRF    = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
)

// signIn goes through the provider's chooser as the first citizen it
// offers and returns the status and page the journey ends on.
func (b *browser) signIn(p *Portal, provider string) (int, string) {
	b.tb.Helper()
	status, body := b.get(p.URL() + "/login/" + provider)
	req, cf := hiddenRequest.FindStringSubmatch(body), hiddenCF.FindStringSubmatch(body)
	if status != http.StatusOK || req == nil || cf == nil {
		b.tb.Fatalf("chooser: %d %s", status, body)
	}
	action := p.URL() + "/demo-idp/authorize"
	if provider != DemoProvider {
		action = p.providers[provider].cfg.Issuer + "/authorize"
	}
	return b.post(action, url.Values{"request": {req[1]}, "cf": {cf[1]}})
}
