package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/oklog/ulid/v2"

	"sportello/fault"
	"sportello/registry"
)

func TestAddPersonWritesOutboxAndAudit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	people := []registry.Person{
		newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269"),
		newPerson(t, "Bianchi", "Anna", registry.Female, "1972-03-02", "H501"),
		newPerson(t, "Verdi", "Luca", registry.Male, "1985-04-03", "L219"),
	}
	var added []registry.Person
	for _, p := range people {
		got, err := s.AddPerson(ctx, "mrossi", p)
		if err != nil {
			t.Fatalf("AddPerson(%s): %v", p.Surname, err)
		}
		if got.ID == 0 || got.Version != 1 {
			t.Errorf("AddPerson(%s) = id %d version %d, want an id and version 1", p.Surname, got.ID, got.Version)
		}
		if _, err := ulid.ParseStrict(got.UID); err != nil {
			t.Errorf("AddPerson(%s) uid %q: %v", p.Surname, got.UID, err)
		}
		added = append(added, got)
	}

	muts, err := s.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) != len(people) {
		t.Fatalf("outbox has %d rows, want %d", len(muts), len(people))
	}
	audit, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != len(people) {
		t.Fatalf("audit log has %d rows, want %d", len(audit), len(people))
	}
	seen := make(map[string]bool)
	for i, m := range muts {
		p := added[i]
		if m.Seq != int64(i+1) {
			t.Errorf("mutation %d seq = %d, want %d", i, m.Seq, i+1)
		}
		if _, err := ulid.ParseStrict(m.MutationID); err != nil || seen[m.MutationID] {
			t.Errorf("mutation id %q not a fresh ULID (%v)", m.MutationID, err)
		}
		seen[m.MutationID] = true
		if m.DeskID != s.DeskID() || m.Operator != "mrossi" || m.Entity != "person" || m.EntityUID != p.UID ||
			m.Op != "create" || m.BaseVersion != 0 || m.State != "pending" || m.CreatedAt != "2026-03-02T09:30:00.000000Z" {
			t.Errorf("mutation %d = %+v", i, m)
		}
		var payload personPayload
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			t.Fatalf("payload: %v", err)
		}
		if payload.UID != p.UID || payload.CF != p.CF || payload.BirthDate != p.BirthDate.String() || payload.Version != 1 {
			t.Errorf("payload = %+v, want the person %s", payload, p.UID)
		}
		a := audit[i]
		if a.MutationID != m.MutationID || a.Action != "person.create" || a.EntityUID != p.UID || a.Operator != "mrossi" {
			t.Errorf("audit entry %d = %+v, want the record of mutation %s", i, a, m.MutationID)
		}
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != len(people) {
		t.Errorf("VerifyAudit = %d, %v", n, err)
	}
}

func TestFailedChangeLeavesNoTrace(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	rossi := newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269")
	if _, err := s.AddPerson(ctx, "clerk", rossi); err != nil {
		t.Fatal(err)
	}
	noName := newPerson(t, "Bianchi", "Anna", registry.Female, "1972-03-02", "H501")
	noName.Name = " "
	badStatus := newPerson(t, "Bianchi", "Anna", registry.Female, "1972-03-02", "H501")
	badStatus.Status = "emigrated"
	noFamily := newPerson(t, "Bianchi", "Anna", registry.Female, "1972-03-02", "H501")
	noFamily.FamilyID = 42
	tests := []struct {
		name     string
		operator string
		p        registry.Person
		code     string
	}{
		{"invalid person", "clerk", noName, fault.Invalid},
		{"invalid status", "clerk", badStatus, fault.Invalid},
		{"same codice fiscale", "clerk", rossi, fault.Conflict},
		{"family not in the register", "clerk", noFamily, fault.NotFound},
		{"no operator", "", newPerson(t, "Neri", "Ugo", registry.Male, "1990-01-01", "A269"), fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddPerson(ctx, tt.operator, tt.p)
			if fault.Code(err) != tt.code {
				t.Fatalf("AddPerson: %v, want code %s", err, tt.code)
			}
			for table, want := range map[string]int{"person": 1, "outbox": 1, "audit_log": 1, "citizenship": 1} {
				if n := count(t, s, table); n != want {
					t.Errorf("%s has %d rows after a refused change, want %d", table, n, want)
				}
			}
		})
	}
	// The sequence goes on with no gap.
	if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Neri", "Ugo", registry.Male, "1990-01-01", "A269")); err != nil {
		t.Fatal(err)
	}
	muts, err := s.Outbox(ctx, 0, 0)
	if err != nil || len(muts) != 2 || muts[0].Seq != 1 || muts[1].Seq != 2 {
		t.Errorf("outbox after a refused change = %+v, %v; want seq 1, 2", muts, err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for i, name := range []string{"Mario", "Maria"} {
		if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", name, registry.Male, fmt.Sprintf("1970-05-%02d", 10+i), "A269")); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET operator = 'someone else' WHERE id = 1`,
		`DELETE FROM audit_log WHERE id = 2`,
		`DELETE FROM audit_log`,
	} {
		if _, err := s.w.Exec(stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
	after, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[0] != before[0] || after[1] != before[1] {
		t.Errorf("audit log changed: %+v, was %+v", after, before)
	}
	if before[0].PrevHash != genesisHash || before[1].PrevHash != before[0].Hash {
		t.Errorf("entries do not link: %+v", before)
	}
}

func TestVerifyAuditFindsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		at     int64
	}{
		{"changed operator", `UPDATE audit_log SET operator = 'intruder' WHERE id = 2`, 2},
		{"removed entry", `DELETE FROM audit_log WHERE id = 2`, 3},
		{"rewritten detail", `UPDATE audit_log SET detail = '{}' WHERE id = 3`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			for i, name := range []string{"Mario", "Maria", "Marco"} {
				if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", name, registry.Male, fmt.Sprintf("1970-05-%02d", 10+i), "A269")); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := s.VerifyAudit(ctx); err != nil || n != 3 {
				t.Fatalf("VerifyAudit before tampering = %d, %v", n, err)
			}
			// Someone with the file and a SQLite shell removes the guards.
			for _, stmt := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`, tt.tamper} {
				if _, err := s.w.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.VerifyAudit(ctx)
			if fault.Code(err) != fault.Conflict {
				t.Fatalf("VerifyAudit after tampering: %v, want fault.Conflict", err)
			}
			if _, args := fault.Message(err); args["ID"] != tt.at {
				t.Errorf("tampering reported at entry %v, want %d", args["ID"], tt.at)
			}
		})
	}
}

func TestChangeIsAtomic(t *testing.T) {
	tests := []struct {
		name  string
		table string // the write that fails, after the person row is in
	}{
		{"outbox write fails", "outbox"},
		{"audit write fails", "audit_log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			// A temporary trigger lives on the writer's one connection.
			if _, err := s.w.Exec(`CREATE TEMP TRIGGER fail_write BEFORE INSERT ON ` + tt.table + ` BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`); err != nil {
				t.Fatal(err)
			}
			_, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269"))
			if err == nil {
				t.Fatal("AddPerson succeeded")
			}
			for _, table := range []string{"person", "citizenship", "outbox", "audit_log"} {
				if n := count(t, s, table); n != 0 {
					t.Errorf("%s has %d rows after a failed change, want 0", table, n)
				}
			}
			if _, err := s.w.Exec(`DROP TRIGGER temp.fail_write`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddPerson(ctx, "clerk", newPerson(t, "Rossi", "Mario", registry.Male, "1970-05-10", "A269")); err != nil {
				t.Fatal(err)
			}
			if muts, _ := s.Outbox(ctx, 0, 0); len(muts) != 1 || muts[0].Seq != 1 {
				t.Errorf("outbox after the failure = %+v, want seq 1", muts)
			}
		})
	}
}
