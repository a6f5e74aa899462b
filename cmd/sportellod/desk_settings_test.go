package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"

	"sportello/store"
)

func TestDeskSetSocial(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "server.db")
	st, err := store.Open(db, store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.NewEnrolCode(ctx, "admin", "D03")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	d, err := st.Enrol(ctx, code, "desk-3", "D03", pub)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	social := func() bool {
		t.Helper()
		st, err := store.Open(db, store.Options{DeskCode: "SRV"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		on, err := st.DeskSocial(ctx, d.DeskID)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if social() {
		t.Fatal("a desk is enabled for the social desk when enrolled")
	}
	if out := runOK(t, "desk", "set", "--db", db, "d03", "--social"); !strings.Contains(out, "D03 abilitata") || !social() {
		t.Fatalf("desk set --social: %q", out)
	}
	if runOK(t, "desk", "set", "--db", db, "D03", "--no-social"); social() {
		t.Fatal("desk set --no-social left the desk enabled")
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown desk", []string{"desk", "set", "--db", db, "D09", "--social"}, 1, "Nessuna postazione"},
		{"both", []string{"desk", "set", "--db", db, "D03", "--social", "--no-social"}, 2, "--social oppure --no-social"},
		{"neither", []string{"desk", "set", "--db", db, "D03"}, 2, "--social oppure --no-social"},
		{"no subcommand", []string{"desk"}, 2, "list, revoke o set"},
		{"unknown subcommand", []string{"desk", "paint"}, 2, "non esiste"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.says) {
				t.Errorf("exit %d, %q", code, errOut.String())
			}
		})
	}
}
