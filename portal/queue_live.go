package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"sportello/queue"
)

// GET /queue/ticket/{token}/events: the ticket page's live part, as
// server-sent events. Anyone holding the ticket's link may open it; the
// token is checked before the stream starts; it changes nothing. Each
// event is the ticket's progress, sent when the queue changed (its event
// sequence moved) and at least every liveEvery; the stream ends when the
// ticket leaves the line or after liveFor.

// Tunables of the stream; tests change them.
var (
	liveEvery = 1 * time.Second // how often the queue's sequence is read
	liveFor   = 4 * time.Hour
)

// ticketLive is one progress event.
type ticketLive struct {
	State   string `json:"state"`
	Label   string `json:"label"`
	Ahead   int    `json:"ahead"`
	Minutes int    `json:"minutes"`
	Near    bool   `json:"near"`   // at most the office's NearAhead ahead
	Called  bool   `json:"called"` // called, being served or on hold at Counter
	Counter string `json:"counter,omitempty"`
	Over    bool   `json:"over"` // no longer in the line: the stream ends
}

func (p *Portal) handleTicketEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	rt, err := p.st.RemoteByToken(ctx, token)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	settings, err := p.st.OnlineSettings(ctx)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var last ticketLive
	sent := false
	send := func() bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if rt, err = p.st.RemoteByToken(ctx, token); err != nil {
			return false
		}
		st := rt.Ticket.State
		ev := ticketLive{State: string(st), Label: rt.Ticket.Label, Ahead: rt.Ahead, Minutes: minutes(rt.Wait),
			Called: st == queue.Called || st == queue.Serving || st == queue.OnHold, Over: !st.Open()}
		ev.Near = !ev.Called && !ev.Over && rt.Ahead <= settings.NearAhead
		if ev.Called {
			ev.Counter = rt.Ticket.Counter
		}
		if sent && ev == last {
			_, err := fmt.Fprint(w, ": keep-alive\n\n")
			return err == nil && rc.Flush() == nil
		}
		data, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "retry: 3000\ndata: %s\n\n", data); err != nil || rc.Flush() != nil {
			return false
		}
		last, sent = ev, true
		return !ev.Over
	}
	if !send() {
		return
	}
	seq, _ := p.st.QueueSeq(ctx)
	tick := time.NewTicker(liveEvery)
	defer tick.Stop()
	end := time.After(liveFor)
	quiet := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-end:
			return
		case <-tick.C:
		}
		now, err := p.st.QueueSeq(ctx)
		if err != nil {
			return
		}
		// A change of the queue, or every 15 ticks a keep-alive (the wait
		// estimate moves with time too).
		if quiet++; now == seq && quiet < 15 {
			continue
		}
		seq, quiet = now, 0
		if !send() {
			return
		}
	}
}
