package central

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/store"
)

// GET /v1/queue/events streams the queue's events as server-sent events:
// each event's id is its sequence number, so a board that reconnects with
// Last-Event-ID (or ?after=N) gets what it missed. A client that connects
// for the first time, or missed more than maxReplay events, or missed the
// daily reset, gets a "full" event with the whole board status instead
// (its id the status's sequence). Keep-alive comments keep proxies and
// smart TVs from dropping an idle stream. With ?poll=1 the same catch-up
// is answered once as JSON, for clients without server-sent events; with
// ?poll=1&after=N&limit=L it is a page of at most L events, never the full
// status.

// Tunables of the stream, read when the server is made; tests change them.
var (
	keepAliveEvery = 15 * time.Second
	pollEvery      = time.Second // the fallback when no handler signalled a change
)

// maxReplay is how many missed events a client is sent one by one; beyond
// it gets the full status.
const maxReplay = 500

// QueueEvent is a queue event on the wire: it carries no clerk and no
// outcome.
type QueueEvent struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	TicketID int64     `json:"ticket_id"`
	Label    string    `json:"label"`
	Service  string    `json:"service"`
	Counter  string    `json:"counter,omitempty"`
	State    string    `json:"state"`
	Priority bool      `json:"priority,omitempty"`
}

// Event is the queue package's form of the event.
func (e QueueEvent) Event() queue.Event {
	return queue.Event{Seq: e.Seq, At: e.At, Action: queue.Action(e.Action), TicketID: e.TicketID, Label: e.Label,
		Service: e.Service, Counter: e.Counter, State: queue.State(e.State), Priority: e.Priority}
}

func wireEvent(e queue.Event) QueueEvent {
	return QueueEvent{Seq: e.Seq, At: e.At.UTC(), Action: string(e.Action), TicketID: e.TicketID, Label: e.Label,
		Service: e.Service, Counter: e.Counter, State: string(e.State), Priority: e.Priority}
}

// EventsPage answers a poll: the events after the cursor, or the full
// status when the client is too far behind (then Events is empty). Seq is
// the cursor to poll from next.
type EventsPage struct {
	Seq    int64        `json:"seq"`
	Events []QueueEvent `json:"events"`
	Full   *BoardStatus `json:"full,omitempty"`
}

// eventHub wakes the event streams when a handler changed the queue.
type eventHub struct {
	mu sync.Mutex
	ch chan struct{}
}

func newEventHub() *eventHub { return &eventHub{ch: make(chan struct{})} }

// changed returns a channel closed at the next change.
func (h *eventHub) changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ch
}

// notify wakes every stream waiting on changed.
func (h *eventHub) notify() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.ch)
	h.ch = make(chan struct{})
}

// eventCursor reads where the client is: Last-Event-ID first (a browser's
// reconnection), then ?after=. given is false for a first connection.
func eventCursor(r *http.Request) (after int64, given bool, err error) {
	v := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, false, nil
	}
	after, err = strconv.ParseInt(v, 10, 64)
	if err != nil || after < 0 {
		return 0, false, fault.New(fault.Invalid, "The cursor of the queue events is not a number", nil)
	}
	return after, true, nil
}

// lostCursor reports whether a client's cursor names events the server
// lost in a restore: the client's picture holds what this server never had.
func (q *queueAPI) lostCursor(ctx context.Context, after int64) (bool, error) {
	r, err := q.s.store.RestoreInfo(ctx)
	if err != nil {
		return false, err
	}
	return r.Restored() && after > r.LastEvent && after <= r.LastEvent+store.RestoreIDJump, nil
}

// catchUp returns the events after the cursor, or the full status when
// the client must start again: a first connection, more than maxReplay
// missed events, a daily reset among them, or a cursor beyond the last
// event (the server was restored from a copy).
func (q *queueAPI) catchUp(ctx context.Context, after int64, given bool) ([]QueueEvent, *BoardStatus, error) {
	full := func() ([]QueueEvent, *BoardStatus, error) {
		st, err := boardStatus(ctx, q.s)
		if err != nil {
			return nil, nil, err
		}
		return nil, &st, nil
	}
	if !given {
		return full()
	}
	if lost, err := q.lostCursor(ctx, after); err != nil || lost {
		if err != nil {
			return nil, nil, err
		}
		return full()
	}
	evs, err := q.s.store.QueueEvents(ctx, after, maxReplay+1)
	if err != nil {
		return nil, nil, err
	}
	if len(evs) > maxReplay {
		return full()
	}
	if len(evs) == 0 {
		seq, err := q.s.store.QueueSeq(ctx)
		if err != nil {
			return nil, nil, err
		}
		if after > seq {
			return full()
		}
		return nil, nil, nil
	}
	out := make([]QueueEvent, 0, len(evs))
	for _, e := range evs {
		if e.Action == queue.ActClose {
			return full()
		}
		out = append(out, wireEvent(e))
	}
	return out, nil, nil
}

func (q *queueAPI) handleEvents(w http.ResponseWriter, r *http.Request) {
	after, given, err := eventCursor(r)
	if err != nil {
		q.s.writeFault(w, r, err)
		return
	}
	if r.URL.Query().Get("poll") != "" {
		q.pollEvents(w, r, after, given)
		return
	}
	// A stream lasts and reads the store every second: an address may
	// hold a few (a board holds one), not hundreds.
	addr := clientAddr(r)
	if !q.streams.enter(addr) {
		tooMany(w, 5*time.Second)
		return
	}
	defer q.streams.leave(addr)
	q.streamEvents(w, r, after, given)
}

// maxStreamsPerAddr is how many event streams one address may hold open.
const maxStreamsPerAddr = 16

func (q *queueAPI) pollEvents(w http.ResponseWriter, r *http.Request, after int64, given bool) {
	evs, full, err := q.catchUp(r.Context(), after, given)
	lost, lerr := q.lostCursor(r.Context(), after)
	if lerr != nil {
		q.s.writeFault(w, r, lerr)
		return
	}
	if l, lerr := strconv.Atoi(r.URL.Query().Get("limit")); lerr == nil && given && !lost {
		// A page of at most limit events, however far behind: the desk's
		// QueueEvents, which reads on page by page.
		var page []queue.Event
		page, err = q.s.store.QueueEvents(r.Context(), after, min(max(l, 1), maxReplay))
		evs, full = nil, nil
		for _, e := range page {
			evs = append(evs, wireEvent(e))
		}
	}
	if err != nil {
		q.s.writeFault(w, r, err)
		return
	}
	page := EventsPage{Seq: after, Events: evs, Full: full}
	if page.Events == nil {
		page.Events = []QueueEvent{}
	}
	if full != nil {
		page.Seq = full.Seq
	} else if len(evs) > 0 {
		page.Seq = evs[len(evs)-1].Seq
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, page)
}

// streamEvents sends the catch-up, then each new event as it happens,
// until the client goes.
func (q *queueAPI) streamEvents(w http.ResponseWriter, r *http.Request, after int64, given bool) {
	ctx := r.Context()
	// Each write and flush of the stream (events, keep-alives) gets the
	// write timeout anew (the edge's deadlineWriter): a stream lives as
	// long as its client reads it, and a client that stops reading is cut
	// off.
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return
	}
	send := func() bool {
		evs, full, err := q.catchUp(ctx, after, given)
		if err != nil {
			if ctx.Err() == nil {
				q.s.log.Error("queue events", "err", err)
			}
			return ctx.Err() == nil // try again at the next tick
		}
		given = true
		if full != nil {
			data, _ := json.Marshal(full)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: full\ndata: %s\n\n", full.Seq, data); err != nil {
				return false
			}
			after = full.Seq
		}
		for _, e := range evs {
			data, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "id: %d\ndata: %s\n\n", e.Seq, data); err != nil {
				return false
			}
			after = e.Seq
		}
		return rc.Flush() == nil
	}
	// Taken before each catch-up, so a change during it is not missed.
	wake := q.hub.changed()
	if !send() {
		return
	}
	poll := time.NewTicker(q.pollEvery)
	defer poll.Stop()
	alive := time.NewTicker(q.keepAliveEvery)
	defer alive.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
			wake = q.hub.changed()
			if !send() {
				return
			}
		case <-poll.C:
			if !send() {
				return
			}
		case <-alive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
