package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/queue"
	"sportello/registry"
)

// TestVisitSteps: while a ticket's visit is open, the record views, the
// certificates and the edits of its clerk are steps of it, written with
// their own effect; a write that fails leaves no step, another clerk's
// writes and those after the close belong to no visit, and the ticket a
// transfer makes reads the same visit.
func TestVisitSteps(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario := idOf(t, s, "Rossi", "Mario")
	issued, err := s.IssueTicket(ctx, "kiosk", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := s.CallNext(ctx, certClerk.Username, "1", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	if tk, err = s.StartTicket(ctx, certClerk.Username, tk.ID); err != nil {
		t.Fatal(err)
	}
	s.OpenVisit(certClerk.Username, tk.Visit())

	if err := s.LogAccess(ctx, certClerk.Username, mario, access.PurposeCertificate); err != nil {
		t.Fatal(err)
	}
	if err := s.LogAccess(ctx, certClerk.Username, 999999, access.PurposeCertificate); err == nil {
		t.Fatal("a view of nobody was logged")
	}
	if err := s.LogAccess(ctx, "other", mario, access.PurposeOffice); err != nil { // another clerk, no visit open
		t.Fatal(err)
	}
	cert, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueCertificate(ctx, issueInput(mario, certificate.Residence), func(certificate.Document) ([]byte, error) {
		return nil, errors.New("printer on fire")
	}); err == nil {
		t.Fatal("a certificate that failed to render was issued")
	}
	if err := s.RecordVisitStep(ctx, certClerk.Username, queue.StepSelfDeclaration, "residence"); err != nil {
		t.Fatal(err)
	}
	rec, err := s.FullRecord(ctx, mario)
	if err != nil {
		t.Fatal(err)
	}
	doc := registry.Document{Kind: registry.DocPassport, Number: "YA7654321", Expires: date(t, "2031-01-01"), IssuedBy: "Questura di Frosinone"}
	clerk := access.User{Username: certClerk.Username, Role: access.Clerk}
	if err := s.AddDocument(ctx, clerk, registry.DocumentEdit{PersonID: mario, BaseVersion: rec.Person.Version, Document: doc}); err != nil {
		t.Fatal(err)
	}

	child, err := s.TransferTicket(ctx, certClerk.Username, tk.ID, "C")
	if err != nil {
		t.Fatal(err)
	}
	s.CloseVisit(certClerk.Username)
	if err := s.LogAccess(ctx, certClerk.Username, mario, access.PurposeOffice); err != nil { // after the close
		t.Fatal(err)
	}

	steps, err := s.VisitSteps(ctx, child.Day, child.Label)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind   queue.StepKind
		detail string
	}{
		{queue.StepRecord, string(access.PurposeCertificate)},
		{queue.StepCertificate, joinTypes([]certificate.Type{certificate.Residence}) + " " + cert.Number},
		{queue.StepSelfDeclaration, "residence"},
		{queue.StepEdit, "person.add_document"},
	}
	if len(steps) != len(want) {
		t.Fatalf("steps %+v, want %d", steps, len(want))
	}
	for i, w := range want {
		st := steps[i]
		if st.Kind != w.kind || st.Detail != w.detail || st.TicketUID != issued.Ticket.UID || st.Clerk != certClerk.Username || st.Counter != "1" {
			t.Errorf("step %d: %+v, want %s %q", i, st, w.kind, w.detail)
		}
	}
	if steps[0].Person != "Rossi Mario" {
		t.Errorf("the record step names %q", steps[0].Person)
	}
	all, err := s.VisitStepsBetween(ctx, child.Day, child.Day)
	if err != nil || len(all) != len(want) {
		t.Errorf("steps of the day: %d (%v), want %d", len(all), err, len(want))
	}
	if err := s.RecordVisitStep(ctx, certClerk.Username, queue.StepSelfDeclaration, "x"); err != nil {
		t.Errorf("a step with no visit open: %v", err)
	}
	if n := count(t, s, "visit_step"); n != len(want) {
		t.Errorf("%d steps in the table, want %d", n, len(want))
	}
}

// TestVisitStepsOfTheSocialDesk: a case opened and a note added while the
// social worker serves a ticket are steps of its visit, and they carry no
// word of the case.
func TestVisitStepsOfTheSocialDesk(t *testing.T) {
	ctx := context.Background()
	s := socialStore(t)
	if _, err := s.IssueTicket(ctx, "kiosk", "C", false); err != nil {
		t.Fatal(err)
	}
	tk, err := s.CallNext(ctx, socialWorker.Username, "3", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	s.OpenVisit(socialWorker.Username, tk.Visit())
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, socialWorker, c.UID, "Called the GP"); err != nil {
		t.Fatal(err)
	}
	steps, err := s.VisitSteps(ctx, tk.Day, tk.Label)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || steps[0].Kind != queue.StepSocial || steps[0].Detail != "open" || steps[1].Kind != queue.StepSocial || steps[1].Detail != "note.add" {
		t.Fatalf("steps %+v", steps)
	}
	for _, st := range steps {
		if st.PersonUID != "" || strings.Contains(st.Detail, "GP") {
			t.Errorf("a social step tells of the case: %+v", st)
		}
	}
}
