package portal

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportello/certificate"
	"sportello/registry"
	"sportello/store"
)

var paymentLink = regexp.MustCompile(`href="/payments/(SPORTELLO-[0-9]+)/avviso\.pdf"`)

// payFixture is a certificates fixture whose portal creates the bollo's
// debt positions at a local GPD server.
type payFixture struct {
	certFixture
	gpd *fakeGPD
}

func newPayFixture(t *testing.T, poll time.Duration) payFixture {
	t.Helper()
	fake := &fakeGPD{taxCode: "02438750586", key: "chiave", positions: map[string]*gpdPosition{}}
	srv := httptest.NewServer(fake.handler())
	t.Cleanup(srv.Close)
	f := newCertFixtureWith(t, func(c *Config) {
		c.GPD = &GPD{BaseURL: srv.URL + "/gpd/debt-positions-service/v1", TaxCode: fake.taxCode, APIKey: fake.key, Client: srv.Client()}
		c.PaymentSegregation, c.PaymentPoll, c.PaymentIBAN = 1, poll, "IT60X0542811101000000123456"
	})
	return payFixture{certFixture: f, gpd: fake}
}

// askPaid asks for the residence certificate for private use, bollo paid
// through pagoPA, and returns the payment's page and its IUPD.
func (f payFixture) askPaid(t *testing.T, form string) (string, string) {
	t.Helper()
	post := url.Values{"csrf": {f.csrf}, "form": {form}, "person": {f.me.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	status, body := f.b.post(f.p.URL()+"/certificates", post)
	m := paymentLink.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("asking for a certificate that owes the bollo: %d %s", status, body)
	}
	return body, m[1]
}

func TestBolloPaidOnline(t *testing.T) {
	f := newPayFixture(t, time.Hour)
	_, body := f.b.get(f.p.URL() + "/certificates")
	if !strings.Contains(body, `value="private`+paidSuffix+`"`) || !strings.Contains(body, "avviso di pagamento pagoPA") {
		t.Fatalf("the bollo paid online is not offered: %s", body)
	}
	form := f.formID(t, "")
	page, iupd := f.askPaid(t, form)
	pos := f.gpd.positions[iupd]
	if pos == nil || pos.Status != "VALID" || pos.PaymentOption[0].Amount != 1600 || pos.FiscalCode != f.me.Person.CF ||
		pos.PaymentOption[0].Transfer[0].IBAN != "IT60X0542811101000000123456" {
		t.Fatalf("the position at GPD: %+v", pos)
	}
	nav := pos.PaymentOption[0].NAV
	grouped := nav[0:4] + " " + nav[4:8] + " " + nav[8:12] + " " + nav[12:16] + " " + nav[16:]
	for _, want := range []string{grouped, "16,00 euro", "Comune di Anagni", "02438750586", `src="data:image/png;base64,`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the notice page lacks %q: %s", want, page)
		}
	}
	// The same form again is the same payment, not a second position.
	if _, again := f.askPaid(t, form); again != iupd || len(f.gpd.positions) != 1 {
		t.Fatalf("the form sent twice: %s, %d positions", again, len(f.gpd.positions))
	}
	resp, err := f.b.c.Get(f.p.URL() + "/payments/" + iupd + "/avviso.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the notice PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Unpaid at GPD: no certificate, however often the page is read.
	for range 2 {
		if _, body := f.b.get(f.p.URL() + "/payments/" + iupd); !strings.Contains(body, grouped) || f.certificates(t) != 0 {
			t.Fatalf("an unpaid position issued a certificate: %d", f.certificates(t))
		}
	}
	// GPD says paid but gives no receipt: still nothing.
	f.gpd.payWith(iupd, time.Now(), "")
	if f.b.get(f.p.URL() + "/payments/" + iupd); f.certificates(t) != 0 {
		t.Fatal("a payment without its receipt issued a certificate")
	}
	f.gpd.payWith(iupd, time.Now(), "RCP-7")
	_, body = f.b.get(f.p.URL() + "/payments/" + iupd)
	m := issuedLink.FindStringSubmatch(body)
	if m == nil || f.certificates(t) != 1 {
		t.Fatalf("paid: no certificate: %s", body)
	}
	reg, err := f.st.CertificateByNumber(t.Context(), m[1])
	if err != nil || reg.Document.Duty != "Imposta di bollo assolta tramite pagoPA." {
		t.Fatalf("the certificate: %+v %v", reg.Document.Duty, err)
	}
	if _, err := f.st.VerifySeal(t.Context(), reg.Document.SealText); err != nil {
		t.Fatal(err)
	}
	// Read again, paid twice at GPD: one certificate.
	f.gpd.payWith(iupd, time.Now(), "RCP-7")
	if f.b.get(f.p.URL() + "/payments/" + iupd); f.certificates(t) != 1 {
		t.Fatalf("%d certificates after the payment read twice", f.certificates(t))
	}
}

func TestBolloPaymentPolled(t *testing.T) {
	f := newPayFixture(t, 20*time.Millisecond)
	_, iupd := f.askPaid(t, f.formID(t, ""))
	f.gpd.pay(iupd, time.Now())
	deadline := time.Now().Add(5 * time.Second)
	for f.certificates(t) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the poll did not issue the paid certificate")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pay, err := f.st.OnlinePaymentOf(t.Context(), f.me.Person.UID, iupd)
	if err != nil || pay.ReceiptID != "RCP-1" || pay.Number == "" {
		t.Fatalf("the payment after the poll: %+v %v", pay, err)
	}
}

func TestBolloPaymentHostile(t *testing.T) {
	f := newPayFixture(t, time.Hour)
	var stranger registry.Record
	others, err := f.st.DemoCitizens(t.Context(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range others {
		if rec, err := f.st.Record(t.Context(), o.ID); err == nil && rec.Person.FamilyID != f.me.Person.FamilyID {
			stranger = rec
			break
		}
	}
	if stranger.Person.UID == "" {
		t.Fatal("no citizen outside the family")
	}
	theirs, err := f.st.AddOnlinePayment(t.Context(), store.OnlineInput{FormID: strings.Repeat("e", 32), RequesterID: stranger.Person.ID, PersonID: stranger.Person.ID,
		Request: certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UsePrivate}, Settings: certificate.DefaultSettings}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/payments/" + theirs.IUPD, "/payments/" + theirs.IUPD + "/avviso.pdf", "/payments/SPORTELLO-00000000000000000"} {
		if status, body := f.b.get(f.p.URL() + path); status != http.StatusNotFound || strings.Contains(body, theirs.Notice.Grouped()) {
			t.Fatalf("%s: %d", path, status)
		}
	}
	// A stranger's browser reaches nothing; the stranger's own form is
	// refused to me.
	if status, _ := newBrowser(t).get(f.p.URL() + "/payments/" + theirs.IUPD); status != http.StatusOK {
		t.Fatalf("signed out: %d, want the home page", status)
	}
	post := url.Values{"csrf": {f.csrf}, "form": {theirs.FormID}, "person": {f.me.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	if status, _ := f.b.post(f.p.URL()+"/certificates", post); status != http.StatusForbidden {
		t.Fatalf("another citizen's form: %d", status)
	}
	// A forged receipt in the query changes nothing: only GPD's word counts.
	_, iupd := f.askPaid(t, f.formID(t, ""))
	if f.b.get(f.p.URL() + "/payments/" + iupd + "?receipt=RCP-1&paid=1"); f.certificates(t) != 0 {
		t.Fatal("a forged receipt issued a certificate")
	}
	// A position paid at GPD with another payment's receipt id issues nothing.
	f.gpd.payWith(iupd, time.Now(), "RCP-9")
	if f.b.get(f.p.URL() + "/payments/" + iupd); f.certificates(t) != 1 {
		t.Fatal("the paid certificate is not issued")
	}
	_, second := f.askPaid(t, f.formID(t, ""))
	f.gpd.payWith(second, time.Now(), "RCP-9")
	if f.b.get(f.p.URL() + "/payments/" + second); f.certificates(t) != 1 {
		t.Fatal("a receipt id reused issued a second certificate")
	}
	// A family member's tab is fine, a stranger is not of the family.
	post = url.Values{"csrf": {f.csrf}, "form": {f.formID(t, "")}, "person": {stranger.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	if status, _ := f.b.post(f.p.URL()+"/certificates", post); status != http.StatusNotFound {
		t.Fatalf("a stranger's certificate: %d", status)
	}
	// Without GPD configured the bollo is still refused.
	plain := newCertFixture(t)
	post = url.Values{"csrf": {plain.csrf}, "form": {plain.formID(t, "")}, "person": {plain.me.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	if status, _ := plain.b.post(plain.p.URL()+"/certificates", post); status != http.StatusBadRequest {
		t.Fatalf("the bollo without pagoPA: %d", status)
	}
}

func TestDemoPayerPage(t *testing.T) {
	f := newCertFixtureWith(t, func(c *Config) { c.Demo = true })
	post := url.Values{"csrf": {f.csrf}, "form": {f.formID(t, "")}, "person": {f.me.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	status, body := f.b.post(f.p.URL()+"/certificates", post)
	m := paymentLink.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.Contains(body, `href="/demo-pay/`+m[1]+`"`) {
		t.Fatalf("the demo's notice page: %d %s", status, body)
	}
	iupd := m[1]
	status, body = f.b.get(f.p.URL() + "/demo-pay/" + iupd)
	if status != http.StatusOK || strings.Count(body, "dimostrazione") < 3 || !strings.Contains(body, "Pagamento dimostrativo") {
		t.Fatalf("the payer page does not say it is a demonstration everywhere: %s", body)
	}
	// Hostile: without the CSRF token, from another site, signed out.
	if status, _ := f.b.post(f.p.URL()+"/demo-pay/"+iupd, url.Values{}); status != http.StatusForbidden || f.certificates(t) != 0 {
		t.Fatalf("paid without the form's token: %d", status)
	}
	if status, _ := newBrowser(t).post(f.p.URL()+"/demo-pay/"+iupd, url.Values{"csrf": {f.csrf}}); f.certificates(t) != 0 {
		t.Fatalf("paid signed out: %d", status)
	}
	if status, _ := f.b.post(f.p.URL()+"/demo-pay/SPORTELLO-00000000000000000", url.Values{"csrf": {f.csrf}}); status != http.StatusNotFound {
		t.Fatalf("a payment that is not mine: %d", status)
	}
	for range 2 { // paying twice is one certificate
		status, body = f.b.post(f.p.URL()+"/demo-pay/"+iupd, url.Values{"csrf": {f.csrf}})
	}
	if status != http.StatusOK || issuedLink.FindStringSubmatch(body) == nil || f.certificates(t) != 1 {
		t.Fatalf("paid at the demo: %d, %d certificates: %s", status, f.certificates(t), body)
	}
	// Without --demo there is no payer page.
	plain := newPayFixture(t, time.Hour)
	_, real := plain.askPaid(t, plain.formID(t, ""))
	if status, _ := plain.b.get(plain.p.URL() + "/demo-pay/" + real); status != http.StatusNotFound {
		t.Fatalf("the payer page without --demo: %d", status)
	}
	if status, _ := plain.b.post(plain.p.URL()+"/demo-pay/"+real, url.Values{"csrf": {plain.csrf}}); status != http.StatusNotFound || plain.certificates(t) != 0 {
		t.Fatalf("paid without --demo: %d", status)
	}
}

// flakyTransport fails every request while down is set, as a GPD that
// cannot be reached.
type flakyTransport struct {
	down *atomic.Bool
	next http.RoundTripper
}

func (t flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.down.Load() {
		return nil, errors.New("gpd unreachable")
	}
	return t.next.RoundTrip(r)
}

func TestBolloPaymentWhileGPDIsDown(t *testing.T) {
	fake := &fakeGPD{taxCode: "02438750586", key: "chiave", positions: map[string]*gpdPosition{}}
	srv := httptest.NewServer(fake.handler())
	t.Cleanup(srv.Close)
	down := &atomic.Bool{}
	down.Store(true)
	f := newCertFixtureWith(t, func(c *Config) {
		c.GPD = &GPD{BaseURL: srv.URL + "/gpd/debt-positions-service/v1", TaxCode: fake.taxCode, APIKey: fake.key,
			Client: &http.Client{Transport: flakyTransport{down, srv.Client().Transport}}}
		c.PaymentPoll = time.Hour
	})
	form := f.formID(t, "")
	post := url.Values{"csrf": {f.csrf}, "form": {form}, "person": {f.me.Person.UID}, "type": {"8"}, "choice": {"private" + paidSuffix}}
	if status, body := f.b.post(f.p.URL()+"/certificates", post); status != http.StatusInternalServerError || !strings.Contains(body, "riprovi") {
		t.Fatalf("GPD down: %d %s", status, body)
	}
	pending, err := f.st.PendingOnlinePayments(t.Context())
	if err != nil || len(pending) != 1 || pending[0].Published {
		t.Fatalf("pending %+v %v", pending, err)
	}
	iupd := pending[0].IUPD
	if status, _ := f.b.get(f.p.URL() + "/payments/" + iupd); status != http.StatusInternalServerError {
		t.Fatalf("the notice of a position GPD does not hold was shown: %d", status)
	}
	down.Store(false)
	if status, body := f.b.get(f.p.URL() + "/payments/" + iupd); status != http.StatusOK || fake.positions[iupd] == nil || !strings.Contains(body, `id="notice-code"`) {
		t.Fatalf("GPD back: %d, position %v", status, fake.positions[iupd])
	}
}
