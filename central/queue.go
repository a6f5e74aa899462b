package central

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// The office queue over HTTP. With a server configured, the office's one
// queue lives in sportellod's store and every desk, kiosk and board uses it:
//
//   - desks call the routes under /v1/queue/ with signed requests (as every
//     desk request), naming the clerk in OperatorHeader; the answers are
//     the queue package's types in Go's default JSON encoding;
//   - kiosks, boards and citizens' phones on the office network use the
//     public routes, which carry no clerk names, outcomes or other detail
//     beyond what the waiting room sees.

// OperatorHeader names the clerk on whose behalf a desk works the queue.
const OperatorHeader = "Sportello-Operator"

// kioskOperator is who the store records for a ticket taken at a kiosk.
const kioskOperator = "kiosk"

// maxTicketDays is the longest range of days the statistics may ask for.
const maxTicketDays = 400

// IssueRequest asks for a ticket of a service.
type IssueRequest struct {
	Service  string `json:"service"`
	Priority bool   `json:"priority,omitempty"`
}

// CallNextRequest calls the next ticket at a counter; the same CallID
// always returns the same ticket.
type CallNextRequest struct {
	Counter string `json:"counter"`
	CallID  string `json:"call_id"`
}

// TicketRequest carries what a ticket's action needs besides the ticket:
// the counter (call, resume), the outcome (finish) or the service
// (transfer).
type TicketRequest struct {
	Counter string `json:"counter,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Service string `json:"service,omitempty"`
}

// PauseRequest starts (Kind set) or ends a counter's pause.
type PauseRequest struct {
	Counter string          `json:"counter"`
	Kind    queue.PauseKind `json:"kind,omitempty"`
}

// CheckInRequest turns a booking code into a ticket.
type CheckInRequest struct {
	Code string `json:"code"`
}

// SeqResponse is the sequence number of the last queue event.
type SeqResponse struct {
	Seq int64 `json:"seq"`
}

// BoardStatus is the queue as the waiting room sees it: people waiting per
// service, what each counter is doing and the last calls. It carries
// ticket labels only, never clerks or outcomes.
type BoardStatus struct {
	Seq       int64          `json:"seq"`   // the last event included
	Day       string         `json:"day"`   // YYYY-MM-DD, Europe/Rome
	Epoch     string         `json:"epoch"` // new after a restore from a backup
	Services  []BoardService `json:"services"`
	Counters  []BoardCounter `json:"counters"`
	LastCalls []BoardTicket  `json:"last_calls"` // most recent first
}

// BoardService is one service's line.
type BoardService struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Open    bool   `json:"open"`
	Waiting int    `json:"waiting"`
}

// BoardCounter is a counter and the ticket it called or serves.
type BoardCounter struct {
	Code    string        `json:"code"`
	Name    string        `json:"name"`
	Current *BoardTicket  `json:"current,omitempty"`
	Held    []BoardTicket `json:"held,omitempty"` // on hold, by ticket id
}

// BoardTicket is a ticket as the board shows it.
type BoardTicket struct {
	ID       int64     `json:"id"`
	Label    string    `json:"label"`
	Service  string    `json:"service"`
	Counter  string    `json:"counter,omitempty"`
	State    string    `json:"state"`
	Priority bool      `json:"priority,omitempty"`
	CalledAt time.Time `json:"called_at"`
}

// TicketReceipt is what a kiosk shows of the ticket it gave.
type TicketReceipt struct {
	UID         string    `json:"uid"` // unguessable: the "where is my ticket" page
	Label       string    `json:"label"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	Priority    bool      `json:"priority,omitempty"`
	Ahead       int       `json:"ahead"`
	WaitMinutes int       `json:"wait_minutes"`
	ArrivedAt   time.Time `json:"arrived_at"`
	URL         string    `json:"url"` // path of the ticket's page
}

// TicketView is what the citizen's "where is my ticket" page shows.
type TicketView struct {
	Label       string    `json:"label"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	State       string    `json:"state"`
	Ahead       int       `json:"ahead"`        // while waiting
	WaitMinutes int       `json:"wait_minutes"` // estimated, while waiting
	Counter     string    `json:"counter,omitempty"`
	CounterName string    `json:"counter_name,omitempty"`
	CalledAt    time.Time `json:"called_at"`
	Day         string    `json:"day"`
}

// queueAPI serves the office queue over the server's store.
type queueAPI struct {
	s              *Server
	calls          *callBatcher // call-nexts arriving together share a transaction
	hub            *eventHub
	streams        *openCount // open event streams per address
	pollEvery      time.Duration
	keepAliveEvery time.Duration
}

// queueRoutes adds the queue's routes.
func (s *Server) queueRoutes() {
	q := &queueAPI{s: s, hub: newEventHub(), pollEvery: pollEvery, keepAliveEvery: keepAliveEvery, calls: &callBatcher{st: s.store},
		streams: newOpenCount(maxStreamsPerAddr)}
	// Desks: signed.
	s.mux.HandleFunc("GET /v1/queue/office", s.desk(0, q.handleOffice))
	s.mux.HandleFunc("GET /v1/queue/desk/status", s.desk(0, q.handleDeskStatus))
	s.mux.HandleFunc("GET /v1/queue/desk/tickets", s.desk(0, q.handleTickets))
	s.mux.HandleFunc("GET /v1/queue/desk/channels", s.desk(0, q.handleChannels))
	s.mux.HandleFunc("GET /v1/queue/desk/no-shows", s.desk(0, q.handleNoShows))
	s.mux.HandleFunc("GET /v1/queue/desk/pauses", s.desk(0, q.handlePauses))
	s.mux.HandleFunc("POST /v1/queue/issue", s.desk(MaxSmallBytes, q.handleIssue))
	s.mux.HandleFunc("POST /v1/queue/call-next", s.desk(MaxSmallBytes, q.handleCallNext))
	s.mux.HandleFunc("POST /v1/queue/tickets/{id}/{action}", s.desk(MaxSmallBytes, q.handleTicket))
	s.mux.HandleFunc("POST /v1/queue/pause", s.desk(MaxSmallBytes, q.handlePause))
	s.mux.HandleFunc("POST /v1/queue/end-pause", s.desk(MaxSmallBytes, q.handleEndPause))
	s.mux.HandleFunc("POST /v1/queue/check-in", s.desk(MaxSmallBytes, q.handleDeskCheckIn))
	s.mux.HandleFunc("POST /v1/queue/report", s.desk(maxReportBytes, q.handleReport))
	s.officeSetupRoutes(q)
	// Kiosks: an enrolled desk's signature or a kiosk device's credential.
	s.mux.HandleFunc("POST /v1/queue/kiosk/issue", s.kiosk(q.handleKioskIssue))
	s.mux.HandleFunc("POST /v1/queue/kiosk/check-in", s.kiosk(q.handleCheckIn))
	// Boards and phones: public reads, limited by address.
	s.mux.HandleFunc("GET /v1/queue/status", q.handleBoardStatus)
	s.mux.HandleFunc("GET /v1/queue/seq", q.handleSeq)
	s.mux.HandleFunc("GET /v1/queue/events", q.handleEvents)
	s.mux.HandleFunc("GET /v1/queue/tickets/{uid}", q.handleTicketView)
}

// operator is the clerk the desk names; the store refuses an empty one.
func operator(r *http.Request) string {
	return strings.TrimSpace(r.Header.Get(OperatorHeader))
}

// answer writes v, or the error; a change wakes the event streams.
func (q *queueAPI) answer(w http.ResponseWriter, r *http.Request, v any, err error, changed bool) {
	if err != nil {
		q.s.writeFault(w, r, err)
		return
	}
	if changed {
		q.hub.notify()
	}
	writeJSON(w, http.StatusOK, v)
}

func (q *queueAPI) handleOffice(w http.ResponseWriter, r *http.Request) {
	o, err := q.s.store.QueueOffice(r.Context())
	q.answer(w, r, o, err, false)
}

func (q *queueAPI) handleDeskStatus(w http.ResponseWriter, r *http.Request) {
	st, err := q.s.store.QueueStatus(r.Context())
	if err != nil {
		q.s.writeFault(w, r, err)
		return
	}
	epoch, err := q.s.store.Epoch(r.Context())
	q.answer(w, r, DeskStatus{Status: st, Epoch: epoch}, err, false)
}

func (q *queueAPI) handleTickets(w http.ResponseWriter, r *http.Request) {
	from, to, ok := dayRange(w, r)
	if !ok {
		return
	}
	ts, err := q.s.store.QueueTickets(r.Context(), from, to)
	q.answer(w, r, ts, err, false)
}

// dayRange reads the from..to days of a statistics request, at most
// maxTicketDays apart; it answers 400 itself when they are not.
func dayRange(w http.ResponseWriter, r *http.Request) (registry.Date, registry.Date, bool) {
	from, err1 := registry.ParseDate(r.URL.Query().Get("from"))
	to, err2 := registry.ParseDate(r.URL.Query().Get("to"))
	if err1 != nil || err2 != nil || !from.Valid() || !to.Valid() || to.Before(from) ||
		to.Time().Sub(from.Time()) > maxTicketDays*24*time.Hour {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid,
			Message: "Give a range of days from..to of at most {{.Days}} days", Args: map[string]any{"Days": maxTicketDays}})
		return from, to, false
	}
	return from, to, true
}

func (q *queueAPI) handleNoShows(w http.ResponseWriter, r *http.Request) {
	ts, err := q.s.store.QueueNoShows(r.Context())
	q.answer(w, r, ts, err, false)
}

func (q *queueAPI) handlePauses(w http.ResponseWriter, r *http.Request) {
	ps, err := q.s.store.OpenPauses(r.Context())
	q.answer(w, r, ps, err, false)
}

func (q *queueAPI) handleIssue(w http.ResponseWriter, r *http.Request) {
	var req IssueRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	is, err := q.s.store.IssueTicket(r.Context(), operator(r), req.Service, req.Priority)
	if err != nil {
		q.s.writeFault(w, r, err)
		return
	}
	// A kiosk only issues: the epoch tells it of a restore.
	epoch, err := q.s.store.Epoch(r.Context())
	q.answer(w, r, IssuedAnswer{Issued: is, Epoch: epoch}, err, true)
}

func (q *queueAPI) handleCallNext(w http.ResponseWriter, r *http.Request) {
	var req CallNextRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	res := q.calls.call(r.Context(), store.CallRequest{Operator: operator(r), Counter: req.Counter, CallID: req.CallID})
	q.answer(w, r, res.Ticket, res.Err, true)
}

// ticketActions are the actions on one ticket, by the last segment of
// their path.
var ticketActions = map[string]func(ctx context.Context, q *queueAPI, op string, id int64, req TicketRequest) (queue.Ticket, error){
	"call": func(ctx context.Context, q *queueAPI, op string, id int64, req TicketRequest) (queue.Ticket, error) {
		return q.s.store.CallTicket(ctx, op, req.Counter, id)
	},
	"recall": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.RecallTicket(ctx, op, id)
	},
	"start": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.StartTicket(ctx, op, id)
	},
	"finish": func(ctx context.Context, q *queueAPI, op string, id int64, req TicketRequest) (queue.Ticket, error) {
		return q.s.store.FinishTicket(ctx, op, id, req.Outcome)
	},
	"no-show": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.NoShowTicket(ctx, op, id)
	},
	"reactivate": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.ReactivateTicket(ctx, op, id)
	},
	"transfer": func(ctx context.Context, q *queueAPI, op string, id int64, req TicketRequest) (queue.Ticket, error) {
		return q.s.store.TransferTicket(ctx, op, id, req.Service)
	},
	"hold": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.HoldTicket(ctx, op, id)
	},
	"resume": func(ctx context.Context, q *queueAPI, op string, id int64, req TicketRequest) (queue.Ticket, error) {
		return q.s.store.ResumeTicket(ctx, op, id, req.Counter)
	},
	"cancel": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.CancelTicket(ctx, op, id)
	},
	"present": func(ctx context.Context, q *queueAPI, op string, id int64, _ TicketRequest) (queue.Ticket, error) {
		return q.s.store.MarkPresent(ctx, op, id) // a ticket taken from home: its holder is here
	},
}

func (q *queueAPI) handleTicket(w http.ResponseWriter, r *http.Request) {
	act, ok := ticketActions[r.PathValue("action")]
	if !ok {
		writeError(w, http.StatusNotFound, ErrorBody{Code: fault.NotFound, Message: "No such API endpoint"})
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The ticket in the request is not a ticket number"})
		return
	}
	var req TicketRequest
	if !decodeOptional(w, r, &req) {
		return
	}
	t, err := act(r.Context(), q, operator(r), id, req)
	q.answer(w, r, t, err, true)
}

func (q *queueAPI) handlePause(w http.ResponseWriter, r *http.Request) {
	var req PauseRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	p, err := q.s.store.PauseCounter(r.Context(), operator(r), req.Counter, req.Kind)
	q.answer(w, r, p, err, true)
}

func (q *queueAPI) handleEndPause(w http.ResponseWriter, r *http.Request) {
	var req PauseRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	p, err := q.s.store.EndPause(r.Context(), operator(r), req.Counter)
	q.answer(w, r, p, err, true)
}

// handleDeskCheckIn is a booking's check-in at a desk's own kiosk screen.
func (q *queueAPI) handleDeskCheckIn(w http.ResponseWriter, r *http.Request) {
	var req CheckInRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	is, err := q.s.store.CheckInAppointment(r.Context(), req.Code)
	q.answer(w, r, is, err, true)
}

func (q *queueAPI) handleBoardStatus(w http.ResponseWriter, r *http.Request) {
	st, err := boardStatus(r.Context(), q.s)
	q.answer(w, r, st, err, false)
}

func (q *queueAPI) handleSeq(w http.ResponseWriter, r *http.Request) {
	seq, err := q.s.store.QueueSeq(r.Context())
	q.answer(w, r, SeqResponse{Seq: seq}, err, false)
}

func (q *queueAPI) handleKioskIssue(w http.ResponseWriter, r *http.Request) {
	var req IssueRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	is, err := q.s.store.IssueTicket(r.Context(), kioskOperator, strings.ToUpper(strings.TrimSpace(req.Service)), req.Priority)
	q.answer(w, r, receipt(is), err, true)
}

func (q *queueAPI) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	var req CheckInRequest
	if !decode(w, r, MaxSmallBytes, &req) {
		return
	}
	is, err := q.s.store.CheckInAppointment(r.Context(), req.Code)
	q.answer(w, r, receipt(is), err, true)
}

func (q *queueAPI) handleTicketView(w http.ResponseWriter, r *http.Request) {
	v, err := ticketView(r.Context(), q.s, r.PathValue("uid"))
	q.answer(w, r, v, err, false)
}

// decodeOptional reads a JSON body that may be empty (an action that
// needs nothing but the ticket).
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readBody(w, r, MaxSmallBytes)
	if err != nil {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The request is not valid JSON of the expected shape"})
		return false
	}
	return true
}

// receipt is the public part of an issued ticket.
func receipt(is queue.Issued) TicketReceipt {
	t := is.Ticket
	return TicketReceipt{UID: t.UID, Label: t.Label, Service: t.Service, ServiceName: is.Service.Name, Priority: t.Priority,
		Ahead: is.Ahead, WaitMinutes: minutes(is.Wait), ArrivedAt: t.ArrivedAt, URL: "/ticket/" + t.UID}
}

// minutes rounds a wait up to whole minutes.
func minutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

// boardTicket is the public part of a ticket.
func boardTicket(t queue.Ticket) BoardTicket {
	return BoardTicket{ID: t.ID, Label: t.Label, Service: t.Service, Counter: t.Counter, State: string(t.State),
		Priority: t.Priority, CalledAt: t.CalledAt.UTC()}
}

// boardStatus is the waiting room's view of the queue now.
func boardStatus(ctx context.Context, s *Server) (BoardStatus, error) {
	st, err := s.store.QueueStatus(ctx)
	if err != nil {
		return BoardStatus{}, err
	}
	office, err := s.store.QueueOffice(ctx)
	if err != nil {
		return BoardStatus{}, err
	}
	b := publicStatus(st, office)
	b.Epoch, err = s.store.Epoch(ctx)
	return b, err
}

// publicStatus turns the store's snapshot into the board's view. Counters
// follow the office's order; one the office no longer has but that still
// holds a ticket comes after them.
func publicStatus(st queue.Status, office queue.Office) BoardStatus {
	b := BoardStatus{Seq: st.Seq, Day: st.Day.String(), Services: []BoardService{}, Counters: []BoardCounter{}, LastCalls: []BoardTicket{}}
	for _, l := range st.Lines {
		b.Services = append(b.Services, BoardService{Code: l.Service.Code, Name: l.Service.Name, Open: l.Service.Open, Waiting: l.Waiting})
	}
	known := map[string]bool{}
	for _, c := range office.Counters {
		known[c.Code] = true
		b.Counters = append(b.Counters, BoardCounter{Code: c.Code, Name: c.Name})
	}
	var extra []string
	for code := range st.Current {
		if !known[code] {
			known[code] = true
			extra = append(extra, code)
		}
	}
	for code := range st.Held {
		if !known[code] {
			known[code] = true
			extra = append(extra, code)
		}
	}
	slices.Sort(extra)
	for _, code := range extra {
		b.Counters = append(b.Counters, BoardCounter{Code: code, Name: code})
	}
	for i := range b.Counters {
		c := &b.Counters[i]
		if t, ok := st.Current[c.Code]; ok {
			bt := boardTicket(t)
			c.Current = &bt
		}
		for _, t := range st.Held[c.Code] {
			c.Held = append(c.Held, boardTicket(t))
		}
	}
	for _, t := range st.LastCall {
		b.LastCalls = append(b.LastCalls, boardTicket(t))
	}
	return b
}

// ticketView finds today's ticket by its unguessable uid, following a
// transfer to the ticket that now waits in the other line, and tells its
// position and estimated wait.
func ticketView(ctx context.Context, s *Server, uid string) (TicketView, error) {
	notFound := fault.New(fault.NotFound, "The ticket was not found", nil)
	if len(uid) != 26 {
		return TicketView{}, notFound
	}
	day := queue.DayOf(s.now())
	tickets, err := s.store.QueueTickets(ctx, day, day)
	if err != nil {
		return TicketView{}, err
	}
	i := slices.IndexFunc(tickets, func(t queue.Ticket) bool { return t.UID == uid })
	if i < 0 {
		return TicketView{}, lostOr(ctx, s, uid, notFound)
	}
	t := tickets[i]
	for t.State == queue.Transferred {
		j := slices.IndexFunc(tickets, func(c queue.Ticket) bool { return c.ParentID == t.ID })
		if j < 0 {
			break
		}
		t = tickets[j]
	}
	office, err := s.store.QueueOffice(ctx)
	if err != nil {
		return TicketView{}, err
	}
	v := TicketView{Label: t.Label, Service: t.Service, ServiceName: t.Service, State: string(t.State),
		Counter: t.Counter, CalledAt: t.CalledAt.UTC(), Day: t.Day.String()}
	if sv, ok := office.Service(t.Service); ok {
		v.ServiceName = sv.Name
	}
	counters := 0
	for _, c := range office.Counters {
		if c.Code == t.Counter {
			v.CounterName = c.Name
		}
		if slices.Contains(c.Services, t.Service) {
			counters++
		}
	}
	if t.State != queue.Waiting {
		return v, nil
	}
	// As the store estimates a wait at the kiosk: the tickets of the line
	// before it, and the median of the line's last service times.
	var recent []queue.Ticket
	for _, o := range tickets {
		switch {
		case o.Service != t.Service:
		case o.State == queue.Waiting && o.ID < t.ID:
			v.Ahead++
		case o.State == queue.Done && !o.StartedAt.IsZero() && o.EndedAt.After(o.StartedAt):
			recent = append(recent, o)
		}
	}
	slices.SortFunc(recent, func(a, b queue.Ticket) int { return b.EndedAt.Compare(a.EndedAt) })
	var times []time.Duration
	for _, o := range recent[:min(len(recent), 20)] {
		times = append(times, o.EndedAt.Sub(o.StartedAt))
	}
	v.WaitMinutes = minutes(queue.EstimateWait(v.Ahead, times, counters))
	return v, nil
}
