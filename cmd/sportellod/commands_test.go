package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("sportellod %v: exit %d: %s", args, code, errOut.String())
	}
	return out.String()
}

func TestAdministration(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "server.db")
	if out := runOK(t, "seed", "--db", db, "--people", "50"); !strings.Contains(out, "Caricate") {
		t.Fatalf("seed: %s", out)
	}
	out := runOK(t, "enrol", "--db", db, "--desk-code", "d07")
	if !strings.Contains(out, "D07") || !strings.Contains(out, "sportello enrol --server URL --code ") {
		t.Fatalf("enrol: %s", out)
	}
	out = runOK(t, "enrol", "--db", db, "--kind", "kiosk", "--name", "Totem ingresso")
	if !strings.Contains(out, `il totem "Totem ingresso"`) || !strings.Contains(out, "/kiosk") {
		t.Fatalf("enrol a kiosk: %s", out)
	}
	list := runOK(t, "device", "list", "--db", db)
	id, _, _ := strings.Cut(list, "\t")
	if !strings.Contains(list, "kiosk\tTotem ingresso\tcodice non ancora usato") {
		t.Fatalf("device list: %q", list)
	}
	runOK(t, "device", "revoke", "--db", db, id)
	if list := runOK(t, "device", "list", "--db", db); !strings.Contains(list, "revocato il") {
		t.Fatalf("device list after revoke: %q", list)
	}
	backup := filepath.Join(dir, "copy.db")
	runOK(t, "backup", "--db", db, "--out", backup)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"backup", "--db", db, "--out", backup}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "esiste già") {
		t.Fatalf("backup over an existing file: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"verify", "--db", db, "SPT1|broken"}, &stdout, &stderr); code != 1 {
		t.Fatalf("verify of a broken seal: exit %d, %q", code, stderr.String())
	}
}

func TestServeRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"serve", "--db", filepath.Join(t.TempDir(), "s.db"), "--listen", "0.0.0.0:0"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "loopback") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
	for addr, want := range map[string]bool{"127.0.0.1:8420": true, "[::1]:1": true, "localhost:80": true, "10.0.0.5:8420": false, ":8420": false} {
		if loopback(addr) != want {
			t.Errorf("loopback(%q) = %v", addr, !want)
		}
	}
}

func TestRelativePaths(t *testing.T) {
	t.Chdir(t.TempDir())
	runOK(t, "seed", "--db", "server.db", "--people", "30")
	runOK(t, "backup", "--db", "server.db", "--out", "copy.db")
	st, err := openStore("server.db", false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	info, err := st.BuildSnapshot(t.Context(), "snap.db")
	if err != nil || info.People < 30 {
		t.Fatalf("snapshot next to a relative database: %+v %v", info, err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// files and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sportellod test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLSAndStop(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveConfig{DB: filepath.Join(dir, "s.db"), Listen: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile}, out)
	}()
	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if line := out.String(); strings.Contains(line, "https://") {
			addr = strings.TrimSpace(line[strings.Index(line, "https://"):])
		}
	}
	if addr == "" {
		t.Fatalf("no address: %q", out.String())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(addr + "/verify")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("verify page over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Headers are bounded: 64 KiB of them (Go accepts 1 MiB by default) is refused.
	req, _ := http.NewRequest("GET", addr+"/verify", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 64<<10))
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("64 KiB of headers: %d", resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
