package store

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/fault"
	"sportello/social"
)

func onlinePDF(d certificate.Document) ([]byte, error) { return []byte("%PDF " + d.Number), nil }

func TestIssueOnline(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario, nicolo, giuseppe := idOf(t, s, "Rossi", "Mario"), idOf(t, s, "Rossi", "Nicolò"), idOf(t, s, "D'Amico", "Giuseppe")
	form := func(c byte) string { return strings.Repeat(string(c), 32) }
	residenceCourt := certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UseCourt, Duty: certificate.StampDuty{Exemption: 3}}
	in := OnlineInput{FormID: form('a'), RequesterID: mario, PersonID: nicolo, Request: residenceCourt, Signer: "Sportello online"}
	got, err := s.IssueOnline(ctx, in, onlinePDF)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Number, certificate.OnlineDesk+"-") || got.Fees.Total() != 0 {
		t.Fatalf("number %s fees %+v: want the online series and nothing to pay", got.Number, got.Fees)
	}
	if _, err := s.VerifySeal(ctx, got.Document.SealText); err != nil {
		t.Fatalf("VerifySeal of an online certificate: %v", err)
	}
	// The desk's own key is untouched by the online key.
	if key, err := s.DeskKey(ctx); err != nil || certificate.KeyID(key.Public().(ed25519.PublicKey)) == strings.Split(got.Document.SealText, "|")[10] {
		t.Fatalf("desk key %v: it must not be the online key", err)
	}
	again, err := s.IssueOnline(ctx, in, onlinePDF)
	if err != nil || again.Number != got.Number {
		t.Fatalf("the same form again: %s %v, want %s", again.Number, err, got.Number)
	}
	if n := count(t, s, "certificate"); n != 1 {
		t.Fatalf("%d certificates after a replayed form, want 1", n)
	}
	docs, err := s.OnlineDocuments(ctx, personUIDOf(t, s, mario))
	if err != nil || len(docs) != 1 || !docs[0].Requested || docs[0].Name != "Nicolò" {
		t.Fatalf("Mario's documents: %+v %v", docs, err)
	}
	if _, _, err := s.OnlineDocumentOf(ctx, personUIDOf(t, s, giuseppe), got.Number); fault.Code(err) != fault.NotFound {
		t.Fatalf("another citizen reads the certificate: %v, want not found", err)
	}

	hostile := []struct {
		name string
		in   OnlineInput
		code string
	}{
		{"another citizen's form", OnlineInput{FormID: form('a'), RequesterID: giuseppe, PersonID: giuseppe, Request: residenceCourt}, fault.Forbidden},
		{"a person outside the family", OnlineInput{FormID: form('b'), RequesterID: giuseppe, PersonID: mario, Request: residenceCourt}, fault.NotFound},
		{"the bollo owed", OnlineInput{FormID: form('c'), RequesterID: mario, PersonID: mario,
			Request: certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}}}, fault.Invalid},
		{"a forced refusal", OnlineInput{FormID: form('d'), RequesterID: mario, PersonID: mario,
			Request: certificate.Request{Types: []certificate.Type{certificate.Death}, Force: true, ForceReason: "x"}}, fault.Invalid},
		{"a form id not the portal's", OnlineInput{FormID: "x", RequesterID: mario, PersonID: mario, Request: residenceCourt}, fault.Forbidden},
	}
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Signer = "Sportello online"
			if _, err := s.IssueOnline(ctx, tc.in, onlinePDF); fault.Code(err) != tc.code {
				t.Fatalf("err %v, want %v", err, tc.code)
			}
			if n := count(t, s, "certificate"); n != 1 {
				t.Fatalf("%d certificates, want 1", n)
			}
		})
	}
}

func TestOnlineDeskCodeIsReserved(t *testing.T) {
	s := openTest(t)
	if _, err := s.NewEnrolCode(context.Background(), "admin", "web"); fault.Code(err) != fault.Invalid {
		t.Fatalf("enrolment code for WEB: %v, want refused", err)
	}
}

func personUIDOf(tb testing.TB, s *Store, id int64) string {
	tb.Helper()
	uid, err := s.PersonUID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return uid
}

func TestAskSocialDeskOnline(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario, giuseppe := personUIDOf(t, s, idOf(t, s, "Rossi", "Mario")), personUIDOf(t, s, idOf(t, s, "D'Amico", "Giuseppe"))
	req := OnlineSocialRequest{FormID: strings.Repeat("a", 32), Type: social.HomeCare, Text: "Aiuto per la spesa", Contact: "333", Consent: true}
	got, err := s.AskSocialDesk(ctx, mario, req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.AskSocialDesk(ctx, mario, req); err != nil || again.Number != got.Number {
		t.Fatalf("the same form again: %+v %v", again, err)
	}
	if _, err := s.AskSocialDesk(ctx, giuseppe, req); fault.Code(err) != fault.Forbidden {
		t.Fatalf("another citizen's form: %v, want refused", err)
	}
	if n := count(t, s, "social_case"); n != 1 {
		t.Fatalf("%d cases, want 1", n)
	}
	if n := count(t, s, "sync_touched"); n != 0 {
		t.Fatalf("%d touched rows left for the next push", n)
	}
	theirs, err := s.OnlineSocialCases(ctx, giuseppe)
	if err != nil || len(theirs) != 0 {
		t.Fatalf("another citizen sees %+v %v", theirs, err)
	}
}
