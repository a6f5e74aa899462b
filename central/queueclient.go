package central

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// QueueClient is the office queue at the server, as a desk, a kiosk or a
// board uses it: the same methods as the store's queue, so the desk works
// the same whether its queue is local or the office's. A kiosk or a board
// may use it with a Client that holds no key, for the public calls only.
type QueueClient struct {
	c *Client
	// CallNext retries a call that got no answer, with the same call id.
	retries int
	backoff time.Duration
	// Follow reconnects after a dropped stream, waiting from reconnect up
	// to maxReconnect; a stream silent for longer than silence is dropped.
	reconnect    time.Duration
	maxReconnect time.Duration
	silence      time.Duration
	// seen is what this client saw of today's queue, reported to a
	// server restored from a backup (restore.go).
	seen *seenQueue
}

// NewQueueClient uses c's server, identity and key.
func NewQueueClient(c *Client) *QueueClient {
	return &QueueClient{c: c, retries: 4, backoff: 200 * time.Millisecond,
		reconnect: time.Second, maxReconnect: 15 * time.Second, silence: 3 * keepAliveEvery, seen: &seenQueue{}}
}

var (
	_ queue.Engine = (*QueueClient)(nil)
	_ queue.Picker = (*QueueClient)(nil)
	_ queue.Pauser = (*QueueClient)(nil)
)

// errQueueUnreachable is what the clerk reads when the server does not
// answer.
func errQueueUnreachable(err error) error {
	return errors.Join(fault.New(fault.Internal, "The office queue server does not answer: check the network and try again", nil),
		fmt.Errorf("%w: %w: %v", ErrUnreachable, queue.ErrUnreachable, err))
}

// do sends a request (signed when the client holds a key) on behalf of the
// clerk operator, and decodes the answer into out. A refusal is the
// domain error the server gave; no answer is ErrUnreachable.
func (qc *QueueClient) do(ctx context.Context, method, path, operator string, in, out any) error {
	err := qc.c.send(ctx, method, path, operator, MaxBodyBytes, in, out)
	if err == nil {
		qc.seen.note(out)
	}
	var se *ServerError
	switch {
	case errors.As(err, &se):
		return se.Fault()
	case errors.Is(err, ErrUnreachable):
		return errQueueUnreachable(err)
	}
	return err
}

// QueueOffice returns the services and the counters.
func (qc *QueueClient) QueueOffice(ctx context.Context) (queue.Office, error) {
	var o queue.Office
	return o, qc.do(ctx, http.MethodGet, "/v1/queue/office", "", nil, &o)
}

// IssueTicket gives a new ticket of the service.
func (qc *QueueClient) IssueTicket(ctx context.Context, operator string, service string, priority bool) (queue.Issued, error) {
	var is IssuedAnswer
	if err := qc.do(ctx, http.MethodPost, "/v1/queue/issue", operator, IssueRequest{Service: service, Priority: priority}, &is); err != nil {
		return is.Issued, err
	}
	// A restored server: report what this client saw (the ticket just
	// issued is already above all of it).
	qc.noticeEpoch(ctx, is.Epoch)
	return is.Issued, nil
}

// CallNext calls the next ticket for the counter. A call that got no
// answer is sent again with the same callID, which the server answers with
// the ticket it called the first time, if it did.
func (qc *QueueClient) CallNext(ctx context.Context, operator, counter, callID string) (queue.Ticket, error) {
	var t queue.Ticket
	wait := qc.backoff
	for attempt := 0; ; attempt++ {
		err := qc.do(ctx, http.MethodPost, "/v1/queue/call-next", operator, CallNextRequest{Counter: counter, CallID: callID}, &t)
		if err == nil || !errors.Is(err, ErrUnreachable) || attempt >= qc.retries {
			return t, err
		}
		select {
		case <-ctx.Done():
			return t, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// ticket runs an action on one ticket.
func (qc *QueueClient) ticket(ctx context.Context, operator string, id int64, action string, req TicketRequest) (queue.Ticket, error) {
	var t queue.Ticket
	path := "/v1/queue/tickets/" + strconv.FormatInt(id, 10) + "/" + action
	return t, qc.do(ctx, http.MethodPost, path, operator, req, &t)
}

// CallTicket calls one chosen waiting ticket at counter.
func (qc *QueueClient) CallTicket(ctx context.Context, operator, counter string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "call", TicketRequest{Counter: counter})
}

// RecallTicket calls a called ticket again.
func (qc *QueueClient) RecallTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "recall", TicketRequest{})
}

// StartTicket records that the person reached the counter.
func (qc *QueueClient) StartTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "start", TicketRequest{})
}

// FinishTicket ends the service, with what was done.
func (qc *QueueClient) FinishTicket(ctx context.Context, operator string, ticketID int64, outcome string) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "finish", TicketRequest{Outcome: outcome})
}

// NoShowTicket records that the person called did not come.
func (qc *QueueClient) NoShowTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "no-show", TicketRequest{})
}

// ReactivateTicket puts a no-show back in its line.
func (qc *QueueClient) ReactivateTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "reactivate", TicketRequest{})
}

// TransferTicket sends the ticket to another service's line; it returns
// the new ticket.
func (qc *QueueClient) TransferTicket(ctx context.Context, operator string, ticketID int64, service string) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "transfer", TicketRequest{Service: service})
}

// HoldTicket parks the ticket being served.
func (qc *QueueClient) HoldTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "hold", TicketRequest{})
}

// ResumeTicket calls a ticket on hold again, at counter.
func (qc *QueueClient) ResumeTicket(ctx context.Context, operator string, ticketID int64, counter string) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "resume", TicketRequest{Counter: counter})
}

// CancelTicket withdraws a waiting ticket.
func (qc *QueueClient) CancelTicket(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "cancel", TicketRequest{})
}

// QueueStatus is the snapshot a counter panel shows.
// A status with another epoch than before (a server restored from a
// backup) is read again after the report of what this client saw.
func (qc *QueueClient) QueueStatus(ctx context.Context) (queue.Status, error) {
	var st DeskStatus
	if err := qc.do(ctx, http.MethodGet, "/v1/queue/desk/status", "", nil, &st); err != nil {
		return st.Status, err
	}
	if reported, err := qc.noticeEpoch(ctx, st.Epoch); err != nil || !reported {
		return st.Status, nil
	}
	st = DeskStatus{}
	return st.Status, qc.do(ctx, http.MethodGet, "/v1/queue/desk/status", "", nil, &st)
}

// QueueEvents returns up to limit events after seq after (the server
// sends at most maxReplay at a time).
func (qc *QueueClient) QueueEvents(ctx context.Context, after int64, limit int) ([]queue.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	var page EventsPage
	path := "/v1/queue/events?poll=1&after=" + strconv.FormatInt(after, 10) + "&limit=" + strconv.Itoa(limit)
	if err := qc.do(ctx, http.MethodGet, path, "", nil, &page); err != nil {
		return nil, err
	}
	if page.Full != nil {
		// The server cannot go on from this cursor (it was restored from
		// a backup): one restore event at its last sequence tells the
		// caller to read the status again.
		return []queue.Event{{Seq: page.Seq, Action: queue.ActRestore}}, nil
	}
	var out []queue.Event
	for _, e := range page.Events {
		out = append(out, e.Event())
	}
	return out, nil
}

// QueueSeq is the sequence number of the last queue event.
func (qc *QueueClient) QueueSeq(ctx context.Context) (int64, error) {
	var out SeqResponse
	return out.Seq, qc.do(ctx, http.MethodGet, "/v1/queue/seq", "", nil, &out)
}

// QueueTickets returns the tickets of the days from..to.
func (qc *QueueClient) QueueTickets(ctx context.Context, from, to registry.Date) ([]queue.Ticket, error) {
	var ts []queue.Ticket
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	return ts, qc.do(ctx, http.MethodGet, "/v1/queue/desk/tickets?"+q.Encode(), "", nil, &ts)
}

// QueueNoShows returns today's no-shows, the most recent first.
func (qc *QueueClient) QueueNoShows(ctx context.Context) ([]queue.Ticket, error) {
	var ts []queue.Ticket
	return ts, qc.do(ctx, http.MethodGet, "/v1/queue/desk/no-shows", "", nil, &ts)
}

// PauseCounter starts a pause or back-office time at counter.
func (qc *QueueClient) PauseCounter(ctx context.Context, operator, counter string, kind queue.PauseKind) (queue.Pause, error) {
	var p queue.Pause
	return p, qc.do(ctx, http.MethodPost, "/v1/queue/pause", operator, PauseRequest{Counter: counter, Kind: kind}, &p)
}

// EndPause ends the running pause at counter.
func (qc *QueueClient) EndPause(ctx context.Context, operator, counter string) (queue.Pause, error) {
	var p queue.Pause
	return p, qc.do(ctx, http.MethodPost, "/v1/queue/end-pause", operator, PauseRequest{Counter: counter}, &p)
}

// OpenPauses returns today's running pauses by counter code.
func (qc *QueueClient) OpenPauses(ctx context.Context) (map[string]queue.Pause, error) {
	var ps map[string]queue.Pause
	return ps, qc.do(ctx, http.MethodGet, "/v1/queue/desk/pauses", "", nil, &ps)
}

// CheckInAppointment turns a booking code into a ticket, for a desk's
// kiosk screen.
func (qc *QueueClient) CheckInAppointment(ctx context.Context, code string) (queue.Issued, error) {
	var is queue.Issued
	return is, qc.do(ctx, http.MethodPost, "/v1/queue/check-in", "", CheckInRequest{Code: code}, &is)
}

// BoardStatus is the waiting room's view (public).
func (qc *QueueClient) BoardStatus(ctx context.Context) (BoardStatus, error) {
	var st BoardStatus
	return st, qc.do(ctx, http.MethodGet, "/v1/queue/status", "", nil, &st)
}

// KioskIssue takes a ticket as the kiosk does (public).
func (qc *QueueClient) KioskIssue(ctx context.Context, service string, priority bool) (TicketReceipt, error) {
	var r TicketReceipt
	return r, qc.do(ctx, http.MethodPost, "/v1/queue/kiosk/issue", "", IssueRequest{Service: service, Priority: priority}, &r)
}

// KioskCheckIn turns a booking code into a ticket (public).
func (qc *QueueClient) KioskCheckIn(ctx context.Context, code string) (TicketReceipt, error) {
	var r TicketReceipt
	return r, qc.do(ctx, http.MethodPost, "/v1/queue/kiosk/check-in", "", CheckInRequest{Code: code}, &r)
}

// Ticket is the "where is my ticket" view of the ticket uid (public).
func (qc *QueueClient) Ticket(ctx context.Context, uid string) (TicketView, error) {
	var v TicketView
	return v, qc.do(ctx, http.MethodGet, "/v1/queue/tickets/"+url.PathEscape(uid), "", nil, &v)
}

// Follow follows the queue's events from the sequence number after (0: a
// first connection, which starts with the full status) until ctx ends. It
// calls full with the whole status when the server sends it, and event
// with each event in order; both are called on Follow's goroutine. A
// dropped or silent stream is opened again with Last-Event-ID, after a
// wait that grows while the server stays away. It returns ctx's error.
func (qc *QueueClient) Follow(ctx context.Context, after int64, full func(BoardStatus), event func(QueueEvent)) error {
	hc := *qc.c.http
	hc.Timeout = 0 // a stream lasts as long as it lasts
	wait := qc.reconnect
	for {
		got, err := qc.stream(ctx, &hc, &after, full, event)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if got {
			wait = qc.reconnect
		}
		_ = err // the stream dropped: open it again
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, qc.maxReconnect)
	}
}

// FollowBoard keeps a board's picture of the queue until ctx ends: it
// calls show with the picture after each full status (e nil) and after
// each event (e the event, to announce a call). When an event cannot be
// followed (the daily reset) it reads the status again. show is called on
// FollowBoard's goroutine.
func (qc *QueueClient) FollowBoard(ctx context.Context, show func(st BoardStatus, e *QueueEvent)) error {
	var b *BoardState
	return qc.Follow(ctx, 0, func(st BoardStatus) {
		if reported, err := qc.noticeEpoch(ctx, st.Epoch); err == nil && reported {
			if again, err := qc.BoardStatus(ctx); err == nil {
				st = again
			}
		}
		qc.sawBoard(st)
		b = NewBoardState(st)
		show(b.Status(), nil)
	}, func(e QueueEvent) {
		qc.seen.note(&e)
		if b == nil || !b.Apply(e) {
			st, err := qc.BoardStatus(ctx)
			if err != nil {
				b = nil // read again at the next event
				return
			}
			b = NewBoardState(st)
		}
		show(b.Status(), &e)
	})
}

// stream reads one connection's events; got says whether it read any.
func (qc *QueueClient) stream(ctx context.Context, hc *http.Client, after *int64, full func(BoardStatus), event func(QueueEvent)) (got bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, qc.c.base+"/v1/queue/events", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if *after > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(*after, 10))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return false, fmt.Errorf("queue events: status %d", resp.StatusCode)
	}
	// A stream that sends nothing, not even keep-alives, is dead.
	watchdog := time.AfterFunc(qc.silence, cancel)
	defer watchdog.Stop()
	rd := bufio.NewReader(resp.Body)
	var id, kind string
	var data strings.Builder
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return got, err
		}
		watchdog.Reset(qc.silence)
		line = strings.TrimRight(line, "\r\n")
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data.Len() > 0 {
				if err := dispatch(kind, data.String(), full, event); err != nil {
					return got, err
				}
				got = true
				if seq, err := strconv.ParseInt(id, 10, 64); err == nil {
					*after = seq
				}
			}
			kind = ""
			data.Reset()
		case field == "": // a comment: keep-alive
		case field == "id":
			id = value
		case field == "event":
			kind = value
		case field == "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
}

func dispatch(kind, data string, full func(BoardStatus), event func(QueueEvent)) error {
	if kind == "full" {
		var st BoardStatus
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return fmt.Errorf("queue events: %w", err)
		}
		full(st)
		return nil
	}
	var e QueueEvent
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return fmt.Errorf("queue events: %w", err)
	}
	event(e)
	return nil
}

// BoardState is a board's picture of the queue, kept up to date from a
// full status and the events that follow it, as the server would show it.
type BoardState struct {
	st BoardStatus
}

// NewBoardState starts from a full status.
func NewBoardState(st BoardStatus) *BoardState {
	b := &BoardState{}
	b.Reset(st)
	return b
}

// Reset replaces the picture with a full status.
func (b *BoardState) Reset(st BoardStatus) {
	b.st = copyStatus(st)
}

// Status is the picture now.
func (b *BoardState) Status() BoardStatus { return copyStatus(b.st) }

// Seq is the last event applied.
func (b *BoardState) Seq() int64 { return b.st.Seq }

func copyStatus(st BoardStatus) BoardStatus {
	out := st
	out.Services = slices.Clone(st.Services)
	out.LastCalls = slices.Clone(st.LastCalls)
	out.Counters = make([]BoardCounter, len(st.Counters))
	for i, c := range st.Counters {
		out.Counters[i] = c
		if c.Current != nil {
			t := *c.Current
			out.Counters[i].Current = &t
		}
		out.Counters[i].Held = slices.Clone(c.Held)
	}
	return out
}

// Apply brings the picture forward by one event; an event already applied
// is ignored. It reports false when the event cannot be followed from the
// picture (a daily reset, another day, an unknown service): then fetch the
// full status and Reset.
func (b *BoardState) Apply(e QueueEvent) bool {
	if e.Seq <= b.st.Seq {
		return true
	}
	if queue.DayOf(e.At).String() != b.st.Day {
		return false
	}
	st := &b.st
	line := func() *BoardService {
		for i := range st.Services {
			if st.Services[i].Code == e.Service {
				return &st.Services[i]
			}
		}
		return nil
	}
	counter := func(code string) *BoardCounter {
		for i := range st.Counters {
			if st.Counters[i].Code == code {
				return &st.Counters[i]
			}
		}
		st.Counters = append(st.Counters, BoardCounter{Code: code, Name: code})
		return &st.Counters[len(st.Counters)-1]
	}
	t := BoardTicket{ID: e.TicketID, Label: e.Label, Service: e.Service, Counter: e.Counter, State: e.State, Priority: e.Priority}
	// What the event changes of a ticket already shown.
	for i := range st.LastCalls {
		if c := &st.LastCalls[i]; c.ID == e.TicketID {
			c.State, c.Counter = e.State, e.Counter
			t.CalledAt = c.CalledAt
		}
	}
	for i := range st.Counters {
		c := &st.Counters[i]
		if c.Current != nil && c.Current.ID == e.TicketID {
			t.CalledAt = c.Current.CalledAt
			c.Current = nil
		}
		c.Held = slices.DeleteFunc(c.Held, func(h BoardTicket) bool {
			if h.ID == e.TicketID {
				t.CalledAt = h.CalledAt
				return true
			}
			return false
		})
	}
	waiting := func(delta int) bool {
		l := line()
		if l == nil {
			return false
		}
		l.Waiting += delta
		return true
	}
	switch queue.Action(e.Action) {
	case queue.ActIssue, queue.ActReactivate:
		if !waiting(1) {
			return false
		}
	case queue.ActCancel:
		if !waiting(-1) {
			return false
		}
	case queue.ActCall, queue.ActResume, queue.ActRecall:
		if queue.Action(e.Action) == queue.ActCall && !waiting(-1) {
			return false
		}
		t.CalledAt = e.At.UTC()
		if queue.Action(e.Action) == queue.ActRecall {
			for i := range st.LastCalls {
				if st.LastCalls[i].ID == e.TicketID {
					st.LastCalls[i].CalledAt = t.CalledAt
				}
			}
		} else {
			st.LastCalls = slices.DeleteFunc(st.LastCalls, func(c BoardTicket) bool { return c.ID == e.TicketID })
			st.LastCalls = slices.Insert(st.LastCalls, 0, t)
			st.LastCalls = st.LastCalls[:min(len(st.LastCalls), statusLastCalls)]
		}
	case queue.ActTransfer:
		if queue.State(e.State) == queue.Waiting && !waiting(1) {
			return false
		}
	case queue.ActStart, queue.ActFinish, queue.ActNoShow, queue.ActHold:
	default: // the daily reset, or an action this board does not know
		return false
	}
	switch queue.State(e.State) {
	case queue.Called, queue.Serving:
		counter(e.Counter).Current = &t
	case queue.OnHold:
		c := counter(e.Counter)
		c.Held = append(c.Held, t)
		slices.SortFunc(c.Held, func(a, b BoardTicket) int { return int(a.ID - b.ID) })
	}
	st.Seq = e.Seq
	return true
}

// statusLastCalls is how many last calls the status carries (as the
// store's).
const statusLastCalls = 8
