package central

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportello/queue"
)

// gate is a network a test can cut: while closed every request fails.
type gate struct {
	next   http.RoundTripper
	closed atomic.Bool
	mu     sync.Mutex
	ids    []string // Last-Event-ID of each stream opened
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.closed.Load() {
		return nil, errors.New("network is unreachable")
	}
	if r.URL.Path == "/v1/queue/events" {
		g.mu.Lock()
		g.ids = append(g.ids, r.Header.Get("Last-Event-ID"))
		g.mu.Unlock()
	}
	return g.next.RoundTrip(r)
}

func (g *gate) streams() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.ids...)
}

// testBoard follows the queue as a board does, over a gate.
type testBoard struct {
	mu     sync.Mutex
	state  *BoardState
	fulls  int
	events []QueueEvent
	gate   *gate
	stop   func()
}

func followBoard(t *testing.T, o *queueOffice) *testBoard {
	t.Helper()
	b := &testBoard{gate: &gate{next: o.http.Client().Transport}}
	qc := o.public()
	qc.c.http = &http.Client{Transport: b.gate}
	qc.reconnect, qc.maxReconnect = 20*time.Millisecond, 100*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		qc.Follow(ctx, 0, func(st BoardStatus) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.fulls++
			b.state = NewBoardState(st)
		}, func(e QueueEvent) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.events = append(b.events, e)
			if b.state == nil || !b.state.Apply(e) {
				t.Errorf("the board cannot follow event %+v", e)
			}
		})
	}()
	b.stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(b.stop)
	return b
}

func (b *testBoard) seq() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == nil {
		return -1
	}
	return b.state.Seq()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertSameBoard checks that the board shows what the server shows.
func assertSameBoard(t *testing.T, o *queueOffice, b *testBoard) {
	t.Helper()
	seq, err := o.store.QueueSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the board to reach the server's last event", func() bool { return b.seq() == seq })
	want, err := boardStatus(context.Background(), o.server)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	got := b.state.Status()
	b.mu.Unlock()
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) != string(g) {
		t.Errorf("the board shows\n%s\nthe server\n%s", g, w)
	}
}

// busyMorning moves tickets through every kind of transition.
func busyMorning(t *testing.T, d *QueueClient, round string) {
	t.Helper()
	ctx := context.Background()
	must := func(tk queue.Ticket, err error) queue.Ticket {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	issue := func(sv string, priority bool) queue.Ticket {
		t.Helper()
		is, err := d.IssueTicket(ctx, "clerk1", sv, priority)
		if err != nil {
			t.Fatal(err)
		}
		return is.Ticket
	}
	issue("A", false)
	issue("A", true)
	issue("B", false)
	x := issue("C", false)
	first := must(d.CallNext(ctx, "clerk1", "1", round+"-1"))
	must(d.RecallTicket(ctx, "clerk1", first.ID))
	must(d.StartTicket(ctx, "clerk1", first.ID))
	must(d.HoldTicket(ctx, "clerk1", first.ID))
	second := must(d.CallNext(ctx, "clerk1", "1", round+"-2"))
	must(d.NoShowTicket(ctx, "clerk1", second.ID))
	must(d.ReactivateTicket(ctx, "clerk1", second.ID))
	must(d.ResumeTicket(ctx, "clerk1", first.ID, "2"))
	must(d.StartTicket(ctx, "clerk1", first.ID))
	must(d.TransferTicket(ctx, "clerk1", first.ID, "C"))
	must(d.CancelTicket(ctx, "clerk1", x.ID))
	must(d.CallTicket(ctx, "clerk1", "2", second.ID))
	must(d.StartTicket(ctx, "clerk1", second.ID))
	must(d.FinishTicket(ctx, "clerk1", second.ID, "certificato"))
}

func TestBoardThatDropsItsConnectionCatchesUp(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	busyMorning(t, d, "m1")
	b := followBoard(t, o)
	assertSameBoard(t, o, b)
	busyMorning(t, d, "m2") // followed live
	assertSameBoard(t, o, b)

	// The network goes; the queue goes on; the network comes back.
	b.gate.closed.Store(true)
	o.http.CloseClientConnections()
	time.Sleep(50 * time.Millisecond) // the desk's client sees its connections closed
	before := b.seq()
	busyMorning(t, d, "m3")
	time.Sleep(150 * time.Millisecond) // a few failed reconnections
	b.gate.closed.Store(false)
	assertSameBoard(t, o, b)

	streams := b.gate.streams()
	last := streams[len(streams)-1]
	if len(streams) < 2 || last != itoa(before) {
		t.Errorf("streams opened with Last-Event-ID %q; want the last one from %d", streams, before)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fulls != 1 {
		t.Errorf("the board got %d full states; a short gap is replayed event by event", b.fulls)
	}
	for i := 1; i < len(b.events); i++ {
		if b.events[i].Seq != b.events[i-1].Seq+1 {
			t.Fatalf("events %d then %d: one lost or repeated", b.events[i-1].Seq, b.events[i].Seq)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestBoardFarBehindGetsTheFullState(t *testing.T) {
	o := newQueueOffice(t)
	o.roomy()
	d := o.enrol("D01")
	b := followBoard(t, o)
	assertSameBoard(t, o, b)

	b.gate.closed.Store(true)
	o.http.CloseClientConnections()
	time.Sleep(50 * time.Millisecond)
	ctx := context.Background()
	for i := range maxReplay + 10 {
		if _, err := o.store.IssueTicket(ctx, "kiosk", []string{"A", "B"}[i%2], false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.CallNext(ctx, "clerk1", "1", "far-1"); err != nil {
		t.Fatal(err)
	}
	b.gate.closed.Store(false)
	assertSameBoard(t, o, b)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fulls != 2 || len(b.events) != 0 {
		t.Errorf("fulls %d, events %d: want a second full state and no replay", b.fulls, len(b.events))
	}
}

// sseLines opens the stream and returns its lines as they come.
func sseLines(t *testing.T, o *queueOffice, path string, header http.Header) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.http.URL+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := o.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return lines
}

// nextLine waits for a line with the prefix.
func nextLine(t *testing.T, lines <-chan string, prefix string, within time.Duration) string {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no %q within %v", prefix, within)
		}
	}
}

func TestEventStream(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()
	issue := func() queue.Issued {
		t.Helper()
		is, err := d.IssueTicket(ctx, "clerk1", "A", false)
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	issue()
	issue()

	t.Run("first connection starts with the full state", func(t *testing.T) {
		lines := sseLines(t, o, "/v1/queue/events", nil)
		if l := nextLine(t, lines, "id:", time.Second); l != "id: 2" {
			t.Errorf("first id %q", l)
		}
		if l := nextLine(t, lines, "event:", time.Second); l != "event: full" {
			t.Errorf("first event %q", l)
		}
		data := nextLine(t, lines, "data:", time.Second)
		var st BoardStatus
		if err := json.Unmarshal([]byte(strings.TrimPrefix(data, "data: ")), &st); err != nil || st.Seq != 2 || st.Services[0].Waiting != 2 {
			t.Errorf("full state %s: %v", data, err)
		}
	})

	t.Run("Last-Event-ID wins over after", func(t *testing.T) {
		lines := sseLines(t, o, "/v1/queue/events?after=0", http.Header{"Last-Event-Id": {"1"}})
		if l := nextLine(t, lines, "id:", time.Second); l != "id: 2" {
			t.Errorf("replay from %q, want id: 2", l)
		}
	})

	t.Run("a cursor beyond the last event gets the full state", func(t *testing.T) {
		lines := sseLines(t, o, "/v1/queue/events?after=99", nil)
		if l := nextLine(t, lines, "event:", time.Second); l != "event: full" {
			t.Errorf("got %q", l)
		}
	})
}

func TestFollowBoardShowsEachCall(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx, cancel := context.WithCancel(context.Background())
	type shown struct {
		st BoardStatus
		e  *QueueEvent
	}
	updates := make(chan shown, 100)
	done := make(chan error)
	go func() {
		done <- o.public().FollowBoard(ctx, func(st BoardStatus, e *QueueEvent) { updates <- shown{st, e} })
	}()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("FollowBoard ended with %v", err)
		}
	}()
	first := <-updates
	if first.e != nil || first.st.Seq != 0 {
		t.Fatalf("first update %+v", first)
	}
	if _, err := d.IssueTicket(context.Background(), "clerk1", "B", false); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CallNext(context.Background(), "clerk1", "2", "f1"); err != nil {
		t.Fatal(err)
	}
	<-updates
	call := <-updates
	if call.e == nil || call.e.Action != "call" || call.e.Label != "B001" || call.st.LastCalls[0].Counter != "2" || call.st.Services[1].Waiting != 0 {
		t.Errorf("call update %+v %+v", call.e, call.st)
	}
}

// tunedOffice is an office whose streams poll the store and send
// keep-alives at the given intervals.
func tunedOffice(t *testing.T, poll, keepAlive time.Duration) *queueOffice {
	t.Helper()
	oldPoll, oldKeepAlive := pollEvery, keepAliveEvery
	t.Cleanup(func() { pollEvery, keepAliveEvery = oldPoll, oldKeepAlive })
	pollEvery, keepAliveEvery = poll, keepAlive
	return newQueueOffice(t)
}

func TestAChangeThroughTheAPIIsPushedAtOnce(t *testing.T) {
	o := tunedOffice(t, time.Hour, time.Hour) // only the notifier can wake the stream
	d := o.enrol("D01")
	lines := sseLines(t, o, "/v1/queue/events?after=0", nil)
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if _, err := d.IssueTicket(context.Background(), "clerk1", "A", false); err != nil {
		t.Fatal(err)
	}
	nextLine(t, lines, "id: 1", time.Second)
	data := nextLine(t, lines, "data:", time.Second)
	if !strings.Contains(data, `"label":"A001"`) || !strings.Contains(data, `"action":"issue"`) {
		t.Errorf("event %s", data)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("the event took %v", d)
	}
}

func TestAChangeMadeElsewhereArrivesByPollingTheStore(t *testing.T) {
	o := tunedOffice(t, 20*time.Millisecond, time.Hour)
	lines := sseLines(t, o, "/v1/queue/events?after=0", nil)
	if _, err := o.store.IssueTicket(context.Background(), "kiosk", "B", false); err != nil {
		t.Fatal(err)
	}
	nextLine(t, lines, "id: 1", time.Second)
}

func TestStreamSendsKeepAlives(t *testing.T) {
	o := tunedOffice(t, time.Hour, 30*time.Millisecond)
	lines := sseLines(t, o, "/v1/queue/events?after=0", nil)
	nextLine(t, lines, ": keep-alive", time.Second)
	nextLine(t, lines, ": keep-alive", time.Second)
}

func TestEventPolling(t *testing.T) {
	o := newQueueOffice(t)
	o.roomy()
	d := o.enrol("D01")
	ctx := context.Background()
	for range 3 {
		if _, err := d.IssueTicket(ctx, "clerk1", "A", false); err != nil {
			t.Fatal(err)
		}
	}
	poll := func(path string) (int, EventsPage) {
		t.Helper()
		code, body := o.raw("GET", path, nil, "")
		var p EventsPage
		json.Unmarshal(body, &p)
		return code, p
	}
	for _, tc := range []struct {
		name   string
		path   string
		seq    int64
		events int
		full   bool
	}{
		{"from the start", "/v1/queue/events?poll=1&after=0", 3, 3, false},
		{"from the middle", "/v1/queue/events?poll=1&after=1", 3, 2, false},
		{"up to date", "/v1/queue/events?poll=1&after=3", 3, 0, false},
		{"first time", "/v1/queue/events?poll=1", 3, 0, true},
		{"beyond the last", "/v1/queue/events?poll=1&after=7", 3, 0, true},
	} {
		code, p := poll(tc.path)
		if code != 200 || p.Seq != tc.seq || len(p.Events) != tc.events || (p.Full != nil) != tc.full {
			t.Errorf("%s: %d %+v", tc.name, code, p)
		}
	}
	if code, body := o.raw("GET", "/v1/queue/events?poll=1&after=x", nil, ""); code != 400 || !strings.Contains(string(body), `"code":"invalid"`) {
		t.Errorf("bad cursor: %d %s", code, body)
	}
	for range maxReplay + 1 {
		if _, err := o.store.IssueTicket(ctx, "kiosk", "B", false); err != nil {
			t.Fatal(err)
		}
	}
	if _, p := poll("/v1/queue/events?poll=1&after=3"); p.Full == nil || p.Seq != 3+maxReplay+1 || p.Full.Services[1].Waiting != maxReplay+1 {
		t.Errorf("far behind: seq %d, full %v", p.Seq, p.Full != nil)
	}
	// The desk's QueueEvents reads the same page.
	evs, err := d.QueueEvents(ctx, 1, 10)
	if err != nil || len(evs) != 10 || evs[0].Seq != 2 || evs[0].Label != "A002" {
		t.Errorf("QueueEvents = %+v, %v", evs, err)
	}
}
