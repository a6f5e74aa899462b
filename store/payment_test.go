package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

func TestOnlinePaymentLifecycle(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario, nicolo, giuseppe := idOf(t, s, "Rossi", "Mario"), idOf(t, s, "Rossi", "Nicolò"), idOf(t, s, "D'Amico", "Giuseppe")
	form := func(c byte) string { return strings.Repeat(string(c), 32) }
	private := certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UsePrivate}
	in := OnlineInput{FormID: form('a'), RequesterID: mario, PersonID: nicolo, Request: private, Settings: certificate.DefaultSettings, Signer: "Sportello online"}
	pay, err := s.AddOnlinePayment(ctx, in, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pay.Cents != 1600 || pay.Notice.Base != 1 || pay.Number != "" || !strings.HasPrefix(pay.IUPD, "SPORTELLO-") {
		t.Fatalf("payment %+v", pay)
	}
	if again, err := s.AddOnlinePayment(ctx, in, 1); err != nil || again.IUPD != pay.IUPD {
		t.Fatalf("the same form again: %+v %v", again, err)
	}
	mine := personUIDOf(t, s, mario)
	t.Run("hostile", func(t *testing.T) {
		other := in
		other.RequesterID = giuseppe
		if _, err := s.AddOnlinePayment(ctx, other, 1); fault.Code(err) != fault.Forbidden {
			t.Fatalf("another citizen's form: %v", err)
		}
		other.FormID, other.PersonID = form('b'), nicolo
		if _, err := s.AddOnlinePayment(ctx, other, 1); fault.Code(err) != fault.NotFound {
			t.Fatalf("a person not of the family: %v", err)
		}
		if _, err := s.OnlinePaymentOf(ctx, personUIDOf(t, s, giuseppe), pay.IUPD); fault.Code(err) != fault.NotFound {
			t.Fatalf("another citizen's payment: %v", err)
		}
		exempt := in
		exempt.FormID, exempt.Request = form('c'), certificate.Request{Types: []certificate.Type{certificate.Birth}}
		if _, err := s.AddOnlinePayment(ctx, exempt, 1); fault.Code(err) != fault.Invalid {
			t.Fatalf("a certificate exempt by law: %v", err)
		}
		if _, err := s.SettleOnlinePayment(ctx, pay.IUPD, "", time.Now(), in, onlinePDF); err == nil {
			t.Fatal("settled without a receipt")
		}
	})
	pending, err := s.PendingOnlinePayments(ctx)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %d %v", len(pending), err)
	}
	got, err := s.SettleOnlinePayment(ctx, pay.IUPD, "RCP-1", time.Now(), in, onlinePDF)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Number, certificate.OnlineDesk+"-") || got.Fees.BolloDue != 1600 ||
		got.Document.Duty != "Imposta di bollo assolta tramite pagoPA." {
		t.Fatalf("issued %s fees %+v duty %q", got.Number, got.Fees, got.Document.Duty)
	}
	if _, err := s.VerifySeal(ctx, got.Document.SealText); err != nil {
		t.Fatal(err)
	}
	twice, err := s.SettleOnlinePayment(ctx, pay.IUPD, "RCP-1", time.Now(), in, onlinePDF)
	if err != nil || twice.Number != got.Number {
		t.Fatalf("settled twice: %s %v", twice.Number, err)
	}
	docs, err := s.OnlineDocuments(ctx, mine)
	if err != nil || len(docs) != 1 || docs[0].Number != got.Number {
		t.Fatalf("my documents %+v %v", docs, err)
	}
	// A receipt id already another payment's does not issue a second one.
	second := in
	second.FormID = form('d')
	pay2, err := s.AddOnlinePayment(ctx, second, 1)
	if err != nil || pay2.Notice.Base != 2 {
		t.Fatalf("second payment %+v %v", pay2, err)
	}
	if _, err := s.SettleOnlinePayment(ctx, pay2.IUPD, "RCP-1", time.Now(), in, onlinePDF); err == nil {
		t.Fatal("a receipt used twice")
	}
	if pending, _ := s.PendingOnlinePayments(ctx); len(pending) != 1 || pending[0].IUPD != pay2.IUPD {
		t.Fatalf("pending %+v", pending)
	}
}

func TestCashCloseShowsPagoPAApart(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario := idOf(t, s, "Rossi", "Mario")
	in := OnlineInput{FormID: strings.Repeat("f", 32), RequesterID: mario, PersonID: mario, Settings: certificate.DefaultSettings, Signer: "x",
		Request: certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UsePrivate}}
	pay, err := s.AddOnlinePayment(ctx, in, 1)
	if err != nil {
		t.Fatal(err)
	}
	day := registry.DateOf(s.now().In(registry.Rome))
	if c, err := s.CashReport(ctx, day); err != nil || len(c.PagoPA) != 0 {
		t.Fatalf("a pending payment in the close: %+v %v", c.PagoPA, err)
	}
	got, err := s.SettleOnlinePayment(ctx, pay.IUPD, "RCP-42", time.Now(), in, onlinePDF)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CashReport(ctx, day)
	if err != nil || len(c.PagoPA) != 1 || c.PagoPA[0].Number != got.Number || c.PagoPA[0].ReceiptID != "RCP-42" || c.PagoPACents() != 1600 || c.Cents != 0 {
		t.Fatalf("close %+v cents %d: %v", c.PagoPA, c.Cents, err)
	}
	closed, err := s.CloseCash(ctx, "admin", day)
	if err != nil || len(closed.PagoPA) != 1 || closed.Cents != 0 {
		t.Fatalf("closed %+v %v", closed, err)
	}
}
