package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/demo"
	"sportello/store"
)

func TestAccessLogCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "server.db")
	st, err := store.Open(db, store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, demo.Generate(demo.Config{People: 5, Seed: 3, Municipality: "A269"}), nil); err != nil {
		t.Fatal(err)
	}
	rec, err := st.FullRecord(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A view at the server itself, and one pushed by desk D01.
	if err := st.LogAccess(ctx, "admin", 1, access.PurposeOffice); err != nil {
		t.Fatal(err)
	}
	code, _ := st.NewEnrolCode(ctx, "admin", "D01")
	pub, _, _ := ed25519.GenerateKey(nil)
	if _, err := st.Enrol(ctx, code, "desk-1", "D01", pub); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddServerUser(ctx, "admin", access.User{Username: "lneri", FullName: "Luca Neri", Role: access.Registrar}, "una-password-lunga"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	m := store.Mutation{Seq: 1, MutationID: "01J00000000000000000000001", DeskID: "desk-1", Operator: "lneri", Entity: "access_log",
		EntityUID: "01J00000000000000000000002", Op: "view", CreatedAt: at.Format("2006-01-02T15:04:05.000000Z"),
		Payload: []byte(fmt.Sprintf(`{"at":%q,"subject":%q,"purpose":"certificate"}`, at.Format("2006-01-02T15:04:05.000000Z"), rec.Person.UID))}
	if res, _, err := st.ApplyPush(ctx, "desk-1", []store.Mutation{m}); err != nil || res[0].Status != store.PushApplied {
		t.Fatalf("push of a view: %+v %v", res, err)
	}
	st.Close()

	out := runOK(t, "access-log", "--db", db, "--csv", "--desk", "d01")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %q %v", out, err)
	}
	want := []string{"2026-03-02 10:30:00", "D01", "lneri", "anagrafe", rec.Person.CF, rec.Person.Surname + " " + rec.Person.Name, "", "certificate"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Errorf("row %q, want %q", rows[1], want)
	}
	for _, tc := range []struct {
		args []string
		rows int
	}{
		{[]string{"--cf", strings.ToLower(rec.Person.CF)}, 2},
		{[]string{"--clerk", "admin"}, 1},
		{[]string{"--from", "2026-03-02", "--to", "2026-03-02"}, 1},
		{[]string{"--to", "2026-03-01"}, 0},
		{[]string{"--cf", "MRTMRA83T56A269B"}, 0},
	} {
		out := runOK(t, append([]string{"access-log", "--db", db}, tc.args...)...)
		if !strings.Contains(out, fmt.Sprintf("%d accessi", tc.rows)) {
			t.Errorf("%v: %s", tc.args, out)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"access-log", "--db", db, "--from", "ieri"}, &stdout, &stderr); code != 2 {
		t.Errorf("a bad date: exit %d %q", code, stderr.String())
	}
}
