package portal

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sportello/queue"
	"sportello/store"
)

// openAllDay opens service A every day all day (the test runs at any hour
// of the real clock the store reads) and online: bookable, remote tickets.
func openAllDay(tb testing.TB, st *store.Store, edit func(*queue.OnlineService)) {
	tb.Helper()
	ctx := context.Background()
	var hours []queue.Hours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		hours = append(hours, queue.Hours{Weekday: wd, Opens: 0, Closes: 23*60 + 59})
	}
	if err := st.SetServiceHours(ctx, "admin", "A", hours, 15); err != nil {
		tb.Fatal(err)
	}
	o := queue.OnlineService{Service: "A", Bookable: true, BookingLimit: 1, Remote: true, RemoteMaxWait: 4 * time.Hour, RemoteMaxWaiting: 10, Bring: "Carta d'identità"}
	if edit != nil {
		edit(&o)
	}
	if _, err := st.SaveOnlineService(ctx, "admin", o); err != nil {
		tb.Fatal(err)
	}
}

var (
	slotValue   = regexp.MustCompile(`name="slot" value="([0-9:]+)"`)
	dayValue    = regexp.MustCompile(`name="day" value="([0-9-]+)"`)
	bookingLink = regexp.MustCompile(`/queue/booking/([0-9a-f]{64})/ics`)
	ticketLink  = regexp.MustCompile(`/queue/ticket/([0-9a-f]{64})/cancel`)
)

func (b *browser) postWith(u string, form url.Values, headers map[string]string) int {
	b.tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestBookFromThePortal(t *testing.T) {
	if now := time.Now(); now.Hour() == 23 && now.Minute() >= 30 {
		t.Skip("the store's day would turn while the test runs")
	}
	var lacking []string
	missing = func(lang, key string) { lacking = append(lacking, lang+": "+key) }
	t.Cleanup(func() {
		missing = func(string, string) {}
		if len(lacking) > 0 {
			t.Errorf("untranslated: %q", lacking)
		}
	})
	st := testStore(t)
	openAllDay(t, st, nil)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	b := newBrowser(t)
	// Signed out: the list shows, booking needs a sign-in.
	if status, body := b.get(p.URL() + "/queue"); status != http.StatusOK || !strings.Contains(body, "Anagrafe e certificati") || !strings.Contains(body, `href="/queue/book/A"`) {
		t.Fatalf("queue page: %d %s", status, body)
	}
	if status, _ := b.get(p.URL() + "/queue/book/A"); status != http.StatusForbidden {
		t.Errorf("booking form signed out: %d", status)
	}
	_, home := b.signIn(p, "test")
	csrf := hiddenCSRF.FindStringSubmatch(home)[1]
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	status, form := b.get(p.URL() + "/queue/book/A?day=" + tomorrow)
	slots := slotValue.FindAllStringSubmatch(form, -1)
	if status != http.StatusOK || len(slots) == 0 || dayValue.FindStringSubmatch(form)[1] != tomorrow {
		t.Fatalf("booking form: %d %s", status, form)
	}
	good := url.Values{"csrf": {csrf}, "day": {tomorrow}, "slot": {slots[0][1]}, "email": {"mario@example.org"}}
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers map[string]string
		status  int
	}{
		{"no form token", url.Values{"day": {tomorrow}, "slot": {slots[0][1]}}, nil, http.StatusForbidden},
		{"from another site", good, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a service not booked online", good, nil, http.StatusForbidden},
		{"no slot", url.Values{"csrf": {csrf}, "day": {tomorrow}}, nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := p.URL() + "/queue/book/A"
			if tc.name == "a service not booked online" {
				target = p.URL() + "/queue/book/B"
			}
			if got := b.postWith(target, tc.form, tc.headers); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
		})
	}
	day, _ := time.Parse("2006-01-02", tomorrow)
	if as, _ := st.Appointments(context.Background(), queue.DayOf(day.Add(12*time.Hour))); len(as) != 0 {
		t.Fatalf("refused requests booked %+v", as)
	}
	status, page := b.post(p.URL()+"/queue/book/A", good)
	link := bookingLink.FindStringSubmatch(page)
	if status != http.StatusOK || link == nil || !strings.Contains(page, "Carta d&#39;identità") || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("confirmation: %d %s", status, page)
	}
	token := link[1]
	// Over the limit of one booking.
	if got := b.postWith(p.URL()+"/queue/book/A", url.Values{"csrf": {csrf}, "day": {tomorrow}, "slot": {slots[1][1]}}, nil); got != http.StatusConflict {
		t.Errorf("a second booking: %d", got)
	}
	// The .ics file.
	resp, err := http.Get(p.URL() + "/queue/booking/" + token + "/ics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("ics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Another browser with a forged token sees and changes nothing; a
	// cancel from another site is refused.
	stranger := newBrowser(t)
	if status, _ := stranger.get(p.URL() + "/queue/booking/" + strings.Repeat("ab", 32)); status != http.StatusNotFound {
		t.Errorf("a forged booking link: %d", status)
	}
	if got := stranger.postWith(p.URL()+"/queue/booking/"+strings.Repeat("ab", 32)+"/cancel", nil, nil); got != http.StatusNotFound {
		t.Errorf("cancel with a forged link: %d", got)
	}
	if got := stranger.postWith(p.URL()+"/queue/booking/"+token+"/cancel", nil, map[string]string{"Origin": "https://evil.example"}); got != http.StatusForbidden {
		t.Errorf("cancel from another origin: %d", got)
	}
	if bk, _ := st.BookingByToken(context.Background(), token); bk.State != queue.BookingBooked {
		t.Fatalf("the booking after hostile requests: %+v", bk)
	}
	// Move, then cancel, with the link.
	if status, page := stranger.post(p.URL()+"/queue/booking/"+token+"/move", url.Values{"day": {tomorrow}, "slot": {slots[2][1]}}); status != http.StatusOK || !strings.Contains(page, slots[2][1]) {
		t.Errorf("move: %d", status)
	}
	if status, _ := stranger.post(p.URL()+"/queue/booking/"+token+"/cancel", nil); status != http.StatusOK {
		t.Errorf("cancel: %d", status)
	}
	if bk, _ := st.BookingByToken(context.Background(), token); bk.State != queue.BookingCancelled || bk.Slot.String() != slots[2][1] {
		t.Errorf("the booking after move and cancel: %+v", bk)
	}
}

func TestRemoteTicketFromThePortal(t *testing.T) {
	if now := time.Now(); now.Hour() == 23 && now.Minute() >= 30 {
		t.Skip("the store's day would turn while the test runs")
	}
	var lacking []string
	missing = func(lang, key string) { lacking = append(lacking, lang+": "+key) }
	t.Cleanup(func() {
		missing = func(string, string) {}
		if len(lacking) > 0 {
			t.Errorf("untranslated: %q", lacking)
		}
	})
	st := testStore(t)
	openAllDay(t, st, nil)
	_, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	b := newBrowser(t)
	if got := b.postWith(p.URL()+"/queue/remote/A", nil, nil); got != http.StatusForbidden {
		t.Errorf("a remote ticket signed out: %d", got)
	}
	_, home := b.signIn(p, "test")
	csrf := hiddenCSRF.FindStringSubmatch(home)[1]
	if got := b.postWith(p.URL()+"/queue/remote/B", url.Values{"csrf": {csrf}}, nil); got != http.StatusForbidden {
		t.Errorf("a remote ticket of a service that gives none: %d", got)
	}
	if got := b.postWith(p.URL()+"/queue/remote/A", url.Values{}, nil); got != http.StatusForbidden {
		t.Errorf("a remote ticket without the form token: %d", got)
	}
	if _, err := st.IssueTicket(context.Background(), "kiosk", "A", false); err != nil {
		t.Fatal(err)
	}
	status, page := b.post(p.URL()+"/queue/remote/A", url.Values{"csrf": {csrf}})
	link := ticketLink.FindStringSubmatch(page)
	if status != http.StatusOK || link == nil || !strings.Contains(page, "Persone prima di Lei: 1") || !strings.Contains(page, "tenuto da parte") {
		t.Fatalf("ticket page: %d %s", status, page)
	}
	if got := b.postWith(p.URL()+"/queue/remote/A", url.Values{"csrf": {csrf}}, nil); got != http.StatusConflict {
		t.Errorf("a second remote ticket the same day: %d", got)
	}
	if status, _ := newBrowser(t).get(p.URL() + "/queue/ticket/" + strings.Repeat("cd", 32)); status != http.StatusNotFound {
		t.Errorf("a forged ticket link: %d", status)
	}
	if status, page := b.post(p.URL()+"/queue/ticket/"+link[1]+"/cancel", nil); status != http.StatusOK || !strings.Contains(page, "non è più in coda") {
		t.Errorf("give up: %d", status)
	}
}

func TestTicketPageFollowsTheLine(t *testing.T) {
	if now := time.Now(); now.Hour() == 23 && now.Minute() >= 30 {
		t.Skip("the store's day would turn while the test runs")
	}
	defer func(e time.Duration) { liveEvery = e }(liveEvery)
	liveEvery = 20 * time.Millisecond
	st := testStore(t)
	openAllDay(t, st, nil)
	ctx := context.Background()
	p := testPortal(t, st, Config{})
	first, err := st.IssueTicket(ctx, "kiosk", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := st.TakeRemote(ctx, store.Citizen{CF: "RSSMRA80A01H501U"}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	_, page := b.get(p.URL() + "/queue/ticket/" + rt.Token)
	if !strings.Contains(page, `<script src="/static/ticket.js" defer></script>`) || strings.Contains(page, "<script>") ||
		!strings.Contains(page, `data-t-called="Tocca a Lei: sportello {counter}"`) {
		t.Fatalf("ticket page: %s", page)
	}
	if status, js := b.get(p.URL() + "/static/ticket.js"); status != http.StatusOK || !strings.Contains(js, "EventSource") {
		t.Fatalf("ticket.js: %d", status)
	}
	if status, _ := b.get(p.URL() + "/queue/ticket/" + strings.Repeat("ef", 32) + "/events"); status != http.StatusNotFound {
		t.Errorf("events of a forged link: %d", status)
	}
	resp, err := b.c.Get(p.URL() + "/queue/ticket/" + rt.Token + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan ticketLive, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev ticketLive
				json.Unmarshal([]byte(data), &ev)
				events <- ev
			}
		}
		close(events)
	}()
	next := func(what string) ticketLive {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("%s: the stream ended", what)
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no event", what)
		}
		return ticketLive{}
	}
	if ev := next("first"); ev.State != "remote" || ev.Ahead != 1 || !ev.Near || ev.Called {
		t.Errorf("first event %+v", ev)
	}
	if _, err := st.CallNext(ctx, "lneri", "1", "c1"); err != nil {
		t.Fatal(err)
	}
	if ev := next("after the first call"); ev.Ahead != 0 || ev.Called {
		t.Errorf("after the call of %s: %+v", first.Ticket.Label, ev)
	}
	if _, err := st.MarkPresent(ctx, "lneri", rt.Ticket.ID); err != nil {
		t.Fatal(err)
	}
	if ev := next("present"); ev.State != "waiting" {
		t.Errorf("present: %+v", ev)
	}
	if _, err := st.CallNext(ctx, "lneri", "2", "c2"); err != nil {
		t.Fatal(err)
	}
	if ev := next("called"); !ev.Called || ev.Counter != "2" || ev.Near {
		t.Errorf("called: %+v", ev)
	}
}

// sentCodes is a Sender that keeps the messages it is given.
type sentCodes struct {
	mu   sync.Mutex
	sent []string // "to: text"
}

func (s *sentCodes) SendTo(_ context.Context, email, mobile, _, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, email+mobile+": "+text)
	return nil
}

var (
	hiddenCheck = regexp.MustCompile(`name="check" value="([0-9A-Z]+)"`)
	sixDigits   = regexp.MustCompile(`\b[0-9]{6}\b`)
)

func TestGuestBooking(t *testing.T) {
	if now := time.Now(); now.Hour() == 23 && now.Minute() >= 30 {
		t.Skip("the store's day would turn while the test runs")
	}
	st := testStore(t)
	openAllDay(t, st, func(o *queue.OnlineService) { o.Guests = true })
	sender := &sentCodes{}
	p := testPortal(t, st, Config{Sender: sender})
	b := newBrowser(t)
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	status, form := b.get(p.URL() + "/queue/book/A?day=" + tomorrow)
	slots := slotValue.FindAllStringSubmatch(form, -1)
	if status != http.StatusOK || len(slots) == 0 || !strings.Contains(form, `name="name"`) || !strings.Contains(form, `action="/queue/guest/A/code"`) {
		t.Fatalf("guest form: %d %s", status, form)
	}
	if status, _ := b.get(p.URL() + "/queue/book/B?day=" + tomorrow); status != http.StatusForbidden {
		t.Errorf("a service without guests: %d", status)
	}
	ask := url.Values{"day": {tomorrow}, "slot": {slots[0][1]}, "name": {"Anna Verdi"}, "email": {"anna@example.org"}}
	if got := b.postWith(p.URL()+"/queue/guest/A/code", ask, map[string]string{"Sec-Fetch-Site": "cross-site"}); got != http.StatusForbidden || len(sender.sent) != 0 {
		t.Errorf("a code asked from another site: %d, %d sent", got, len(sender.sent))
	}
	status, page := b.post(p.URL()+"/queue/guest/A/code", ask)
	check := hiddenCheck.FindStringSubmatch(page)
	if status != http.StatusOK || check == nil || len(sender.sent) != 1 || !strings.HasPrefix(sender.sent[0], "anna@example.org: ") {
		t.Fatalf("code page: %d %v %s", status, sender.sent, page)
	}
	code := sixDigits.FindString(sender.sent[0])
	if strings.Contains(page, code) {
		t.Fatal("the page shows the code it sent")
	}
	book := url.Values{"day": {tomorrow}, "slot": {slots[0][1]}, "name": {"Anna Verdi"}, "email": {"anna@example.org"}, "check": {check[1]}, "code": {"000000"}}
	if code == "000000" {
		book.Set("code", "000001")
	}
	if got := b.postWith(p.URL()+"/queue/book/A", book, nil); got != http.StatusBadRequest {
		t.Errorf("a wrong code: %d", got)
	}
	book.Set("email", "eva@example.org")
	book.Set("code", code)
	if got := b.postWith(p.URL()+"/queue/book/A", book, nil); got != http.StatusBadRequest {
		t.Errorf("the code for another contact: %d", got)
	}
	book.Set("email", "anna@example.org")
	status, page = b.post(p.URL()+"/queue/book/A", book)
	if status != http.StatusOK || bookingLink.FindStringSubmatch(page) == nil {
		t.Fatalf("guest booking: %d %s", status, page)
	}
	if got := b.postWith(p.URL()+"/queue/book/A", book, nil); got != http.StatusBadRequest {
		t.Errorf("the same code twice: %d", got)
	}
	// Without a way to send codes, no guests.
	p2 := testPortal(t, st, Config{})
	if status, _ := b.get(p2.URL() + "/queue/book/A"); status != http.StatusForbidden {
		t.Errorf("guests without a sender: %d", status)
	}
}
