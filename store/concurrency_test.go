package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"sportello/registry"
)

// TestSearchWhileWriting runs searches and record reads on many goroutines
// while one clerk adds persons; run it with -race.
func TestSearchWhileWriting(t *testing.T) {
	s := loadFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const added = 60
	queries := []registry.Query{
		{Words: []string{"rossi"}},
		{Words: []string{"mario", "rossi"}},
		{Words: []string{"bruno"}},
		{Words: []string{"neri"}, BirthDate: date(t, "1990-01-15")},
	}
	var searches atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				got, err := s.Search(ctx, queries[(g+i)%len(queries)], 20)
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				for _, m := range got {
					if _, err := s.Record(ctx, m.ID); err != nil && ctx.Err() == nil {
						errs <- err
						return
					}
				}
				searches.Add(1)
			}
		})
	}
	for i := range added {
		p := newPerson(t, "Bruno", fmt.Sprintf("Ada%02d", i), registry.Female, "2000-01-01", "A269")
		p.CF = fmt.Sprintf("BRNDAX00A41A%03dZ", i) // distinct codes; these names have no room for a real one each
		if _, err := s.AddPerson(context.Background(), "clerk", p); err != nil {
			cancel()
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if searches.Load() == 0 {
		t.Error("no search ran while writing")
	}
	got, err := s.Search(context.Background(), registry.Query{Words: []string{"bruno"}}, 100)
	if err != nil || len(got) != added {
		t.Errorf("after the writes Bruno finds %d, %v; want %d", len(got), err, added)
	}
	if muts, err := s.Outbox(context.Background(), 0, 0); err != nil || len(muts) != added || muts[added-1].Seq != added {
		t.Errorf("outbox holds %d mutations, %v; want seq 1..%d", len(muts), err, added)
	}
}
