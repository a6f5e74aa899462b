package portal

import (
	"context"
	"net/http"
	"strings"

	"sportello/fault"
	"sportello/store"
)

// Booking without SPID or CIE, where the service allows guests: the guest
// chooses a slot and gives a name and an email or mobile number; the
// portal sends a code there (Config.Sender) and books once the guest types
// it back. Who may send it: anyone; the same-origin headers are checked
// before the form is read, the body is at most maxFormBytes, the code
// requests are rate-limited per address (signInRate) and per contact (the
// store: five an hour); a booking needs the code sent to the contact, five
// tries at most. It creates one booking within the service's limits.

// Sender sends a message to an email or a mobile number.
type Sender interface {
	SendTo(ctx context.Context, email, mobile, subject, text string) error
}

// Message keys of the code sent to a guest.
const (
	codeSubject = "Your confirmation code"
	codeText    = "Your confirmation code for Sportello online is {{.Code}}. It is valid for 15 minutes."
)

var errNoGuests = fault.New(fault.Forbidden, "Sign in with SPID or CIE to use this service online", nil)

type guestData struct {
	bookData
	Name, Email, Mobile, Check, Slot string
}

func (p *Portal) guestForm(w http.ResponseWriter, r *http.Request) {
	d, err := p.slotsPage(r, r.PathValue("service"))
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if !d.Online.Guests || p.cfg.Sender == nil {
		p.problem(w, r, http.StatusForbidden, errNoGuests)
		return
	}
	d.Action, d.Guest = "/queue/guest/"+d.Service.Code+"/code", true
	pg := p.newPage(r, nil)
	d.T = pg.T
	pg.Title = pg.T.L("Book an appointment")
	pg.Data = guestData{bookData: d}
	p.render(w, http.StatusOK, "queue-book.html", pg)
}

// handleGuestCode sends the code to the guest's contact and asks for it.
func (p *Portal) handleGuestCode(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) || r.ParseForm() != nil {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	ctx := r.Context()
	service := r.PathValue("service")
	o, err := p.st.OnlineService(ctx, service)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if !o.Bookable || !o.Guests || p.cfg.Sender == nil {
		p.problem(w, r, http.StatusForbidden, errNoGuests)
		return
	}
	day, slot, err := formSlot(r)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	g := guestData{Name: strings.TrimSpace(r.PostForm.Get("name")), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Mobile: strings.TrimSpace(r.PostForm.Get("mobile")), Slot: slot.String()}
	if g.Name == "" {
		p.problem(w, r, http.StatusBadRequest, fault.New(fault.Invalid, "The name of the person is required", nil))
		return
	}
	check, code, err := p.st.StartContactCheck(ctx, g.Email, g.Mobile)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	t := newTr(pickLanguage(r))
	if err := p.cfg.Sender.SendTo(ctx, check.Email, check.Mobile, t.L(codeSubject), t.L(codeText, "Code", code)); err != nil {
		p.log.Error("portal: guest code not sent", "err", err)
		p.problem(w, r, http.StatusBadGateway, fault.New(fault.Conflict, "The code could not be sent: check the address or number and try again", nil))
		return
	}
	g.Check = check.ID
	g.Service, _ = p.serviceNamed(r, service)
	g.Day, g.DayText = day.String(), italianDate(day)
	pg := p.newPage(r, nil)
	pg.Title = pg.T.L("Confirm the booking")
	pg.Data = g
	p.render(w, http.StatusOK, "queue-guest.html", pg)
}

// bookAsGuest is the booking form of a guest, with the code sent to them.
func (p *Portal) bookAsGuest(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) || r.ParseForm() != nil {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	day, slot, err := formSlot(r)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	f := r.PostForm
	who := store.Citizen{Name: f.Get("name"), Email: f.Get("email"), Mobile: f.Get("mobile"), CheckID: f.Get("check"), CheckCode: f.Get("code"),
		Lang: pickLanguage(r)}
	b, err := p.st.BookOnline(r.Context(), who, r.PathValue("service"), day, slot)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/queue/booking/"+b.Token, http.StatusSeeOther)
}
