package store

import (
	"context"
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

func marcaInput(personID int64, serial string) IssueInput {
	in := issueInput(personID, certificate.Residence)
	in.Request.Duty = certificate.StampDuty{Payment: certificate.PayMarca, Serial: serial}
	return in
}

// TestMarcaUsedOnce checks that the register takes a marca da bollo's
// serial once, whatever spaces the clerk typed, and names the certificate it
// paid; a malformed serial is refused before anything is written.
func TestMarcaUsedOnce(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	first, err := s.IssueCertificate(ctx, marcaInput(mario, "01234567890123"), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, serial, code string
	}{
		{"the same serial", "01234567890123", fault.Conflict},
		{"the same serial in groups", "0123 4567 8901 23", fault.Conflict},
		{"13 digits", "0123456789012", fault.Invalid},
		{"letters", "0123456789012X", fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := count(t, s, "certificate")
			_, err := s.IssueCertificate(ctx, marcaInput(mario, tt.serial), fakePDF)
			if fault.Code(err) != tt.code {
				t.Fatalf("err %v, want %s", err, tt.code)
			}
			if tt.code == fault.Conflict && !strings.Contains(err.Error(), first.Number) {
				t.Errorf("the refusal %q does not name %s", err, first.Number)
			}
			if count(t, s, "certificate") != n {
				t.Error("a certificate was registered")
			}
		})
	}
	if _, err := s.IssueCertificate(ctx, marcaInput(mario, "01234567890124"), fakePDF); err != nil {
		t.Errorf("another marca: %v", err)
	}
	// The index holds even for a row written around IssueCertificate.
	if _, err := s.w.Exec(`UPDATE certificate SET bollo_serial = '01234567890123' WHERE bollo_serial = '01234567890124'`); err == nil {
		t.Error("the register took the same serial twice")
	}
}

func TestVirtualBolloNeedsTheAuthorisation(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	in := issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence)
	in.Settings = certificate.DefaultSettings
	if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != fault.Invalid || !strings.Contains(err.Error(), "bollo_virtual_authorisation") {
		t.Fatalf("virtual bollo with no authorisation: %v", err)
	}
	if count(t, s, "certificate") != 0 {
		t.Error("a certificate was registered")
	}
	got, err := s.IssueCertificate(ctx, issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Document.Duty, "autorizzazione dell'Agenzia delle Entrate n. 12345/2019 del 20/05/2019") {
		t.Errorf("duty %q", got.Document.Duty)
	}
}

func TestOtherExemptionKeepsItsNorm(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	in := issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence)
	in.Request.Duty = certificate.StampDuty{Exemption: 99, Reason: "Organizzazione di volontariato", Norm: "art. 8, legge 11 agosto 1991, n. 266"}
	got, err := s.IssueCertificate(ctx, in, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	var norm string
	if err := s.r.QueryRow(`SELECT exemption_norm FROM certificate WHERE number = ?`, got.Number).Scan(&norm); err != nil || norm != in.Request.Duty.Norm {
		t.Errorf("register keeps norm %q, %v", norm, err)
	}
}

// TestCashReport checks what the close prints beside the amounts: the
// marche da bollo of the day's certificates, and whether the day is open or
// closed, when and by whom.
func TestCashReport(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	day := registryDay(t, "2026-03-02")
	marca, err := s.IssueCertificate(ctx, marcaInput(mario, "01234567890123"), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF); err != nil {
		t.Fatal(err)
	}
	c, err := s.CashReport(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if c.Closed || len(c.Marche) != 1 || c.Marche[0].Serial != "01234567890123" || c.Marche[0].Number != marca.Number {
		t.Errorf("open day report %+v", c)
	}
	if _, err := s.CloseCash(ctx, "clerk", day); err != nil {
		t.Fatal(err)
	}
	c, err = s.CashReport(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Closed || c.ClosedBy != "clerk" || c.ClosedAt == "" || len(c.Marche) != 1 {
		t.Errorf("closed day report %+v", c)
	}
}

// TestRecordHoldsCancellationAndDeathPlace checks that the register keeps
// why a person was cancelled and where they went, and where a person died,
// and hands them to the certificate.
func TestRecordHoldsCancellationAndDeathPlace(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		sex    registry.Sex
		status registry.Status
		reason registry.CancelReason
		place  string
		typ    certificate.Type
		want   string
	}{
		{"emigrated woman", registry.Female, registry.Cancelled, registry.CancelMoved, "H501", certificate.Cancellation,
			"è stata cancellata dall'anagrafe della popolazione residente di questo Comune il 01/02/2025 per trasferimento della residenza a Roma (RM)."},
		{"deceased man", registry.Male, registry.Deceased, 0, "A269", certificate.Death, "è deceduto ad Anagni (FR) il 01/02/2025."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPerson(t, "Gallo", "Andrea", tt.sex, "1970-04-04", "A269")
			if tt.sex == registry.Female {
				p.Name = "Anna"
			}
			p.Status, p.StatusSince, p.CancelReason, p.StatusPlace = tt.status, date(t, "2025-02-01"), tt.reason, tt.place
			p, err := s.AddPerson(ctx, "clerk", p)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := s.Record(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Person.CancelReason != tt.reason || rec.Person.StatusPlace != tt.place {
				t.Fatalf("record %+v", rec.Person)
			}
			in := issueInput(p.ID, tt.typ)
			got, err := s.IssueCertificate(ctx, in, fakePDF)
			if err != nil {
				t.Fatal(err)
			}
			if f := got.Document.Facts[0].Certify; f != tt.want {
				t.Errorf("fact %q, want %q", f, tt.want)
			}
			doc, ok, err := readDoc(ctx, s.r, DocKey{docPerson, p.UID})
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			if string(doc.Fields["status_place"]) != `"`+tt.place+`"` {
				t.Errorf("the person's sync document lacks the place: %s", doc.Fields["status_place"])
			}
		})
	}
}
