package central

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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
