package central

import (
	"context"
	"net/http"
	"strings"
	"time"

	"sportello/fault"
	"sportello/store"
)

// The office's browser devices. A kiosk page and a board page open only on
// a browser an administrator enrolled (sportellod enrol --kind kiosk|board):
// the one-time code, typed once on the device's enrol page, becomes a
// token the browser keeps as an HttpOnly, SameSite=Strict cookie, and the
// server keeps only its hash, so it can revoke it. The desk app's kiosk
// and board are enrolled desks and sign their requests instead.

// DeviceCookie holds a browser device's token.
const DeviceCookie = "sportello_device"

// deviceCookieAge is how long the browser keeps the token (the most a
// browser allows); revoking it at the server ends it at once.
const deviceCookieAge = 400 * 24 * time.Hour

// deviceKey is the context key of the browser device of a request.
type deviceKey struct{}

// webDevice is the trusted browser device of the request, if its cookie
// names one of the kinds given.
func (s *Server) webDevice(r *http.Request, kinds ...string) (store.Device, bool) {
	c, err := r.Cookie(DeviceCookie)
	if err != nil || len(c.Value) != 64 {
		return store.Device{}, false
	}
	d, err := s.store.DeviceByToken(r.Context(), c.Value)
	if err != nil {
		if fault.Code(err) == fault.Internal {
			s.log.Error("device", "err", err)
		}
		return store.Device{}, false
	}
	for _, k := range kinds {
		if d.Kind == k {
			return d, true
		}
	}
	return store.Device{}, false
}

// kiosk admits a kiosk's request: an enrolled desk's signature (the desk
// app's kiosk), or a kiosk device's cookie on a same-origin JSON request
// (the edge has refused cross-origin ones already). Each kiosk device may
// take a ticket every few seconds.
func (s *Server) kiosk(h http.HandlerFunc) http.HandlerFunc {
	signed := s.desk(MaxSmallBytes, h)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(DeskHeader) != "" {
			signed(w, r)
			return
		}
		if !isJSON(r) {
			writeError(w, http.StatusUnsupportedMediaType, ErrorBody{Code: fault.Invalid, Message: "The request must be JSON (Content-Type: application/json)"})
			return
		}
		d, ok := s.webDevice(r, store.DeviceKiosk)
		if !ok {
			s.refused.allow(clientAddr(r), s.now())
			writeError(w, http.StatusUnauthorized, ErrorBody{Code: CodeUnauthorised, Reason: ReasonNoDevice,
				Message: "This screen is not enrolled as a kiosk of the office: ask the administrator for a code (sportellod enrol --kind kiosk)"})
			return
		}
		if ok, wait := s.perKiosk.allow(d.ID, s.now()); !ok {
			tooMany(w, wait)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, d)))
	}
}

// devicePage is the enrol form a browser sees instead of a kiosk or board
// page until it is enrolled.
type devicePage struct {
	Kind    string
	Problem string
}

// needDevice shows the enrol form unless the request comes from an
// enrolled device of the kind; ok says whether the page may be served.
func (p *webPages) needDevice(w http.ResponseWriter, r *http.Request, kind string) bool {
	if _, ok := p.s.webDevice(r, kind); ok {
		return true
	}
	p.render(w, r, http.StatusUnauthorized, "device.html", devicePage{Kind: kind})
	return false
}

// handleDeviceEnrol takes the one-time code from the enrol form, sets the
// device's cookie and sends the browser to its page. Attempts are limited
// and locked out per address as the desks' enrolment is.
func (p *webPages) handleDeviceEnrol(w http.ResponseWriter, r *http.Request) {
	s := p.s
	addr := clientAddr(r)
	r.Body = http.MaxBytesReader(w, r.Body, MaxEnrolBytes)
	if err := r.ParseForm(); err != nil {
		p.render(w, r, http.StatusBadRequest, "device.html", devicePage{Kind: store.DeviceKiosk, Problem: "La richiesta non è valida"})
		return
	}
	kind := r.PostForm.Get("kind")
	if kind != store.DeviceBoard {
		kind = store.DeviceKiosk
	}
	if ok, wait := s.enrol.admit(addr, s.now()); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		p.render(w, r, http.StatusTooManyRequests, "device.html", devicePage{Kind: kind,
			Problem: "Troppi tentativi da questo indirizzo: riprovi tra qualche minuto"})
		return
	}
	d, token, err := s.store.EnrolDevice(r.Context(), strings.TrimSpace(r.PostForm.Get("code")))
	if err != nil {
		s.enrolFailed(addr, "device", err)
		status := http.StatusForbidden
		if fault.Code(err) == fault.Internal {
			s.log.Error("device enrol", "err", err)
			status = http.StatusInternalServerError
		}
		p.render(w, r, status, "device.html", devicePage{Kind: kind, Problem: p.sayError(err)})
		return
	}
	s.enrol.succeeded(addr)
	s.log.Info("device enrolled", "device", d.ID, "kind", d.Kind)
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: token, Path: "/", MaxAge: int(deviceCookieAge.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/"+d.Kind, http.StatusSeeOther)
}
