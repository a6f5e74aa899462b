package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/fault"
)

// TestCloseCashLocksDay checks the daily close: it records the totals with
// an outbox mutation and an audit entry, happens once, and the closed day
// refuses new amounts while a certificate free of every charge still issues.
func TestCloseCashLocksDay(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	day := registryDay(t, "2026-03-02")
	if _, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF); err != nil {
		t.Fatal(err)
	}
	if _, closed, err := s.CashClosed(ctx, day); err != nil || closed {
		t.Fatalf("CashClosed before the close = %v, %v", closed, err)
	}
	before, _ := s.Outbox(ctx, 0, 0)

	c, err := s.CloseCash(ctx, "clerk", day)
	if err != nil {
		t.Fatalf("CloseCash: %v", err)
	}
	if c.Cents != 1652 || len(c.Entries) != 2 {
		t.Errorf("close %+v, want 2 entries and 1652 cents", c)
	}
	got, closed, err := s.CashClosed(ctx, day)
	if err != nil || !closed || got.Cents != 1652 || got.Entries != 2 || got.Operator != "clerk" {
		t.Errorf("CashClosed = %+v, %v, %v", got, closed, err)
	}
	after, _ := s.Outbox(ctx, 0, 0)
	if len(after) != len(before)+1 || after[len(after)-1].Entity != "cash_close" || after[len(after)-1].Op != "close" {
		t.Fatalf("outbox gained %d mutations, want one cash_close.close", len(after)-len(before))
	}
	var payload cashClosePayload
	if err := json.Unmarshal(after[len(after)-1].Payload, &payload); err != nil || payload.Day != "2026-03-02" ||
		payload.TotalCents != 1652 || len(payload.Totals) != 2 || payload.DeskCode != "D01" {
		t.Errorf("payload %s: %v", after[len(after)-1].Payload, err)
	}
	audit, err := s.AuditLog(ctx, 0, 0)
	if err != nil || audit[len(audit)-1].Action != "cash.close" {
		t.Errorf("last audit entry is not the close: %v", err)
	}

	if _, err := s.CloseCash(ctx, "clerk", day); fault.Code(err) != fault.Conflict || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("second close: %v, want a conflict", err)
	}
	certs, cash := count(t, s, "certificate"), count(t, s, "cash_entry")
	_, err = s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF)
	if fault.Code(err) != fault.Conflict || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("issue on a closed day: %v, want a conflict", err)
	}
	if count(t, s, "certificate") != certs || count(t, s, "cash_entry") != cash {
		t.Error("a refused issue left rows behind")
	}
	free := issueInput(mario, certificate.Residence)
	free.Request.Use, free.Request.Duty = certificate.UseCourt, certificate.StampDuty{Exemption: 4} // waives the fee too
	if _, err := s.IssueCertificate(ctx, free, fakePDF); err != nil {
		t.Errorf("a certificate free of charge on a closed day: %v", err)
	}
	if count(t, s, "cash_entry") != cash {
		t.Error("the closed day took an amount")
	}
}
