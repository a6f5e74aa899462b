package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

func TestAccessLog(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario, anna := idOf(t, s, "Rossi", "Mario"), idOf(t, s, "Bianchi", "Anna")
	views := []struct {
		operator string
		person   int64
		purpose  access.Purpose
		want     string
	}{
		{"clerk1", mario, access.PurposeCounter, ""},
		{"clerk1", anna, access.PurposeCertificate, ""},
		{"clerk2", mario, access.PurposeOffice, ""},
		{"clerk2", mario, "curiosity", fault.Invalid},
		{"clerk2", 999999, access.PurposeCounter, fault.NotFound},
		{" ", mario, access.PurposeCounter, fault.Invalid},
	}
	for i, v := range views {
		s.now = func() time.Time { return fixedNow.Add(time.Duration(i) * time.Hour) }
		if got := fault.Code(s.LogAccess(ctx, v.operator, v.person, v.purpose)); got != v.want {
			t.Errorf("view %d: code %q, want %q", i, got, v.want)
		}
	}
	marioUID := record(t, s, mario).Person.UID
	tests := []struct {
		name   string
		f      access.LogFilter
		wantOp []string
	}{
		{"all newest first", access.LogFilter{}, []string{"clerk2", "clerk1", "clerk1"}},
		{"by operator", access.LogFilter{Operator: "clerk1"}, []string{"clerk1", "clerk1"}},
		{"by person", access.LogFilter{Subject: marioUID}, []string{"clerk2", "clerk1"}},
		{"by time", access.LogFilter{From: fixedNow.Add(30 * time.Minute), To: fixedNow.Add(90 * time.Minute)}, []string{"clerk1"}},
		{"limit", access.LogFilter{Limit: 1}, []string{"clerk2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AccessLog(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, e := range got {
				ops = append(ops, e.Operator)
			}
			if len(ops) != len(tc.wantOp) {
				t.Fatalf("operators %v, want %v", ops, tc.wantOp)
			}
			for i := range ops {
				if ops[i] != tc.wantOp[i] {
					t.Fatalf("operators %v, want %v", ops, tc.wantOp)
				}
			}
		})
	}
	got, _ := s.AccessLog(ctx, access.LogFilter{Subject: marioUID, Limit: 1})
	if got[0].PersonName != "Rossi Mario" || got[0].Purpose != access.PurposeOffice {
		t.Errorf("entry %+v", got[0])
	}
	if _, err := s.w.Exec(`DELETE FROM access_log`); err == nil {
		t.Error("the access log accepted a delete")
	}
}

func TestFindAudit(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	id := idOf(t, s, "Colombo", "Mariangela")
	rec := record(t, s, id)
	doc := registry.Document{Kind: registry.DocPassport, Number: "YA1234567", Expires: date(t, "2030-01-01"), IssuedBy: "Questura di Frosinone"}
	if err := s.AddDocument(ctx, testClerk, registry.DocumentEdit{PersonID: id, BaseVersion: rec.Person.Version, Document: doc}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    access.LogFilter
		want int
	}{
		{"by action prefix", access.LogFilter{Subject: "person."}, 1},
		{"by entity", access.LogFilter{Subject: rec.Person.UID}, 1},
		{"by operator", access.LogFilter{Operator: "clerk1"}, 1},
		{"other operator", access.LogFilter{Operator: "nobody"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.FindAudit(ctx, tc.f)
			if err != nil || len(got) != tc.want {
				t.Fatalf("got %d entries (%v), want %d", len(got), err, tc.want)
			}
		})
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.CreateUser(ctx, "admin", access.User{Username: "lneri", FullName: "Laura Neri", Role: access.Clerk}, "giusta-2026"); err != nil {
		t.Fatal(err)
	}
	auth := s.WithLockout()
	for i := 1; i < access.MaxFailedLogins; i++ {
		if _, err := auth.Login(ctx, "lneri", "sbagliata"); fault.Code(err) != fault.Forbidden {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	// a right password before the limit resets the count
	if _, err := auth.Login(ctx, "LNeri", "giusta-2026"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	for i := 1; i <= access.MaxFailedLogins; i++ {
		auth.Login(ctx, "lneri", "sbagliata")
	}
	_, err := auth.Login(ctx, "lneri", "giusta-2026")
	if key, _ := fault.Message(err); !strings.Contains(key, "locked until") {
		t.Fatalf("after %d wrong passwords: %v", access.MaxFailedLogins, err)
	}
	if got, _ := s.FindAudit(ctx, access.LogFilter{Subject: "user.locked"}); len(got) != 1 {
		t.Errorf("lock audit entries %d, want 1", len(got))
	}
	s.now = func() time.Time { return fixedNow.Add(access.LockoutDuration + time.Minute) }
	if _, err := auth.Login(ctx, "lneri", "giusta-2026"); err != nil {
		t.Errorf("after the lock: %v", err)
	}
}

func TestUserAdmin(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, u := range []access.User{{Username: "admin", FullName: "Amm", Role: access.Admin}, {Username: "lneri", FullName: "Laura Neri", Role: access.Clerk}} {
		if _, err := s.CreateUser(ctx, "setup", u, "giusta-2026"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"role", func() error { return s.SetRole(ctx, "admin", "lneri", access.Registrar) }, ""},
		{"own role", func() error { return s.SetRole(ctx, "admin", "Admin", access.Clerk) }, fault.Forbidden},
		{"bad role", func() error { return s.SetRole(ctx, "admin", "lneri", "boss") }, fault.Invalid},
		{"no such user", func() error { return s.SetRole(ctx, "admin", "nobody", access.Clerk) }, fault.NotFound},
		{"short password", func() error { return s.SetPassword(ctx, "admin", "lneri", "corta") }, fault.Invalid},
		{"password", func() error { return s.SetPassword(ctx, "admin", "lneri", "nuova-password") }, ""},
		{"unlock", func() error { return s.Unlock(ctx, "admin", "lneri") }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fault.Code(tc.do()); got != tc.want {
				t.Errorf("code %q, want %q", got, tc.want)
			}
		})
	}
	u, err := s.Login(ctx, "lneri", "nuova-password")
	if err != nil || u.Role != access.Registrar {
		t.Errorf("after the changes: %+v %v", u, err)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
	// a locked user shows as locked until the administrator unlocks
	auth := s.WithLockout()
	for range access.MaxFailedLogins {
		auth.Login(ctx, "lneri", "sbagliata")
	}
	if locked, _ := s.LockedUsers(ctx); len(locked) != 1 {
		t.Fatalf("locked %v", locked)
	}
	if err := s.Unlock(ctx, "admin", "lneri"); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Login(ctx, "lneri", "nuova-password"); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}
