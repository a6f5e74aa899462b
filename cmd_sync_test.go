package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportello/central"
	"sportello/demo"
	"sportello/store"
)

func TestEnrolAndSyncAgainstAServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := store.Open(filepath.Join(dir, "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Load(ctx, demo.Generate(demo.Config{People: 40, Seed: 3, Municipality: "A269"}), nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.LogLoadedRegister(ctx); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(central.NewServer(srv, nil).Handler())
	defer web.Close()
	code, err := srv.NewEnrolCode(ctx, "admin", "D05")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "desk.db")
	var out, errOut bytes.Buffer
	if c := run([]string{"enrol", "--db", db, "--desk-code", "D05", "--server", web.URL, "--code", "WRONG-CODE"}, &out, &errOut); c != 1 ||
		!strings.Contains(errOut.String(), "non è valido") {
		t.Fatalf("enrol with a wrong code: exit %d, %q", c, errOut.String())
	}
	errOut.Reset()
	if c := run([]string{"enrol", "--db", db, "--desk-code", "D05", "--server", web.URL, "--code", code}, &out, &errOut); c != 0 {
		t.Fatalf("enrol: exit %d, %q", c, errOut.String())
	}
	if !strings.Contains(out.String(), "persone dal server") || !strings.Contains(out.String(), "anagrafe: 100%") {
		t.Fatalf("enrol did not bring the register: %q", out.String())
	}
	out.Reset()
	if c := run([]string{"sync", "--db", db, "--desk-code", "D05", "--server", web.URL}, &out, &errOut); c != 0 {
		t.Fatalf("sync: exit %d, %q", c, errOut.String())
	}
	if !strings.Contains(out.String(), "ricevute") {
		t.Fatalf("sync said %q", out.String())
	}
	// The same from the desk's config file alone: its database, its code
	// and its server.
	cfgFile := filepath.Join(dir, "sportello.yaml")
	if err := os.WriteFile(cfgFile, []byte("db: "+db+"\ndesk_code: D05\nserver: "+web.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := run([]string{"sync", "--config", cfgFile}, &out, &errOut); c != 0 {
		t.Fatalf("sync from the config: exit %d, %q", c, errOut.String())
	}
	st, err := store.Open(db, store.Options{DeskCode: "D05"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, b := mustDigest(t, st), mustDigest(t, srv); a != b {
		t.Fatal("the desk's register differs from the server's after sync")
	}
	web.Close()
	errOut.Reset()
	if c := run([]string{"sync", "--db", db, "--desk-code", "D05", "--server", web.URL}, &out, &errOut); c != 1 ||
		!strings.Contains(errOut.String(), "il server non risponde") {
		t.Fatalf("sync with the server down: exit %d, %q", c, errOut.String())
	}
}

func mustDigest(t *testing.T, s *store.Store) string {
	t.Helper()
	d, err := s.RegisterDigest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeskTrustsTheServersOwnCertificate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := store.Open(filepath.Join(dir, "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	web := httptest.NewTLSServer(central.NewServer(srv, nil).Handler()) // a self-signed certificate
	defer web.Close()
	ca := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: web.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	code, err := srv.NewEnrolCode(ctx, "admin", "D06")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "desk.db")
	var out, errOut bytes.Buffer
	// Without the setting the desk does not trust the certificate.
	if c := run([]string{"enrol", "--db", db, "--desk-code", "D06", "--server", web.URL, "--code", code}, &out, &errOut); c != 1 ||
		!strings.Contains(errOut.String(), "certificate") {
		t.Fatalf("enrol without server_ca: exit %d, %q", c, errOut.String())
	}
	errOut.Reset()
	if c := run([]string{"enrol", "--db", db, "--desk-code", "D06", "--server", web.URL, "--code", code, "--server-ca", ca}, &out, &errOut); c != 0 {
		t.Fatalf("enrol with server_ca: exit %d, %q", c, errOut.String())
	}
	if c := run([]string{"sync", "--db", db, "--desk-code", "D06", "--server", web.URL, "--server-ca", filepath.Join(dir, "missing.pem")}, &out, &errOut); c != 1 ||
		!strings.Contains(errOut.String(), "server_ca") {
		t.Fatalf("sync with a missing server_ca: exit %d, %q", c, errOut.String())
	}
}
