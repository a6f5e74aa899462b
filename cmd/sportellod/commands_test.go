package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
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
