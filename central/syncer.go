package central

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"sportello/fault"
	"sportello/store"
)

// Syncer moves a desk's data to and from the server: it pushes the outbox
// in order, then pulls the change log, and records when the server does
// not answer. Every step is safe to cut anywhere: the outbox stays
// pending until the server's answer is recorded, and the cursor moves in
// the same transaction as the pulled data.
type Syncer struct {
	Store  *store.Store
	Client *Client
	Batch  int // mutations per push, MaxPushBatch when 0
	// Progress, when set, hears how far a first download of the register
	// is, from 0 to 1.
	Progress func(done float64)
	// Hook, when set, hears each step of a sync as it passes it: "pushed"
	// (the server answered a batch), "recorded" (the answer is stored),
	// "fetched" (a page of changes arrived), "applied" (it is written).
	// The fault tests kill the desk there.
	Hook func(step string)

	mu      sync.Mutex
	refusal *fault.Error // why the server refused this desk at the last sync, nil when it did not
}

// Refusal is why the server refused this desk's requests at the last
// sync (its clock, its enrolment, ...), for the top bar; nil when the last
// sync was let in, or did not reach the server.
func (s *Syncer) Refusal() *fault.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusal
}

func (s *Syncer) step(name string) {
	if s.Hook != nil {
		s.Hook(name)
	}
}

// Report says what one sync did.
type Report struct {
	Pushed       int
	Rejected     int
	Conflicts    int
	Pulled       int
	Kept         int // pulled documents kept back for a pending local edit
	Bootstrapped int // persons loaded from the server's snapshot
	NewEpoch     bool
	Unreachable  bool
}

// Once runs one full sync: epoch check, push until the outbox is empty,
// pull until the change log is exhausted.
func (s *Syncer) Once(ctx context.Context) (Report, error) {
	rep, err := s.once(ctx)
	var se *ServerError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusUnauthorized:
		s.setRefusal(se.Fault())
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		// Slowed down: what was refused before still stands.
	case err == nil || !errors.Is(err, ErrUnreachable):
		s.setRefusal(nil)
	}
	if errors.Is(err, ErrUnreachable) {
		rep.Unreachable = true
		if merr := s.Store.MarkReachable(ctx, false); merr != nil {
			return rep, merr
		}
		return rep, err
	}
	if err == nil {
		err = s.Store.MarkReachable(ctx, true)
	}
	return rep, err
}

func (s *Syncer) setRefusal(f *fault.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal = f
}

func (s *Syncer) once(ctx context.Context) (Report, error) {
	var rep Report
	st, err := s.Client.Status(ctx)
	if s.recognised(ctx, err) {
		st, err = s.Client.Status(ctx)
	}
	if err != nil {
		return rep, err
	}
	if err := s.keep(ctx, st); err != nil {
		return rep, err
	}
	if rep.NewEpoch, err = s.Store.SeeEpoch(ctx, st.Epoch); err != nil {
		return rep, err
	}
	if err := s.bootstrap(ctx, &rep); err != nil {
		return rep, err
	}
	if err := s.push(ctx, &rep); err != nil {
		return rep, err
	}
	if err := s.pull(ctx, &rep); err != nil {
		return rep, err
	}
	if !st.Social {
		// Not (or no longer) a desk of the social desk: what it held goes,
		// once the server answered its own changes to it.
		if _, err := s.Store.DropSocial(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Syncer) push(ctx context.Context, rep *Report) error {
	batch := s.Batch
	if batch <= 0 || batch > MaxPushBatch {
		batch = MaxPushBatch
	}
	for {
		muts, err := s.Store.PendingMutations(ctx, batch)
		if err != nil || len(muts) == 0 {
			return err
		}
		// A batch stays well under the server's body limit: documents
		// received at the social desk can weigh megabytes each.
		size := 0
		for i, m := range muts {
			size += len(m.Payload) + len(m.Docs)
			if size > MaxBodyBytes/2 && i > 0 {
				muts = muts[:i]
				break
			}
		}
		resp, err := s.Client.Push(ctx, muts)
		var se *ServerError
		if errors.As(err, &se) && se.Body.Code == CodeSeqGap && se.Body.LastSeq != nil {
			// The server holds less than the desk thought: push again
			// from where it stands.
			if err := s.Store.RepushAfter(ctx, *se.Body.LastSeq); err != nil {
				return err
			}
			if *se.Body.LastSeq >= muts[0].Seq-1 {
				return err // it would loop: the server is inconsistent
			}
			continue
		}
		if err != nil {
			return err
		}
		s.step("pushed")
		if err := s.Store.RecordPush(ctx, resp.Results); err != nil {
			return err
		}
		s.step("recorded")
		for _, r := range resp.Results {
			switch r.Status {
			case store.PushRejected:
				rep.Rejected++
			case store.PushConflict:
				rep.Conflicts++
			}
		}
		rep.Pushed += len(resp.Results)
		if len(resp.Results) == 0 {
			return nil
		}
	}
}

func (s *Syncer) pull(ctx context.Context, rep *Report) error {
	for {
		st, err := s.Store.SyncState(ctx)
		if err != nil {
			return err
		}
		page, err := s.Client.Changes(ctx, st.Cursor)
		if err != nil {
			return err
		}
		s.step("fetched")
		if page.Epoch != st.Epoch {
			// Restored meanwhile: the next sync starts over.
			return nil
		}
		written, kept, err := s.Store.ApplyChanges(ctx, page)
		if err != nil {
			return err
		}
		s.step("applied")
		rep.Pulled += written
		rep.Kept += kept
		if !page.More {
			return nil
		}
	}
}

// Run syncs every interval until ctx ends, and at once when poke receives.
// A failed sync waits for the next tick; what each did is in the store's
// sync state.
func (s *Syncer) Run(ctx context.Context, interval time.Duration, poke <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-poke:
		}
	}
}
