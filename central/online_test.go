package central

import (
	"context"
	"slices"
	"testing"

	"sportello/certificate"
	"sportello/printing"
	"sportello/social"
	"sportello/store"
)

// TestOnlineRequestsReachTheDesks: a citizen's "ask the social desk" sent
// online reaches the social workers' list at the desks enabled for the
// social desk, and only those, and the citizen sees the phase a desk moves
// it to; the online channel's key reaches every desk, which then verifies
// an online certificate's seal.
func TestOnlineRequestsReachTheDesks(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	addClerks(t, o.server, worker)
	pua, front := o.socialDesk("D01"), o.newDesk("D02")
	pua.sync(t)
	front.sync(t)
	m, err := o.server.PersonByCF(ctx, someHouseholder(t, o.server, 0))
	if err != nil {
		t.Fatal(err)
	}
	uid, err := o.server.PersonUID(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	asked, err := o.server.AskSocialDesk(ctx, uid, store.OnlineSocialRequest{FormID: "abcdef0123456789abcdef0123456789", Type: social.HomeCare, Text: "Mia madre non esce più di casa",
		Contact: "3331234567, di mattina", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	online := &certificate.Request{Types: []certificate.Type{certificate.Birth}}
	cert, err := o.server.IssueOnline(ctx, store.OnlineInput{FormID: "0123456789abcdef0123456789abcdef", RequesterID: m.ID, PersonID: m.ID,
		Request: *online, Signer: "Sportello online"}, func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, printing.Letterhead{}) })
	if err != nil {
		t.Fatal(err)
	}
	if rep := pua.sync(t); rep.Rejected != 0 {
		t.Fatalf("social desk sync: %+v", rep)
	}
	front.sync(t)

	cases, err := pua.store.SearchCases(ctx, worker, asked.Number, social.PhaseIntake)
	if err != nil || len(cases) != 1 || cases[0].Source != social.Online || cases[0].PersonUID != uid || cases[0].Worker != "" {
		t.Fatalf("the pre-intake at the social desk: %+v %v", cases, err)
	}
	file, err := pua.store.CaseFile(ctx, worker, cases[0].UID, social.PurposeCaseWork)
	if err != nil || !slices.ContainsFunc(file.Notes, func(n social.Note) bool { return n.Text == "Come contattarmi: 3331234567, di mattina" }) {
		t.Fatalf("the contact is not in the case: %+v %v", file.Notes, err)
	}
	if hasCase(t, front, cases[0].UID) {
		t.Error("a desk not enabled for the social desk pulled the online request")
	}
	if _, err := pua.store.MoveCase(ctx, worker, cases[0].UID, cases[0].Version, social.PhaseAssessment); err != nil {
		t.Fatal(err)
	}
	if rep := pua.sync(t); rep.Rejected != 0 {
		t.Fatalf("social desk sync: %+v", rep)
	}
	mine, err := o.server.OnlineSocialCases(ctx, uid)
	if err != nil || len(mine) != 1 || mine[0].Phase != social.PhaseAssessment {
		t.Fatalf("the citizen's view of the request: %+v %v", mine, err)
	}

	for _, d := range []*desk{pua, front} {
		keys, err := d.store.TrustedKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := certificate.Verify(cert.Document.SealText, keys); err != nil {
			t.Fatalf("a desk verifies the online certificate: %v", err)
		}
	}
}
