package portal

import (
	"context"
	"sync"

	"sportello/store"
)

// viewLog writes the citizens' views of records to the access log in
// batches: a view waits until its batch is committed (a page is shown only
// once its view is logged), and the views that arrive while a batch
// commits make the next one.
type viewLog struct {
	st      *store.Store
	mu      sync.Mutex
	pending []viewRequest
	leading bool // a goroutine is writing batches
}

type viewRequest struct {
	view store.AccessView
	done chan error
}

// maxViewBatch bounds one transaction.
const maxViewBatch = 500

// log records a view and returns once it is committed.
func (l *viewLog) log(ctx context.Context, v store.AccessView) error {
	if err := v.Validate(); err != nil {
		return err // alone: a bad view never fails the batch of others
	}
	req := viewRequest{view: v, done: make(chan error, 1)}
	l.mu.Lock()
	l.pending = append(l.pending, req)
	lead := !l.leading
	l.leading = true
	l.mu.Unlock()
	if lead {
		go l.write()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the view may still be logged: more, never less
	}
}

// write commits batches until none is waiting.
func (l *viewLog) write() {
	for {
		l.mu.Lock()
		n := min(len(l.pending), maxViewBatch)
		batch := l.pending[:n:n]
		l.pending = l.pending[n:]
		if n == 0 {
			l.leading = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		views := make([]store.AccessView, n)
		for i, r := range batch {
			views[i] = r.view
		}
		err := l.st.LogAccesses(context.Background(), views)
		for _, r := range batch {
			r.done <- err
		}
	}
}
