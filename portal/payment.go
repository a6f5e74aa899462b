package portal

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"sportello/certificate"
	"sportello/fault"
	"sportello/pagopa"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// The bollo paid online through pagoPA (Config.GPD set): a certificate
// that owes it is kept pending as a debt position at GPD and the page of
// the payment shows its notice (the notice number, the amount, the
// creditor, the pagoPA QR code and the notice as a PDF). The certificate
// is issued only when GPD says the position is paid and gives its receipt:
// read when the citizen opens the payment's page and every PaymentPoll in
// the background.
//
// Routes, for a signed-in citizen only (anyone else is sent home):
//   - POST /certificates with a choice "use:bollo": checked as any
//     certificate request (CSRF, origin, family, rules, the form's one-time
//     id: a form sent twice opens one payment); it creates one payment and
//     its debt position.
//   - GET /payments/{iupd}, GET /payments/{iupd}/avviso.pdf: the citizen's
//     own payment only (another's: not found); reading it may issue the
//     certificate, once, if GPD says it is paid.

// paidSuffix marks a choice whose bollo is paid through pagoPA.
const paidSuffix = ":bollo"

// defaultPaymentPoll is how often pending payments are read back from GPD.
const defaultPaymentPoll = time.Minute

// noticeDays is how long a notice may be paid.
const noticeDays = 30

// paidChoices are the uses a type that owes the bollo may be asked for
// with the bollo paid through pagoPA.
func paidChoices(t certificate.Type) []choice {
	if t.CivilStatusFact() {
		return nil
	}
	var out []choice
	for _, u := range certificate.Uses() {
		req := certificate.Request{Types: []certificate.Type{t}, Use: u, Duty: certificate.StampDuty{Payment: certificate.PayPagoPA}}
		if req.Validate() == nil {
			out = append(out, choice{Value: string(u) + paidSuffix, Label: u.Label() + " - imposta di bollo 16,00 euro con pagoPA"})
		}
	}
	return out
}

// parsePaid reads a paid choice back into its use.
func parsePaid(t certificate.Type, v string) (certificate.Use, bool) {
	for _, c := range paidChoices(t) {
		if c.Value == v {
			return certificate.Use(strings.TrimSuffix(v, paidSuffix)), true
		}
	}
	return "", false
}

func (p *Portal) onlineInput(formID string, c *citizen, personID int64, req certificate.Request) store.OnlineInput {
	return store.OnlineInput{FormID: formID, RequesterID: c.personID, PersonID: personID, Request: req,
		Municipality: p.cfg.Office, Settings: certificate.DefaultSettings, Signer: p.signer()}
}

// requestPayment opens the payment of a certificate that owes the bollo
// and sends the citizen to its page.
func (p *Portal) requestPayment(w http.ResponseWriter, r *http.Request, c *citizen, who registry.Person, req certificate.Request) {
	if err := p.logView(r, c, who.UID); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pay, err := p.st.AddOnlinePayment(r.Context(), p.onlineInput(r.PostForm.Get("form"), c, who.ID, req), p.cfg.PaymentSegregation)
	if err == nil && !pay.Published {
		err = p.publish(r.Context(), pay, who)
	}
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/payments/"+pay.IUPD, http.StatusSeeOther)
}

// publish creates the payment's debt position at GPD; one GPD already
// holds (an earlier attempt whose answer was lost) counts as created.
func (p *Portal) publish(ctx context.Context, pay store.OnlinePayment, who registry.Person) error {
	err := p.cfg.GPD.Create(ctx, store2position(p, pay, who))
	if err != nil && fault.Code(err) != fault.Conflict {
		p.log.Error("portal: create the debt position", "iupd", pay.IUPD, "err", err)
		return fault.New(fault.Internal, "pagoPA cannot be reached now: please try again in a few minutes", nil)
	}
	return p.st.PublishedOnlinePayment(ctx, pay.IUPD)
}

func store2position(p *Portal, pay store.OnlinePayment, who registry.Person) DebtPosition {
	title := certificate.Request{Types: pay.Request.Types}.Title()
	return DebtPosition{IUPD: pay.IUPD, DebtorCF: who.CF, DebtorName: strings.TrimSpace(who.Surname + " " + who.Name),
		Company: p.cfg.Site.Municipality, Office: p.cfg.Office.Office, Notice: pay.Notice, Cents: pay.Cents,
		Description: truncate("Imposta di bollo: "+title, 140), Due: pay.CreatedAt.AddDate(0, 0, noticeDays), Category: bolloCategory, IBAN: p.cfg.PaymentIBAN}
}

// bolloCategory is the taxonomy code of the transfer (9/0201102IM/: the
// municipality's registry certificates).
const bolloCategory = "9/0201102IM/"

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// settle reads the payment back from GPD and, when it is paid with a
// receipt, issues its certificate. It reports whether it is issued.
func (p *Portal) settle(ctx context.Context, pay store.OnlinePayment) (string, error) {
	if pay.Number != "" || !pay.Published {
		return pay.Number, nil
	}
	st, err := p.cfg.GPD.Status(ctx, pay.IUPD)
	if err != nil {
		return "", err
	}
	if !st.Paid() || st.ReceiptID == "" {
		return "", nil
	}
	lh := p.cfg.Letterhead
	in := store.OnlineInput{Municipality: p.cfg.Office, Settings: certificate.DefaultSettings, Signer: p.signer()}
	issued, err := p.st.SettleOnlinePayment(ctx, pay.IUPD, st.ReceiptID, cmp.Or(st.PaidAt, p.now()), in,
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, lh) })
	if err != nil {
		return "", err
	}
	return issued.Number, nil
}

// pollPayments reads the pending payments back from GPD every PaymentPoll
// until ctx ends.
func (p *Portal) pollPayments(ctx context.Context) {
	t := time.NewTicker(cmp.Or(p.cfg.PaymentPoll, defaultPaymentPoll))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pending, err := p.st.PendingOnlinePayments(ctx)
		if err != nil {
			p.log.Error("portal: pending payments", "err", err)
			continue
		}
		for _, pay := range pending {
			if _, err := p.settle(ctx, pay); err != nil && ctx.Err() == nil {
				p.log.Error("portal: read a payment back", "iupd", pay.IUPD, "err", err)
			}
		}
	}
}

// paymentData is the page of a payment.
type paymentData struct {
	IUPD, Title, Notice, Amount, Creditor, TaxCode, Due, Number string
	QR                                                          template.URL // a data: URL of the QR code's PNG
	Published                                                   bool
}

// euro writes cents as the notice does: "16,00".
func euro(cents int64) string { return fmt.Sprintf("%d,%02d", cents/100, cents%100) }

func (p *Portal) ownPayment(w http.ResponseWriter, r *http.Request) (*citizen, store.OnlinePayment, bool) {
	c := p.signedIn(w, r)
	if c == nil {
		return nil, store.OnlinePayment{}, false
	}
	if p.cfg.GPD == nil {
		p.problem(w, r, http.StatusNotFound, store.ErrNoPayment())
		return nil, store.OnlinePayment{}, false
	}
	pay, err := p.st.OnlinePaymentOf(r.Context(), c.session.PersonUID, r.PathValue("iupd"))
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return nil, store.OnlinePayment{}, false
	}
	return c, pay, true
}

func (p *Portal) handlePayment(w http.ResponseWriter, r *http.Request) {
	c, pay, ok := p.ownPayment(w, r)
	if !ok {
		return
	}
	if !pay.Published {
		// The position's creation failed when it was asked for: again now.
		rec, err := p.st.Record(r.Context(), pay.PersonID)
		if err == nil {
			err = p.publish(r.Context(), pay, rec.Person)
		}
		if err != nil {
			p.problem(w, r, statusOf(err), err)
			return
		}
		pay.Published = true
	}
	number, err := p.settle(r.Context(), pay)
	if err != nil {
		// GPD unreachable: the notice is still shown; the poll retries.
		p.log.Error("portal: read a payment back", "iupd", pay.IUPD, "err", err)
	}
	d := paymentData{IUPD: pay.IUPD, Title: certificate.Request{Types: pay.Request.Types}.Title(), Notice: pay.Notice.Grouped(),
		Amount: euro(pay.Cents), Creditor: p.cfg.Site.Municipality, TaxCode: p.cfg.GPD.TaxCode, Number: number, Published: pay.Published,
		Due: pay.CreatedAt.AddDate(0, 0, noticeDays).In(registry.Rome).Format("02/01/2006")}
	if number == "" {
		text, err := pagopa.QR(pay.Notice, p.cfg.GPD.TaxCode, pay.Cents)
		if err != nil {
			p.problem(w, r, statusOf(err), err)
			return
		}
		png, err := qrcode.Encode(text, qrcode.Medium, 256)
		if err != nil {
			p.problem(w, r, http.StatusInternalServerError, err)
			return
		}
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Payment of the bollo")
	pg.Data = d
	p.render(w, http.StatusOK, "payment.html", pg)
}

func (p *Portal) handleNoticePDF(w http.ResponseWriter, r *http.Request) {
	c, pay, ok := p.ownPayment(w, r)
	if !ok {
		return
	}
	if pay.Number != "" || !pay.Published {
		// Paid: the certificate; not at GPD yet: the page creates it first.
		http.Redirect(w, r, "/payments/"+pay.IUPD, http.StatusSeeOther)
		return
	}
	rec, err := p.st.Record(r.Context(), pay.PersonID)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if err := p.logView(r, c, rec.Person.UID); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	text, err := pagopa.QR(pay.Notice, p.cfg.GPD.TaxCode, pay.Cents)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pos := store2position(p, pay, rec.Person)
	pdf, err := printing.PaymentNotice(printing.Notice{Creditor: p.cfg.Site.Municipality, CreditorTaxCode: p.cfg.GPD.TaxCode,
		Office: p.cfg.Office.Office, Debtor: pos.DebtorName, DebtorCF: pos.DebtorCF, Subject: pos.Description, Number: pay.Notice.Grouped(),
		Cents: pay.Cents, Due: pos.Due, QR: text, Created: pay.CreatedAt})
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	servePDF(w, "avviso-pagopa-"+pay.Notice.String()+".pdf", pdf)
}
