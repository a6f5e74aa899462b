package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportello/access"
	"sportello/store"
)

func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "server.db")
	add := func(password string, args ...string) (int, string, string) {
		t.Helper()
		stdin = strings.NewReader(password)
		t.Cleanup(func() { stdin = os.Stdin })
		var out, errOut bytes.Buffer
		code := run(append([]string{"user", "add", "--db", db}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := add("amministra-2026\n", "--username", "mrossi", "--name", "Maria Rossi", "--role", "admin")
	if code != 0 || !strings.Contains(out, "mrossi") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	tests := []struct {
		name     string
		password string
		args     []string
		code     int
		want     string
	}{
		{"short password", "corta\n", []string{"--username", "lneri", "--name", "Laura Neri"}, 1, "almeno 8 caratteri"},
		{"taken", "un'altra-2026\n", []string{"--username", "MROSSI", "--name", "Mario Rossi"}, 1, "già"},
		{"unknown role", "password-2026\n", []string{"--username", "lneri", "--name", "Laura Neri", "--role", "root"}, 2, "ruolo"},
		{"no name", "password-2026\n", []string{"--username", "lneri"}, 2, "--name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errOut := add(tt.password, tt.args...); code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, %q; want %d, ...%s...", code, errOut, tt.code, tt.want)
			}
		})
	}
	st, err := store.Open(db, store.Options{DeskCode: "SRV"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.Login(ctx, "mrossi", "amministra-2026")
	if err != nil || u.Role != access.Admin {
		t.Fatalf("login: %+v %v", u, err)
	}
	// Desks pull the new clerk with the change log.
	page, err := st.Changes(ctx, 0, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range page.Docs {
		found = found || (d.Entity == "user" && string(d.Fields["username"]) == `"mrossi"`)
	}
	if !found {
		t.Fatalf("the clerk is not in the change log: %+v", page.Docs)
	}
}
