package portal

import (
	"net/http"

	"sportello/registry"
	"sportello/social"
	"sportello/store"
)

// "Ask the social desk": a signed-in citizen sends a short request with
// how to be contacted; it reaches the social workers' list at the desks
// enabled for the social desk as a pre-intake (store.AskSocialDesk), and
// the citizen sees the phase the desk moves it to.
//
// Routes, for a signed-in citizen only (anyone else is sent home before
// a body is read):
//   - GET /social: the form and the citizen's requests with their state.
//   - POST /social: the session's CSRF token and the portal's origin
//     checked (the body bounded by guard), the form's one-time id makes a
//     form sent twice one request; it opens one case, about the citizen.

type socialData struct {
	FormID   string
	Types    []socialChoice
	Requests []socialRow
	Sent     string // the number just sent
	MaxText  int
	MaxShort int
}

type socialChoice struct{ Value, Key string }

type socialRow struct {
	Number, TypeKey, PhaseKey, OpenedAt string
}

func (p *Portal) handleSocial(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	reqs, err := p.st.OnlineSocialCases(r.Context(), c.session.PersonUID)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	d := socialData{FormID: randomHex(16), MaxText: store.MaxOnlineSocialText, MaxShort: store.MaxOnlineSocialContact}
	for _, t := range social.RequestTypes {
		d.Types = append(d.Types, socialChoice{Value: string(t), Key: "social.type." + string(t)})
	}
	sent := r.URL.Query().Get("sent")
	for _, q := range reqs {
		at, _ := store.ParseTimestamp(q.OpenedAt)
		d.Requests = append(d.Requests, socialRow{Number: q.Number, TypeKey: "social.type." + string(q.Type), PhaseKey: "social.phase." + string(q.Phase),
			OpenedAt: at.In(registry.Rome).Format("02/01/2006 15:04")})
		if q.Number == sent {
			d.Sent = sent
		}
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Ask the social desk")
	pg.Data = d
	p.render(w, http.StatusOK, "social.html", pg)
}

func (p *Portal) handleAskSocial(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	f := r.PostForm
	sent, err := p.st.AskSocialDesk(r.Context(), c.session.PersonUID, store.OnlineSocialRequest{FormID: f.Get("form"),
		Type: social.RequestType(f.Get("type")), Text: f.Get("text"), Contact: f.Get("contact"), Consent: f.Get("consent") == "yes"})
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/social?sent="+sent.Number, http.StatusSeeOther)
}
