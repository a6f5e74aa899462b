package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"sportello/central"
	"sportello/store"
)

func TestKeyRotateAgainstAServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := store.Open(filepath.Join(dir, "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	web := httptest.NewServer(central.NewServer(srv, nil).Handler())
	defer web.Close()
	code, err := srv.NewEnrolCode(ctx, "admin", "D05")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "desk.db")
	desk := []string{"--db", db, "--desk-code", "D05", "--server", web.URL}
	var out, errOut bytes.Buffer
	if c := run(append([]string{"enrol", "--code", code}, desk...), &out, &errOut); c != 0 {
		t.Fatalf("enrol: exit %d, %q", c, errOut.String())
	}
	st, err := store.Open(db, store.Options{DeskCode: "D05"})
	if err != nil {
		t.Fatal(err)
	}
	id := st.DeskID()
	st.Close()
	before, _ := srv.Desk(ctx, id)
	for i := range 2 {
		out.Reset()
		if c := run(append([]string{"key", "rotate"}, desk...), &out, &errOut); c != 0 {
			t.Fatalf("key rotate %d: exit %d, %q", i, c, errOut.String())
		}
		after, err := srv.Desk(ctx, id)
		if err != nil || after.KeyID == before.KeyID || !strings.Contains(out.String(), after.KeyID) {
			t.Fatalf("rotation %d: the server holds %s (was %s): %q %v", i, after.KeyID, before.KeyID, out.String(), err)
		}
		before = after
		if c := run(append([]string{"sync"}, desk...), &out, &errOut); c != 0 {
			t.Fatalf("sync with the new key: exit %d, %q", c, errOut.String())
		}
	}
	if c := run([]string{"key", "turn"}, &out, &errOut); c != 2 {
		t.Fatalf("key turn: exit %d", c)
	}
}
