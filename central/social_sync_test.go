package central

import (
	"context"
	"slices"
	"testing"

	"sportello/access"
	"sportello/social"
)

var worker = access.User{Username: "pblu", FullName: "Paolo Blu", Role: access.SocialWorker}

// TestSocialCasesTravel: a case opened at one desk, with a document, is
// worked at another; notes added on both offline both stay, and a phase
// change meets a referral without conflict.
func TestSocialCasesTravel(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 40)
	addClerks(t, o.server, worker)
	a, b := o.socialDesk("D01"), o.socialDesk("D02")
	a.sync(t)
	b.sync(t)
	rec := a.record(t, someHouseholder(t, o.server, 0))
	pdf := []byte("%PDF-1.4\nisee 2026\n%%EOF\n")
	c, err := a.store.OpenCase(ctx, worker, social.Intake{
		PersonUID: rec.Person.UID, Type: social.HomeCare, Source: social.WalkIn, PresentingIssue: "Non riesce più a fare la spesa",
		Priority: social.High, Consent: social.Consent{Given: true, Signed: true}, Worker: worker.Username,
		Documents: []social.Document{{Kind: social.DocISEE, Name: "isee.pdf", Content: pdf}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep := a.sync(t); rep.Rejected != 0 {
		t.Fatalf("desk A: %+v", rep)
	}
	b.sync(t)
	f, err := b.store.CaseFile(ctx, worker, c.UID, social.PurposeCaseWork)
	if err != nil {
		t.Fatalf("the case at desk B: %v", err)
	}
	if f.Number != c.Number || f.PresentingIssue != c.PresentingIssue {
		t.Fatalf("case at B: %+v", f.Case)
	}
	if len(f.Documents) != 1 || f.Documents[0].Name != "isee.pdf" || f.Documents[0].SHA256 != c.Documents[0].SHA256 {
		t.Fatalf("documents at B: %+v", f.Documents)
	}

	// Offline, both desks write a note; desk A moves the case on.
	if _, err := a.store.AddNote(ctx, worker, c.UID, "Telefonato alla figlia"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.MoveCase(ctx, worker, c.UID, c.Version, social.PhaseAssessment); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.AddNote(ctx, worker, c.UID, "Visita domiciliare fissata"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if rep := a.sync(t); rep.Conflicts != 0 || rep.Rejected != 0 {
			t.Fatalf("desk A: %+v", rep)
		}
		if rep := b.sync(t); rep.Conflicts != 0 || rep.Rejected != 0 {
			t.Fatalf("desk B: %+v", rep)
		}
	}
	for name, d := range map[string]*desk{"A": a, "B": b} {
		f, err := d.store.CaseFile(ctx, worker, c.UID, social.PurposeCaseWork)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, n := range f.Notes {
			texts = append(texts, n.Text)
		}
		if f.Phase != social.PhaseAssessment || !slices.Contains(texts, "Telefonato alla figlia") || !slices.Contains(texts, "Visita domiciliare fissata") {
			t.Errorf("desk %s: phase %s, notes %q", name, f.Phase, texts)
		}
	}
	// A desk enrolled later starts from the snapshot and the log: it has
	// the case, its notes and its document.
	c3 := o.socialDesk("D03")
	c3.sync(t)
	if f, err := c3.store.CaseFile(ctx, worker, c.UID, social.PurposeCaseWork); err != nil || len(f.Notes) != 2 || len(f.Documents) != 1 {
		t.Fatalf("the case at a new desk: %+v %v", f, err)
	}
	// The document travelled whole: the server holds it with its hash.
	d, ok, err := o.server.Document(ctx, "social_case", c.UID)
	if err != nil || !ok || string(d.Fields["number"]) == "" {
		t.Fatalf("the server's case: %+v %v %v", d, ok, err)
	}
}
