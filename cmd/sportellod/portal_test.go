package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// servePortal runs serve with a portal on 127.0.0.1 and returns its URL.
func servePortal(t *testing.T, db string, pc portalConfig) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, serveConfig{DB: db, Listen: "127.0.0.1:0", Portal: pc}, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve ended with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop")
		}
	})
	portalLine := regexp.MustCompile(`Sportello online su (http://\S+)`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := portalLine.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "sportellod in ascolto") {
			return m[1]
		}
	}
	t.Fatalf("no portal: %q", out.String())
	return ""
}

func TestServeDemoPortalSignsInADemoCitizen(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db") // empty: --demo loads a demo register
	base := servePortal(t, db, portalConfig{Listen: "127.0.0.1:0", Demo: true})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, home := get(base + "/")
	if status != http.StatusOK || !strings.Contains(home, "Dimostrazione") || !strings.Contains(home, `href="/login/demo"`) {
		t.Fatalf("home: %d\n%s", status, home)
	}
	status, chooser := get(base + "/login/demo")
	req := regexp.MustCompile(`name="request" value="([0-9a-f]+)"`).FindStringSubmatch(chooser)
	cf := regexp.MustCompile(`name="cf" value="([A-Z0-9]+)"`).FindStringSubmatch(chooser)
	if status != http.StatusOK || req == nil || cf == nil || !strings.Contains(chooser, "Dimostrazione") {
		t.Fatalf("demo provider: %d\n%s", status, chooser)
	}
	resp, err := client.PostForm(base+"/demo-idp/authorize", url.Values{"request": {req[1]}, "cf": {cf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Buongiorno, ") || !strings.Contains(string(page), "Esci") {
		t.Fatalf("after the demo sign-in: %d\n%s", resp.StatusCode, page)
	}
}

func TestServePortalWithoutDemoHasNoDemoProvider(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	runOK(t, "seed", "--db", db, "--people", "20")
	base := servePortal(t, db, portalConfig{Listen: "127.0.0.1:0"})
	for _, path := range []string{"/login/demo", "/demo-idp/.well-known/openid-federation", "/demo-idp/authorize"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "Dimostrazione") {
			t.Errorf("%s without --demo: %d", path, resp.StatusCode)
		}
	}
	var stdout, stderr strings.Builder
	code := run([]string{"serve", "--db", db, "--portal-listen", "0.0.0.0:0", "--portal-url", "https://sportello.example.it"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "loopback") {
		t.Fatalf("portal beyond loopback without TLS: exit %d, %q", code, stderr.String())
	}
}

func TestPortalKeysRotate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	runOK(t, "seed", "--db", db, "--people", "20")
	servePortal(t, db, portalConfig{Listen: "127.0.0.1:0"}) // the first start makes the keys
	before := runOK(t, "portal-keys", "--db", db)
	if strings.Count(before, "in uso") != 3 {
		t.Fatalf("keys after the first start:\n%s", before)
	}
	after := runOK(t, "portal-keys", "--db", db, "--rotate")
	if strings.Count(after, "in uso") != 3 || strings.Count(after, "ritirata") != 3 {
		t.Fatalf("after rotation:\n%s", after)
	}
	for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
		kid := strings.Fields(line)[1]
		if !strings.Contains(after, kid+"  ritirata") {
			t.Errorf("key %s not retired:\n%s", kid, after)
		}
	}
}
