package store

import (
	"context"
	"strings"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// loadRSA adds an RSA with two guests to s and returns the first
// guest's id.
func loadRSA(tb testing.TB, s *Store) int64 {
	tb.Helper()
	var u uids
	a := registry.Address{UID: u.next("rsa-addr"), Toponym: "VIA", Street: "DEI CASTAGNI", HouseNumber: "40", Postcode: "03012", Place: "A269"}
	guest := newPerson(tb, "Fabi", "Elvira", registry.Female, "1931-04-04", "A269")
	guest.UID, guest.CivilStatus = u.next("rsa-guest"), registry.Widowed
	other := newPerson(tb, "Proietti", "Ada", registry.Female, "1929-09-09", "A269")
	other.UID, other.CivilStatus = u.next("rsa-guest"), registry.Widowed
	h := registry.Household{
		Family: registry.Family{UID: u.next("rsa"), FormedOn: date(tb, "2015-01-01"),
			Convivenza: registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Dott.ssa Anna Neri"}},
		Address: a,
		Members: []registry.Member{{Person: guest, Relationship: registry.Householder}, {Person: other, Relationship: registry.Cohabitant}},
		Residences: []registry.Residence{
			{PersonUID: guest.UID, Address: a, From: date(tb, "2015-01-01")},
			{PersonUID: other.UID, Address: a, From: date(tb, "2016-01-01")},
		},
	}
	if _, err := s.Load(context.Background(), seqOf([]registry.Household{h}), nil); err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return idOf(tb, s, "Fabi", "Elvira")
}

// TestRecordLoadsConvivenza checks that the record the certificates are
// issued on knows the convivenza: its guests get no stato di famiglia, and
// get the residence in convivenza naming it.
func TestRecordLoadsConvivenza(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	guest := loadRSA(t, s)
	rec, err := s.Record(ctx, guest)
	if err != nil {
		t.Fatal(err)
	}
	if c := rec.Family.Convivenza; !rec.Family.IsConvivenza() || c.Name != "RSA Villa Serena" || c.Responsible != "Dott.ssa Anna Neri" {
		t.Fatalf("the record's convivenza is %+v", c)
	}
	for _, typ := range []certificate.Type{certificate.Family, certificate.FamilyAndCivilStatus, certificate.FamilyWithRelationships} {
		if _, err := s.IssueCertificate(ctx, issueInput(guest, typ), fakePDF); fault.Code(err) != fault.Invalid {
			t.Errorf("%s for a guest of the RSA: %v, want a refusal", typ.Title(), err)
		}
	}
	got, err := s.IssueCertificate(ctx, issueInput(guest, certificate.ResidenceInstitution), fakePDF)
	if err != nil {
		t.Fatalf("residence in convivenza: %v", err)
	}
	if f := got.Document.Facts[0].Certify; !strings.Contains(f, "RSA Villa Serena") || !strings.Contains(f, "Anna Neri") {
		t.Errorf("the certificate says %q", f)
	}
}

// TestIssueNeedsARoleThatIssues checks the store's own check of who
// issues: clerks and registrars; supervisors only under the setting.
func TestIssueNeedsARoleThatIssues(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	for _, tt := range []struct {
		role        access.Role
		supervisors bool
		want        string
	}{
		{access.Clerk, false, ""},
		{access.Supervisor, false, fault.Forbidden},
		{access.Supervisor, true, ""},
		{access.Admin, true, fault.Forbidden},
		{access.SocialWorker, false, fault.Forbidden},
	} {
		in := issueInput(mario, certificate.Residence)
		in.Issuer = certificate.Issuer{Username: "u-" + string(tt.role), FullName: "Nome Cognome", Role: tt.role}
		in.Policy = certificate.IssuePolicy{Supervisors: tt.supervisors}
		if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != tt.want {
			t.Errorf("%s (supervisors issue: %v): %v, want %q", tt.role, tt.supervisors, err, tt.want)
		}
	}
	in := issueInput(mario, certificate.Residence)
	in.Issuer.FullName = " "
	if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != fault.Invalid {
		t.Errorf("an issuer with no name: %v, want a refusal", err)
	}
}

// TestIssueJudgesOnTheIssueDate checks that the rules judge ages and dates
// on the store's clock (2026-03-02 in the tests).
func TestIssueJudgesOnTheIssueDate(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	mario := idOf(t, s, "Rossi", "Mario")
	in := issueInput(mario, certificate.ResidenceHistoryAtDate)
	in.Request.AtDate = date(t, "2026-03-03")
	if _, err := s.IssueCertificate(ctx, in, fakePDF); fault.Code(err) != fault.Invalid {
		t.Errorf("historical residence on the day after the issue: %v, want a refusal", err)
	}
	in.Request.AtDate = date(t, "2026-03-02")
	if _, err := s.IssueCertificate(ctx, in, fakePDF); err != nil {
		t.Errorf("historical residence on the issue day: %v", err)
	}
}
