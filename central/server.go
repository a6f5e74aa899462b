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
	"mime"
	"net/http"
	"strconv"
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

	handler                                     http.Handler
	started                                     int64 // Unix second the server was made: requests signed before are refused
	replays                                     replays
	limits                                      Limits
	timeouts                                    Timeouts
	anon, anonWrite, refused, perDesk, perKiosk *limiter
	enrol                                       *enrolGuard
	bodies                                      *openCount // large bodies being read per desk, before their signature is known
}

// NewServer makes the API of st. Logs carry methods, paths, desk ids and
// error codes, never personal data.
func NewServer(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{store: st, mux: http.NewServeMux(), log: log, now: time.Now, replays: replays{seen: map[string]int64{}},
		bodies: newOpenCount(maxLargeBodies)}
	s.started = s.now().Unix()
	s.snap.dir = st.Path() + ".snapshots"
	s.SetLimits(DefaultLimits)
	s.SetTimeouts(DefaultTimeouts)
	s.routes()
	s.handler = s.edge(s.mux)
	return s
}

// SetLimits changes the rate limits (before the server serves); zero
// fields keep the defaults.
func (s *Server) SetLimits(l Limits) {
	l = l.withDefaults()
	s.limits = l
	s.anon, s.anonWrite, s.refused = newLimiter(l.Anonymous), newLimiter(l.AnonymousWrite), newLimiter(l.Refused)
	s.perDesk, s.perKiosk = newLimiter(l.Desk), newLimiter(l.Kiosk)
	s.enrol = newEnrolGuard(l)
}

// SetTimeouts changes the timeouts (before Configure and serving); zero
// fields keep the defaults.
func (s *Server) SetTimeouts(t Timeouts) { s.timeouts = t.withDefaults() }

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() {
	s.mux.HandleFunc("POST /v1/enrol", s.versioned(s.handleEnrol))
	s.mux.HandleFunc("GET /v1/status", s.desk(0, s.handleStatus))
	s.mux.HandleFunc("POST /v1/keys/rotate", s.desk(MaxSmallBytes, s.handleRotateKey))
	s.mux.HandleFunc("POST /v1/enrol/receipt", s.versioned(s.handleRecognise))
	s.mux.HandleFunc("POST /v1/push", s.desk(MaxBodyBytes, s.handlePush))
	s.mux.HandleFunc("GET /v1/changes", s.desk(0, s.handleChanges))
	s.mux.HandleFunc("POST /v1/login", s.desk(MaxSmallBytes, s.handleLogin))
	s.mux.HandleFunc("GET /v1/snapshot", s.desk(0, s.handleSnapshotInfo))
	s.mux.HandleFunc("GET /v1/snapshot/file/{name}", s.desk(0, s.handleSnapshotFile))
	s.queueRoutes()
	s.webRoutes()
	s.mux.HandleFunc("/v1/", s.notAllowed)
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

// desk authenticates a desk's request. Before it reads a byte of the body
// it checks the headers: the protocol version, the signature headers'
// form, the time window, that the desk is enrolled, and the declared
// length against limit, the route's largest body. Then it reads the body
// (each 64 KiB within the body timeout), verifies the Ed25519 signature
// with the desk's enrolled key and refuses a nonce it has seen.
func (s *Server) desk(limit int64, h http.HandlerFunc) http.HandlerFunc {
	return s.versioned(func(w http.ResponseWriter, r *http.Request) {
		addr, now := clientAddr(r), s.now()
		if blocked, wait := s.refused.blocked(addr, now); blocked {
			tooMany(w, wait)
			return
		}
		refuse := func(reason, message string, args map[string]any) {
			s.refused.allow(addr, now)
			desk := r.Header.Get(DeskHeader) // the caller's word: a desk id is 26 characters
			s.log.Info("refused request", "path", r.URL.Path, "desk", desk[:min(len(desk), 40)], "reason", reason)
			writeError(w, http.StatusUnauthorized, ErrorBody{Code: CodeUnauthorised, Reason: reason, Message: message, Args: args})
		}
		id, nonce := r.Header.Get(DeskHeader), r.Header.Get(NonceHeader)
		at, terr := strconv.ParseInt(r.Header.Get(TimeHeader), 10, 64)
		sig, serr := hex.DecodeString(r.Header.Get(SignatureHeader))
		if id == "" || terr != nil || serr != nil || len(sig) != ed25519.SignatureSize || !validNonce(nonce) {
			refuse(ReasonUnsigned, "The server could not read the desk's signature: update the desk", nil)
			return
		}
		if skew := now.Unix() - at; skew > SignatureSkew || skew < -SignatureSkew {
			refuse(ReasonClock, "The desk's clock differs from the server's by {{.Minutes}} minutes: set this computer's date and time right (automatic time) and try again",
				map[string]any{"Minutes": (max(skew, -skew) + 59) / 60})
			return
		}
		if at < s.started {
			// Signed before this server started: it cannot be told from a
			// replay, since the nonces seen before are gone.
			refuse(ReasonClock, "The server has just restarted and refused a request signed before: try again; if this repeats, check this computer's clock", nil)
			return
		}
		d, err := s.store.Desk(r.Context(), id)
		if err != nil {
			var f *fault.Error
			switch {
			case !errors.As(err, &f) || (f.Code != fault.Forbidden && f.Code != fault.NotFound):
				s.writeFault(w, r, err)
			case f.Message == errNotEnrolled:
				refuse(ReasonUnknown, "This desk is not enrolled at the server: ask the administrator for an enrolment code and enrol the desk again", nil)
			default:
				// The store knows the desk and refuses it for a reason of
				// its own (revoked, with the date): the clerk reads it.
				refuse(ReasonRevoked, f.Message, f.Args)
			}
			return
		}
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, ErrorBody{Code: CodeTooLarge, Message: "The request is too large"})
			return
		}
		if r.ContentLength < 0 {
			writeError(w, http.StatusLengthRequired, ErrorBody{Code: fault.Invalid, Message: "The request must declare its length"})
			return
		}
		if r.ContentLength > MaxSmallBytes {
			// Unverified, a large body costs memory: a desk (or who has
			// its id) reads a few at a time.
			if !s.bodies.enter(d.DeskID) {
				tooMany(w, time.Second)
				return
			}
			defer s.bodies.leave(d.DeskID)
		}
		body, err := s.readSigned(w, r, limit)
		if err != nil {
			return
		}
		if !ed25519.Verify(d.PublicKey, signedMessage(r.Method, r.URL.RequestURI(), at, nonce, r.Header.Get(OperatorHeader), body), sig) {
			refuse(ReasonSignature, "The server does not recognise this desk's key: ask the administrator to enrol the desk again", nil)
			return
		}
		if !s.replays.first(d.DeskID, nonce, now.Unix()) {
			refuse(ReasonReplay, "The server had already received this request and did not do it again", nil)
			return
		}
		if ok, wait := s.perDesk.allow(d.DeskID, now); !ok {
			tooMany(w, wait)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r.WithContext(context.WithValue(r.Context(), deskKey{}, d)))
	})
}

// errNotEnrolled is the store's refusal of a desk id it does not know.
const errNotEnrolled = "This desk is not enrolled at the server"

// maxLargeBodies is how many bodies above MaxSmallBytes one desk id may
// send at once (its sync pushes one batch at a time).
const maxLargeBodies = 2

// readSigned reads a signed body of at most limit bytes, each 64 KiB
// within the body timeout.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength == 0 {
		return nil, nil
	}
	r.Body = io.NopCloser(&bodyReader{r: http.MaxBytesReader(w, r.Body, limit), rc: http.NewResponseController(w), per: s.timeouts.BodyChunk})
	return readBody(w, r, limit)
}

// validNonce accepts the 32 hex digits a client sends.
func validNonce(n string) bool {
	if len(n) != 32 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil
}

// signedMessage is what a desk signs: the request, its time and nonce,
// the clerk it acts for (the operator header, "" when none) and the body's
// hash.
func signedMessage(method, uri string, at int64, nonce, operator string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(method + "\n" + uri + "\n" + strconv.FormatInt(at, 10) + "\n" + nonce + "\n" + operator + "\n" + hex.EncodeToString(sum[:]))
}

// readBody reads at most limit bytes of the body; a larger one (declared
// or sent) is answered 413 and err is set.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorBody{Code: CodeTooLarge, Message: "The request is too large"})
		return nil, &http.MaxBytesError{Limit: limit}
	}
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

// isJSON reports whether the request says its body is JSON: a browser
// sends that from another site only after asking (CORS), which this
// server never allows.
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// decode reads a JSON body into v; a body of another type is answered
// 415, a malformed one 400.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorBody{Code: CodeTooLarge, Message: "The request is too large"})
		return false
	}
	if !isJSON(r) {
		writeError(w, http.StatusUnsupportedMediaType, ErrorBody{Code: fault.Invalid, Message: "The request must be JSON (Content-Type: application/json)"})
		return false
	}
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
	addr := clientAddr(r)
	if ok, wait := s.enrol.admit(addr, s.now()); !ok {
		tooMany(w, wait)
		return
	}
	var req EnrolRequest
	if !decode(w, r, MaxEnrolBytes, &req) {
		return
	}
	pub, err := hex.DecodeString(req.PublicKey)
	if err != nil {
		pub = nil
	}
	d, err := s.store.Enrol(r.Context(), req.Code, req.DeskID, req.DeskCode, pub)
	s.answerEnrolment(w, r, addr, "desk", d, err)
}

// answerEnrolment answers an enrolment (kind "desk") or a recognition by
// receipt ("receipt"): a refusal counts against the address's lockout, a
// success clears it and gives the desk its id, key id, epoch and last seq.
func (s *Server) answerEnrolment(w http.ResponseWriter, r *http.Request, addr, kind string, d store.EnrolledDesk, err error) {
	if err != nil {
		s.enrolFailed(addr, kind, err)
		s.writeFault(w, r, err)
		return
	}
	s.enrol.succeeded(addr)
	epoch, err := s.store.Epoch(r.Context())
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	s.log.Info("desk enrolled", "desk", d.DeskID, "desk_code", d.DeskCode, "by", kind)
	writeJSON(w, http.StatusOK, EnrolResponse{DeskID: d.DeskID, KeyID: d.KeyID, Epoch: epoch, LastSeq: d.LastSeq})
}

// enrolFailed counts a refused enrolment against addr and logs it: the
// first wrong code of a run, and a summary when the address is locked out.
func (s *Server) enrolFailed(addr, kind string, err error) {
	if fault.Code(err) == fault.Internal {
		return
	}
	locked, n := s.enrol.failed(addr, s.now())
	switch {
	case locked:
		s.log.Warn("enrolment locked out", "addr", addr, "kind", kind, "attempts", n, "for", s.limits.EnrolLockout.String())
	case n == 1:
		s.log.Info("enrolment refused", "addr", addr, "kind", kind, "code", fault.Code(err))
	}
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
	receipt, err := s.store.EnrolmentReceipt(r.Context(), d)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	social, err := s.store.DeskSocial(r.Context(), d.DeskID)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Status{Epoch: epoch, LastSeq: d.LastSeq, ChangeSeq: seq, ServerTime: s.now().UTC().Format(time.RFC3339), Receipt: &receipt, Social: social})
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
