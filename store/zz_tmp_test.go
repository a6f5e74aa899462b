package store

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"sportello/demo"
)

func TestTmpGen(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TMPN"))
	if n == 0 {
		t.Skip()
	}
	start := time.Now()
	people, hh := 0, 0
	for h, err := range demo.Generate(demo.Config{People: n, Seed: 1, Municipality: "A269"}) {
		if err != nil {
			t.Fatal(err)
		}
		hh++
		people += len(h.Members) + len(h.Others)
	}
	t.Logf("generate %d people %d households in %v", people, hh, time.Since(start))
}

func TestTmpLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TMPL"))
	if n == 0 {
		t.Skip()
	}
	path := filepath.Join(os.TempDir(), "tmp-load.db")
	os.Remove(path)
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	s, err := Open(path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	last := start
	loadTrace = func(m string) {
		t.Logf("%v (+%v) %s", time.Since(start).Round(time.Millisecond), time.Since(last).Round(time.Millisecond), m)
		last = time.Now()
	}
	got, err := s.Load(context.Background(), demo.Generate(demo.Config{People: n, Seed: 1, Municipality: "A269"}), func(p int) {
		t.Logf("%v %d", time.Since(start).Round(time.Millisecond), p)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d in %v", got, time.Since(start))
}
