package central

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"sportello/fault"
)

// The server's edge: what every request meets before a handler reads it.
// Answers carry the security headers; a wrong method on /v1 is 405;
// cross-origin writes from browsers are refused; callers are rate-limited
// by address (anonymous) or by identity (desks and devices); bodies are
// bounded in size and in time. docs/api.md lists the order.

// Limits are the rates the server allows. Zero values take the defaults.
type Limits struct {
	Anonymous      Rate // any request without a desk's signature, per client address
	AnonymousWrite Rate // the same, for POSTs (seal checks, device enrolment, kiosk tickets)
	// Refused is how many unauthorised answers an address may get before
	// it is cut off: well above a misconfigured desk's polling (its clock
	// is wrong: it is told so, not cut off), well below a flood.
	Refused Rate
	Desk    Rate // signed requests per enrolled desk
	Kiosk   Rate // tickets per kiosk device
	Enrol   Rate // enrolment attempts per address
	// EnrolFailures wrong enrolment codes in a row lock an address out
	// for EnrolLockout.
	EnrolFailures int
	EnrolLockout  time.Duration
}

// Rate allows Burst requests at once and one more every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// DefaultLimits are generous for the office's real pace (a board polling,
// a kiosk giving a ticket every few seconds, a desk syncing and calling)
// and stop a script.
var DefaultLimits = Limits{
	Anonymous:      Rate{Every: 50 * time.Millisecond, Burst: 200},
	AnonymousWrite: Rate{Every: 500 * time.Millisecond, Burst: 20},
	Refused:        Rate{Every: 100 * time.Millisecond, Burst: 100},
	Desk:           Rate{Every: 10 * time.Millisecond, Burst: 1000},
	Kiosk:          Rate{Every: 3 * time.Second, Burst: 10},
	Enrol:          Rate{Every: 3 * time.Second, Burst: 10},
	EnrolFailures:  10,
	EnrolLockout:   15 * time.Minute,
}

// Timeouts bound how long a connection may take. Zero values take the
// defaults.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // a whole request, for routes that read no large body
	// BodyChunk is the time each 64 KiB of a signed body may take, so a
	// large push on a slow line goes through and a body sent a byte at a
	// time does not hold the connection.
	BodyChunk time.Duration
	// WriteChunk is the time each 64 KiB of an answer may take; an event
	// stream gets it anew with each event and keep-alive.
	WriteChunk time.Duration
	Idle       time.Duration // a kept-alive connection with no request
}

// DefaultTimeouts are what sportellod serves with.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, BodyChunk: 15 * time.Second,
	WriteChunk: 30 * time.Second, Idle: 2 * time.Minute}

// MaxHeaderBytes bounds a request's headers (a signed request's are
// about 500 bytes).
const MaxHeaderBytes = 16 << 10

// chunk is the unit of the body and answer deadlines.
const chunk = 64 << 10

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, p := range []struct{ to, from *Rate }{
		{&l.Anonymous, &d.Anonymous}, {&l.AnonymousWrite, &d.AnonymousWrite}, {&l.Refused, &d.Refused},
		{&l.Desk, &d.Desk}, {&l.Kiosk, &d.Kiosk}, {&l.Enrol, &d.Enrol},
	} {
		if p.to.Every == 0 && p.to.Burst == 0 {
			*p.to = *p.from
		}
	}
	if l.EnrolFailures == 0 {
		l.EnrolFailures = d.EnrolFailures
	}
	if l.EnrolLockout == 0 {
		l.EnrolLockout = d.EnrolLockout
	}
	return l
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	for _, p := range []struct{ to, from *time.Duration }{
		{&t.ReadHeader, &d.ReadHeader}, {&t.Read, &d.Read}, {&t.BodyChunk, &d.BodyChunk}, {&t.WriteChunk, &d.WriteChunk}, {&t.Idle, &d.Idle},
	} {
		if *p.to == 0 {
			*p.to = *p.from
		}
	}
	return t
}

// Configure sets hs to serve the API with the server's timeouts and header
// limit. The write timeout covers the first 64 KiB of an answer; each
// further 64 KiB, and each event of a stream, gets it anew.
func (s *Server) Configure(hs *http.Server) {
	t := s.timeouts
	hs.Handler = s.Handler()
	hs.ReadHeaderTimeout = t.ReadHeader
	hs.ReadTimeout = t.Read
	hs.WriteTimeout = t.WriteChunk
	hs.IdleTimeout = t.Idle
	hs.MaxHeaderBytes = MaxHeaderBytes
}

// limiter is a rate limit per key (an address, a desk, a device): the
// generic cell rate algorithm, one time per key.
type limiter struct {
	mu    sync.Mutex
	rate  Rate
	tat   map[string]time.Time // when the key's bucket is next empty
	swept time.Time
}

func newLimiter(r Rate) *limiter { return &limiter{rate: r, tat: map[string]time.Time{}} }

// allow takes one request of key; when refused, wait says when to retry.
func (l *limiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	tol := l.rate.Every * time.Duration(max(l.rate.Burst, 1))
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(l.rate.Every)
	if next.Sub(now) > tol {
		return false, next.Sub(now) - tol
	}
	l.tat[key] = next
	return true, 0
}

// blocked reports whether key would be refused now, without taking.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, ok := l.tat[key]
	if !ok || !tat.After(now) {
		return false, 0
	}
	tol := l.rate.Every * time.Duration(max(l.rate.Burst, 1))
	if over := tat.Add(l.rate.Every).Sub(now) - tol; over > 0 {
		return true, over
	}
	return false, 0
}

// sweep forgets keys whose bucket is full again, once a minute.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, t := range l.tat {
		if t.Before(now) {
			delete(l.tat, k)
		}
	}
}

// clientAddr is the caller's IP address. sportellod answers desks and
// office devices directly, not behind a proxy, so forwarded-for headers
// (which anyone can write) are not believed.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tooMany answers 429 with the seconds to wait.
func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", retryAfter(wait))
	writeError(w, http.StatusTooManyRequests, ErrorBody{Code: CodeTooMany, Message: "Too many requests: try again in a few seconds"})
}

// retryAfter is a wait in whole seconds, at least one.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds())))
}

// edge is the handler every request goes through first.
func (s *Server) edge(next http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Info("refused request", "path", r.URL.Path, "reason", "cross-origin")
		writeError(w, http.StatusForbidden, ErrorBody{Code: fault.Forbidden, Message: "Requests from other sites are not accepted"})
	}))
	next = csrf.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		// Pages set their own policy; everything else runs nothing.
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		w = &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), per: s.timeouts.WriteChunk}
		if r.Header.Get(DeskHeader) == "" {
			// Anonymous: by address. Signed requests are limited by desk,
			// once their signature is known good (Server.desk).
			lim := s.anon
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				lim = s.anonWrite
			}
			if ok, wait := lim.allow(clientAddr(r), s.now()); !ok {
				tooMany(w, wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineWriter gives each 64 KiB of an answer its own write deadline, so
// a slow reader is cut off and a long stream or download is not.
type deadlineWriter struct {
	http.ResponseWriter
	rc  *http.ResponseController
	per time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		part := p[:min(len(p), chunk)]
		_ = d.rc.SetWriteDeadline(time.Now().Add(d.per))
		m, err := d.ResponseWriter.Write(part)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(part):]
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the connection.
func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

// Flush sends what is buffered (the event streams).
func (d *deadlineWriter) Flush() {
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.per))
	_ = d.rc.Flush()
}

// notAllowed answers a /v1 path that exists with another method 405 and
// the methods it takes; a path that does not exist 404.
func (s *Server) notAllowed(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/v1/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, http.StatusNotFound, ErrorBody{Code: fault.NotFound, Message: "No such API endpoint"})
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, ErrorBody{Code: CodeMethod, Message: "The endpoint does not take this method"})
}

// bodyReader reads a body whose every 64 KiB must arrive within per: the
// read deadline moves on with each chunk.
type bodyReader struct {
	r    interface{ Read([]byte) (int, error) }
	rc   *http.ResponseController
	per  time.Duration
	read int64
	next int64 // bytes read when the deadline moves next
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.read >= b.next {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.per))
		b.next = b.read + chunk
	}
	n, err := b.r.Read(p[:min(len(p), int(b.next-b.read))])
	b.read += int64(n)
	return n, err
}

// replays remembers the nonces of the signed requests of the window, per
// desk. It lives in memory: a request signed before this process started
// is refused (Server.desk), so a restart does not reopen the window.
type replays struct {
	mu    sync.Mutex
	seen  map[string]int64 // desk id + nonce → the Unix second it may be forgotten
	swept int64
}

// first records the nonce and reports whether it is new.
func (p *replays) first(desk, nonce string, now int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now-p.swept > 60 {
		p.swept = now
		for k, until := range p.seen {
			if until < now {
				delete(p.seen, k)
			}
		}
	}
	key := desk + "\x00" + nonce
	if until, ok := p.seen[key]; ok && until >= now {
		return false
	}
	// Kept as long as the request's time could still be in the window.
	p.seen[key] = now + 2*SignatureSkew + 1
	return true
}

// enrolGuard limits enrolment attempts per address and locks out an
// address after a run of wrong codes; it logs a line when it locks one
// out, not one per guess.
type enrolGuard struct {
	rate     *limiter
	failures int
	lockout  time.Duration

	mu    sync.Mutex
	fails map[string]*enrolFails
}

type enrolFails struct {
	n     int       // wrong codes in a row
	until time.Time // locked out until
	tries int       // attempts refused while locked out
}

func newEnrolGuard(l Limits) *enrolGuard {
	return &enrolGuard{rate: newLimiter(l.Enrol), failures: l.EnrolFailures, lockout: l.EnrolLockout, fails: map[string]*enrolFails{}}
}

// admit reports whether addr may try a code now.
func (g *enrolGuard) admit(addr string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	f := g.fails[addr]
	if f != nil && now.Before(f.until) {
		f.tries++
		g.mu.Unlock()
		return false, f.until.Sub(now)
	}
	g.mu.Unlock()
	return g.rate.allow(addr, now)
}

// failed counts a wrong code from addr; locked is true when it locks the
// address out now, with the attempts made.
func (g *enrolGuard) failed(addr string, now time.Time) (locked bool, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fails) > 10000 {
		for k, f := range g.fails {
			if now.After(f.until) {
				delete(g.fails, k)
			}
		}
	}
	f := g.fails[addr]
	if f == nil {
		f = &enrolFails{}
		g.fails[addr] = f
	}
	f.n++
	if f.n < g.failures {
		return false, f.n
	}
	n = f.n + f.tries
	f.n, f.tries, f.until = 0, 0, now.Add(g.lockout)
	return true, n
}

// succeeded forgets addr's wrong codes.
func (g *enrolGuard) succeeded(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, addr)
}

// openCount counts what is open per key (event streams per address, body
// reads per desk) and refuses more than max.
type openCount struct {
	mu   sync.Mutex
	max  int
	open map[string]int
}

func newOpenCount(max int) *openCount { return &openCount{max: max, open: map[string]int{}} }

func (c *openCount) enter(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key] >= c.max {
		return false
	}
	c.open[key]++
	return true
}

func (c *openCount) leave(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key]--; c.open[key] <= 0 {
		delete(c.open, key)
	}
}
