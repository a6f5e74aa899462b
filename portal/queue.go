package portal

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// The queue's pages: every service with its live line, booking an
// appointment, its confirmation (code, QR for the kiosk, .ics, what to
// bring; cancel and move), a ticket taken from home and its page.
//
// Who may send what:
//   - GET /queue, /queue/booking/{token}, /queue/ticket/{token}: anyone;
//     a booking or a ticket is shown only to whoever holds its 256-bit
//     token (the link), which is checked before any read.
//   - GET /queue/book/{service}: a signed-in citizen (SPID/CIE), or a
//     guest where the service allows guests (queue_guest.go).
//   - POST /queue/book/{service} and /queue/remote/{service}: a signed-in
//     citizen; the session's CSRF token and the same-origin headers are
//     checked (checkForm) before the form is used, the body is at most
//     maxFormBytes (guard); the codice fiscale comes from the session's
//     person, never from the form. They create one booking or one remote
//     ticket within the store's rules (limits, hours, waits).
//   - GET /queue/ticket/{token}/events: the same, live (queue_live.go).
//   - POST /queue/booking/{token}/cancel|move and /queue/ticket/{token}/cancel:
//     whoever holds the token (a guest has no session); the same-origin
//     headers are checked before the form is read; they change only the
//     booking or ticket of that token.

func (p *Portal) queueRoutes() {
	p.mux.HandleFunc("GET /queue", p.handleQueue)
	p.mux.HandleFunc("GET /queue/book/{service}", p.handleBookForm)
	p.mux.HandleFunc("POST /queue/book/{service}", p.limited(signInRate, p.handleBook))
	p.mux.HandleFunc("GET /queue/booking/{token}", p.handleBooking)
	p.mux.HandleFunc("GET /queue/booking/{token}/ics", p.handleBookingICS)
	p.mux.HandleFunc("POST /queue/booking/{token}/cancel", p.handleBookingCancel)
	p.mux.HandleFunc("POST /queue/booking/{token}/move", p.handleBookingMove)
	p.mux.HandleFunc("POST /queue/guest/{service}/code", p.limited(signInRate, p.handleGuestCode))
	p.mux.HandleFunc("POST /queue/remote/{service}", p.limited(signInRate, p.handleRemote))
	p.mux.HandleFunc("GET /queue/ticket/{token}", p.handleTicket)
	p.mux.HandleFunc("GET /queue/ticket/{token}/events", p.handleTicketEvents)
	p.mux.HandleFunc("POST /queue/ticket/{token}/cancel", p.handleTicketCancel)
}

// sameOrigin checks a POST comes from the portal's own pages, before its
// form is read.
func (p *Portal) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	return origin == "" || origin == p.base.Scheme+"://"+p.base.Host
}

type queueRow struct {
	Service  queue.Service
	Online   queue.OnlineService
	Waiting  int
	Minutes  int
	Open     bool
	CanTake  bool // remote tickets on and open now
	Bookable bool
}

type queueData struct {
	Rows     []queueRow
	HoldRule string
}

func (p *Portal) handleQueue(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	ctx := r.Context()
	waits, err := p.st.ServiceWaits(ctx)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	settings, err := p.st.OnlineSettings(ctx)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Lines and appointments")
	var d queueData
	for _, sw := range waits {
		d.Rows = append(d.Rows, queueRow{Service: sw.Service, Online: sw.Online, Waiting: sw.Waiting, Minutes: minutes(sw.Wait), Open: sw.Open,
			CanTake: sw.Online.Remote && sw.Open, Bookable: sw.Online.Bookable})
	}
	d.HoldRule = pg.T.X(queue.HoldRule, map[string]any{"Minutes": int(settings.Hold / time.Minute)})
	pg.Data = d
	p.render(w, http.StatusOK, "queue.html", pg)
}

func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

type dayLink struct {
	ISO, Label string
	Current    bool
}

type bookData struct {
	Service queue.Service
	Online  queue.OnlineService
	Days    []dayLink
	Day     string
	DayText string
	Slots   []string
	Action  string // where the form posts
	Token   string // a move: the booking's token
	T       *tr    // the page's, for the slots' template
	CSRF    string // a booking's form: the session's
	Guest   bool   // a guest's form: a name, and a code sent to the contact
}

// serviceNamed returns an existing service.
func (p *Portal) serviceNamed(r *http.Request, code string) (queue.Service, error) {
	office, err := p.st.QueueOffice(r.Context())
	if err != nil {
		return queue.Service{}, err
	}
	sv, ok := office.Service(code)
	if !ok {
		return sv, fault.New(fault.NotFound, "This page does not exist", nil)
	}
	return sv, nil
}

// slotsPage fills the days open to bookings and the free slots of the
// chosen day (?day=, today by default).
func (p *Portal) slotsPage(r *http.Request, service string) (bookData, error) {
	ctx := r.Context()
	var d bookData
	sv, err := p.serviceNamed(r, service)
	if err != nil {
		return d, err
	}
	d.Service = sv
	if d.Online, err = p.st.OnlineService(ctx, service); err != nil {
		return d, err
	}
	if !d.Online.Bookable {
		return d, fault.New(fault.Forbidden, "This service cannot be booked online", nil)
	}
	settings, err := p.st.OnlineSettings(ctx)
	if err != nil {
		return d, err
	}
	now := p.now()
	day := queue.DayOf(now)
	if q := r.URL.Query().Get("day"); q != "" {
		if day, err = registry.ParseDate(q); err != nil {
			return d, fault.New(fault.Invalid, "The date {{.Date}} is not valid (dd/mm/yyyy)", map[string]any{"Date": q})
		}
	}
	if err := queue.BookableDay(day, now, settings.DaysAhead); err != nil {
		return d, err
	}
	for i := range settings.DaysAhead {
		dd := queue.DayOf(now.AddDate(0, 0, i))
		d.Days = append(d.Days, dayLink{ISO: dd.String(), Label: italianDate(dd), Current: dd == day})
	}
	d.Day, d.DayText = day.String(), italianDate(day)
	free, err := p.st.FreeSlots(ctx, service, day)
	if err != nil {
		return d, err
	}
	for _, c := range free {
		d.Slots = append(d.Slots, c.String())
	}
	return d, nil
}

func (p *Portal) handleBookForm(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		p.guestForm(w, r)
		return
	}
	d, err := p.slotsPage(r, r.PathValue("service"))
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	d.Action = "/queue/book/" + d.Service.Code
	pg := p.newPage(r, c)
	d.T, d.CSRF = pg.T, pg.CSRF
	pg.Title = pg.T.L("Book an appointment")
	pg.Data = d
	p.render(w, http.StatusOK, "queue-book.html", pg)
}

// formSlot reads the day and the slot of a posted booking form.
func formSlot(r *http.Request) (registry.Date, queue.Clock, error) {
	day, err := registry.ParseDate(r.PostForm.Get("day"))
	if err != nil {
		return day, 0, fault.New(fault.Invalid, "Choose a day and a time", nil)
	}
	slot, err := queue.ParseClock(r.PostForm.Get("slot"))
	if err != nil {
		return day, 0, fault.New(fault.Invalid, "Choose a day and a time", nil)
	}
	return day, slot, nil
}

// citizenOf is the signed-in citizen as the queue knows them: the codice
// fiscale the register holds for the session's person.
func (p *Portal) citizenOf(r *http.Request, c *citizen, lang string) (store.Citizen, error) {
	rec, err := p.st.Record(r.Context(), c.personID)
	if err != nil {
		return store.Citizen{}, err
	}
	return store.Citizen{CF: rec.Person.CF, Lang: lang}, nil
}

func (p *Portal) handleBook(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		p.bookAsGuest(w, r)
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	day, slot, err := formSlot(r)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	who, err := p.citizenOf(r, c, pg.T.Lang)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	who.Email, who.Mobile = strings.TrimSpace(r.PostForm.Get("email")), strings.TrimSpace(r.PostForm.Get("mobile"))
	b, err := p.st.BookOnline(r.Context(), who, r.PathValue("service"), day, slot)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/booking/"+b.Token, http.StatusSeeOther)
}

type bookingData struct {
	store.Booking
	Token   string
	Service queue.Service
	Bring   string
	DayText string
	QR      template.URL
	Move    bookData
	Active  bool
	NoShow  bool
}

func (p *Portal) handleBooking(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	b, err := p.st.BookingByToken(r.Context(), token)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	d := bookingData{Booking: b, Token: token, DayText: italianDate(b.Day), Active: b.State == queue.BookingBooked && !b.NoShow(p.now())}
	if d.Service, err = p.serviceNamed(r, b.Service); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	o, err := p.st.OnlineService(r.Context(), b.Service)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	d.Bring = o.Bring
	if d.QR, err = qrData(b.Code); err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if d.Active {
		if d.Move, err = p.slotsPage(r, b.Service); err != nil && fault.Code(err) == fault.Internal {
			p.problem(w, r, http.StatusInternalServerError, err)
			return
		}
		d.Move.Action, d.Move.Token = "/queue/booking/"+token+"/move", token
	}
	pg := p.newPage(r, c)
	d.Move.T = pg.T
	pg.Title = pg.T.L("Your booking")
	pg.Path = "/queue/booking/" + token
	pg.Data = d
	p.render(w, http.StatusOK, "queue-booking.html", pg)
}

// qrData is a QR code of text as a data: URL for an img (the CSP allows
// data: images, nothing else inline).
func qrData(text string) (template.URL, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

func (p *Portal) handleBookingICS(w http.ResponseWriter, r *http.Request) {
	b, err := p.st.BookingByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	sv, err := p.serviceNamed(r, b.Service)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	o, err := p.st.OnlineService(r.Context(), b.Service)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	t := newTr(pickLanguage(r))
	desc := t.L("Booking code: {{.Code}}", "Code", b.Code)
	if o.Bring != "" {
		desc += "\n" + t.X("Please bring: {{.Bring}}", map[string]any{"Bring": o.Bring})
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="appuntamento-`+b.Code+`.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(ics(b.Appointment, p.cfg.Municipality+" - "+sv.Name, desc, p.now())))
}

// ics is an iCalendar file (RFC 5545) with the booking as one event.
func ics(a queue.Appointment, summary, description string, now time.Time) string {
	const layout = "20060102T150405Z"
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "")
	start := a.At().UTC()
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sportello//Sportello online//IT", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
		"BEGIN:VEVENT", "UID:" + a.UID + "@sportello", "DTSTAMP:" + now.UTC().Format(layout), "DTSTART:" + start.Format(layout),
		"DTEND:" + start.Add(time.Duration(a.Minutes)*time.Minute).Format(layout), "SUMMARY:" + esc.Replace(summary),
		"DESCRIPTION:" + esc.Replace(description), "END:VEVENT", "END:VCALENDAR"}
	return strings.Join(lines, "\r\n") + "\r\n"
}

func (p *Portal) handleBookingCancel(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	token := r.PathValue("token")
	if _, err := p.st.CancelBooking(r.Context(), token); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/booking/"+token, http.StatusSeeOther)
}

func (p *Portal) handleBookingMove(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) || r.ParseForm() != nil {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	day, slot, err := formSlot(r)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	token := r.PathValue("token")
	if _, err := p.st.MoveBooking(r.Context(), token, day, slot); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/booking/"+token, http.StatusSeeOther)
}

func (p *Portal) handleRemote(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		p.problem(w, r, http.StatusForbidden, fault.New(fault.Forbidden, "Sign in with SPID or CIE to use this service online", nil))
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	pg := p.newPage(r, c)
	who, err := p.citizenOf(r, c, pg.T.Lang)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	who.Email, who.Mobile = strings.TrimSpace(r.PostForm.Get("email")), strings.TrimSpace(r.PostForm.Get("mobile"))
	rt, err := p.st.TakeRemote(r.Context(), who, r.PathValue("service"), r.PostForm.Get("notify") == "1")
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/ticket/"+rt.Token, http.StatusSeeOther)
}

type ticketData struct {
	store.RemoteTicket
	Token    string
	Minutes  int
	QR       template.URL
	HoldRule string
	Remote   bool // not yet checked in
	Waiting  bool
	Called   bool
	Over     bool
	Counter  string
}

func (p *Portal) handleTicket(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	rt, err := p.st.RemoteByToken(r.Context(), token)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	settings, err := p.st.OnlineSettings(r.Context())
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	st := rt.Ticket.State
	d := ticketData{RemoteTicket: rt, Token: token, Minutes: minutes(rt.Wait), Remote: st == queue.Remote, Waiting: st == queue.Waiting,
		Called: st == queue.Called, Over: !st.Open(), Counter: rt.Ticket.Counter,
		HoldRule: pg.T.X(queue.HoldRule, map[string]any{"Minutes": int(settings.Hold / time.Minute)})}
	if st == queue.Serving || st == queue.OnHold {
		d.Called = true
	}
	if d.QR, err = qrData(rt.Code); err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	pg.Title = pg.T.L("Your ticket")
	pg.Path = "/queue/ticket/" + token
	pg.Data = d
	p.render(w, http.StatusOK, "queue-ticket.html", pg)
}

func (p *Portal) handleTicketCancel(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	token := r.PathValue("token")
	if _, err := p.st.CancelRemote(r.Context(), token); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/ticket/"+token, http.StatusSeeOther)
}
