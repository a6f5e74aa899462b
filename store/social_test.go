package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
	"sportello/social"
)

var (
	socialWorker  = access.User{Username: "pblu", FullName: "Paolo Blu", Role: access.SocialWorker}
	socialWorker2 = access.User{Username: "gviola", FullName: "Giada Viola", Role: access.SocialWorker}
	registryClerk = access.User{Username: "lneri", FullName: "Laura Neri", Role: access.Clerk}
	supervisor    = access.User{Username: "capo", FullName: "Carla Capo", Role: access.Supervisor}
)

// socialStore is the fixture municipality with two social workers, a clerk
// and a supervisor.
func socialStore(tb testing.TB) *Store {
	tb.Helper()
	s := loadFixture(tb)
	for _, u := range []access.User{socialWorker, socialWorker2, registryClerk, supervisor} {
		if _, err := s.CreateUser(context.Background(), "setup", u, "giusta-2026"); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

func personUID(tb testing.TB, s *Store, surname, name string) string {
	tb.Helper()
	var uid string
	if err := s.r.QueryRow(`SELECT uid FROM person WHERE surname = ? AND name = ?`, surname, name).Scan(&uid); err != nil {
		tb.Fatal(err)
	}
	return uid
}

var scanPDF = []byte("%PDF-1.4\n% a scanned ISEE attestation\n%%EOF\n")

func marioIntake(tb testing.TB, s *Store) social.Intake {
	return social.Intake{
		PersonUID: personUID(tb, s, "Rossi", "Mario"), Type: social.HomeCare, Source: social.Referred, Referrer: "Dr. Bianchi (MMG)",
		PresentingIssue: "Needs help at home after a stroke", Priority: social.High, Risks: []social.Risk{social.NotSelfReliant},
		ISEE:      &social.ISEE{Cents: 1234567, Expiry: registry.NewDate(2026, 12, 31)},
		Household: []social.Member{{PersonUID: personUID(tb, s, "Rossi", "Mario"), Name: "Rossi Mario", Relationship: "intestatario"}, {Name: "Kaur Simran", Relationship: "badante"}},
		Consent:   social.Consent{Given: true, Signed: true},
		Documents: []social.Document{{Kind: social.DocISEE, Name: "isee-2026.pdf", Content: scanPDF}},
		NextStep:  "UVM home visit", Worker: socialWorker.Username,
	}
}

func TestOpenCaseFromRecord(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	before := count(t, s, "outbox")
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if c.Number.String() != "SOC-D01-2026-00001" || c.Phase != social.PhaseIntake || c.PersonName != "Rossi Mario" || c.Version != 1 {
		t.Errorf("case %s %s %q v%d", c.Number, c.Phase, c.PersonName, c.Version)
	}
	second, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil || second.Number.Seq != 2 {
		t.Fatalf("second case: %v %v", second.Number, err)
	}

	// one mutation for the case and one for its document, each audited
	// without personal data
	muts, err := s.Outbox(ctx, int64(before), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) != 4 || muts[0].Entity != "social_case" || muts[1].Entity != "social_document" {
		t.Fatalf("outbox: %+v", muts)
	}
	if strings.Contains(string(muts[1].Payload), "ISEE attestation") {
		t.Error("the document's content is in the payload")
	}
	audit, err := s.FindAudit(ctx, access.LogFilter{Subject: "social."})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range audit {
		if strings.Contains(a.Detail, "Rossi") || strings.Contains(a.Detail, "stroke") {
			t.Errorf("audit detail with personal data: %s", a.Detail)
		}
	}

	f, err := s.CaseFile(ctx, socialWorker, c.UID, social.PurposeCaseWork)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Household) != 2 || f.Household[1].Name != "Kaur Simran" || f.Household[1].Relationship != "badante" {
		t.Errorf("household %+v", f.Household)
	}
	if f.ISEE == nil || f.ISEE.Cents != 1234567 || f.ISEE.Expiry != registry.NewDate(2026, 12, 31) {
		t.Errorf("isee %+v", f.ISEE)
	}
	if !f.Consent.Given || !f.Consent.Signed || f.Referrer != "Dr. Bianchi (MMG)" || len(f.Risks) != 1 {
		t.Errorf("intake read back: %+v", f.Intake)
	}
	sum := sha256.Sum256(scanPDF)
	if len(f.Documents) != 1 || f.Documents[0].SHA256 != hex.EncodeToString(sum[:]) || f.Documents[0].MIME != "application/pdf" || f.Documents[0].Content != nil {
		t.Fatalf("documents %+v", f.Documents)
	}
	doc, err := s.CaseDocument(ctx, socialWorker, f.Documents[0].UID)
	if err != nil || string(doc.Content) != string(scanPDF) {
		t.Errorf("document content: %v", err)
	}
	views, err := s.CaseViews(ctx, socialWorker, c.UID)
	if err != nil || len(views) != 1 || views[0].Purpose != social.PurposeCaseWork || views[0].Operator != "pblu" {
		t.Errorf("views %+v %v", views, err)
	}
	if _, err := s.CaseFile(ctx, socialWorker, c.UID, "curiosity"); fault.Code(err) != fault.Invalid {
		t.Errorf("view without purpose: %v", err)
	}
}

func TestOpenCaseForVisitor(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	in := social.Intake{
		Visitor: &social.Visitor{Surname: "Kaur", Name: "Simran", Phone: "333 1234567"},
		Type:    social.Inclusion, Source: social.WalkIn, PresentingIssue: "Lost her job, two children",
		Consent: social.Consent{Given: true}, Worker: socialWorker2.Username,
	}
	c, err := s.OpenCase(ctx, socialWorker, in)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.CaseFile(ctx, socialWorker, c.UID, social.PurposeCaseWork)
	if err != nil {
		t.Fatal(err)
	}
	if f.Visitor == nil || f.Visitor.Phone != "333 1234567" || f.PersonName != "Kaur Simran" || f.PersonUID != "" || f.Worker != "gviola" {
		t.Errorf("visitor case %+v", f.Case)
	}
	if count(t, s, "social_visitor") != 1 {
		t.Error("no visitor row")
	}
	// a worker that is not a social worker is refused, and nothing is kept
	in.Worker = registryClerk.Username
	if _, err := s.OpenCase(ctx, socialWorker, in); fault.Code(err) != fault.Invalid {
		t.Errorf("assigned to a clerk: %v", err)
	}
	if count(t, s, "social_visitor") != 1 || count(t, s, "social_case") != 1 {
		t.Error("a refused intake left rows")
	}
}

func TestSocialRoles(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	cases, outbox := count(t, s, "social_case"), count(t, s, "outbox")
	for _, u := range []access.User{registryClerk, supervisor, {Username: "root", Role: access.Admin}} {
		t.Run(string(u.Role), func(t *testing.T) {
			if _, err := s.OpenCase(ctx, u, marioIntake(t, s)); fault.Code(err) != fault.Forbidden {
				t.Errorf("OpenCase: %v", err)
			}
			if _, err := s.CaseFile(ctx, u, c.UID, social.PurposeCaseWork); fault.Code(err) != fault.Forbidden {
				t.Errorf("CaseFile: %v", err)
			}
			if _, err := s.SearchCases(ctx, u, "rossi", ""); fault.Code(err) != fault.Forbidden {
				t.Errorf("SearchCases: %v", err)
			}
			if _, err := s.MyOpenCases(ctx, u); fault.Code(err) != fault.Forbidden {
				t.Errorf("MyOpenCases: %v", err)
			}
			if _, err := s.AddNote(ctx, u, c.UID, "hello"); fault.Code(err) != fault.Forbidden {
				t.Errorf("AddNote: %v", err)
			}
			if _, err := s.MoveCase(ctx, u, c.UID, c.Version, social.PhaseAssessment); fault.Code(err) != fault.Forbidden {
				t.Errorf("MoveCase: %v", err)
			}
			if _, err := s.PersonHasSocialCase(ctx, u, c.PersonUID); fault.Code(err) != fault.Forbidden {
				t.Errorf("PersonHasSocialCase without the setting: %v", err)
			}
		})
	}
	if count(t, s, "social_case") != cases || count(t, s, "outbox") != outbox || count(t, s, "social_access_log") != 0 {
		t.Error("a refused call wrote something")
	}
	// with the setting on, the clerk learns that a case exists, and no more
	if err := s.SetMeta(ctx, "admin", MetaSocialShowCases, "1"); err != nil {
		t.Fatal(err)
	}
	if has, err := s.PersonHasSocialCase(ctx, registryClerk, c.PersonUID); err != nil || !has {
		t.Errorf("clerk with the setting: %v %v", has, err)
	}
	if has, err := s.PersonHasSocialCase(ctx, registryClerk, personUID(t, s, "Bianchi", "Anna")); err != nil || has {
		t.Errorf("a person without a case: %v %v", has, err)
	}
	if _, err := s.CaseFile(ctx, registryClerk, c.UID, social.PurposeCaseWork); fault.Code(err) != fault.Forbidden {
		t.Errorf("clerk reads the case with the setting on: %v", err)
	}
}

func TestCasePhases(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	base := c.Version
	if c, err = s.MoveCase(ctx, socialWorker, c.UID, c.Version, social.PhaseAssessment); err != nil || c.Phase != social.PhaseAssessment {
		t.Fatalf("to assessment: %v", err)
	}
	if _, err := s.MoveCase(ctx, socialWorker2, c.UID, base, social.PhasePlanning); fault.Code(err) != fault.Conflict {
		t.Errorf("stale version: %v", err)
	}
	if _, err := s.MoveCase(ctx, socialWorker, c.UID, c.Version, social.PhaseMonitoring); fault.Code(err) != fault.Conflict {
		t.Errorf("skip phases: %v", err)
	}
	if c, err = s.CloseCase(ctx, socialWorker, c.UID, c.Version, social.Ineligible, ""); err != nil || c.Open() {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.AddReferral(ctx, socialWorker, c.UID, social.Referral{Service: "SAD", FollowUp: registry.NewDate(2026, 3, 10)}); fault.Code(err) != fault.Conflict {
		t.Errorf("referral on a closed case: %v", err)
	}
	if c, err = s.ReopenCase(ctx, socialWorker, c.UID, c.Version); err != nil || c.Phase != social.PhaseIntake || c.Reopened != 1 {
		t.Fatalf("reopen: %v %+v", err, c)
	}
	if c, err = s.AssignCase(ctx, socialWorker, c.UID, c.Version, socialWorker2.Username); err != nil || c.Worker != "gviola" {
		t.Fatalf("assign: %v", err)
	}
	if _, err := s.AssignCase(ctx, socialWorker, c.UID, c.Version, registryClerk.Username); fault.Code(err) != fault.Invalid {
		t.Errorf("assign to a clerk: %v", err)
	}
	audit, err := s.FindAudit(ctx, access.LogFilter{Subject: c.UID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	want := "social.case.assign social.case.reopen social.case.close social.case.phase social.case.open"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit %v, want %s", actions, want)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n == 0 {
		t.Errorf("audit chain: %d %v", n, err)
	}
}

func TestNotesAppendOnly(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.AddNote(ctx, socialWorker2, c.UID, "  Called the GP: visit on Monday  ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, socialWorker, c.UID, " "); fault.Code(err) != fault.Invalid {
		t.Errorf("empty note: %v", err)
	}
	f, err := s.CaseFile(ctx, socialWorker, c.UID, social.PurposeFollowUp)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Notes) != 1 || f.Notes[0].Author != "gviola" || !f.Notes[0].At.Equal(fixedNow) || f.Notes[0].Text != "Called the GP: visit on Monday" {
		t.Errorf("notes %+v", f.Notes)
	}
	for _, q := range []string{`UPDATE social_note SET text = 'x' WHERE uid = ?`, `DELETE FROM social_note WHERE uid = ?`} {
		if _, err := s.w.Exec(q, n.UID); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := s.w.Exec(`DELETE FROM social_access_log`); err == nil {
		t.Error("the social access log can be deleted")
	}
}

func TestReferralsOverdue(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.AddReferral(ctx, socialWorker, c.UID, social.Referral{Service: "ADI - ASL Frosinone", FollowUp: registry.NewDate(2026, 3, 4)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddReferral(ctx, socialWorker, c.UID, social.Referral{Service: "Centro diurno", FollowUp: registry.NewDate(2026, 3, 20)}); err != nil {
		t.Fatal(err)
	}
	if late, err := s.OverdueReferrals(ctx, socialWorker, s.today()); err != nil || len(late) != 0 {
		t.Fatalf("overdue today: %v %v", late, err)
	}
	s.now = func() time.Time { return fixedNow.Add(3 * 24 * time.Hour) } // 5 March
	late, err := s.OverdueReferrals(ctx, socialWorker, s.today())
	if err != nil || len(late) != 1 || late[0].UID != r.UID || late[0].CaseNumber != c.Number || late[0].PersonName != "Rossi Mario" {
		t.Fatalf("overdue on 5 March: %+v %v", late, err)
	}
	if mine, _ := s.OverdueReferrals(ctx, socialWorker2, s.today()); len(mine) != 0 {
		t.Error("another worker sees the overdue referral as theirs")
	}
	if r, err = s.SetReferralStatus(ctx, socialWorker, r.UID, social.ReferralAccepted); err != nil || r.Version != 2 {
		t.Fatalf("accept: %v", err)
	}
	if late, _ := s.OverdueReferrals(ctx, socialWorker, s.today()); len(late) != 1 {
		t.Error("an accepted referral past its date is not overdue")
	}
	if _, err = s.SetReferralStatus(ctx, socialWorker, r.UID, social.ReferralCompleted); err != nil {
		t.Fatal(err)
	}
	if late, _ := s.OverdueReferrals(ctx, socialWorker, s.today()); len(late) != 0 {
		t.Error("a completed referral is overdue")
	}
	if _, err = s.SetReferralStatus(ctx, socialWorker, r.UID, social.ReferralPending); fault.Code(err) != fault.Conflict {
		t.Errorf("completed -> pending: %v", err)
	}
}

func TestSocialAppointments(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	c, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 11, 0, 0, 0, registry.Rome) // today, 11:00
	a, err := s.BookSocialAppointment(ctx, socialWorker, social.Appointment{CaseUID: c.UID, Worker: "pblu", At: at, Minutes: 45, Place: "Stanza 2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BookSocialAppointment(ctx, socialWorker, social.Appointment{CaseUID: c.UID, Worker: "pblu", At: at.Add(30 * time.Minute)}); fault.Code(err) != fault.Conflict {
		t.Errorf("overlapping appointment: %v", err)
	}
	if _, err := s.BookSocialAppointment(ctx, socialWorker, social.Appointment{CaseUID: c.UID, Worker: "gviola", At: at.Add(30 * time.Minute)}); err != nil {
		t.Errorf("another worker at the same time: %v", err)
	}
	tomorrow := at.AddDate(0, 0, 1)
	if _, err := s.BookSocialAppointment(ctx, socialWorker, social.Appointment{CaseUID: c.UID, Worker: "pblu", At: tomorrow}); err != nil {
		t.Fatal(err)
	}
	today, err := s.TodayAppointments(ctx, socialWorker)
	if err != nil || len(today) != 1 || today[0].UID != a.UID || today[0].CaseNumber != c.Number || today[0].PersonName != "Rossi Mario" {
		t.Fatalf("today: %+v %v", today, err)
	}
	got, issued, err := s.ArriveSocialAppointment(ctx, socialWorker, a.UID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != social.AppointmentArrived || got.TicketUID != issued.Ticket.UID || issued.Ticket.Service != "C" || issued.Ticket.Label == "" {
		t.Errorf("arrived %+v ticket %+v", got, issued.Ticket)
	}
	if _, _, err := s.ArriveSocialAppointment(ctx, socialWorker, a.UID); fault.Code(err) != fault.Conflict {
		t.Errorf("arrive twice: %v", err)
	}
	var tickets int
	s.r.QueryRow(`SELECT count(*) FROM queue_ticket WHERE service = 'C'`).Scan(&tickets)
	if tickets != 1 {
		t.Errorf("%d tickets of the social desk, want 1", tickets)
	}
	if _, err := s.CancelSocialAppointment(ctx, socialWorker, a.UID); fault.Code(err) != fault.Conflict {
		t.Errorf("cancel after arrival: %v", err)
	}
}

func TestSearchCases(t *testing.T) {
	s := socialStore(t)
	ctx := context.Background()
	mario, err := s.OpenCase(ctx, socialWorker, marioIntake(t, s))
	if err != nil {
		t.Fatal(err)
	}
	visitor, err := s.OpenCase(ctx, socialWorker, social.Intake{
		Visitor: &social.Visitor{Surname: "D'Amico", Name: "Nicolò"}, Type: social.RentSupport, Source: social.WalkIn,
		PresentingIssue: "Eviction notice", Consent: social.Consent{Given: true}, Worker: "gviola",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveCase(ctx, socialWorker, mario.UID, 1, social.PhaseAssessment); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text  string
		phase social.Phase
		want  []string
	}{
		{strings.ToLower(mario.Number.String()), "", []string{mario.UID}},
		{"rossi", "", []string{mario.UID}},
		{"nicolo damico", "", []string{visitor.UID}},
		{"", social.PhaseAssessment, []string{mario.UID}},
		{"", "", []string{visitor.UID, mario.UID}},
		{"rossi", social.PhaseIntake, nil},
		{"bianchi", "", nil},
	}
	for _, tt := range tests {
		got, err := s.SearchCases(ctx, socialWorker, tt.text, tt.phase)
		if err != nil {
			t.Fatal(err)
		}
		var uids []string
		for _, c := range got {
			uids = append(uids, c.UID)
		}
		if strings.Join(uids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("SearchCases(%q, %q) = %v, want %v", tt.text, tt.phase, uids, tt.want)
		}
	}
	mine, err := s.MyOpenCases(ctx, socialWorker)
	if err != nil || len(mine) != 1 || mine[0].UID != mario.UID {
		t.Errorf("my open cases: %v %v", mine, err)
	}
}
