package store

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/oklog/ulid/v2"

	"sportello/fault"
	"sportello/registry"
)

func TestOpenCreatesMigratesAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	s := openAt(t, path, Options{DeskCode: "D01", Create: true})
	ctx := context.Background()

	var version int
	if err := s.r.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion() || version < 1 {
		t.Errorf("user_version = %d, want %d", version, SchemaVersion())
	}
	if _, err := ulid.ParseStrict(s.DeskID()); err != nil {
		t.Errorf("desk id %q is not a ULID: %v", s.DeskID(), err)
	}
	if s.DeskCode() != "D01" {
		t.Errorf("desk code = %q, want D01", s.DeskCode())
	}
	if n := count(t, s, "municipality"); n != len(registry.Municipalities()) || n == 0 {
		t.Errorf("municipality rows = %d, want %d", n, len(registry.Municipalities()))
	}
	if n := count(t, s, "foreign_state"); n != len(registry.ForeignStates()) || n == 0 {
		t.Errorf("foreign_state rows = %d, want %d", n, len(registry.ForeignStates()))
	}
	var journal string
	if err := s.w.QueryRow(`PRAGMA journal_mode`).Scan(&journal); err != nil || journal != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", journal, err)
	}
	id := s.DeskID()
	if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	again := openAt(t, path, Options{DeskCode: "D01"})
	if again.DeskID() != id {
		t.Errorf("desk id changed on reopen: %q, was %q", again.DeskID(), id)
	}
	if n, err := again.CountPersons(ctx); err != nil || n != 1 {
		t.Errorf("CountPersons after reopen = %d, %v; want 1", n, err)
	}
	if n := count(t, again, "municipality"); n != len(registry.Municipalities()) {
		t.Errorf("municipality rows after reopen = %d, want %d (filled once)", n, len(registry.Municipalities()))
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string) // makes the file at path
		opt     Options
		code    string
		message string
	}{
		{
			name:    "missing file without create",
			prepare: func(t *testing.T, path string) {},
			opt:     Options{},
			code:    fault.NotFound,
			message: "The database file {{.Path}} does not exist",
		},
		{
			name:    "missing file read-only",
			prepare: func(t *testing.T, path string) {},
			opt:     Options{ReadOnly: true, Create: true},
			code:    fault.NotFound,
			message: "The database file {{.Path}} does not exist",
		},
		{
			name: "garbage bytes",
			prepare: func(t *testing.T, path string) {
				writeFile(t, path, bytes.Repeat([]byte("not a database, just some text. "), 512))
			},
			opt:     Options{Create: true},
			code:    fault.Invalid,
			message: "The file {{.Path}} is not a Sportello database",
		},
		{
			name: "garbage bytes read-only",
			prepare: func(t *testing.T, path string) {
				writeFile(t, path, bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 4096))
			},
			opt:     Options{ReadOnly: true},
			code:    fault.Invalid,
			message: "The file {{.Path}} is not a Sportello database",
		},
		{
			name: "another program's database",
			prepare: func(t *testing.T, path string) {
				rawExec(t, path, `CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)`)
			},
			opt:     Options{Create: true},
			code:    fault.Invalid,
			message: "The file {{.Path}} is not a Sportello database",
		},
		{
			name: "newer schema",
			prepare: func(t *testing.T, path string) {
				s := openAt(t, path, Options{Create: true})
				s.Close()
				rawExec(t, path, `PRAGMA user_version = 999`)
			},
			opt:     Options{},
			code:    fault.Conflict,
			message: "The database file {{.Path}} was made by a newer version of Sportello",
		},
		{
			name: "another desk's file",
			prepare: func(t *testing.T, path string) {
				s := openAt(t, path, Options{Create: true, DeskCode: "D07"})
				s.Close()
			},
			opt:     Options{DeskCode: "D01"},
			code:    fault.Conflict,
			message: "The database file belongs to desk {{.Stored}}, not to desk {{.Configured}}",
		},
		{
			name: "unfinished load",
			prepare: func(t *testing.T, path string) {
				s := openAt(t, path, Options{Create: true})
				s.Close()
				rawExec(t, path, `INSERT INTO meta(key, value) VALUES ('load_incomplete', '1')`)
			},
			opt:     Options{},
			code:    fault.Conflict,
			message: "The database file {{.Path}} holds a load that did not finish: delete it and load again",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "desk.db")
			tt.prepare(t, path)
			before, _ := os.ReadFile(path)
			s, err := Open(path, tt.opt)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if got := fault.Code(err); got != tt.code {
				t.Errorf("code = %q, want %q (%v)", got, tt.code, err)
			}
			if msg, _ := fault.Message(err); msg != tt.message {
				t.Errorf("message = %q, want %q", msg, tt.message)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the refused file was changed")
			}
			if len(before) == 0 {
				if _, err := os.Stat(path); err == nil {
					t.Error("a missing file was created")
				}
			}
		})
	}
}

func TestOpenReadOnlyFile(t *testing.T) {
	t.Run("file", func(t *testing.T) { testOpenReadOnly(t, false) })
	t.Run("file in a read-only folder", func(t *testing.T) { testOpenReadOnly(t, true) })
}

// testOpenReadOnly makes a register, makes its file (and its folder) read-only,
// and opens it for search. Run as root, the permissions do not bind, but
// ReadOnly still must not write.
func testOpenReadOnly(t *testing.T, folder bool) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	s := openAt(t, path, Options{Create: true})
	ctx := context.Background()
	if _, err := s.Load(ctx, seqOf(fixtureHouseholds(t)), nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, 0o644) })
	if folder {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}

	ro := openAt(t, path, Options{ReadOnly: true})
	got, err := ro.Search(ctx, registry.Query{Words: []string{"rossi"}}, 10)
	if err != nil {
		t.Fatalf("Search on a read-only file: %v", err)
	}
	if len(got) == 0 {
		t.Error("Search on a read-only file found nothing")
	}
	if _, err := ro.AddPerson(ctx, "clerk", newPerson(t, "Gialli", "Ugo", registry.Male, "1990-01-01", "A269")); fault.Code(err) != fault.Forbidden {
		t.Errorf("AddPerson on a read-only store: %v, want fault.Forbidden", err)
	}
	if err := ro.SetMeta(ctx, "clerk", "office", "Anagni"); fault.Code(err) != fault.Forbidden {
		t.Errorf("SetMeta on a read-only store: %v, want fault.Forbidden", err)
	}
	ro.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the read-only file was changed")
	}
}

func TestMetaThroughMutationPath(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if v, err := s.Meta(ctx, "office"); err != nil || v != "" {
		t.Fatalf("unset meta = %q, %v; want \"\"", v, err)
	}
	if err := s.SetMeta(ctx, "admin", "office", "Anagni centro"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Meta(ctx, "office"); err != nil || v != "Anagni centro" {
		t.Errorf("meta = %q, %v", v, err)
	}
	muts, err := s.Outbox(ctx, 0, 0)
	if err != nil || len(muts) != 1 || muts[0].Entity != "meta" || muts[0].EntityUID != "office" {
		t.Fatalf("outbox = %+v, %v; want one meta mutation", muts, err)
	}
	if err := s.SetMeta(ctx, "admin", MetaDeskID, "x"); fault.Code(err) != fault.Forbidden {
		t.Errorf("changing the desk id: %v, want fault.Forbidden", err)
	}
	if err := s.SetMeta(ctx, "", "office", "x"); fault.Code(err) != fault.Invalid {
		t.Errorf("no operator: %v, want fault.Invalid", err)
	}
	if n := count(t, s, "outbox"); n != 1 {
		t.Errorf("refused changes left %d outbox rows, want 1", n)
	}
}

func writeFile(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// rawExec runs SQL on the file with a plain connection, as another program would.
func rawExec(tb testing.TB, path, query string) {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		tb.Fatal(err)
	}
}
