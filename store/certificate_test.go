package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

var (
	certMunicipality = certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico"}
	certClerk        = certificate.Issuer{Username: "clerk", FullName: "Paola Verdi", Role: access.Clerk}
)

// fakePDF stands for the printing package: what the store must keep is the
// bytes it is handed.
func fakePDF(d certificate.Document) ([]byte, error) {
	return []byte("%PDF-fake " + d.Number + " " + d.SealText), nil
}

func issueInput(personID int64, types ...certificate.Type) IssueInput {
	return IssueInput{
		PersonID:     personID,
		Request:      certificate.Request{Types: types, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}, FeePayment: certificate.PayCard},
		Issuer:       certClerk,
		Municipality: certMunicipality,
		Settings:     certSettings,
	}
}

// certSettings are the national amounts with an authorisation of the
// virtual bollo, which a virtual payment needs.
var certSettings = certificate.Settings{BolloCents: 1600, FeeCents: 52, FeeExemptCents: 26,
	VirtualBollo: certificate.Authorisation{Number: "12345/2019", Date: registry.NewDate(2019, 5, 20)}}

func TestIssueCertificate(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	before, _ := s.Outbox(ctx, 0, 0)
	got, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF)
	if err != nil {
		t.Fatalf("IssueCertificate: %v", err)
	}
	if want := (certificate.Number{Desk: "D01", Year: 2026, Seq: 1}).String(); got.Number != want {
		t.Errorf("number %s, want %s", got.Number, want)
	}
	sum := sha256.Sum256(got.PDF)
	if got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Error("SHA-256 is not the PDF's")
	}
	reg, err := s.CertificateByCode(ctx, got.Document.Code)
	if err != nil {
		t.Fatalf("CertificateByCode: %v", err)
	}
	if string(reg.PDF) != string(got.PDF) || reg.SHA256 != got.SHA256 || reg.Operator != "clerk" {
		t.Errorf("register entry %+v does not hold what was handed out", reg.Number)
	}
	keys, err := s.TrustedKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seal, err := certificate.Verify(reg.Seal, keys)
	if err != nil || seal.Surname != "Rossi" || seal.Number != got.Number {
		t.Errorf("Verify = %+v, %v", seal, err)
	}
	after, _ := s.Outbox(ctx, 0, 0)
	var entities []string
	for _, m := range after[len(before):] {
		entities = append(entities, m.Entity+"."+m.Op)
	}
	if len(entities) != 2 || entities[0] != "desk_key.create" || entities[1] != "certificate.issue" {
		t.Errorf("outbox gained %v, want desk_key.create and certificate.issue", entities)
	}
	cash, err := s.CashDay(ctx, registryDay(t, "2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cash) != 2 || cash[0].Kind != "bollo" || cash[0].Cents != 1600 || cash[0].Method != "virtual" ||
		cash[1].Kind != "fee" || cash[1].Cents != 52 || cash[1].Method != "card" || cash[1].Number != got.Number {
		t.Errorf("cash register %+v", cash)
	}

	second, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Contestuale...), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	if want := (certificate.Number{Desk: "D01", Year: 2026, Seq: 2}).String(); second.Number != want {
		t.Errorf("second number %s, want %s", second.Number, want)
	}
}

func registryDay(tb testing.TB, iso string) registry.Date { return date(tb, iso) }

func TestIssueRefusedWritesNothing(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	carla := idOf(t, s, "Esposito", "Carla") // deceased
	giuseppe := idOf(t, s, "D'Amico", "Giuseppe")
	failing := func(certificate.Document) ([]byte, error) { return nil, errors.New("printer on fire") }
	tests := []struct {
		name   string
		in     IssueInput
		render func(certificate.Document) ([]byte, error)
		code   string
	}{
		{"residence of a deceased", issueInput(carla, certificate.Residence), fakePDF, fault.Invalid},
		{"stato libero of a widower is fine but rendering fails", issueInput(giuseppe, certificate.Free), failing, fault.Internal},
		{"marriage of a widower", issueInput(giuseppe, certificate.Marriage), fakePDF, fault.Invalid},
		{"unknown person", issueInput(99999, certificate.Residence), fakePDF, fault.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outbox := count(t, s, "outbox")
			_, err := s.IssueCertificate(ctx, tt.in, tt.render)
			if fault.Code(err) != tt.code {
				t.Fatalf("err %v, want code %s", err, tt.code)
			}
			if n := count(t, s, "certificate"); n != 0 {
				t.Errorf("%d certificates registered", n)
			}
			if n := count(t, s, "cash_entry"); n != 0 {
				t.Errorf("%d cash rows", n)
			}
			if n := count(t, s, "outbox"); n != outbox {
				t.Errorf("outbox grew from %d to %d", outbox, n)
			}
		})
	}
}

// TestNumbersUniqueAcrossDesks issues concurrently from two desks' stores,
// several clerks each: every number is different and each desk's sequence
// has no gap.
func TestNumbersUniqueAcrossDesks(t *testing.T) {
	ctx := context.Background()
	var stores []*Store
	for _, code := range []string{"D01", "D02"} {
		s := openAt(t, filepath.Join(t.TempDir(), code+".db"), Options{DeskCode: code, Create: true})
		if _, err := s.Load(ctx, seqOf(fixtureHouseholds(t)), nil); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	const perClerk, clerks = 8, 3
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for _, s := range stores {
		mario := idOf(t, s, "Rossi", "Mario")
		for range clerks {
			wg.Go(func() {
				for range perClerk {
					got, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if seen[got.Number] {
						t.Errorf("number %s issued twice", got.Number)
					}
					seen[got.Number] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for _, code := range []string{"D01", "D02"} {
		for seq := int64(1); seq <= perClerk*clerks; seq++ {
			n := certificate.Number{Desk: code, Year: 2026, Seq: seq}.String()
			if !seen[n] {
				t.Errorf("number %s missing: the sequence has a gap", n)
			}
		}
	}
}

func TestReprintAndKey(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	got, err := s.IssueCertificate(ctx, issueInput(idOf(t, s, "Rossi", "Mario"), certificate.Residence), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.CertificatesOn(ctx, registryDay(t, "2026-03-02"))
	if err != nil || len(list) != 1 || list[0].Number != got.Number || list[0].Surname != "Rossi" || list[0].Title() != "Certificato di residenza" {
		t.Errorf("CertificatesOn = %+v, %v", list, err)
	}
	if other, err := s.CertificatesOn(ctx, registryDay(t, "2026-03-03")); err != nil || len(other) != 0 {
		t.Errorf("another day lists %d certificates, %v", len(other), err)
	}
	doc, err := s.Reprint(ctx, "clerk", got.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Duplicate || doc.Number != got.Number || doc.SealText != got.Document.SealText || doc.Text() != got.Document.Text() {
		t.Errorf("reprint %+v is not the registered certificate marked duplicate", doc.Number)
	}
	if !doc.ReprintedAt.Equal(fixedNow) || doc.ReprintedBy == "" {
		t.Errorf("reprint says it was printed at %v by %q, want now by the operator", doc.ReprintedAt, doc.ReprintedBy)
	}
	if _, err := s.Reprint(ctx, "clerk", "D01-2026-999999-0"); fault.Code(err) == "" {
		t.Error("reprint of a number not in the register succeeded")
	}
	key1, err := s.DeskKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	again := openAt(t, path, Options{})
	key2, err := again.DeskKey(ctx)
	if err != nil || !key1.Equal(key2) {
		t.Errorf("the desk key changed after reopening: %v", err)
	}
}

func TestIssueForcedIsLogged(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	// A 17-year-old marries only with the court's authorisation (art. 84 c.c.).
	p := newPerson(t, "Ferri", "Olga", registry.Female, "2009-01-04", "A269")
	p.CivilStatus = registry.Single
	p, err := s.AddPerson(ctx, "clerk", p)
	if err != nil {
		t.Fatal(err)
	}
	in := issueInput(p.ID, certificate.Free)
	if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != fault.Invalid {
		t.Fatalf("stato libero of a minor: %v, want a refusal", err)
	}
	in.Request.Force, in.Request.ForceReason = true, "decreto del Tribunale per i minorenni di Roma n. 12/2026"
	if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != fault.Forbidden {
		t.Fatalf("a clerk forcing: %v, want forbidden", err)
	}
	in.Issuer = certificate.Issuer{Username: "registrar", FullName: "Luca Neri", Role: access.Registrar}
	got, err := s.IssueCertificate(ctx, in, fakePDF)
	if err != nil {
		t.Fatalf("a registrar forcing: %v", err)
	}
	if len(got.Forced) != 1 {
		t.Errorf("forced %v", got.Forced)
	}
	entries, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Action != "certificate.issue_forced" || last.Operator != "registrar" || !strings.Contains(last.Detail, `"forced":true`) {
		t.Errorf("last audit entry %+v", last)
	}
	var reason string
	if err := s.r.QueryRow(`SELECT forced FROM certificate WHERE number = ?`, got.Number).Scan(&reason); err != nil || reason != "decreto del Tribunale per i minorenni di Roma n. 12/2026" {
		t.Errorf("register keeps forced reason %q, %v", reason, err)
	}
}
