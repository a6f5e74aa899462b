package central

import (
	"context"
	"net/http"
	"strings"

	"sportello/fault"
	"sportello/queue"
)

// The office's set-up (services with their numbers, hours and counters,
// counters, calling policy) lives with the office's queue: at the server
// when the desks work its queue. A supervisor's desk edits it through
// these signed routes; any enrolled desk reads it, only a supervisor or an
// administrator of the server changes it.

// OfficeSetupAnswer is the office's set-up as the set-up screen reads it.
type OfficeSetupAnswer struct {
	Services []queue.ServiceSetup `json:"services"`
	Settings queue.Settings       `json:"settings"`
}

// maxSetupBytes bounds a set-up change's body.
const maxSetupBytes = 64 << 10

func (s *Server) officeSetupRoutes(q *queueAPI) {
	s.mux.HandleFunc("GET /v1/queue/setup", s.desk(0, q.handleSetup))
	s.mux.HandleFunc("POST /v1/queue/setup/service", s.desk(maxSetupBytes, q.handleSaveService))
	s.mux.HandleFunc("POST /v1/queue/setup/counter", s.desk(maxSetupBytes, q.handleSaveCounter))
	s.mux.HandleFunc("POST /v1/queue/setup/settings", s.desk(maxSetupBytes, q.handleSaveSettings))
}

func (q *queueAPI) handleSetup(w http.ResponseWriter, r *http.Request) {
	var a OfficeSetupAnswer
	var err error
	if a.Services, err = q.s.store.ServiceSetups(r.Context()); err == nil {
		a.Settings, err = q.s.store.QueueSettings(r.Context())
	}
	q.answer(w, r, a, err, false)
}

// setupOperator is the clerk a set-up change is made for, when the server
// knows them as a supervisor or an administrator; else the request is
// answered 403 before its body is decoded.
func (q *queueAPI) setupOperator(w http.ResponseWriter, r *http.Request) (string, bool) {
	op := operator(r)
	users, err := q.s.store.Users(r.Context())
	if err != nil {
		q.s.writeFault(w, r, err)
		return "", false
	}
	for _, u := range users {
		if op != "" && strings.EqualFold(u.Username, op) && u.Role.CanSetUpOffice() {
			return u.Username, true
		}
	}
	q.s.log.Info("refused request", "path", r.URL.Path, "desk", requestDesk(r.Context()).DeskID, "reason", "not a supervisor")
	q.s.writeFault(w, r, fault.New(fault.Forbidden, "Only a supervisor or an administrator may change the office set-up", nil))
	return "", false
}

func (q *queueAPI) handleSaveService(w http.ResponseWriter, r *http.Request) {
	op, ok := q.setupOperator(w, r)
	var ss queue.ServiceSetup
	if !ok || !decode(w, r, maxSetupBytes, &ss) {
		return
	}
	saved, err := q.s.store.SaveServiceSetup(r.Context(), op, ss)
	q.answer(w, r, saved, err, err == nil)
}

func (q *queueAPI) handleSaveCounter(w http.ResponseWriter, r *http.Request) {
	op, ok := q.setupOperator(w, r)
	var c queue.Counter
	if !ok || !decode(w, r, maxSetupBytes, &c) {
		return
	}
	saved, err := q.s.store.SaveCounter(r.Context(), op, c)
	q.answer(w, r, saved, err, err == nil)
}

func (q *queueAPI) handleSaveSettings(w http.ResponseWriter, r *http.Request) {
	op, ok := q.setupOperator(w, r)
	var qs queue.Settings
	if !ok || !decode(w, r, maxSetupBytes, &qs) {
		return
	}
	saved, err := q.s.store.SaveQueueSettings(r.Context(), op, qs)
	q.answer(w, r, saved, err, err == nil)
}

// ServiceSetups reads the services' set-up at the server.
func (qc *QueueClient) ServiceSetups(ctx context.Context) ([]queue.ServiceSetup, error) {
	var a OfficeSetupAnswer
	return a.Services, qc.do(ctx, http.MethodGet, "/v1/queue/setup", "", nil, &a)
}

// QueueSettings reads the calling policy and the other queue settings at
// the server.
func (qc *QueueClient) QueueSettings(ctx context.Context) (queue.Settings, error) {
	var a OfficeSetupAnswer
	return a.Settings, qc.do(ctx, http.MethodGet, "/v1/queue/setup", "", nil, &a)
}

// SaveServiceSetup changes a service's set-up at the server, for the
// supervisor operator.
func (qc *QueueClient) SaveServiceSetup(ctx context.Context, operator string, ss queue.ServiceSetup) (queue.ServiceSetup, error) {
	var out queue.ServiceSetup
	return out, qc.do(ctx, http.MethodPost, "/v1/queue/setup/service", operator, ss, &out)
}

// SaveCounter changes a counter at the server, for the supervisor
// operator.
func (qc *QueueClient) SaveCounter(ctx context.Context, operator string, c queue.Counter) (queue.Counter, error) {
	var out queue.Counter
	return out, qc.do(ctx, http.MethodPost, "/v1/queue/setup/counter", operator, c, &out)
}

// SaveQueueSettings changes the queue settings at the server, for the
// supervisor operator.
func (qc *QueueClient) SaveQueueSettings(ctx context.Context, operator string, qs queue.Settings) (queue.Settings, error) {
	var out queue.Settings
	return out, qc.do(ctx, http.MethodPost, "/v1/queue/setup/settings", operator, qs, &out)
}
