package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportello/fault"
)

// TestServerLogin: a server login proves a clerk's identity only for its
// desk, its clerk and its 30 minutes, and only as the server signed it.
func TestServerLogin(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	l, err := s.IssueServerLogin(ctx, "DESK-A", "Admin")
	if err != nil {
		t.Fatal(err)
	}
	body, mac, _ := strings.Cut(l.Token, ".")
	tests := []struct {
		name, token, desk, user string
		at                      time.Time
		want                    string // "" for accepted
	}{
		{"as signed", l.Token, "DESK-A", "admin", fixedNow, ""},
		{"just before it expires", l.Token, "DESK-A", "ADMIN", fixedNow.Add(ServerLoginTTL - time.Second), ""},
		{"expired", l.Token, "DESK-A", "admin", fixedNow.Add(ServerLoginTTL + time.Second), "expired"},
		{"another desk", l.Token, "DESK-B", "admin", fixedNow, "password the server checked"},
		{"another clerk", l.Token, "DESK-A", "mrossi", fixedNow, "password the server checked"},
		{"tampered", body + "x." + mac, "DESK-A", "admin", fixedNow, "password the server checked"},
		{"none", "", "DESK-A", "admin", fixedNow, "password the server checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := s.w.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			err = checkServerLogin(ctx, tx, tt.token, tt.desk, tt.user, tt.at)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (fault.Code(err) != fault.Forbidden || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want forbidden ...%s...", err, tt.want)
			}
		})
	}
}

// TestClerkChangesAllowed: a desk on its own changes its clerks; a desk
// that syncs only with a server login of the clerk, not yet expired.
func TestClerkChangesAllowed(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.ClerkChangesAllowed(ctx, "admin"); err != nil {
		t.Fatalf("a desk on its own: %v", err)
	}
	if _, err := s.SeeEpoch(ctx, "EPOCH"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClerkChangesAllowed(ctx, "admin"); fault.Code(err) != fault.Forbidden {
		t.Fatalf("a desk with a server, no login: %v", err)
	}
	s.RememberServerLogin(ServerLogin{Username: "Admin", Token: "t", Expires: fixedNow.Add(time.Minute)})
	if err := s.ClerkChangesAllowed(ctx, "admin"); err != nil {
		t.Fatalf("with a login: %v", err)
	}
	if err := s.ClerkChangesAllowed(ctx, "mrossi"); err == nil {
		t.Fatal("another clerk's login counted")
	}
	s.now = func() time.Time { return fixedNow.Add(2 * time.Minute) }
	if err := s.ClerkChangesAllowed(ctx, "admin"); err == nil {
		t.Fatal("an expired login counted")
	}
}
