package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// smtpServer is a local SMTP listener on 127.0.0.1 that keeps what it is
// sent; refuse makes it refuse every recipient.
type smtpServer struct {
	addr   string
	mu     sync.Mutex
	mails  []string // RCPT and DATA of each mail
	refuse bool
}

func newSMTP(tb testing.TB) *smtpServer {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &smtpServer{addr: l.Addr().String()}
	tb.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test ESMTP")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse {
				say("550 no such user")
				continue
			}
			rcpt = strings.TrimSpace(line[len("RCPT TO:"):])
			say("250 OK")
		case cmd == "DATA":
			say("354 go on")
			var body strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				body.WriteString(l)
			}
			head, qp, _ := strings.Cut(body.String(), "\r\n\r\n")
			text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(qp)))
			s.mu.Lock()
			s.mails = append(s.mails, rcpt+"\n"+head+"\n\n"+strings.ReplaceAll(string(text), "\r\n", " "))
			s.mu.Unlock()
			say("250 OK queued")
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpServer) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mails...)
}

func (s *smtpServer) mailer(tb testing.TB) *Mailer {
	host, port, _ := net.SplitHostPort(s.addr)
	var p int
	fmt.Sscan(port, &p)
	return &Mailer{Host: host, Port: p, From: "Comune di Prova <anagrafe@comune.example.it>", TLS: "none"}
}

// smsGateway is a local HTTP server standing for an SMS gateway.
type smsGateway struct {
	mu     sync.Mutex
	got    []map[string]string
	auth   []string
	status int
}

func newGateway(tb testing.TB) (*smsGateway, *httptest.Server) {
	g := &smsGateway{status: http.StatusAccepted}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		g.mu.Lock()
		defer g.mu.Unlock()
		g.got = append(g.got, m)
		g.auth = append(g.auth, r.Header.Get("Authorization"))
		w.WriteHeader(g.status)
	}))
	tb.Cleanup(srv.Close)
	return g, srv
}

// text is a stand-in translation: the key with its arguments filled in.
func text(lang, key string, args map[string]any) string {
	out := lang + ":" + key
	for k, v := range args {
		out = strings.ReplaceAll(out, "{{."+k+"}}", fmt.Sprint(v))
	}
	return out
}

// openStore opens a server store whose services are open every day all
// day, so the test runs at any hour.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ctx := context.Background()
	var hours []queue.Hours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		hours = append(hours, queue.Hours{Weekday: wd, Opens: 0, Closes: 23*60 + 59})
	}
	if err := st.SetServiceHours(ctx, "admin", "A", hours, 15); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.SaveOnlineService(ctx, "admin", queue.OnlineService{Service: "A", Bookable: true, Guests: true, BookingLimit: 3, Remote: true,
		RemoteMaxWait: 4 * time.Hour, RemoteMaxWaiting: 50, Bring: "la carta d'identità"}); err != nil {
		tb.Fatal(err)
	}
	return st
}

func TestRemindByEmailAndSMS(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	smtp := newSMTP(t)
	gw, srv := newGateway(t)
	tomorrow := queue.DayOf(time.Now().AddDate(0, 0, 1))
	email, err := st.BookOnline(ctx, store.Citizen{CF: "RSSMRA80A01H501U", Email: "mario@example.org", Lang: "en"}, "A", tomorrow, 12*60)
	if err != nil {
		t.Fatal(err)
	}
	sms, err := st.BookOnline(ctx, store.Citizen{CF: "BNCLCU85M41F205Z", Mobile: "333 123 4567"}, "A", tomorrow, 12*60+15)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.BookOnline(ctx, store.Citizen{CF: "VRDNNA90A41H501X"}, "A", tomorrow, 12*60+30); err != nil { // no contact: no reminder
		t.Fatal(err)
	}
	later := queue.DayOf(time.Now().AddDate(0, 0, 2))
	if _, err := st.BookOnline(ctx, store.Citizen{CF: "RSSMRA80A01H501U", Email: "mario@example.org"}, "A", later, 12*60); err != nil {
		t.Fatal(err)
	}
	n := &Notifier{Store: st, Mail: smtp.mailer(t), SMS: &SMS{URL: srv.URL, Token: "secret", Sender: "Comune"}, Text: text, Now: time.Now}
	sent, err := n.Remind(ctx)
	if err != nil || sent != 2 {
		t.Fatalf("Remind = %d, %v", sent, err)
	}
	mails := smtp.sent()
	if len(mails) != 1 || !strings.Contains(mails[0], "<mario@example.org>") || !strings.Contains(mails[0], "en:Your appointment for Anagrafe e certificati is tomorrow, "+tomorrow.Italian()+", at 12:00. Booking code: "+email.Code) ||
		!strings.Contains(mails[0], "Subject: en:Reminder") || !strings.Contains(mails[0], "en:Please bring: la carta d'identità") {
		t.Errorf("mails: %q", mails)
	}
	if len(gw.got) != 1 || gw.got[0]["to"] != "+393331234567" || !strings.Contains(gw.got[0]["text"], "it:Your appointment") || !strings.Contains(gw.got[0]["text"], sms.Code) ||
		gw.auth[0] != "Bearer secret" || gw.got[0]["sender"] != "Comune" {
		t.Errorf("sms: %+v %v", gw.got, gw.auth)
	}
	// Sent once: a second round sends nothing.
	if sent, err := n.Remind(ctx); err != nil || sent != 0 || len(smtp.sent()) != 1 {
		t.Errorf("second round: %d, %v, %d mails", sent, err, len(smtp.sent()))
	}
}

func TestRemindFailuresAreTriedAgain(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	smtp := newSMTP(t)
	gw, srv := newGateway(t)
	smtp.refuse, gw.status = true, http.StatusInternalServerError
	tomorrow := queue.DayOf(time.Now().AddDate(0, 0, 1))
	if _, err := st.BookOnline(ctx, store.Citizen{CF: "RSSMRA80A01H501U", Email: "mario@example.org", Mobile: "3331234567"}, "A", tomorrow, 9*60); err != nil {
		t.Fatal(err)
	}
	n := &Notifier{Store: st, Mail: smtp.mailer(t), SMS: &SMS{URL: srv.URL}, Text: text, Now: time.Now}
	sent, err := n.Remind(ctx)
	if sent != 0 || err == nil || strings.Contains(err.Error(), "mario") {
		t.Fatalf("Remind with both channels failing = %d, %v", sent, err)
	}
	smtp.mu.Lock()
	smtp.refuse = false
	smtp.mu.Unlock()
	if sent, _ := n.Remind(ctx); sent != 1 || len(smtp.sent()) != 1 {
		t.Errorf("retry: %d sent, %d mails", sent, len(smtp.sent()))
	}
}

func TestNearByEmail(t *testing.T) {
	if now := time.Now().In(registry.Rome); now.Hour() == 23 && now.Minute() >= 55 {
		t.Skip("the test's day would turn while it runs")
	}
	st := openStore(t)
	ctx := context.Background()
	smtp := newSMTP(t)
	var tickets []store.RemoteTicket
	for i, c := range []store.Citizen{
		{CF: "RSSMRA80A01H501U", Email: "mario@example.org"},
		{CF: "BNCLCU85M41F205Z", Email: "lucia@example.org"},
		{CF: "VRDNNA90A41H501X"}, // did not ask
	} {
		rt, err := st.TakeRemote(ctx, c, "A", i < 2)
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, rt)
	}
	for range 4 {
		if _, err := st.IssueTicket(ctx, "kiosk", "A", false); err != nil {
			t.Fatal(err)
		}
	}
	// The office's default: told when 3 or fewer are ahead. The first has
	// none ahead, the second one: both are told, once.
	n := &Notifier{Store: st, Mail: smtp.mailer(t), Text: text, Now: time.Now}
	sent, err := n.Near(ctx)
	if err != nil || sent != 2 {
		t.Fatalf("Near = %d, %v", sent, err)
	}
	mails := smtp.sent()
	if len(mails) != 2 || !strings.Contains(mails[1], "<lucia@example.org>") || !strings.Contains(mails[1], "it:Ticket "+tickets[1].Ticket.Label+": 1 people ahead") ||
		!strings.Contains(mails[1], tickets[1].Code) {
		t.Errorf("mails: %q", mails)
	}
	if sent, _ := n.Near(ctx); sent != 0 {
		t.Errorf("second round told %d", sent)
	}
}
