package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/store"
)

// queueOffice is a server holding the office queue, over real HTTP on
// 127.0.0.1, with desks enrolled through its store.
type queueOffice struct {
	tb     testing.TB
	store  *store.Store
	server *Server
	http   *httptest.Server
}

func newQueueOffice(tb testing.TB) *queueOffice {
	tb.Helper()
	return newQueueOfficeWith(tb, nil)
}

// newQueueOfficeWith lets tune change the server (its limits, timeouts)
// before it serves, with the timeouts and header limit sportellod uses.
func newQueueOfficeWith(tb testing.TB, tune func(*Server)) *queueOffice {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		tb.Fatal(err)
	}
	o := &queueOffice{tb: tb, store: st, server: NewServer(st, nil)}
	if tune != nil {
		tune(o.server)
	}
	o.http = httptest.NewUnstartedServer(nil)
	o.server.Configure(o.http.Config)
	o.http.Start()
	tb.Cleanup(func() {
		o.http.Close()
		st.Close()
	})
	return o
}

// enrol enrols a desk with a new key and returns its queue client.
func (o *queueOffice) enrol(deskCode string) *QueueClient {
	o.tb.Helper()
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		o.tb.Fatal(err)
	}
	code, err := o.store.NewEnrolCode(ctx, "admin", deskCode)
	if err != nil {
		o.tb.Fatal(err)
	}
	d, err := o.store.Enrol(ctx, code, "desk-"+deskCode, deskCode, pub)
	if err != nil {
		o.tb.Fatal(err)
	}
	return NewQueueClient(NewClient(o.http.URL, d.DeskID, priv, o.http.Client()))
}

// public is a kiosk's or a board's client: no key.
func (o *queueOffice) public() *QueueClient {
	return NewQueueClient(NewClient(o.http.URL, "", nil, o.http.Client()))
}

// raw sends a request as is and returns the status and the body.
func (o *queueOffice) raw(method, path string, header http.Header, body string) (int, []byte) {
	o.tb.Helper()
	req, err := http.NewRequest(method, o.http.URL+path, strings.NewReader(body))
	if err != nil {
		o.tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := o.http.Client().Do(req)
	if err != nil {
		o.tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// bigOffice gives the office services enough for n tickets today and
// counters "1".."counters" serving all of them.
func (o *queueOffice) bigOffice(n, counters int) []string {
	return o.office(n, counters, 0)
}

// office gives the office services enough for n tickets today and
// counters "1".."counters", each serving per services (all when 0).
func (o *queueOffice) office(n, counters, per int) []string {
	o.tb.Helper()
	ctx := context.Background()
	var codes []string
	for i := 0; len(codes)*999 < n; i++ {
		code := string(rune('A' + i))
		if _, err := o.store.SaveService(ctx, "admin", queue.Service{Code: code, Name: "Servizio " + code, DailyCap: 999, Open: true, Position: i + 1}); err != nil {
			o.tb.Fatal(err)
		}
		codes = append(codes, code)
	}
	for i := 1; i <= counters; i++ {
		serves := codes
		if per > 0 && per < len(codes) {
			serves = nil
			for k := range per {
				serves = append(serves, codes[(i+k)%len(codes)])
			}
		}
		c := queue.Counter{Code: fmt.Sprint(i), Name: fmt.Sprintf("Sportello %d", i), Services: serves}
		if _, err := o.store.SaveCounter(ctx, "admin", c); err != nil {
			o.tb.Fatal(err)
		}
	}
	return codes
}

// roomy lets the default office's services give 999 tickets a day.
func (o *queueOffice) roomy() {
	o.tb.Helper()
	ctx := context.Background()
	office, err := o.store.QueueOffice(ctx)
	if err != nil {
		o.tb.Fatal(err)
	}
	for _, sv := range office.Services {
		sv.DailyCap = 999
		if _, err := o.store.SaveService(ctx, "admin", sv); err != nil {
			o.tb.Fatal(err)
		}
	}
}

// issueMany issues n tickets spread over the services, through the store.
func (o *queueOffice) issueMany(n int, services []string) map[int64]bool {
	o.tb.Helper()
	ctx := context.Background()
	ids := map[int64]bool{}
	for i := 0; i < n; i++ {
		is, err := o.store.IssueTicket(ctx, "kiosk", services[i%len(services)], i%7 == 0)
		if err != nil {
			o.tb.Fatal(err)
		}
		ids[is.Ticket.ID] = true
	}
	return ids
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if fault.Code(err) != code {
		t.Errorf("%s: err = %v, want code %s", what, err, code)
	}
}

func TestQueueOverHTTPWorksATicketThroughItsLife(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()

	office, err := d.QueueOffice(ctx)
	if err != nil || len(office.Services) != 3 || len(office.Counters) != 3 {
		t.Fatalf("office = %+v, %v", office, err)
	}
	a, err := d.IssueTicket(ctx, "clerk1", "A", false)
	if err != nil || a.Ticket.Label != "A001" || a.Service.Name != "Anagrafe e certificati" {
		t.Fatalf("issue = %+v, %v", a, err)
	}
	b, err := d.IssueTicket(ctx, "clerk1", "A", true)
	if err != nil || b.Ahead != 1 {
		t.Fatalf("second issue = %+v, %v", b, err)
	}

	// The priority ticket goes first; the same call id gives the same ticket.
	called, err := d.CallNext(ctx, "clerk1", "1", "call-1")
	if err != nil || called.ID != b.Ticket.ID || called.State != queue.Called || called.Counter != "1" || called.Clerk != "clerk1" {
		t.Fatalf("call next = %+v, %v", called, err)
	}
	again, err := d.CallNext(ctx, "clerk1", "1", "call-1")
	if err != nil || again.ID != called.ID {
		t.Fatalf("replayed call = %+v, %v", again, err)
	}
	steps := []struct {
		name  string
		do    func() (queue.Ticket, error)
		state queue.State
	}{
		{"recall", func() (queue.Ticket, error) { return d.RecallTicket(ctx, "clerk1", called.ID) }, queue.Called},
		{"start", func() (queue.Ticket, error) { return d.StartTicket(ctx, "clerk1", called.ID) }, queue.Serving},
		{"hold", func() (queue.Ticket, error) { return d.HoldTicket(ctx, "clerk1", called.ID) }, queue.OnHold},
		{"resume at 2", func() (queue.Ticket, error) { return d.ResumeTicket(ctx, "clerk1", called.ID, "2") }, queue.Called},
		{"start again", func() (queue.Ticket, error) { return d.StartTicket(ctx, "clerk1", called.ID) }, queue.Serving},
		{"finish", func() (queue.Ticket, error) { return d.FinishTicket(ctx, "clerk1", called.ID, "certificato") }, queue.Done},
		{"call chosen", func() (queue.Ticket, error) { return d.CallTicket(ctx, "clerk1", "1", a.Ticket.ID) }, queue.Called},
		{"no-show", func() (queue.Ticket, error) { return d.NoShowTicket(ctx, "clerk1", a.Ticket.ID) }, queue.NoShow},
		{"reactivate", func() (queue.Ticket, error) { return d.ReactivateTicket(ctx, "clerk1", a.Ticket.ID) }, queue.Waiting},
		{"cancel", func() (queue.Ticket, error) { return d.CancelTicket(ctx, "clerk1", a.Ticket.ID) }, queue.Cancelled},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || got.State != s.state {
			t.Fatalf("%s: %+v, %v; want state %s", s.name, got, err, s.state)
		}
	}
	done, err := d.QueueTickets(ctx, queue.DayOf(time.Now()), queue.DayOf(time.Now()))
	if err != nil || len(done) != 2 || done[1].Outcome != "certificato" || done[1].Counter != "2" {
		t.Fatalf("tickets = %+v, %v", done, err)
	}

	// Transfer: a new waiting ticket with the same label in the other line.
	c, _ := d.IssueTicket(ctx, "clerk1", "A", false)
	if _, err := d.CallNext(ctx, "clerk1", "1", "call-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StartTicket(ctx, "clerk1", c.Ticket.ID); err != nil {
		t.Fatal(err)
	}
	child, err := d.TransferTicket(ctx, "clerk1", c.Ticket.ID, "B")
	if err != nil || child.Label != c.Ticket.Label || child.Service != "B" || child.State != queue.Waiting || child.ParentID != c.Ticket.ID {
		t.Fatalf("transfer = %+v, %v", child, err)
	}

	// Pauses.
	p, err := d.PauseCounter(ctx, "clerk1", "3", queue.BackOffice)
	if err != nil || p.Counter != "3" || p.Kind != queue.BackOffice {
		t.Fatalf("pause = %+v, %v", p, err)
	}
	_, err = d.PauseCounter(ctx, "clerk1", "3", queue.Break)
	wantCode(t, "pause twice", err, fault.Conflict)
	open, err := d.OpenPauses(ctx)
	if err != nil || open["3"].Clerk != "clerk1" {
		t.Fatalf("open pauses = %+v, %v", open, err)
	}
	if p, err := d.EndPause(ctx, "clerk1", "3"); err != nil || p.End.IsZero() {
		t.Fatalf("end pause = %+v, %v", p, err)
	}
	_, err = d.EndPause(ctx, "clerk1", "3")
	wantCode(t, "end pause twice", err, fault.Conflict)

	st, err := d.QueueStatus(ctx)
	if err != nil || len(st.LastCall) != 3 || st.Lines[1].Waiting != 1 || st.Lines[1].Next[0].ID != child.ID {
		t.Fatalf("status = %+v, %v", st, err)
	}
	seq, err := d.QueueSeq(ctx)
	if err != nil || seq != st.Seq {
		t.Fatalf("seq = %d, %v; status at %d", seq, err, st.Seq)
	}
	evs, err := d.QueueEvents(ctx, 0, 3)
	if err != nil || len(evs) != 3 || evs[0].Action != queue.ActIssue || evs[2].Action != queue.ActCall || evs[2].Counter != "1" {
		t.Fatalf("events = %+v, %v", evs, err)
	}
	noShows, err := d.QueueNoShows(ctx)
	if err != nil || len(noShows) != 0 {
		t.Fatalf("no-shows = %+v, %v (the one was reactivated)", noShows, err)
	}
}

func TestQueueRefusals(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()
	a, err := d.IssueTicket(ctx, "clerk1", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.IssueTicket(ctx, "clerk1", "Z", false)
	wantCode(t, "unknown service", err, fault.NotFound)
	_, err = d.IssueTicket(ctx, "", "A", false)
	wantCode(t, "no clerk", err, fault.Invalid)
	_, err = d.CallNext(ctx, "clerk1", "1", "")
	wantCode(t, "no call id", err, fault.Invalid)
	_, err = d.CallNext(ctx, "clerk1", "9", "c1")
	wantCode(t, "unknown counter", err, fault.NotFound)
	_, err = d.StartTicket(ctx, "clerk1", a.Ticket.ID)
	wantCode(t, "start a waiting ticket", err, fault.Conflict)
	_, err = d.RecallTicket(ctx, "clerk1", 999999)
	wantCode(t, "no such ticket", err, fault.NotFound)
	_, err = d.CallNext(ctx, "clerk1", "3", "c2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.CallNext(ctx, "clerk1", "3", "c3")
	wantCode(t, "counter still busy", err, fault.Conflict)
	_, err = d.CallNext(ctx, "clerk1", "2", "c4")
	wantCode(t, "nobody waiting", err, fault.NotFound)
	var f *fault.Error
	if !errors.As(err, &f) || f.Message != "Nobody is waiting for the services of this counter" {
		t.Errorf("nobody waiting: message %v", err)
	}
	_, err = d.CheckInAppointment(ctx, "ZZZZZZ")
	wantCode(t, "unknown booking at a desk", err, fault.NotFound)
	_, err = d.QueueTickets(ctx, queue.DayOf(time.Now()), queue.DayOf(time.Now().AddDate(-2, 0, 0)))
	wantCode(t, "days backwards", err, fault.Invalid)

	signed := d.c
	other := o.enrol("D02")
	mac := func(method, path, body string, tamper func(*http.Request)) (int, ErrorBody) {
		req, _ := http.NewRequest(method, o.http.URL+path, strings.NewReader(body))
		req.Header.Set(OperatorHeader, "clerk1")
		signed.sign(req, []byte(body))
		if tamper != nil {
			tamper(req)
		}
		resp, err := o.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e ErrorBody
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e
	}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   string
		tamper func(*http.Request)
		status int
		code   string
	}{
		{"unsigned", "POST", "/v1/queue/call-next", `{"counter":"1","call_id":"x"}`, func(r *http.Request) { r.Header.Del(SignatureHeader) }, 401, CodeUnauthorised},
		{"another desk's id", "POST", "/v1/queue/call-next", `{"counter":"1","call_id":"x"}`, func(r *http.Request) { r.Header.Set(DeskHeader, other.c.deskID) }, 401, CodeUnauthorised},
		{"old version", "GET", "/v1/queue/desk/status", "", func(r *http.Request) { r.Header.Set(ClientHeader, "0") }, 400, CodeClientVersion},
		{"unsigned office", "GET", "/v1/queue/office", "", func(r *http.Request) { r.Header.Del(SignatureHeader) }, 401, CodeUnauthorised},
		{"unsigned stats", "GET", "/v1/queue/desk/tickets?from=2026-01-01&to=2026-01-02", "", func(r *http.Request) { r.Header.Del(SignatureHeader) }, 401, CodeUnauthorised},
		{"not json", "POST", "/v1/queue/issue", `{"service":`, nil, 400, fault.Invalid},
		{"ticket not a number", "POST", "/v1/queue/tickets/abc/start", `{}`, nil, 400, fault.Invalid},
		{"unknown action", "POST", "/v1/queue/tickets/1/teleport", `{}`, nil, 404, fault.NotFound},
		{"empty body of an action", "POST", fmt.Sprintf("/v1/queue/tickets/%d/cancel", a.Ticket.ID), ``, nil, 409, fault.Conflict},
		{"unknown pause", "POST", "/v1/queue/pause", `{"counter":"1","kind":"nap"}`, nil, 400, fault.Invalid},
		{"wrong method", "GET", "/v1/queue/call-next", "", nil, 405, CodeMethod},
		{"too large", "POST", "/v1/queue/issue", `{"service":"` + strings.Repeat("A", MaxSimpleBytes) + `"}`, nil, 413, CodeTooLarge},
	} {
		status, e := mac(tc.method, tc.path, tc.body, tc.tamper)
		if status != tc.status || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, status, e, tc.status, tc.code)
		}
	}
	// The ticket called at 3 could not be cancelled: it is not waiting.
	if st, _ := d.QueueStatus(ctx); st.Current["3"].ID != a.Ticket.ID {
		t.Errorf("status after refusals: %+v", st.Current)
	}
}

func TestPublicQueueRoutes(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	kiosk := o.enrol("K01") // the desk app's kiosk: an enrolled desk
	anon := o.public()
	ctx := context.Background()

	r, err := kiosk.KioskIssue(ctx, "a", true)
	if err != nil || r.Label != "A001" || !r.Priority || r.ServiceName != "Anagrafe e certificati" || r.URL != "/ticket/"+r.UID || len(r.UID) != 26 {
		t.Fatalf("kiosk issue = %+v, %v", r, err)
	}
	second, err := kiosk.KioskIssue(ctx, "A", false)
	if err != nil || second.Ahead != 1 || second.WaitMinutes <= 0 {
		t.Fatalf("second = %+v, %v", second, err)
	}
	_, err = kiosk.KioskIssue(ctx, "Q", false)
	wantCode(t, "kiosk unknown service", err, fault.NotFound)
	_, err = kiosk.KioskCheckIn(ctx, "ZZZZZZ")
	wantCode(t, "unknown booking", err, fault.NotFound)
	if _, err := o.store.SaveService(ctx, "admin", queue.Service{Code: "C", Name: "Sportello sociale - PUA", DailyCap: 80, Open: false, Position: 3}); err != nil {
		t.Fatal(err)
	}
	_, err = kiosk.KioskIssue(ctx, "C", false)
	wantCode(t, "closed service", err, fault.Conflict)

	// Nobody anonymous takes a ticket or works the queue.
	_, err = anon.KioskIssue(ctx, "A", false)
	wantCode(t, "anonymous kiosk issue", err, fault.Forbidden)
	_, err = anon.CallNext(ctx, "clerk1", "1", "k1")
	wantCode(t, "anonymous calls", err, fault.Forbidden)
	if !strings.Contains(fmt.Sprint(err), "could not read the desk's signature") {
		t.Errorf("anonymous calls: %v", err)
	}

	if _, err := d.CallNext(ctx, "mrossi", "1", "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StartTicket(ctx, "mrossi", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FinishTicket(ctx, "mrossi", 1, "carta d'identità"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CallNext(ctx, "mrossi", "2", "c2"); err != nil {
		t.Fatal(err)
	}
	st, err := anon.BoardStatus(ctx)
	if err != nil || len(st.LastCalls) != 2 || st.LastCalls[0].Label != "A002" || st.LastCalls[0].Counter != "2" || st.Counters[1].Current.Label != "A002" {
		t.Fatalf("board status = %+v, %v", st, err)
	}
	code, body := o.raw("GET", "/v1/queue/status", nil, "")
	if code != 200 || bytes.Contains(body, []byte("mrossi")) || bytes.Contains(body, []byte("carta")) {
		t.Errorf("the public status shows the clerk or the outcome: %d %s", code, body)
	}
	v, err := anon.Ticket(ctx, second.UID)
	if err != nil || v.State != "called" || v.CounterName != "Sportello 2" {
		t.Fatalf("ticket view = %+v, %v", v, err)
	}
	_, err = anon.Ticket(ctx, strings.Repeat("0", 26))
	wantCode(t, "unknown uid", err, fault.NotFound)
	seq, err := anon.QueueSeq(ctx)
	if err != nil || seq != st.Seq {
		t.Errorf("seq = %d, %v; want %d", seq, err, st.Seq)
	}
}

// dropOnce is a transport that loses the answer of the first call-next it
// carries (the server did call a ticket), as a network cut would.
type dropOnce struct {
	next    http.RoundTripper
	dropped atomic.Bool
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/call-next") && d.dropped.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

func TestCallNextRetriedAfterALostAnswerCallsOnce(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()
	for range 2 {
		if _, err := o.store.IssueTicket(ctx, "kiosk", "A", false); err != nil {
			t.Fatal(err)
		}
	}
	drop := &dropOnce{next: o.http.Client().Transport}
	d.c.http = &http.Client{Transport: drop}
	d.backoff = time.Millisecond
	got, err := d.CallNext(ctx, "clerk1", "1", "lost-1")
	if err != nil || !drop.dropped.Load() {
		t.Fatalf("call next = %+v, %v (dropped %v)", got, err, drop.dropped.Load())
	}
	st, err := o.store.QueueStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.LastCall) != 1 || st.LastCall[0].ID != got.ID || st.Lines[0].Waiting != 1 {
		t.Errorf("after a retried call: last calls %+v, waiting %d", st.LastCall, st.Lines[0].Waiting)
	}
}

func TestFiftyDesksCallConcurrentlyNoTicketTwiceNoneSkipped(t *testing.T) {
	desks, calls := 50, 200
	if testing.Short() {
		desks, calls = 10, 20
	}
	o := newQueueOffice(t)
	services := o.bigOffice(desks*calls, desks)
	start := time.Now()
	issued := o.issueMany(desks*calls, services)
	t.Logf("issued %d tickets in %v", len(issued), time.Since(start))
	clients := make([]*QueueClient, desks)
	for i := range clients {
		clients[i] = o.enrol(fmt.Sprintf("D%02d", i+1))
	}
	ctx := context.Background()
	var mu sync.Mutex
	got := map[int64]string{}
	var twice []string
	var wg sync.WaitGroup
	errs := make(chan error, desks)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter, clerk := fmt.Sprint(i+1), fmt.Sprintf("clerk%d", i+1)
			for n := range calls {
				t, err := c.CallNext(ctx, clerk, counter, fmt.Sprintf("%s-%d", counter, n))
				if err != nil {
					errs <- fmt.Errorf("counter %s call %d: %w", counter, n, err)
					return
				}
				mu.Lock()
				if prev, ok := got[t.ID]; ok {
					twice = append(twice, fmt.Sprintf("%s at %s and %s", t.Label, prev, counter))
				}
				got[t.ID] = counter
				mu.Unlock()
				if _, err := c.NoShowTicket(ctx, clerk, t.ID); err != nil {
					errs <- fmt.Errorf("counter %s no-show: %w", counter, err)
					return
				}
			}
		}()
	}
	start = time.Now()
	wg.Wait()
	t.Logf("%d desks made %d calls and no-shows in %v", desks, desks*calls, time.Since(start))
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(twice) > 0 {
		t.Fatalf("tickets called twice: %v", twice[:min(len(twice), 10)])
	}
	if len(got) != len(issued) {
		t.Errorf("%d tickets called of %d issued", len(got), len(issued))
	}
	for id := range issued {
		if _, ok := got[id]; !ok {
			t.Errorf("ticket %d was skipped", id)
			break
		}
	}
	_, err := clients[0].CallNext(ctx, "clerk1", "1", "after-all")
	wantCode(t, "after every ticket was called", err, fault.NotFound)
	// Every call was recorded once.
	tickets, err := o.store.QueueTickets(ctx, queue.DayOf(time.Now()), queue.DayOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	noShows := slices.DeleteFunc(tickets, func(t queue.Ticket) bool { return t.State != queue.NoShow })
	if len(noShows) != desks*calls {
		t.Errorf("%d tickets marked as not shown, want %d", len(noShows), desks*calls)
	}
}

func TestOperatorIsSigned(t *testing.T) {
	// A request whose clerk was changed on the way is refused.
	o := newOffice(t, 5)
	a := o.newDesk("D01")
	req, _ := http.NewRequest(http.MethodGet, o.http.URL+"/v1/queue/desk/status", nil)
	req.Header.Set(OperatorHeader, "clerk1")
	a.syncer.Client.sign(req, nil)
	req.Header.Set(OperatorHeader, "someone-else")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("altered operator: %d", resp.StatusCode)
	}
}
