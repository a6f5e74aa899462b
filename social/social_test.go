package social

import (
	"strings"
	"testing"
	"time"

	"sportello/fault"
	"sportello/registry"
)

var today = registry.NewDate(2026, time.November, 26)

func validIntake() Intake {
	return Intake{
		PersonUID: "p-mario", Type: HomeCare, Source: WalkIn,
		PresentingIssue: "Mother alone at home after a fall", Consent: Consent{Given: true},
		Worker: "pblu",
	}
}

func TestIntakeValidate(t *testing.T) {
	pdf := []byte("%PDF-1.7\n...")
	tests := []struct {
		name string
		edit func(*Intake)
		code string // "" for valid
		want string // part of the message key
	}{
		{"valid", func(*Intake) {}, "", ""},
		{"visitor", func(in *Intake) { in.PersonUID = ""; in.Visitor = &Visitor{Surname: "Kaur", Name: "Simran"} }, "", ""},
		{"nobody", func(in *Intake) { in.PersonUID = "" }, fault.Invalid, "register or write the visitor"},
		{"both", func(in *Intake) { in.Visitor = &Visitor{Surname: "A", Name: "B"} }, fault.Invalid, "not both"},
		{"visitor without name", func(in *Intake) { in.PersonUID = ""; in.Visitor = &Visitor{Surname: "Kaur"} }, fault.Invalid, "surname and the name"},
		{"visitor bad cf", func(in *Intake) {
			in.PersonUID = ""
			in.Visitor = &Visitor{Surname: "A", Name: "B", CF: "RSSMRA70C15A269X"}
		}, fault.Invalid, "codice fiscale"},
		{"no issue", func(in *Intake) { in.PresentingIssue = "   " }, fault.Invalid, "presenting issue"},
		{"no type", func(in *Intake) { in.Type = "" }, fault.Invalid, "type of request"},
		{"referral without referrer", func(in *Intake) { in.Source = Referred }, fault.Invalid, "who referred"},
		{"no consent", func(in *Intake) { in.Consent.Given = false }, fault.Invalid, "consent"},
		{"no worker", func(in *Intake) { in.Worker = "" }, fault.Invalid, "social worker"},
		{"isee ok", func(in *Intake) { in.ISEE = &ISEE{Cents: 0, Expiry: registry.NewDate(2026, 12, 31)} }, "", ""},
		{"isee negative", func(in *Intake) { in.ISEE = &ISEE{Cents: -1, Expiry: registry.NewDate(2026, 12, 31)} }, fault.Invalid, "between 0"},
		{"isee huge", func(in *Intake) { in.ISEE = &ISEE{Cents: MaxISEECents + 1, Expiry: registry.NewDate(2026, 12, 31)} }, fault.Invalid, "between 0"},
		{"isee expired", func(in *Intake) { in.ISEE = &ISEE{Cents: 850000, Expiry: registry.NewDate(2025, 12, 31)} }, fault.Invalid, "expired"},
		{"isee far", func(in *Intake) { in.ISEE = &ISEE{Cents: 850000, Expiry: registry.NewDate(2028, 12, 31)} }, fault.Invalid, "31 December"},
		{"isee no expiry", func(in *Intake) { in.ISEE = &ISEE{Cents: 850000} }, fault.Invalid, "expiry date"},
		{"bad risk", func(in *Intake) { in.Risks = []Risk{"bored"} }, fault.Invalid, "risk"},
		{"target past", func(in *Intake) { in.TargetDate = registry.NewDate(2026, 11, 25) }, fault.Invalid, "target date"},
		{"document ok", func(in *Intake) { in.Documents = []Document{{Kind: DocISEE, Name: "isee.pdf", Content: pdf}} }, "", ""},
		{"document not pdf", func(in *Intake) {
			in.Documents = []Document{{Kind: DocISEE, Name: "isee.exe", Content: []byte("MZ\x90")}}
		}, fault.Invalid, "not a PDF"},
		{"document too big", func(in *Intake) {
			in.Documents = []Document{{Kind: DocISEE, Name: "scan.pdf", Content: append(pdf, make([]byte, MaxDocumentSize)...)}}
		}, fault.Invalid, "10 MB"},
		{"document without kind", func(in *Intake) { in.Documents = []Document{{Name: "a.pdf", Content: pdf}} }, fault.Invalid, "what the document is"},
		{"household member without name", func(in *Intake) { in.Household = []Member{{Relationship: "figlio"}} }, fault.Invalid, "household"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validIntake()
			tt.edit(&in)
			err := in.Validate(today)
			if fault.Code(err) != tt.code {
				t.Fatalf("Validate() = %v, want code %q", err, tt.code)
			}
			if msg, _ := fault.Message(err); err != nil && !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
		})
	}
}

func TestDocumentValidateSetsType(t *testing.T) {
	d := Document{Kind: DocIdentity, Name: " id.png ", Content: []byte("\x89PNG\r\n\x1a\nrest")}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.MIME != "image/png" || d.Size != 12 || d.Name != "id.png" {
		t.Errorf("got %q %d %q", d.MIME, d.Size, d.Name)
	}
}

func TestPhaseTransitions(t *testing.T) {
	tests := []struct {
		from, to Phase
		code     string
	}{
		{PhaseIntake, PhaseAssessment, ""},
		{PhaseAssessment, PhasePlanning, ""},
		{PhaseAssessment, PhaseIntake, ""},
		{PhasePlanning, PhaseImplementation, ""},
		{PhaseImplementation, PhaseMonitoring, ""},
		{PhaseMonitoring, PhaseImplementation, ""},
		{PhaseIntake, PhasePlanning, fault.Conflict},
		{PhaseIntake, PhaseMonitoring, fault.Conflict},
		{PhaseMonitoring, PhaseIntake, fault.Conflict},
		{PhaseIntake, PhaseClosed, fault.Invalid},
		{PhaseIntake, "done", fault.Invalid},
		{PhaseClosed, PhaseAssessment, fault.Conflict},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"->"+string(tt.to), func(t *testing.T) {
			c := Case{Phase: tt.from}
			err := c.Move(tt.to)
			if fault.Code(err) != tt.code {
				t.Fatalf("Move = %v, want %q", err, tt.code)
			}
			want := tt.to
			if err != nil {
				want = tt.from
			}
			if c.Phase != want {
				t.Errorf("phase %s, want %s", c.Phase, want)
			}
		})
	}
}

func TestCloseAndReopen(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	c := Case{Phase: PhaseMonitoring}
	if err := c.Close("", "", at); fault.Code(err) != fault.Invalid {
		t.Errorf("close without reason: %v", err)
	}
	if err := c.Close(OtherReason, " ", at); fault.Code(err) != fault.Invalid {
		t.Errorf("close for another reason without note: %v", err)
	}
	if err := c.Reopen(); fault.Code(err) != fault.Conflict {
		t.Errorf("reopen an open case: %v", err)
	}
	if err := c.Close(GoalsAchieved, "", at); err != nil {
		t.Fatal(err)
	}
	if c.Open() || c.Closure != GoalsAchieved || !c.ClosedAt.Equal(at) {
		t.Errorf("closed case: %+v", c)
	}
	if err := c.Close(Partial, "", at); fault.Code(err) != fault.Conflict {
		t.Errorf("close twice: %v", err)
	}
	if err := c.Reopen(); err != nil {
		t.Fatal(err)
	}
	if c.Phase != PhaseIntake || c.Closure != "" || !c.ClosedAt.IsZero() || c.Reopened != 1 {
		t.Errorf("reopened case: %+v", c)
	}
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		n    Number
		text string
	}{
		{Number{Year: 2026, Seq: 42}, "SOC-2026-00042"},
		{Number{Desk: "D01", Year: 2026, Seq: 7}, "SOC-D01-2026-00007"},
	} {
		if got := tt.n.String(); got != tt.text {
			t.Errorf("String() = %q, want %q", got, tt.text)
		}
		back, err := ParseNumber(strings.ToLower(tt.text))
		if err != nil || back != tt.n {
			t.Errorf("ParseNumber(%q) = %v, %v", tt.text, back, err)
		}
	}
	for _, bad := range []string{"", "SOC-2026", "ABC-2026-00001", "SOC-2026-0", "SOC-26-00001", "SOC--2026-00001", "SOC-2026-xx"} {
		if _, err := ParseNumber(bad); fault.Code(err) != fault.Invalid {
			t.Errorf("ParseNumber(%q) = %v", bad, err)
		}
	}
}

func TestReferral(t *testing.T) {
	r := Referral{Service: "ADI ASL Frosinone", FollowUp: registry.NewDate(2026, 12, 1)}
	if err := r.Validate(today); err != nil {
		t.Fatal(err)
	}
	if r.Status != ReferralPending {
		t.Errorf("status %s", r.Status)
	}
	dayAt := func(d registry.Date, h int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, registry.Rome)
	}
	if r.Overdue(dayAt(registry.NewDate(2026, 12, 1), 23)) {
		t.Error("overdue on its follow-up day")
	}
	if !r.Overdue(dayAt(registry.NewDate(2026, 12, 2), 0)) {
		t.Error("not overdue the day after")
	}
	if err := r.SetStatus(ReferralAccepted); err != nil {
		t.Fatal(err)
	}
	if !r.Overdue(dayAt(registry.NewDate(2026, 12, 2), 9)) {
		t.Error("an accepted referral past its follow-up is not overdue")
	}
	if err := r.SetStatus(ReferralCompleted); err != nil {
		t.Fatal(err)
	}
	if r.Overdue(dayAt(registry.NewDate(2027, 1, 2), 9)) {
		t.Error("a completed referral is overdue")
	}
	if err := r.SetStatus(ReferralPending); fault.Code(err) != fault.Conflict {
		t.Errorf("completed -> pending: %v", err)
	}
	past := Referral{Service: "x", FollowUp: registry.NewDate(2026, 11, 1)}
	if err := past.Validate(today); fault.Code(err) != fault.Invalid {
		t.Errorf("follow-up in the past: %v", err)
	}
	if err := (&Referral{FollowUp: today}).Validate(today); fault.Code(err) != fault.Invalid {
		t.Errorf("no service: %v", err)
	}
}

func TestNote(t *testing.T) {
	n := Note{Text: "  "}
	if err := n.Validate(); fault.Code(err) != fault.Invalid {
		t.Errorf("empty note: %v", err)
	}
	n.Text = strings.Repeat("a", maxText+1)
	if err := n.Validate(); fault.Code(err) != fault.Invalid {
		t.Errorf("long note: %v", err)
	}
}

func TestAppointment(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	a := Appointment{Worker: "pblu", At: now.Add(time.Hour)}
	if err := a.Validate(now); err != nil || a.Minutes != 30 {
		t.Fatalf("Validate = %v, minutes %d", err, a.Minutes)
	}
	if err := (&Appointment{Worker: "pblu", At: now.Add(-time.Minute)}).Validate(now); fault.Code(err) != fault.Invalid {
		t.Errorf("past: %v", err)
	}
	if err := (&Appointment{Worker: "pblu", At: now.Add(time.Hour), Minutes: 5}).Validate(now); fault.Code(err) != fault.Invalid {
		t.Errorf("5 minutes: %v", err)
	}
	b := Appointment{Worker: "pblu", At: now.Add(90 * time.Minute), Minutes: 30}
	c := Appointment{Worker: "pblu", At: now.Add(80 * time.Minute), Minutes: 30}
	if a.Overlaps(b) || !b.Overlaps(c) || !c.Overlaps(b) {
		t.Error("overlap wrong")
	}
	c.Worker = "other"
	if b.Overlaps(c) {
		t.Error("two workers overlap")
	}
	a.State = AppointmentBooked
	if err := a.Arrive("t1"); err != nil || a.State != AppointmentArrived || a.TicketUID != "t1" {
		t.Errorf("Arrive = %v, %+v", err, a)
	}
	if err := a.Arrive("t2"); fault.Code(err) != fault.Conflict {
		t.Errorf("arrive twice: %v", err)
	}
	if err := a.Cancel(); fault.Code(err) != fault.Conflict {
		t.Errorf("cancel after arrival: %v", err)
	}
}
