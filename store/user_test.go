package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"sportello/access"
	"sportello/fault"
)

func TestLogin(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	created, err := s.CreateUser(ctx, "admin", access.User{Username: "mrossi", FullName: "Maria Rossi", Role: access.Clerk}, "sportello-2026")
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 {
		t.Error("CreateUser returned no id")
	}
	tests := []struct {
		name, username, password string
		ok                       bool
	}{
		{"right password", "mrossi", "sportello-2026", true},
		{"username in another case", "MRossi", "sportello-2026", true},
		{"username with spaces around", " mrossi ", "sportello-2026", true},
		{"wrong password", "mrossi", "sportello-2025", false},
		{"password in another case", "mrossi", "SPORTELLO-2026", false},
		{"empty password", "mrossi", "", false},
		{"unknown user", "gbianchi", "sportello-2026", false},
		{"empty username", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := s.Login(ctx, tt.username, tt.password)
			if tt.ok {
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				want := access.User{ID: created.ID, Username: "mrossi", FullName: "Maria Rossi", Role: access.Clerk}
				if u != want {
					t.Errorf("Login = %+v, want %+v", u, want)
				}
				return
			}
			if fault.Code(err) != fault.Forbidden {
				t.Fatalf("Login: %v, want fault.Forbidden", err)
			}
			if msg, _ := fault.Message(err); msg != "Wrong username or password" {
				t.Errorf("message = %q: a wrong user and a wrong password must read the same", msg)
			}
			if u != (access.User{}) {
				t.Errorf("a refused login returned %+v", u)
			}
		})
	}
}

func TestCreateUser(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "admin", access.User{Username: "mrossi", FullName: "Maria Rossi", Role: access.Clerk}, "sportello-2026"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		u        access.User
		password string
		code     string
	}{
		{"username taken in another case", access.User{Username: "MROSSI", FullName: "Mario Rossi", Role: access.Clerk}, "another-password", fault.Conflict},
		{"no username", access.User{FullName: "Mario Rossi", Role: access.Clerk}, "another-password", fault.Invalid},
		{"username with a space", access.User{Username: "m rossi", FullName: "Mario Rossi", Role: access.Clerk}, "another-password", fault.Invalid},
		{"no full name", access.User{Username: "mario", Role: access.Clerk}, "another-password", fault.Invalid},
		{"unknown role", access.User{Username: "mario", FullName: "Mario Rossi", Role: "mayor"}, "another-password", fault.Invalid},
		{"short password", access.User{Username: "mario", FullName: "Mario Rossi", Role: access.Clerk}, "short", fault.Invalid},
		{"password past bcrypt's 72 bytes", access.User{Username: "mario", FullName: "Mario Rossi", Role: access.Clerk}, strings.Repeat("x", 73), fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, "admin", tt.u, tt.password)
			if fault.Code(err) != tt.code {
				t.Fatalf("CreateUser: %v, want %s", err, tt.code)
			}
			if n := count(t, s, "users"); n != 1 {
				t.Errorf("users = %d after a refused user, want 1", n)
			}
			if n := count(t, s, "outbox"); n != 1 {
				t.Errorf("outbox = %d after a refused user, want 1", n)
			}
		})
	}

	muts, err := s.Outbox(ctx, 0, 0)
	if err != nil || len(muts) != 1 {
		t.Fatalf("outbox = %+v, %v", muts, err)
	}
	var p userPayload
	if err := json.Unmarshal(muts[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Username != "mrossi" || p.Role != "clerk" || !strings.HasPrefix(p.PasswordHash, "$2") || strings.Contains(string(muts[0].Payload), "sportello-2026") {
		t.Errorf("user payload = %s: want the bcrypt hash and never the password", muts[0].Payload)
	}
	audit, err := s.AuditLog(ctx, 0, 0)
	if err != nil || len(audit) != 1 || audit[0].Action != "user.create" || strings.Contains(audit[0].Detail, "Rossi") {
		t.Errorf("audit = %+v, %v", audit, err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Username != "mrossi" {
		t.Errorf("Users = %+v, %v", users, err)
	}
}
