package central

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// cuttingTransport loses requests on the way out, answers on the way
// back (the server did the work, the desk never hears), and delays others.
type cuttingTransport struct {
	mu   sync.Mutex
	rng  *rand.Rand
	next http.RoundTripper
	cuts int
}

func (c *cuttingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	roll := c.rng.IntN(10)
	c.mu.Unlock()
	switch roll {
	case 0:
		c.cuts++
		return nil, errors.New("connection reset before the request")
	case 1:
		resp, err := c.next.RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		c.cuts++
		return nil, errors.New("connection reset before the answer")
	case 2:
		time.Sleep(20 * time.Millisecond)
	}
	return c.next.RoundTrip(req)
}

func TestCutConnectionsLoseNothingAndApplyNothingTwice(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 80)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	cut := &cuttingTransport{rng: rand.New(rand.NewPCG(1, 2)), next: http.DefaultTransport}
	for _, d := range []*desk{a, b} {
		d.syncer.Client.http = &http.Client{Transport: cut, Timeout: 10 * time.Second}
		d.syncer.Batch = 3 // many batches, many places to cut
	}
	// Each desk keeps editing and syncing through a line that fails a
	// fifth of the time.
	cfs := []string{someHouseholder(t, o.server, 0), someHouseholder(t, o.server, 1), someHouseholder(t, o.server, 2)}
	for round := range 12 {
		for i, d := range []*desk{a, b} {
			for range 2 {
				if _, err := d.syncer.Once(ctx); err == nil {
					break
				}
			}
			cf := cfs[(round+i)%len(cfs)]
			rec, err := d.store.Search(ctx, mustQuery(t, cf), 1)
			if err != nil || len(rec) != 1 {
				continue // not pulled yet
			}
			addDocument(t, d, cf, string(rune('A'+i))+string(rune('A'+round))+"1234567")
		}
	}
	if cut.cuts == 0 {
		t.Fatal("the transport cut nothing")
	}
	// The line comes back.
	cut.mu.Lock()
	cut.rng = rand.New(rand.NewPCG(0, 0))
	cut.mu.Unlock()
	for _, d := range []*desk{a, b} {
		d.syncer.Client.http = &http.Client{Timeout: 10 * time.Second}
	}
	for range 3 {
		a.sync(t)
		b.sync(t)
	}
	for _, d := range []*desk{a, b} {
		out, err := d.store.Outbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		held, err := o.server.Desk(ctx, d.store.DeskID())
		if err != nil {
			t.Fatal(err)
		}
		if held.LastSeq != out[len(out)-1].Seq {
			t.Errorf("the server holds %d of the desk's %d mutations", held.LastSeq, len(out))
		}
		for _, m := range out {
			if m.State != "confirmed" {
				t.Errorf("mutation %d is %s", m.Seq, m.State)
			}
		}
	}
	// Both desks added cards to the same people: some edits met as
	// conflicts, each recorded at the desk that pushed second.
	for _, d := range []*desk{a, b} {
		cs, err := d.store.OpenConflicts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if err := d.store.ResolveConflict(ctx, clerk, c.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 2 {
		a.sync(t)
		b.sync(t)
	}
	assertConverged(t, o, a, b)
}
