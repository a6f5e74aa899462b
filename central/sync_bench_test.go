package central

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sportello/demo"
	"sportello/registry"
	"sportello/store"
)

// benchServer opens a server register of people persons kept in $TMPDIR
// between runs (built the first time), served on 127.0.0.1.
func benchServer(b *testing.B, people int) (*store.Store, *httptest.Server) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("sportello-bench-server-%d-v%d.db", people, store.SchemaVersion()))
	st, err := store.Open(path, store.Options{DeskCode: "SRV"})
	if err == nil {
		if n, err := st.CountPersons(ctx); err == nil && n >= people {
			return st, serve(b, st)
		}
		st.Close()
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.Fatal(err)
		}
	}
	os.RemoveAll(path + ".snapshots")
	b.Logf("building %s (once)", path)
	if st, err = store.Open(path, store.Options{DeskCode: "SRV", Create: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Load(ctx, demo.Generate(demo.Config{People: people, Seed: 1, Municipality: "A269"}), nil); err != nil {
		b.Fatal(err)
	}
	if err := st.LogLoadedRegister(ctx); err != nil {
		b.Fatal(err)
	}
	return st, serve(b, st)
}

func serve(b *testing.B, st *store.Store) *httptest.Server {
	addClerks(b, st, clerk)
	web := httptest.NewServer(NewServer(st, nil).Handler())
	b.Cleanup(func() { web.Close(); st.Close() })
	return web
}

// benchDesk enrols a new desk at the server.
func benchDesk(b *testing.B, srv *store.Store, url, code string) *Syncer {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(b.TempDir(), code+".db"), store.Options{DeskCode: code, Create: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key, err := st.DeskKey(ctx)
	if err != nil {
		b.Fatal(err)
	}
	enrol, err := srv.NewEnrolCode(ctx, "admin", code)
	if err != nil {
		b.Fatal(err)
	}
	c := NewClient(url, st.DeskID(), key, nil)
	if _, err := c.Enrol(ctx, enrol, code); err != nil {
		b.Fatal(err)
	}
	return &Syncer{Store: st, Client: c}
}

// BenchmarkBootstrap1M: a new desk gets a register of 1,000,000 people
// (snapshot built at the server, downloaded, loaded, then the pull).
// Target: 30 s.
func BenchmarkBootstrap1M(b *testing.B) {
	srv, web := benchServer(b, 1_000_000)
	for i := range b.N {
		d := benchDesk(b, srv, web.URL, fmt.Sprintf("B%d%X", i, time.Now().UnixNano()&0xFFFFFF))
		start := time.Now()
		rep, err := d.Once(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/bootstrap")
		if rep.Bootstrapped < 1_000_000 {
			b.Fatalf("bootstrapped %d", rep.Bootstrapped)
		}
	}
}

// BenchmarkPush10k: a desk pushes 10,000 registry edits made offline.
// Target: 5 s.
func BenchmarkPush10k(b *testing.B) {
	ctx := context.Background()
	srv, web := benchServer(b, 20_000)
	for i := range b.N {
		d := benchDesk(b, srv, web.URL, fmt.Sprintf("P%d%X", i, time.Now().UnixNano()&0xFFFFFF))
		if _, err := d.Once(ctx); err != nil {
			b.Fatal(err)
		}
		made := 0
		// Card numbers not used by an earlier run on the same server.
		suffix := string(rune('A'+time.Now().UnixNano()%26)) + string(rune('A'+time.Now().UnixNano()/26%26))
		for id := int64(1); made < 10_000; id++ {
			rec, err := d.Store.FullRecord(ctx, id)
			if err != nil || rec.Person.Status != registry.Resident || rec.Person.BirthDate.AgeOn(registry.Today()) < 18 {
				continue
			}
			err = d.Store.AddDocument(ctx, clerk, cardEdit(rec.Person, fmt.Sprintf("C%c%05d%s", 'A'+rune(made/100000), made%100000, suffix)))
			if err != nil {
				b.Fatal(err)
			}
			made++
		}
		start := time.Now()
		rep, err := d.Once(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/push")
		if rep.Pushed < 10_000 || rep.Rejected > 0 {
			b.Fatalf("pushed %+v", rep)
		}
	}
}
