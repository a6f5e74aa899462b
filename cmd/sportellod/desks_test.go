package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/registry"
	"sportello/store"
)

// enrolDesk enrols a desk with a new key in the server's file db.
func enrolDesk(t *testing.T, db, code string) ed25519.PrivateKey {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(db, store.Options{DeskCode: "SRV"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	one, err := st.NewEnrolCode(ctx, "admin", code)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	if _, err := st.Enrol(ctx, one, "01DESK"+code, code, pub); err != nil {
		t.Fatal(err)
	}
	return priv
}

func TestDeskListAndRevoke(t *testing.T) {
	db := filepath.Join(t.TempDir(), "server.db")
	runOK(t, "seed", "--db", db, "--people", "10")
	key := enrolDesk(t, db, "D02")
	keyID := certificate.KeyID(key.Public().(ed25519.PublicKey))
	runOK(t, "enrol", "--db", db, "--desk-code", "D03")

	out := runOK(t, "desk", "list", "--db", db)
	if !strings.Contains(out, "D02") || !strings.Contains(out, keyID) || !strings.Contains(out, "D03") {
		t.Fatalf("desk list:\n%s", out)
	}
	// A seal the register does not hold is not valid at the server.
	seal := certificate.Seal{Number: certificate.Number{Desk: "D02", Year: 2026, Seq: 1}.String(), Types: []certificate.Type{certificate.Residence},
		Surname: "Rossi", Name: "Mario", CF: "RSSMRA80A01A269X", BirthDate: registry.Date{Year: 1980, Month: 1, Day: 1},
		IssueDate: registry.Date{Year: 2026, Month: 3, Day: 2}, Use: certificate.UsePrivate, ContentHash: make([]byte, 16)}
	if err := seal.Sign(key); err != nil {
		t.Fatal(err)
	}
	text, _ := seal.Text()
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for 0, in stderr otherwise
	}{
		{"a seal the register does not hold", []string{"verify", "--db", db, text}, 1, "non è nel registro"},
		{"revoke", []string{"desk", "revoke", "--db", db, "d02"}, 0, "Postazione D02 revocata"},
		{"the list says it", []string{"desk", "list", "--db", db}, 0, "D02"},
		{"revoke again", []string{"desk", "revoke", "--db", db, "D02"}, 1, "revocata"},
		{"an unknown desk", []string{"desk", "revoke", "--db", db, "D09"}, 1, "D09"},
		{"no desk code", []string{"desk", "revoke", "--db", db}, 2, "codice della postazione"},
		{"no verb", []string{"desk"}, 2, "list, revoke o set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			got := stdout.String()
			if tt.code != 0 {
				got = stderr.String()
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Fatalf("exit %d (want %d): %q", code, tt.code, got)
			}
		})
	}
	out = runOK(t, "desk", "list", "--db", db)
	line := ""
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "D02") {
			line = l
		}
	}
	if strings.Count(line, "/") < 4 {
		t.Fatalf("the revoked desk has no revocation date: %q", line)
	}
}
