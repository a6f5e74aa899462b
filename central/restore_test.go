package central

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sportello/queue"
	"sportello/store"
)

// restoreFrom replaces the queue server's file with backup, as an
// administrator would after losing the disk, and serves it at the same
// address.
func (o *queueOffice) restoreFrom(backup string) {
	o.tb.Helper()
	path := o.store.Path()
	o.store.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	copyFile(o.tb.(*testing.T), backup, path)
	st, err := store.Open(path, store.Options{DeskCode: "SRV"})
	if err != nil {
		o.tb.Fatal(err)
	}
	o.tb.Cleanup(func() { st.Close() })
	o.store = st
	o.server = NewServer(st, nil)
	o.http.Config.Handler = o.server.Handler()
	o.http.CloseClientConnections() // a restore restarts the server
	// Clients open new connections (a POST on a connection the old
	// server closed would fail once).
	o.http.Client().Transport.(*http.Transport).CloseIdleConnections()
}

func (o *queueOffice) backup() string {
	o.tb.Helper()
	path := filepath.Join(o.tb.TempDir(), "backup.db")
	if err := o.store.Backup(context.Background(), path); err != nil {
		o.tb.Fatal(err)
	}
	return path
}

var callIDs int

func nextCallID() string {
	callIDs++
	return "restore-call-" + strconv.Itoa(callIDs)
}

func issue(t *testing.T, qc *QueueClient, service string) queue.Ticket {
	t.Helper()
	is, err := qc.IssueTicket(context.Background(), "kiosk", service, false)
	if err != nil {
		t.Fatal(err)
	}
	return is.Ticket
}

func TestRestoredServerGivesNoNumberTwiceAndGetsTicketsBack(t *testing.T) {
	ctx := context.Background()
	o := newQueueOffice(t)
	desk, kiosk := o.enrol("D01"), o.enrol("K01")
	for _, qc := range []*QueueClient{desk, kiosk} {
		if _, err := qc.QueueStatus(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		issue(t, kiosk, "A")
	}
	for range 3 {
		tk, err := desk.CallNext(ctx, "clerk1", "1", nextCallID())
		if err != nil {
			t.Fatal(err)
		}
		desk.StartTicket(ctx, "clerk1", tk.ID)
		if _, err := desk.FinishTicket(ctx, "clerk1", tk.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	backup := o.backup()
	// After the backup: A004-A006 from the kiosk, A004 called at
	// counter 1, A007 taken at a kiosk page in a browser (which keeps no
	// record of it: nobody will report it).
	var lost []queue.Ticket
	for range 3 {
		lost = append(lost, issue(t, kiosk, "A"))
	}
	called, err := desk.CallNext(ctx, "clerk1", "1", nextCallID())
	if err != nil || called.Label != "A004" {
		t.Fatalf("call after the backup: %+v %v", called, err)
	}
	resp, err := o.device(t, "kiosk").Post(o.http.URL+"/v1/queue/kiosk/issue", "application/json", strings.NewReader(`{"service":"A"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var anon TicketReceipt
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &anon) != nil || anon.Label != "A007" {
		t.Fatalf("browser kiosk's ticket: %d %s", resp.StatusCode, body)
	}

	lostSeq, err := o.store.QueueSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lostSeq -= 2 // a board that saw some of the lost events
	o.restoreFrom(backup)

	// A device that saw nothing of it issues first: no number given
	// before is given again.
	other := o.enrol("K02")
	given := map[string]bool{"A001": true, "A002": true, "A003": true, "A004": true, "A005": true, "A006": true, "A007": true}
	first := issue(t, other, "A")
	if given[first.Label] {
		t.Fatalf("the restored server gave %s again", first.Label)
	}
	given[first.Label] = true
	// The kiosk and the desk notice the restore and report what they hold.
	for _, qc := range []*QueueClient{kiosk, desk} {
		if _, err := qc.QueueStatus(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tickets, err := o.store.QueueTickets(ctx, called.Day, called.Day)
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]queue.Ticket{}
	for _, tk := range tickets {
		byUID[tk.UID] = tk
	}
	for _, l := range lost {
		got, ok := byUID[l.UID]
		if !ok || got.Label != l.Label || got.ID != l.ID {
			t.Errorf("ticket %s (id %d) not given back: %+v", l.Label, l.ID, got)
		}
	}
	if got := byUID[called.UID]; got.State != queue.Called || got.Counter != "1" {
		t.Errorf("the ticket called at the desk came back as %+v", got)
	}
	// The desk goes on serving the ticket it called, by its id.
	if _, err := desk.StartTicket(ctx, "clerk1", called.ID); err != nil {
		t.Fatalf("serve the called ticket after the restore: %v", err)
	}
	// The citizen's page of a ticket given back works; the one nobody
	// reported says it was lost in a restore.
	if status, body := o.raw(http.MethodGet, "/ticket/"+lost[1].UID, nil, ""); status != http.StatusOK || !strings.Contains(string(body), "A005") {
		t.Errorf("page of a ticket given back: %d", status)
	}
	status, body := o.raw(http.MethodGet, "/ticket/"+anon.UID, nil, "")
	if status != http.StatusGone || !strings.Contains(string(body), "ripristin") {
		t.Errorf("page of a lost ticket: %d %s", status, body)
	}
	if status, _ := o.raw(http.MethodGet, "/ticket/01ARZ3NDEKTSV4RRFFQ69G5FAV", nil, ""); status != http.StatusNotFound {
		t.Errorf("page of a ticket made before the backup that never existed: %d", status)
	}
	// Numbering goes on above everything reported, and above the first
	// ticket after the restore.
	next := issue(t, kiosk, "A")
	if given[next.Label] || next.Number <= first.Number {
		t.Errorf("after the reports the next ticket is %s", next.Label)
	}
	// Boards that followed the lost server start again from the whole
	// status.
	status, body = o.raw(http.MethodGet, "/v1/queue/events?poll=1&after="+strconv.FormatInt(lostSeq, 10), nil, "")
	var page EventsPage
	if status != http.StatusOK || json.Unmarshal(body, &page) != nil || page.Full == nil {
		t.Errorf("a cursor of the lost server does not get the full status: %d %s", status, body)
	}
	// A desk's board reads events page by page: it is told to read the
	// status again, and goes on from the server's sequence.
	evs, err := desk.QueueEvents(ctx, lostSeq, 200)
	if seq, _ := o.store.QueueSeq(ctx); err != nil || len(evs) != 1 || evs[0].Action != queue.ActRestore || evs[0].Seq != seq {
		t.Errorf("events after a cursor of the lost server: %+v %v", evs, err)
	}
}

// A board follows the queue: after a restore it reports the numbers it saw.
func TestBoardReportsTheNumbersItSawAfterARestore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := newQueueOffice(t)
	board, kiosk := o.enrol("B01"), o.enrol("K01")
	board.reconnect, board.maxReconnect = 20*time.Millisecond, 50*time.Millisecond
	issue(t, kiosk, "B")
	backup := o.backup()
	pictures := make(chan BoardStatus, 100)
	go board.FollowBoard(ctx, func(st BoardStatus, _ *QueueEvent) { pictures <- st })
	waitFor := func(what string, ok func(BoardStatus) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case st := <-pictures:
				if ok(st) {
					return
				}
			case <-deadline:
				t.Fatalf("the board never showed %s", what)
			}
		}
	}
	waitFor("the first picture", func(BoardStatus) bool { return true })
	// More tickets than the restore's jump over numbers nobody reported.
	for range store.RestoreNumberJump + 10 {
		issue(t, kiosk, "B")
	}
	waitFor("all waiting", func(st BoardStatus) bool {
		return len(st.Services) > 1 && st.Services[1].Waiting == store.RestoreNumberJump+11
	})
	o.restoreFrom(backup)
	// The board notices the new epoch when its stream comes back, and
	// reports the last number it saw: a kiosk that knows nothing gets a
	// number above it.
	waitFor("the restored server's picture", func(st BoardStatus) bool { return st.Epoch != "" && st.Services[1].Waiting == 1 })
	kiosk2 := o.enrol("K02")
	if tk := issue(t, kiosk2, "B"); tk.Number <= store.RestoreNumberJump+11 {
		t.Fatalf("after the board's report the next ticket is %s", tk.Label)
	}
}

func TestRestoreReportRefusals(t *testing.T) {
	ctx := context.Background()
	o := newQueueOffice(t)
	desk := o.enrol("D01")
	issue(t, desk, "A")
	today := queue.DayOf(o.server.now())
	reporter := desk
	report := func(r QueueReport) (QueueReportAnswer, error) {
		var a QueueReportAnswer
		return a, reporter.do(ctx, http.MethodPost, "/v1/queue/report", "clerk1", r, &a)
	}
	t.Run("a server not restored takes no report", func(t *testing.T) {
		_, err := report(QueueReport{Day: today.String(), Numbers: map[string]int{"A": 200}})
		wantCode(t, "report", err, "conflict")
		if tk := issue(t, desk, "A"); tk.Number != 2 {
			t.Errorf("a refused report moved the numbering: %s", tk.Label)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		status, _ := o.raw(http.MethodPost, "/v1/queue/report", http.Header{ClientHeader: {APIVersion}}, `{"numbers":{"A":200}}`)
		if status != http.StatusUnauthorized {
			t.Errorf("an unsigned report: %d", status)
		}
	})
	backup := o.backup()
	lost := issue(t, desk, "A")
	o.restoreFrom(backup)
	reporter = o.enrol("D09")
	t.Run("hostile tickets", func(t *testing.T) {
		good := lost
		otherDay := lost
		otherDay.UID, otherDay.Day = "01J00000000000000000000001", queue.DayOf(o.server.now().Add(-24*time.Hour))
		forged := lost
		forged.UID, forged.Label = "01J00000000000000000000002", "A900"
		old := lost
		old.UID, old.ID = "01J00000000000000000000003", 1
		unknown := lost
		unknown.UID, unknown.Service, unknown.Label, unknown.ID = "01J00000000000000000000004", "Z", "Z001", lost.ID+1
		a, err := report(QueueReport{Day: today.String(), Tickets: []queue.Ticket{good, otherDay, forged, old, unknown},
			Numbers: map[string]int{"A": 5000, "Q": 3}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Restored != 1 || a.Refused != 4 {
			t.Errorf("answer %+v, want 1 restored and 4 refused", a)
		}
		if tk := issue(t, desk, "A"); tk.Number > 300 || tk.Number <= lost.Number {
			t.Errorf("after a hostile report the next ticket is %s", tk.Label)
		}
	})
}

// A kiosk only issues tickets: the answer's epoch tells it of a restore.
func TestKioskThatOnlyIssuesGivesItsTicketsBack(t *testing.T) {
	ctx := context.Background()
	o := newQueueOffice(t)
	kiosk := o.enrol("K01")
	backup := o.backup()
	var lost []queue.Ticket
	for range 3 {
		lost = append(lost, issue(t, kiosk, "C"))
	}
	o.restoreFrom(backup)
	after := issue(t, kiosk, "C")
	if after.Number <= 3 {
		t.Fatalf("the restored server gave %s", after.Label)
	}
	for _, l := range lost {
		if status, _ := o.raw(http.MethodGet, "/ticket/"+l.UID, nil, ""); status != http.StatusOK {
			t.Errorf("the page of %s after the kiosk's report: %d", l.Label, status)
		}
	}
	if _, err := kiosk.QueueStatus(ctx); err != nil {
		t.Fatal(err)
	}
}
