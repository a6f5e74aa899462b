package central

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportello/fault"
	"sportello/store"
)

// Hostile callers at the server's HTTP edge: each test is one of the holes
// found in issue 11, tried as an attacker on the office network would.

// signed builds a request signed by the client c, as the desk would send it.
func signed(tb testing.TB, c *Client, method, path, operator string, body []byte) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if operator != "" {
		req.Header.Set(OperatorHeader, operator)
	}
	if body == nil {
		c.sign(req, nil)
	} else {
		c.sign(req, body)
	}
	return req
}

// send sends req as is (a second time, too: the body is rewound) and
// returns the status, the headers and the error body.
func send(tb testing.TB, req *http.Request) (int, http.Header, ErrorBody) {
	tb.Helper()
	if req.GetBody != nil {
		req.Body, _ = req.GetBody()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var e ErrorBody
	data, _ := io.ReadAll(resp.Body)
	json.Unmarshal(data, &e)
	return resp.StatusCode, resp.Header, e
}

// device enrols a browser device of the kind, as an administrator and the
// device's browser would, and returns that browser holding its cookie.
func (o *queueOffice) device(tb testing.TB, kind string) *http.Client {
	tb.Helper()
	_, code, err := o.store.NewDeviceCode(context.Background(), "admin", kind, "Schermo di prova")
	if err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: o.http.Client().Transport}
	resp, err := c.PostForm(o.http.URL+"/device/enrol", url.Values{"code": {code}, "kind": {kind}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/"+kind {
		tb.Fatalf("device enrolment: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return c
}

func TestAnonymousKioskIssueIsRefused(t *testing.T) {
	o := newQueueOffice(t)
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"anonymous JSON", map[string]string{"Content-Type": "application/json"}, http.StatusUnauthorized},
		{"cross-site text/plain", map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cross-origin JSON", map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			code, body := o.raw("POST", "/v1/queue/kiosk/issue", h, `{"service":"A"}`)
			if code != tc.status {
				t.Fatalf("kiosk issue: %d %s, want %d", code, body, tc.status)
			}
		})
	}
	st, err := o.store.QueueStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range st.Lines {
		if l.Waiting != 0 {
			t.Errorf("service %s has %d tickets issued by strangers", l.Service.Code, l.Waiting)
		}
	}
}

func TestSignedRequestIsNotAcceptedTwice(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	req := signed(t, d.c, "POST", "/v1/queue/issue", "mrossi", []byte(`{"service":"A"}`))
	if code, _, e := send(t, req); code != 200 {
		t.Fatalf("first: %d %+v", code, e)
	}
	code, _, e := send(t, req)
	if code != http.StatusUnauthorized || e.Code != CodeUnauthorised || e.Reason != ReasonReplay {
		t.Fatalf("replayed: %d %+v", code, e)
	}
	st, _ := o.store.QueueStatus(context.Background())
	if st.Lines[0].Waiting != 1 {
		t.Errorf("a captured request gave %d tickets", st.Lines[0].Waiting)
	}
	// The client's own retries are new requests, signed anew: call-next
	// with one call id twice answers the same ticket.
	first, err := d.CallNext(context.Background(), "mrossi", "1", "same-call")
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.CallNext(context.Background(), "mrossi", "1", "same-call")
	if err != nil || again.ID != first.ID {
		t.Fatalf("retried call-next = %+v, %v; want ticket %d", again, err, first.ID)
	}
}

func TestOversizedBodiesAreRefusedBeforeTheyAreRead(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	for _, tc := range []struct {
		name   string
		path   string
		signed bool
		size   int64
	}{
		{"unsigned push", "/v1/push", false, 31 << 20},
		{"signed small route", "/v1/queue/issue", true, 31 << 20},
		{"enrolment", "/v1/enrol", false, 31 << 20},
		{"verify", "/v1/verify", false, 31 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int64
			body := &countingReader{n: tc.size, sent: &sent}
			req, _ := http.NewRequest("POST", o.http.URL+tc.path, body)
			req.ContentLength = tc.size
			req.Header.Set(ClientHeader, APIVersion)
			req.Header.Set("Content-Type", "application/json")
			if tc.signed {
				// The headers of a genuine request, with a body that is not.
				real := signed(t, d.c, "POST", tc.path, "mrossi", []byte(`{}`))
				for k, v := range real.Header {
					req.Header[k] = v
				}
			} else {
				req.Header.Set(DeskHeader, "someone")
				req.Header.Set(TimeHeader, strconv.FormatInt(time.Now().Unix(), 10))
			}
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
			if sent.Load() > tc.size/4 {
				t.Errorf("the server read %d of %d bytes (%v) before refusing", sent.Load(), tc.size, time.Since(start))
			}
		})
	}
}

// countingReader is a body of n zero bytes that counts what was taken.
type countingReader struct {
	n    int64
	sent *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	left := c.n - c.sent.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), left)
	clear(p[:n])
	c.sent.Add(n)
	return int(n), nil
}

func TestEnrolmentGuessesAreLimited(t *testing.T) {
	o := newQueueOffice(t)
	var refused, limited int
	var retry string
	for i := range 60 {
		h := http.Header{ClientHeader: {APIVersion}, "Content-Type": {"application/json"}}
		code, _ := o.raw("POST", "/v1/enrol", h, `{"code":"AAAA-BBBB-CCCC-`+strings.Repeat(string(rune('A'+i%26)), 4)+`","desk_id":"x","desk_code":"D09","public_key":"`+strings.Repeat("ab", 32)+`"}`)
		switch code {
		case http.StatusForbidden:
			refused++
		case http.StatusTooManyRequests:
			limited++
		}
		if code == http.StatusTooManyRequests && retry == "" {
			req, _ := http.NewRequest("POST", o.http.URL+"/v1/enrol", strings.NewReader(`{}`))
			req.Header = h
			_, hdr, _ := send(t, req)
			retry = hdr.Get("Retry-After")
		}
	}
	if limited == 0 || refused > 10 {
		t.Fatalf("60 guesses: %d refused, %d limited", refused, limited)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 {
		t.Errorf("Retry-After = %q", retry)
	}
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	o := newQueueOffice(t)
	for _, path := range []string{"/v1/queue/status", "/web/kiosk.js", "/verify", "/v1/nothing", "/web/it.json"} {
		resp, err := http.Get(o.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/push"}, {"DELETE", "/v1/queue/status"}, {"PUT", "/v1/enrol"}, {"GET", "/v1/queue/kiosk/issue"},
	} {
		req, _ := http.NewRequest(tc.method, o.http.URL+tc.path, nil)
		code, h, e := send(t, req)
		if code != http.StatusMethodNotAllowed || h.Get("Allow") == "" || e.Code == "" {
			t.Errorf("%s %s: %d Allow %q %+v", tc.method, tc.path, code, h.Get("Allow"), e)
		}
	}
}

func TestKioskBrowserNeedsItsDeviceCredential(t *testing.T) {
	o := newQueueOfficeWith(t, func(s *Server) { s.SetLimits(Limits{Kiosk: Rate{Every: time.Hour, Burst: 3}}) })
	anonymous := o.http.Client()
	for _, path := range []string{"/kiosk", "/board"} {
		body := pageAs(t, anonymous, o, path, http.StatusUnauthorized)
		mustContain(t, "an unknown browser's "+path, body, "Questo schermo non è ancora registrato", `action="/device/enrol"`)
		mustNotContain(t, "an unknown browser's "+path, body, `data-service="A"`, "call-number")
	}
	kiosk, board := o.device(t, "kiosk"), o.device(t, "board")
	mustContain(t, "the enrolled kiosk", pageAs(t, kiosk, o, "/kiosk", 200), `data-service="A"`)
	pageAs(t, board, o, "/kiosk", http.StatusUnauthorized) // a board is not a kiosk
	mustContain(t, "the enrolled board", pageAs(t, board, o, "/board", 200), "call-number")

	take := func(c *http.Client, header map[string]string) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("POST", o.http.URL+"/v1/queue/kiosk/issue", strings.NewReader(`{"service":"A"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	for _, tc := range []struct {
		name   string
		client *http.Client
		header map[string]string
		status int
	}{
		{"the kiosk", kiosk, nil, 200},
		{"the kiosk's cookie from another site", kiosk, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, http.StatusForbidden},
		{"the kiosk's cookie as a plain-text form", kiosk, map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"a board", board, nil, http.StatusUnauthorized},
		{"the kiosk again", kiosk, nil, 200},
		{"the kiosk a third time", kiosk, nil, 200},
		{"the kiosk beyond its rate", kiosk, nil, http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, h := take(tc.client, tc.header)
			if code != tc.status {
				t.Fatalf("%d, want %d", code, tc.status)
			}
			if code == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
	}
	// Revoked, the kiosk's browser is a stranger again.
	devices, err := o.store.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devices {
		if d.Kind == "kiosk" {
			if err := o.store.RevokeDevice(context.Background(), "admin", d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	pageAs(t, kiosk, o, "/kiosk", http.StatusUnauthorized)
	if code, _ := take(kiosk, nil); code != http.StatusUnauthorized {
		t.Errorf("a revoked kiosk: %d", code)
	}
}

func TestDeviceCodeGuessesAreLockedOut(t *testing.T) {
	var logs bytes.Buffer
	o := newQueueOfficeWith(t, func(s *Server) {
		s.log = slog.New(slog.NewTextHandler(&logs, nil))
		s.SetLimits(Limits{Enrol: Rate{Every: time.Millisecond, Burst: 1000}, EnrolFailures: 5, EnrolLockout: time.Hour})
	})
	_, code, err := o.store.NewDeviceCode(context.Background(), "admin", "kiosk", "Totem")
	if err != nil {
		t.Fatal(err)
	}
	post := func(code string) int {
		resp, err := http.PostForm(o.http.URL+"/device/enrol", url.Values{"code": {code}, "kind": {"kiosk"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if got := post("WRONG-CODE-" + strconv.Itoa(i)); got != http.StatusForbidden {
			t.Fatalf("guess %d: %d", i, got)
		}
	}
	// Locked out: even the right code waits.
	for range 20 {
		if got := post(code); got != http.StatusTooManyRequests {
			t.Fatalf("after five wrong codes: %d", got)
		}
	}
	if n := strings.Count(logs.String(), "enrolment refused"); n != 1 {
		t.Errorf("%d log lines for the refused guesses, want one:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "enrolment locked out"); n != 1 {
		t.Errorf("%d lockout lines:\n%s", n, logs.String())
	}
}

func TestAnonymousCallersAreLimitedPerAddress(t *testing.T) {
	o := newQueueOfficeWith(t, func(s *Server) { s.SetLimits(Limits{Anonymous: Rate{Every: time.Hour, Burst: 5}}) })
	d := o.enrol("D01")
	for i := range 5 {
		if code, _ := o.raw("GET", "/v1/queue/status", nil, ""); code != 200 {
			t.Fatalf("read %d: %d", i, code)
		}
	}
	req, _ := http.NewRequest("GET", o.http.URL+"/v1/queue/status", nil)
	code, h, e := send(t, req)
	if code != http.StatusTooManyRequests || e.Code != CodeTooMany || h.Get("Retry-After") == "" {
		t.Fatalf("sixth read: %d %+v Retry-After %q", code, e, h.Get("Retry-After"))
	}
	// An enrolled desk is limited as itself, not by the address.
	if _, err := d.QueueStatus(context.Background()); err != nil {
		t.Fatalf("the desk after the address ran out: %v", err)
	}
}

func TestSlowClientsAreCutOff(t *testing.T) {
	o := newQueueOfficeWith(t, func(s *Server) {
		s.SetTimeouts(Timeouts{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, BodyChunk: 300 * time.Millisecond, Idle: 300 * time.Millisecond})
	})
	d := o.enrol("D01")
	body := bytes.Repeat([]byte(" "), 2000)
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"a signed push a byte at a time", func() *http.Request {
			req := signed(t, d.c, "POST", "/v1/push", "", body)
			req.Body = io.NopCloser(&trickle{left: len(body)})
			return req
		}},
		{"an anonymous seal check a byte at a time", func() *http.Request {
			req, _ := http.NewRequest("POST", o.http.URL+"/v1/verify", &trickle{left: len(body)})
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "application/json")
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			resp, err := http.DefaultClient.Do(tc.req())
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			// The whole body would take 2000 × 10 ms = 20 s.
			if took := time.Since(start); took > 3*time.Second {
				t.Fatalf("the slow body held the connection %v", took)
			}
		})
	}
	t.Run("headers a byte at a time", func(t *testing.T) {
		conn, err := net.Dial("tcp", o.http.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		closed := false
		for range 200 {
			if _, err := conn.Write([]byte("X")); err != nil {
				closed = true
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		conn.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := conn.Read(make([]byte, 1)); err != nil || closed {
			closed = true
		}
		if !closed || time.Since(start) > 3*time.Second {
			t.Fatalf("slow headers: closed %v after %v", closed, time.Since(start))
		}
	})
	t.Run("an idle kept-alive connection", func(t *testing.T) {
		conn, err := net.Dial("tcp", o.http.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /v1/queue/seq HTTP/1.1\r\nHost: x\r\n\r\n")
		rd := bufio.NewReader(conn)
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		start := time.Now()
		if _, err := rd.ReadByte(); err != io.EOF {
			t.Fatalf("the idle connection: %v after %v", err, time.Since(start))
		}
	})
}

// trickle is a body of spaces sent one every 10 ms.
type trickle struct{ left int }

func (b *trickle) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(10 * time.Millisecond)
	p[0] = ' '
	b.left--
	return 1, nil
}

func TestEventStreamOutlivesTheReadAndWriteTimeouts(t *testing.T) {
	oldKeepAlive := keepAliveEvery
	t.Cleanup(func() { keepAliveEvery = oldKeepAlive })
	keepAliveEvery = 50 * time.Millisecond
	o := newQueueOfficeWith(t, func(s *Server) {
		s.SetTimeouts(Timeouts{Read: 300 * time.Millisecond, WriteChunk: 200 * time.Millisecond})
	})
	d := o.enrol("D01")
	lines := sseLines(t, o, "/v1/queue/events?after=0", nil)
	time.Sleep(time.Second) // three read and five write timeouts
	if _, err := d.IssueTicket(context.Background(), "clerk1", "A", false); err != nil {
		t.Fatal(err)
	}
	nextLine(t, lines, "id: 1", 2*time.Second)
}

func TestOversizedPostsKeepMemoryFlat(t *testing.T) {
	o := newQueueOffice(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sent atomic.Int64
			req, _ := http.NewRequest("POST", o.http.URL+"/v1/push", &countingReader{n: 31 << 20, sent: &sent})
			req.ContentLength = 31 << 20
			req.Header.Set(ClientHeader, APIVersion)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Errorf("8 unsigned posts of 31 MiB grew the heap by %d MiB", grew>>20)
	}
	t.Logf("heap before %d MiB, after %d MiB (peak of the process %d MiB)", before.HeapAlloc>>20, after.HeapAlloc>>20, after.HeapSys>>20)
}

func TestRefusalsSayWhatToDo(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()
	stranger := o.enrol("D02").c
	stranger.deskID = d.c.deskID // D01's id, D02's key
	lagging := *d.c
	lagging.now = func() time.Time { return time.Now().Add(-20 * time.Minute) }
	beforeStart := *d.c
	beforeStart.now = func() time.Time { return time.Now().Add(-time.Minute) }
	unknown := *d.c
	unknown.deskID = "01JNOTENROLLED0000000000000"
	for _, tc := range []struct {
		name   string
		client *Client
		reason string
		says   string
	}{
		{"a clock 20 minutes behind", &lagging, ReasonClock, "L'orologio della postazione differisce da quello del server di 20 minuti"},
		{"a request signed before the server started", &beforeStart, ReasonClock, "Il server si è appena riavviato"},
		{"a desk the server does not know", &unknown, ReasonUnknown, "chieda all'amministratore un codice di registrazione"},
		{"another desk's key", stranger, ReasonSignature, "Il server non riconosce la chiave di questa postazione"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Status(ctx)
			var se *ServerError
			if !errors.As(err, &se) || se.Status != 401 || se.Body.Reason != tc.reason {
				t.Fatalf("status: %v", err)
			}
			f := se.Fault()
			text, ok := Italian(f.Message, f.Args)
			if f.Code != "forbidden" || !ok || !strings.Contains(text, tc.says) {
				t.Errorf("the clerk reads %q (%s, translated %v)", text, f.Code, ok)
			}
			// The queue says the same at the counter.
			_, err = NewQueueClient(tc.client).QueueStatus(ctx)
			if key, _ := fault.Message(err); key != f.Message {
				t.Errorf("the counter panel reads %q", key)
			}
		})
	}
	// The sync remembers the refusal for the top bar, and forgets it once
	// the desk is let in again.
	local, err := store.Open(filepath.Join(t.TempDir(), "desk.db"), store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	sy := &Syncer{Store: local, Client: &lagging}
	sy.Once(ctx)
	if f := sy.Refusal(); f == nil || !strings.Contains(f.Message, "clock") {
		t.Fatalf("refusal after a sync with a wrong clock: %v", f)
	}
	sy.Client = d.c
	sy.Once(ctx)
	if f := sy.Refusal(); f != nil {
		t.Errorf("refusal after a good sync: %v", f)
	}
}

func TestOneAddressHoldsAFewEventStreams(t *testing.T) {
	o := newQueueOffice(t)
	for range maxStreamsPerAddr {
		sseLines(t, o, "/v1/queue/events", nil)
	}
	req, _ := http.NewRequest("GET", o.http.URL+"/v1/queue/events", nil)
	code, h, _ := send(t, req)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("stream %d from one address: %d", maxStreamsPerAddr+1, code)
	}
	// Polling still answers.
	if code, _ := o.raw("GET", "/v1/queue/events?poll=1", nil, ""); code != 200 {
		t.Errorf("poll beside the streams: %d", code)
	}
}

func TestOneDeskSendsAFewLargeBodiesAtOnce(t *testing.T) {
	o := newQueueOfficeWith(t, func(s *Server) { s.SetTimeouts(Timeouts{BodyChunk: 5 * time.Second}) })
	d := o.enrol("D01")
	body := bytes.Repeat([]byte(" "), 8<<10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range maxLargeBodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := signed(t, d.c, "POST", "/v1/push", "", body).WithContext(ctx)
			req.Body = io.NopCloser(&trickle{left: len(body)})
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // both are being read
	code, h, e := send(t, signed(t, d.c, "POST", "/v1/push", "", body))
	if code != http.StatusTooManyRequests || e.Code != CodeTooMany || h.Get("Retry-After") == "" {
		t.Errorf("a third large body: %d %+v", code, e)
	}
	// Small requests of the same desk go on.
	if _, err := d.QueueStatus(context.Background()); err != nil {
		t.Errorf("a small request beside them: %v", err)
	}
	cancel()
	wg.Wait()
}

func TestCrossSiteFormsAreRefused(t *testing.T) {
	o := newQueueOffice(t)
	_, code, err := o.store.NewDeviceCode(context.Background(), "admin", "kiosk", "Totem")
	if err != nil {
		t.Fatal(err)
	}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for _, tc := range []struct {
		name, path, body string
		header           map[string]string
		status           int
	}{
		{"a device code from another site", "/device/enrol", "kind=kiosk&code=" + code, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a seal check from another origin", "/verify", "text=SPT1", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"a seal check from this page", "/verify", "text=SPT1", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := form.Clone()
			for k, v := range tc.header {
				h.Set(k, v)
			}
			if got, body := o.raw("POST", tc.path, h, tc.body); got != tc.status {
				t.Fatalf("%d, want %d: %s", got, tc.status, body)
			}
		})
	}
	// The code refused from another site is still unused.
	if _, _, err := o.store.EnrolDevice(context.Background(), code); err != nil {
		t.Errorf("the code after the cross-site attempt: %v", err)
	}
}
