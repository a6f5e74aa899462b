package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
	"sportello/store"
)

// Server is sportellod's HTTP API over its store.
type Server struct {
	store *store.Store
	mux   *http.ServeMux
	log   *slog.Logger
	now   func() time.Time
	snap  snapshots // the register files new desks start from
	// Municipality names the municipality on the web pages ("Comune di
	// Anagni"); "" shows a generic name.
	Municipality string
	// Hook, when set, hears "push_applied" once a push is committed and
	// before the answer goes out, "changes_read" before a page goes out.
	// The fault tests kill the server there.
	Hook func(step string)
}

// NewServer makes the API of st. Logs carry methods, paths, desk ids and
// error codes, never personal data.
func NewServer(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{store: st, mux: http.NewServeMux(), log: log, now: time.Now}
	s.snap.dir = st.Path() + ".snapshots"
	s.routes()
	return s
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	s.mux.HandleFunc("POST /v1/enrol", s.versioned(s.handleEnrol))
	s.mux.HandleFunc("GET /v1/status", s.desk(s.handleStatus))
	s.mux.HandleFunc("POST /v1/push", s.desk(s.handlePush))
	s.mux.HandleFunc("GET /v1/changes", s.desk(s.handleChanges))
	s.mux.HandleFunc("POST /v1/login", s.desk(s.handleLogin))
	s.mux.HandleFunc("GET /v1/snapshot", s.desk(s.handleSnapshotInfo))
	s.mux.HandleFunc("GET /v1/snapshot/file/{name}", s.desk(s.handleSnapshotFile))
	s.queueRoutes()
	s.webRoutes()
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, ErrorBody{Code: fault.NotFound, Message: "No such API endpoint"})
	})
}

// deskKey is the context key of the authenticated desk.
type deskKey struct{}

// requestDesk is the desk that signed the request.
func requestDesk(ctx context.Context) store.EnrolledDesk {
	d, _ := ctx.Value(deskKey{}).(store.EnrolledDesk)
	return d
}

// versioned refuses clients of another protocol version.
func (s *Server) versioned(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(ClientHeader); v != APIVersion {
			writeError(w, http.StatusBadRequest, ErrorBody{Code: CodeClientVersion,
				Message: "This desk speaks version {{.Client}} of the protocol, the server version {{.Server}}: update the desk",
				Args:    map[string]any{"Client": v, "Server": APIVersion}})
			return
		}
		h(w, r)
	}
}

// desk authenticates a desk's request: its id, the time, and an Ed25519
// signature with its enrolled key over method, path, time and body hash.
func (s *Server) desk(h http.HandlerFunc) http.HandlerFunc {
	return s.versioned(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r, MaxBodyBytes)
		if err != nil {
			return
		}
		d, err := s.store.Desk(r.Context(), r.Header.Get(DeskHeader))
		if err != nil {
			s.log.Info("refused request", "path", r.URL.Path, "reason", "unknown desk")
			writeError(w, http.StatusUnauthorized, ErrorBody{Code: CodeUnauthorised, Message: "This desk is not enrolled at the server"})
			return
		}
		at, err := strconv.ParseInt(r.Header.Get(TimeHeader), 10, 64)
		sig, _ := hex.DecodeString(r.Header.Get(SignatureHeader))
		skew := s.now().Unix() - at
		if err != nil || skew > SignatureSkew || skew < -SignatureSkew ||
			!ed25519.Verify(d.PublicKey, signedMessage(r.Method, r.URL.RequestURI(), at, r.Header.Get(OperatorHeader), body), sig) {
			s.log.Info("refused request", "path", r.URL.Path, "desk", d.DeskID, "reason", "bad signature or clock")
			writeError(w, http.StatusUnauthorized, ErrorBody{Code: CodeUnauthorised,
				Message: "The server refused the desk's signature: check the desk's clock, or enrol the desk again"})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r.WithContext(context.WithValue(r.Context(), deskKey{}, d)))
	})
}

// signedMessage is what a desk signs: the request, its time, the clerk
// it acts for (the operator header, "" when none) and the body's hash.
func signedMessage(method, uri string, at int64, operator string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(method + "\n" + uri + "\n" + strconv.FormatInt(at, 10) + "\n" + operator + "\n" + hex.EncodeToString(sum[:]))
}

// readBody reads at most limit bytes of the body; a larger one is answered
// 413 and err is set.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorBody{Code: CodeTooLarge, Message: "The request is too large"})
		return nil, err
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The request could not be read"})
		return nil, err
	}
	return body, nil
}

// decode reads a JSON body into v; a malformed one is answered 400.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	body, err := readBody(w, r, limit)
	if err != nil {
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The request is not valid JSON of the expected shape"})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e ErrorBody) {
	writeJSON(w, status, e)
}

// writeFault answers a store error: a domain error with its code and
// message, anything else as an internal error (logged without data).
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, err error) {
	var f *fault.Error
	if errors.As(err, &f) {
		status := map[string]int{fault.Invalid: http.StatusBadRequest, fault.NotFound: http.StatusNotFound,
			fault.Conflict: http.StatusConflict, fault.Forbidden: http.StatusForbidden}[f.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeError(w, status, ErrorBody{Code: f.Code, Message: f.Message, Args: f.Args})
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, ErrorBody{Code: fault.Internal, Message: "The server could not complete the request: try again"})
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	var req EnrolRequest
	if !decode(w, r, MaxEnrolBytes, &req) {
		return
	}
	pub, err := hex.DecodeString(req.PublicKey)
	if err != nil {
		pub = nil
	}
	d, err := s.store.Enrol(r.Context(), req.Code, req.DeskID, req.DeskCode, pub)
	if err != nil {
		s.log.Info("enrolment refused", "desk_code", strings.ToUpper(req.DeskCode), "code", fault.Code(err))
		s.writeFault(w, r, err)
		return
	}
	epoch, err := s.store.Epoch(r.Context())
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	s.log.Info("desk enrolled", "desk", d.DeskID, "desk_code", d.DeskCode)
	writeJSON(w, http.StatusOK, EnrolResponse{DeskID: d.DeskID, KeyID: d.KeyID, Epoch: epoch, LastSeq: d.LastSeq})
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	d := requestDesk(r.Context())
	epoch, err := s.store.Epoch(r.Context())
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	seq, err := s.store.ChangeSeq(r.Context())
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	social, err := s.store.DeskSocial(r.Context(), d.DeskID)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Status{Epoch: epoch, LastSeq: d.LastSeq, ChangeSeq: seq, ServerTime: s.now().UTC().Format(time.RFC3339), Social: social})
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	d := requestDesk(r.Context())
	var req PushRequest
	if !decode(w, r, MaxBodyBytes, &req) {
		return
	}
	if len(req.Mutations) > MaxPushBatch {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorBody{Code: CodeTooLarge, Message: "The request is too large"})
		return
	}
	epoch, err := s.store.Epoch(r.Context())
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	results, last, err := s.store.ApplyPush(r.Context(), d.DeskID, req.Mutations)
	var gap store.ErrSeqGap
	if errors.As(err, &gap) {
		writeJSON(w, http.StatusConflict, ErrorBody{Code: CodeSeqGap, Message: "The server expects the desk's changes from number {{.Next}}",
			Args: map[string]any{"Next": gap.LastSeq + 1}, LastSeq: &gap.LastSeq})
		return
	}
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	if s.Hook != nil {
		s.Hook("push_applied")
	}
	s.log.Info("push", "desk", d.DeskID, "mutations", len(req.Mutations), "last_seq", last)
	writeJSON(w, http.StatusOK, PushResponse{Epoch: epoch, LastSeq: last, Results: results})
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil || after < 0 {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The cursor of the changes is not a number"})
		return
	}
	limit := PullPageSize
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	page, err := s.store.Changes(r.Context(), after, limit, requestDesk(r.Context()).DeskID)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	if s.Hook != nil {
		s.Hook("changes_read")
	}
	writeJSON(w, http.StatusOK, page)
}
