package store

import (
	"context"
	"encoding/json"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
)

// TestAnnulCertificate checks that only a registrar annuls a registered
// certificate, with the reason; the annulment is in the register, the
// outbox and the audit log, and a second one is refused.
func TestAnnulCertificate(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	got, err := s.IssueCertificate(ctx, issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	registrar := access.User{Username: "uff", FullName: "Luca Neri", Role: access.Registrar}
	for _, tt := range []struct {
		name   string
		by     access.User
		number string
		reason string
		code   string
	}{
		{"a clerk", access.User{Username: "clerk", FullName: "Paola Verdi", Role: access.Clerk}, got.Number, "errore", fault.Forbidden},
		{"a supervisor", access.User{Username: "sup", FullName: "Sara Blu", Role: access.Supervisor}, got.Number, "errore", fault.Forbidden},
		{"no reason", registrar, got.Number, "  ", fault.Invalid},
		{"not a number", registrar, "D01-2026", "errore", fault.Invalid},
		{"not in the register", registrar, certificate.Number{Desk: "D01", Year: 2026, Seq: 99}.String(), "errore", fault.NotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := s.Outbox(ctx, 0, 0)
			err := s.AnnulCertificate(ctx, tt.by, tt.number, tt.reason)
			if fault.Code(err) != tt.code {
				t.Fatalf("err %v, want %s", err, tt.code)
			}
			if after, _ := s.Outbox(ctx, 0, 0); len(after) != len(before) {
				t.Error("a refused annulment wrote to the outbox")
			}
		})
	}
	before, _ := s.Outbox(ctx, 0, 0)
	if err := s.AnnulCertificate(ctx, registrar, got.Number, "dati del richiedente errati"); err != nil {
		t.Fatalf("AnnulCertificate: %v", err)
	}
	reg, err := s.CertificateByNumber(ctx, got.Number)
	if err != nil {
		t.Fatal(err)
	}
	if reg.AnnulledAt.IsZero() || reg.AnnulledBy != "uff" || reg.AnnulReason != "dati del richiedente errati" {
		t.Errorf("register entry: annulled %v by %q: %q", reg.AnnulledAt, reg.AnnulledBy, reg.AnnulReason)
	}
	after, _ := s.Outbox(ctx, 0, 0)
	if len(after) != len(before)+1 || after[len(after)-1].Entity != "certificate" || after[len(after)-1].Op != "annul" {
		t.Fatalf("outbox gained %+v", after[len(before):])
	}
	var p struct {
		Number     string `json:"number"`
		Reason     string `json:"reason"`
		AnnulledAt string `json:"annulled_at"`
	}
	if err := json.Unmarshal(after[len(after)-1].Payload, &p); err != nil || p.Number != got.Number || p.Reason != "dati del richiedente errati" || p.AnnulledAt == "" {
		t.Errorf("payload %s", after[len(after)-1].Payload)
	}
	audit, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; last.Action != "certificate.annul" || last.Operator != "uff" {
		t.Errorf("last audit entry %+v", last)
	}
	if err := s.AnnulCertificate(ctx, registrar, got.Number, "ancora"); fault.Code(err) != fault.Conflict {
		t.Errorf("a second annulment: %v", err)
	}
}

// TestDraftCertificate checks the preview before issuing: the document as
// it will read, marked as a draft, with no number, no seal and nothing
// written; a request the rules refuse has no draft.
func TestDraftCertificate(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	before, _ := s.Outbox(ctx, 0, 0)
	in := issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence)
	d, pdf, err := s.DraftCertificate(ctx, in, fakePDF)
	if err != nil {
		t.Fatalf("DraftCertificate: %v", err)
	}
	if !d.Draft || d.Number != "" || d.SealText != "" || !d.Delegate || len(pdf) == 0 {
		t.Errorf("draft %+v", d)
	}
	if after, _ := s.Outbox(ctx, 0, 0); len(after) != len(before) {
		t.Error("a draft wrote to the outbox")
	}
	if _, err := s.IssueCertificate(ctx, in, fakePDF); err != nil {
		t.Fatal(err)
	} else if got, _ := s.CertificateByNumber(ctx, certificate.Number{Desk: "D01", Year: 2026, Seq: 1}.String()); got.Number == "" {
		t.Error("the draft took the first number")
	}
	in.Request.Types = []certificate.Type{certificate.Death} // Mario is alive
	if _, _, err := s.DraftCertificate(ctx, in, fakePDF); err == nil {
		t.Error("a refused request has a draft")
	}
}
