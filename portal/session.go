package portal

import (
	"crypto/subtle"
	"net/http"
	"time"

	"sportello/fault"
	"sportello/store"
)

// Sessions live in the server's database (portal_session); the browser
// holds only a random id, in a Secure (but on loopback http), HttpOnly,
// SameSite=Lax cookie. An idle session ends after idleTimeout, any after
// absoluteTimeout, and "Esci" ends it at the server: the old cookie then
// opens nothing.

// citizen is who a request comes from.
type citizen struct {
	session  store.PortalSession
	personID int64
}

var errForm = fault.New(fault.Forbidden, "The form has expired: please go back, reload the page and try again", nil)

// touchEvery spares the database a write on every page: seen_at moves at
// most this often.
const touchEvery = 30 * time.Second

func (p *Portal) sessionCookie() string {
	if p.secure {
		return "__Host-sportello_session"
	}
	return "sportello_session"
}

// citizen is the signed-in citizen of r, nil when no open session.
func (p *Portal) citizen(r *http.Request) (*citizen, error) {
	ck, err := r.Cookie(p.sessionCookie())
	if err != nil || len(ck.Value) != 64 {
		return nil, nil
	}
	ctx := r.Context()
	ps, err := p.st.FindPortalSession(ctx, hashToken(ck.Value))
	if fault.Code(err) == fault.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !ps.EndedAt.IsZero() {
		return nil, nil
	}
	now := p.now()
	if now.Sub(ps.SeenAt) > idleTimeout || now.Sub(ps.CreatedAt) > absoluteTimeout {
		return nil, p.st.EndPortalSession(ctx, ps.IDHash)
	}
	if now.Sub(ps.SeenAt) > touchEvery {
		if err := p.st.TouchPortalSession(ctx, ps.IDHash, now); err != nil {
			return nil, err
		}
	}
	if ps.PersonID == 0 { // no longer in the register
		return nil, p.st.EndPortalSession(ctx, ps.IDHash)
	}
	return &citizen{session: ps, personID: ps.PersonID}, nil
}

// checkForm reads a posted form and reports whether it carries the
// session's CSRF token and comes from the portal's own pages.
func (p *Portal) checkForm(r *http.Request, c *citizen) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != p.base.Scheme+"://"+p.base.Host {
		return false
	}
	if err := r.ParseForm(); err != nil {
		return false
	}
	token := r.PostForm.Get("csrf")
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(c.session.CSRF)) == 1
}
