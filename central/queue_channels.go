package central

import (
	"context"
	"net/http"
	"net/url"

	"sportello/queue"
	"sportello/registry"
)

// handleChannels answers an enrolled desk's GET /v1/queue/desk/channels:
// the tickets, bookings and no-shows per channel and the estimate's error
// over from..to (the same range rule as the tickets'). It reads only.
func (q *queueAPI) handleChannels(w http.ResponseWriter, r *http.Request) {
	from, to, ok := dayRange(w, r)
	if !ok {
		return
	}
	rep, err := q.s.store.QueueChannels(r.Context(), from, to)
	q.answer(w, r, rep, err, false)
}

// QueueChannels returns the office queue's statistics of the channels over
// the days from..to.
func (qc *QueueClient) QueueChannels(ctx context.Context, from, to registry.Date) (queue.ChannelReport, error) {
	var rep queue.ChannelReport
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	return rep, qc.do(ctx, http.MethodGet, "/v1/queue/desk/channels?"+q.Encode(), "", nil, &rep)
}
