package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportello/demo"
	"sportello/fault"
	"sportello/registry"
)

// benchPeople is the size of the register the search target is set on.
const benchPeople = 3_000_000

// benchStore opens the benchmark register, building it the first time (about
// a minute) and keeping it at $TMPDIR/sportello-bench-3000000.db for later
// runs; a file of another schema version, or one whose load did not finish,
// is built again.
func benchStore(b *testing.B) *Store {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("sportello-bench-%d.db", benchPeople))
	if s, err := Open(path, Options{ReadOnly: true}); err == nil {
		n, err := s.CountPersons(context.Background())
		if err == nil && n >= benchPeople {
			b.Cleanup(func() { s.Close() })
			return s
		}
		s.Close()
	} else if fault.Code(err) == fault.Internal {
		b.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.Fatal(err)
		}
	}
	b.Logf("building %s (once)", path)
	s, err := Open(path, Options{Create: true, DeskCode: "BENCH"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := s.Load(context.Background(), demo.Generate(demo.Config{People: benchPeople, Seed: 1, Municipality: "A269"}), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d persons in %v", n, time.Since(start).Round(time.Millisecond))
	s.Close()
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchQueries builds the fixed query sets from persons spread evenly over
// the register, parsed as a clerk's typing would be.
func benchQueries(b *testing.B, s *Store) map[string][]registry.Query {
	b.Helper()
	const samples = 400
	n, err := s.CountPersons(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	sets := make(map[string][]registry.Query)
	parse := func(set, entry string) {
		q, err := registry.ParseQuery(entry)
		if err != nil {
			b.Fatalf("ParseQuery(%q): %v", entry, err)
		}
		sets[set] = append(sets[set], q)
	}
	for i := range samples {
		id := 1 + int64(i)*int64(n/samples)
		var surname, name, cf string
		if err := s.r.QueryRow(`SELECT surname, name, cf FROM person WHERE id = ?`, id).Scan(&surname, &name, &cf); err != nil {
			b.Fatal(err)
		}
		key := registry.SearchKey(surname)
		parse("surname prefix", key[:min(len(key), 2+i%4)]) // 2 to 5 letters, as typed so far
		parse("surname+name", registry.Fold(surname)+" "+registry.Fold(name))
		parse("codice fiscale", cf)
		parse("omocode", registry.OmocodeVariant(cf, 1+i%127))
	}
	return sets
}

// BenchmarkSearch measures search latency for the top 50 results on a
// 3,000,000-person register; the target is a p99 of 5 ms or less.
func BenchmarkSearch(b *testing.B) {
	s := benchStore(b)
	sets := benchQueries(b, s)
	ctx := context.Background()
	for _, name := range []string{"surname prefix", "surname+name", "codice fiscale", "omocode"} {
		queries := sets[name]
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			var lat []time.Duration
			found := 0
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				start := time.Now()
				got, err := s.Search(ctx, q, DefaultSearchLimit)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(got) > 0 {
					found++
				}
			}
			if found != len(lat) {
				b.Errorf("%d of %d searches found nobody", len(lat)-found, len(lat))
			}
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		})
	}
}

// BenchmarkLoad measures the bulk load of a demo register (people/s), with
// the time of its phases.
func BenchmarkLoad(b *testing.B) {
	const people = 300_000
	var phases map[string]time.Duration
	var last time.Time
	loadPhase = func(phase string) {
		switch {
		case phase == "rows" || phase == "person_fts" || phase == "finish":
			phases[phase] += time.Since(last)
		default:
			phases["indexes"] += time.Since(last)
		}
		last = time.Now()
	}
	b.Cleanup(func() { loadPhase = nil })
	total, loaded := time.Duration(0), 0
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "load.db")
		s, err := Open(path, Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		phases = make(map[string]time.Duration)
		b.StartTimer()
		start := time.Now()
		last = start
		n, err := s.Load(context.Background(), demo.Generate(demo.Config{People: people, Seed: 7, Municipality: "A269"}), nil)
		total += time.Since(start)
		loaded += n
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(loaded)/total.Seconds(), "people/s")
	for phase, d := range phases {
		b.ReportMetric(d.Seconds(), phase+"-s")
	}
}
