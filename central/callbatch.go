package central

import (
	"context"
	"sync"

	"sportello/store"
)

// callBatcher runs the call-nexts that arrive together in one store
// transaction: with 50 desks calling at the same instant, each would
// otherwise wait for the disk writes of all those before it. The first
// caller of a burst leads: it runs batches until none is pending, so no
// goroutine outlives the requests.
type callBatcher struct {
	st *store.Store

	mu      sync.Mutex
	pending []*callJob
	leading bool
}

type callJob struct {
	req  store.CallRequest
	done chan store.CallResult // buffered: the leader never blocks on it
}

// maxCallBatch bounds a batch, so a burst is written in a few transactions
// rather than held in one long one.
const maxCallBatch = 64

// call runs one call-next with whatever others are pending.
func (b *callBatcher) call(ctx context.Context, req store.CallRequest) store.CallResult {
	job := &callJob{req: req, done: make(chan store.CallResult, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, job)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if lead {
		b.lead()
	}
	select {
	case r := <-job.done:
		return r
	case <-ctx.Done():
		// The call may still be made: the desk retries with the same
		// call id and gets the same ticket.
		return store.CallResult{Err: ctx.Err()}
	}
}

// lead runs batches until nothing is pending.
func (b *callBatcher) lead() {
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxCallBatch)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		if n == 0 {
			b.leading = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		reqs := make([]store.CallRequest, n)
		for i, j := range batch {
			reqs[i] = j.req
		}
		// Not the leader's context: the batch serves other desks too.
		for i, r := range b.st.CallNextBatch(context.Background(), reqs) {
			batch[i].done <- r
		}
	}
}
