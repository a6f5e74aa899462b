package portal

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// The demonstration's pagoPA (serve --demo, and only then, when no GPD is
// configured): a GPD in process (demoGPD, reached through demoTransport)
// and a payer page that settles the citizen's own position as a payment
// service provider would. Every part of the page says it is a
// demonstration; nothing is paid.
//
// Routes, for a signed-in citizen of a --demo portal only:
//   - GET /demo-pay/{iupd}: the demonstration payer page of the citizen's
//     own payment (another's: not found).
//   - POST /demo-pay/{iupd}: CSRF and origin checked; marks the position
//     paid at the demonstration GPD with a fresh receipt id. The
//     certificate is then issued as any paid one: from GPD's answer.

// demoTaxCode is the demonstration creditor's tax code: valid in form, no
// one's.
const demoTaxCode = "00000000000"

// demoTransport serves a client's requests with a handler, in process.
type demoTransport struct{ h http.Handler }

func (t demoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// mountDemoPayments gives a --demo portal without pagopa_gpd_url the
// demonstration's GPD and payer page.
func (p *Portal) mountDemoPayments() {
	if p.cfg.GPD != nil {
		return
	}
	p.demoGPD = &demoGPD{taxCode: demoTaxCode, key: randomHex(16), positions: map[string]*gpdPosition{}}
	p.cfg.GPD = &GPD{BaseURL: "http://demo-gpd.invalid/gpd/debt-positions-service/v1", TaxCode: demoTaxCode, APIKey: p.demoGPD.key,
		Client: &http.Client{Transport: demoTransport{p.demoGPD.handler()}, Timeout: 10 * time.Second}}
	p.mux.HandleFunc("GET /demo-pay/{iupd}", p.handleDemoPayer)
	p.mux.HandleFunc("POST /demo-pay/{iupd}", p.handleDemoPay)
}

// demoPayerData is the demonstration payer page.
type demoPayerData struct {
	IUPD, Notice, Amount, Creditor string
}

func (p *Portal) handleDemoPayer(w http.ResponseWriter, r *http.Request) {
	c, pay, ok := p.ownPayment(w, r)
	if !ok {
		return
	}
	if pay.Number != "" {
		http.Redirect(w, r, "/payments/"+pay.IUPD, http.StatusSeeOther)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Demonstration payment: nothing is paid")
	pg.Data = demoPayerData{IUPD: pay.IUPD, Notice: pay.Notice.Grouped(), Amount: euro(pay.Cents), Creditor: p.cfg.Site.Municipality}
	p.render(w, http.StatusOK, "demo-pay.html", pg)
}

func (p *Portal) handleDemoPay(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	_, pay, ok := p.ownPayment(w, r)
	if !ok {
		return
	}
	if pay.Number == "" {
		p.demoGPD.mu.Lock()
		paid := p.demoGPD.positions[pay.IUPD] != nil && p.demoGPD.positions[pay.IUPD].Status == "PAID"
		p.demoGPD.mu.Unlock()
		if !paid {
			p.demoGPD.payWith(pay.IUPD, p.now(), "DEMO-"+randomHex(8))
		}
	}
	http.Redirect(w, r, "/payments/"+pay.IUPD, http.StatusSeeOther)
}
