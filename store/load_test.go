package store

import (
	"context"
	"errors"
	"iter"
	"path/filepath"
	"slices"
	"testing"

	"sportello/fault"
	"sportello/registry"
)

// schema lists the indexes and triggers with their SQL.
func schema(tb testing.TB, s *Store) []string {
	tb.Helper()
	// sqlite_stat1 comes and goes with ANALYZE; it is not schema.
	rows, err := s.w.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema
WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		out = append(out, line)
	}
	return out
}

func pragma(tb testing.TB, s *Store, name string) int {
	tb.Helper()
	var v int
	if err := s.w.QueryRow(`PRAGMA ` + name).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestLoad(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	before := schema(t, s)
	pragmas := map[string]int{}
	for _, p := range []string{"synchronous", "foreign_keys", "cache_size", "temp_store"} {
		pragmas[p] = pragma(t, s, p)
	}
	var reported []int
	n, err := s.Load(ctx, seqOf(fixtureHouseholds(t)), func(people int) { reported = append(reported, people) })
	if err != nil {
		t.Fatal(err)
	}
	if n != 16 {
		t.Errorf("Load = %d persons, want 16", n)
	}
	if !slices.Equal(reported, []int{16}) {
		t.Errorf("progress reported %v, want [16]", reported)
	}
	for table, want := range map[string]int{
		"person": 16, "family": 13, "address": 14, "residence": 17, "civil_event": 5, "citizenship": 16,
		"outbox": 0, "audit_log": 1, "meta": 3,
	} {
		if got := count(t, s, table); got != want {
			t.Errorf("%s has %d rows, want %d", table, got, want)
		}
	}
	if after := schema(t, s); !slices.Equal(after, before) {
		t.Errorf("the schema after a load differs:\n%q\nwant\n%q", after, before)
	}
	for p, want := range pragmas {
		if got := pragma(t, s, p); got != want {
			t.Errorf("PRAGMA %s = %d after the load, want %d", p, got, want)
		}
	}
	if pragmas["synchronous"] != 2 || pragmas["foreign_keys"] != 1 {
		t.Errorf("the writer runs with synchronous %d, foreign_keys %d; want FULL (2) and on (1)", pragmas["synchronous"], pragmas["foreign_keys"])
	}
	rows, err := s.w.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("the loaded rows break a foreign key")
	}
	rows.Close()
	if _, err := s.w.Exec(`INSERT INTO person_fts(person_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("search index out of step with the register: %v", err)
	}
	audit, err := s.AuditLog(ctx, 0, 0)
	if err != nil || len(audit) != 1 || audit[0].Action != "load" || audit[0].Detail != `{"persons":16}` {
		t.Errorf("audit = %+v, %v; want one load entry with the count", audit, err)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
	// The triggers are back: a change after the load is searchable.
	p, err := s.AddPerson(ctx, "clerk", newPerson(t, "Zanetti", "Ugo", registry.Male, "1990-01-01", "A269"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Search(ctx, registry.Query{Words: []string{"ugo", "zanetti"}}, 0)
	if err != nil || len(got) != 1 || got[0].ID != p.ID {
		t.Errorf("search after the load = %+v, %v", got, err)
	}
}

func TestLoadRefusesARegister(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269")); err != nil {
		t.Fatal(err)
	}
	before := schema(t, s)
	_, err := s.Load(ctx, seqOf(fixtureHouseholds(t)), nil)
	if fault.Code(err) != fault.Conflict {
		t.Fatalf("Load on a register: %v, want fault.Conflict", err)
	}
	if msg, _ := fault.Message(err); msg != "The database already holds a register" {
		t.Errorf("message = %q", msg)
	}
	if n := count(t, s, "person"); n != 1 {
		t.Errorf("persons = %d, want 1", n)
	}
	if after := schema(t, s); !slices.Equal(after, before) {
		t.Error("a refused load changed the schema")
	}
}

func TestLoadFailsPartWay(t *testing.T) {
	good := func(tb testing.TB) []registry.Household { return fixtureHouseholds(tb) }
	broken := errors.New("generator broke")
	tests := []struct {
		name string
		seq  func(tb testing.TB) iter.Seq2[registry.Household, error]
		code string
	}{
		{"sequence error", func(tb testing.TB) iter.Seq2[registry.Household, error] {
			return func(yield func(registry.Household, error) bool) {
				for _, h := range good(tb)[:3] {
					if !yield(h, nil) {
						return
					}
				}
				yield(registry.Household{}, broken)
			}
		}, fault.Internal},
		{"invalid person", func(tb testing.TB) iter.Seq2[registry.Household, error] {
			hs := good(tb)
			hs[4].Members[0].Person.Sex = "X"
			return seqOf(hs)
		}, fault.Invalid},
		{"residence of a stranger", func(tb testing.TB) iter.Seq2[registry.Household, error] {
			hs := good(tb)
			hs[2].Residences[0].PersonUID = "nobody"
			return seqOf(hs)
		}, fault.Internal},
		{"same person twice", func(tb testing.TB) iter.Seq2[registry.Household, error] {
			hs := good(tb)
			hs[5].Members[0].Person.UID = hs[0].Members[0].Person.UID
			hs[5].Residences[0].PersonUID = hs[0].Members[0].Person.UID
			return seqOf(hs)
		}, fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "desk.db")
			s := openAt(t, path, Options{Create: true})
			_, err := s.Load(context.Background(), tt.seq(t), nil)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if fault.Code(err) != tt.code {
				t.Errorf("Load: %v, want code %s", err, tt.code)
			}
			if tt.name == "sequence error" && !errors.Is(err, broken) {
				t.Errorf("Load: %v, want the sequence's error", err)
			}
			if got := pragma(t, s, "synchronous"); got != 2 {
				t.Errorf("synchronous = %d after a failed load, want 2 (FULL)", got)
			}
			s.Close()
			_, err = Open(path, Options{})
			if msg, _ := fault.Message(err); msg != "The database file {{.Path}} holds a load that did not finish: delete it and load again" {
				t.Errorf("reopening after a failed load: %v", err)
			}
		})
	}
}

func TestLoadCancelled(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	endless := func(yield func(registry.Household, error) bool) {
		hs := fixtureHouseholds(t)
		var u uids
		for i := 0; ; i++ {
			h := hs[i%len(hs)]
			if i == 2000 {
				cancel()
			}
			// fresh UIDs each round
			h.Family.UID = u.next("f")
			members := slices.Clone(h.Members)
			for j := range members {
				members[j].Person.UID = u.next("p")
			}
			h.Members, h.Others, h.Residences, h.CivilEvents = members, nil, nil, nil
			if !yield(h, nil) {
				return
			}
		}
	}
	_, err := s.Load(ctx, endless, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load after cancel: %v, want context.Canceled", err)
	}
}

func TestLoadReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	openAt(t, path, Options{Create: true}).Close()
	ro := openAt(t, path, Options{ReadOnly: true})
	if _, err := ro.Load(context.Background(), seqOf(fixtureHouseholds(t)), nil); fault.Code(err) != fault.Forbidden {
		t.Errorf("Load on a read-only store: %v, want fault.Forbidden", err)
	}
}
