package store

import (
	"testing"
	"time"

	"sportello/fault"
)

func TestPortalKeysAddAndRotate(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	first := []PortalKey{{KID: "f1", Use: "federation", JWK: []byte(`{}`)}, {KID: "s1", Use: "sig", JWK: []byte(`{}`)}}
	if added, err := s.AddPortalKeys(ctx, first); err != nil || !added {
		t.Fatalf("first keys: %v %v", added, err)
	}
	// A second start keeps the keys in use.
	if added, err := s.AddPortalKeys(ctx, []PortalKey{{KID: "s2", Use: "sig", JWK: []byte(`{}`)}}); err != nil || added {
		t.Fatalf("second start added keys: %v %v", added, err)
	}
	base := s.now()
	if err := s.RotatePortalKeys(ctx, []PortalKey{{KID: "s3", Use: "sig", JWK: []byte(`{}`)}}, time.Hour); err != nil {
		t.Fatal(err)
	}
	keys, err := s.PortalKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]bool{} // kid: retired
	for _, k := range keys {
		state[k.KID] = !k.RetiredAt.IsZero()
	}
	if len(state) != 3 || state["f1"] || !state["s1"] || state["s3"] {
		t.Fatalf("after rotation: %v", state)
	}
	// Past the grace the retired key is gone.
	s.now = func() time.Time { return base.Add(2 * time.Hour) }
	if keys, _ = s.PortalKeys(ctx); len(keys) != 2 {
		t.Fatalf("after the grace: %d keys", len(keys))
	}
}

func TestPortalLoginIsUsedOnce(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	l := PortalLogin{StateHash: "st", BrowserHash: "br", Provider: "spid", Nonce: "n", Verifier: "v"}
	if err := s.AddPortalLogin(ctx, l, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := s.TakePortalLogin(ctx, "st", 10*time.Minute)
	if err != nil || got.Verifier != "v" || got.BrowserHash != "br" {
		t.Fatalf("take: %+v %v", got, err)
	}
	if _, err := s.TakePortalLogin(ctx, "st", 10*time.Minute); fault.Code(err) != fault.NotFound {
		t.Fatalf("taken twice: %v", err)
	}
	if err := s.AddPortalLogin(ctx, PortalLogin{StateHash: "old", BrowserHash: "b", Provider: "p", Nonce: "n", Verifier: "v"}, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	base := s.now()
	s.now = func() time.Time { return base.Add(11 * time.Minute) }
	if _, err := s.TakePortalLogin(ctx, "old", 10*time.Minute); fault.Code(err) != fault.NotFound {
		t.Fatalf("an expired sign-in was taken: %v", err)
	}
}

func TestPortalSessionEnds(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if err := s.NewPortalSession(ctx, PortalSession{IDHash: "h", PersonUID: "P1", Provider: "spid", CSRF: "c"}); err != nil {
		t.Fatal(err)
	}
	later := s.now().Add(time.Minute)
	if err := s.TouchPortalSession(ctx, "h", later); err != nil {
		t.Fatal(err)
	}
	ps, err := s.FindPortalSession(ctx, "h")
	if err != nil || !ps.SeenAt.Equal(later.Truncate(time.Microsecond)) || !ps.EndedAt.IsZero() {
		t.Fatalf("%+v %v", ps, err)
	}
	if err := s.EndPortalSession(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if ps, _ = s.FindPortalSession(ctx, "h"); ps.EndedAt.IsZero() {
		t.Fatal("not ended")
	}
	if n, _ := s.OpenPortalSessions(ctx); n != 0 {
		t.Fatalf("%d open", n)
	}
	if _, err := s.FindPortalSession(ctx, "nope"); fault.Code(err) != fault.NotFound {
		t.Fatalf("unknown session: %v", err)
	}
	// A week later the row is gone when the next session opens.
	if err := s.NewPortalSession(ctx, PortalSession{IDHash: "h2", PersonUID: "P2", Provider: "spid", CSRF: "c",
		CreatedAt: later.Add(portalSessionKept + time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindPortalSession(ctx, "h"); fault.Code(err) != fault.NotFound {
		t.Fatalf("an old session row stays: %v", err)
	}
}
