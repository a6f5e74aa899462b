package central

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// The server trusts a desk with what it did itself and no further: these
// tests push, as a stolen desk would, mutations no honest desk makes.

// hostile is a mutation of desk d with its next seq at the server.
func (o *office) hostile(t *testing.T, d *desk, entity, op, operator string, payload string, docs *store.EditDocs) store.Mutation {
	t.Helper()
	held, err := o.server.Desk(context.Background(), d.store.DeskID())
	if err != nil {
		t.Fatal(err)
	}
	m := store.Mutation{Seq: held.LastSeq + 1, MutationID: ulid.Make().String(), DeskID: d.store.DeskID(), Operator: operator,
		Entity: entity, EntityUID: ulid.Make().String(), Op: op, Payload: json.RawMessage(payload),
		CreatedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")}
	if docs != nil {
		m.Docs, _ = json.Marshal(docs)
	}
	return m
}

// scan reads one row of the server's file with a connection of its own.
func (o *office) scan(t testing.TB, query string, args []any, dest ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+o.server.Path()+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.QueryRowContext(ctx, query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// serverUser reads a clerk's document at the server.
func (o *office) serverUser(t *testing.T, username string) store.Doc {
	t.Helper()
	ctx := context.Background()
	for _, u := range mustUsers(t, o.server) {
		if u.Username == username {
			var uid string
			o.scan(t, `SELECT uid FROM users WHERE username = ?`, []any{username}, &uid)
			d, ok, err := o.server.Document(ctx, "user", uid)
			if err != nil || !ok {
				t.Fatalf("user %s: %v", username, err)
			}
			return d
		}
	}
	t.Fatalf("no user %s at the server", username)
	return store.Doc{}
}

func mustUsers(t *testing.T, s *store.Store) []access.User {
	t.Helper()
	us, err := s.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// TestPushRefusesMalformedMutations (finding 9): an id that is no ULID, an
// empty entity and op, a payload that is no JSON object, a created_at
// that is no instant: the push is refused whole, nothing is recorded and no
// seq is used.
func TestPushRefusesMalformedMutations(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 10)
	a := o.newDesk("D01")
	a.sync(t)
	before, _ := o.server.Desk(ctx, a.store.DeskID())
	tests := []struct {
		name string
		edit func(*store.Mutation)
	}{
		{"id x", func(m *store.Mutation) { m.MutationID = "x" }},
		{"empty entity and op", func(m *store.Mutation) { m.Entity, m.Op = "", "" }},
		{"string payload", func(m *store.Mutation) { m.Payload = json.RawMessage(`"ciao"`) }},
		{"null payload", func(m *store.Mutation) { m.Payload = json.RawMessage(`null`) }},
		{"created_at", func(m *store.Mutation) { m.CreatedAt = "ieri" }},
		{"docs", func(m *store.Mutation) { m.Docs = json.RawMessage(`[1,2]`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := o.hostile(t, a, "certificate", "reprint", clerk.Username, `{}`, nil)
			tt.edit(&m)
			_, err := a.syncer.Client.Push(ctx, []store.Mutation{m})
			var se *ServerError
			if !errors.As(err, &se) || se.Status != 400 || se.Body.Code != string(fault.Invalid) {
				t.Fatalf("push: %v, want 400 invalid", err)
			}
			after, _ := o.server.Desk(ctx, a.store.DeskID())
			if after.LastSeq != before.LastSeq {
				t.Fatalf("last seq %d, was %d: the malformed change used a number", after.LastSeq, before.LastSeq)
			}
		})
	}
	// The desk's own next change still goes, with the next number.
	addDocument(t, a, someHouseholder(t, o.server, 0), "MM1234567")
	if rep := a.sync(t); rep.Pushed != 1 || rep.Rejected != 0 {
		t.Fatalf("the desk's real change: %+v", rep)
	}
}

// TestPushAuthorisesEveryMutation (findings 4 and 9): well-formed changes a
// desk may not make are refused with the reason, recorded, and use their
// seq; nothing of them is applied.
func TestPushAuthorisesEveryMutation(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	addClerks(t, o.server, admin, worker)
	a := o.newDesk("D01")
	a.sync(t)
	target := o.serverUser(t, clerk.Username)
	cf := someHouseholder(t, o.server, 0)
	person := a.record(t, cf).Person
	makeAdmin := &store.EditDocs{
		Before: []store.Doc{{Entity: "user", UID: target.UID, Version: target.Version, Fields: map[string]json.RawMessage{"role": json.RawMessage(`"clerk"`)}}},
		After:  []store.Doc{{Entity: "user", UID: target.UID, Version: target.Version + 1, Fields: map[string]json.RawMessage{"role": json.RawMessage(`"admin"`)}}},
	}
	renamed := &store.EditDocs{
		Before: []store.Doc{{Entity: "person", UID: person.UID, Version: person.Version, Fields: map[string]json.RawMessage{"surname": json.RawMessage(`"` + person.Surname + `"`)}}},
		After:  []store.Doc{{Entity: "person", UID: person.UID, Version: person.Version + 1, Fields: map[string]json.RawMessage{"surname": json.RawMessage(`""`)}}},
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	keyID := certificate.KeyID(pub)
	// Someone guesses clerk2's password at the server until it locks.
	for range access.MaxFailedLogins {
		a.syncer.Client.Login(ctx, clerk2.Username, "indovina")
	}
	tests := []struct {
		name     string
		m        store.Mutation
		wantText string
	}{
		{"a clerk made admin by nobody", o.hostile(t, a, "user", "set_role", "nobody", `{}`, makeAdmin), "does not know the clerk"},
		{"a clerk made admin by an admin the server did not check", o.hostile(t, a, "user", "set_role", admin.Username, `{}`, makeAdmin), "password the server checked"},
		{"a user document inside a change of address", o.hostile(t, a, "person", "change_address", clerk.Username, `{}`, makeAdmin), "may not write a record of kind"},
		{"a clerk correcting personal data", o.hostile(t, a, "person", "correct", clerk.Username, `{}`, renamed), "may not make this change"},
		{"a social worker editing the register", o.hostile(t, a, "person", "add_document", worker.Username, `{}`, renamed), "may not make this change"},
		{"a person without a surname", o.hostile(t, a, "person", "add_document", clerk.Username, `{}`, renamed), "surname is required"},
		{"personal data corrected inside a clerk's identity document", o.hostile(t, a, "person", "add_document", clerk.Username, `{}`, &store.EditDocs{
			Before: []store.Doc{{Entity: "person", UID: person.UID, Version: person.Version, Fields: map[string]json.RawMessage{"name": json.RawMessage(`"` + person.Name + `"`)}}},
			After:  []store.Doc{{Entity: "person", UID: person.UID, Version: person.Version + 1, Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Ottone"`)}}},
		}), "Only a registrar"},
		{"a change made while its clerk was locked", o.hostile(t, a, "certificate", "reprint", clerk2.Username, `{"number":"x"}`, nil), "was locked"},
		{"a kind of change the server does not take", o.hostile(t, a, "meta", "set", clerk.Username, `{"key":"x","value":"y"}`, nil), "does not accept this kind"},
		{"a desk key", func() store.Mutation {
			m := o.hostile(t, a, "desk_key", "create", "sportello", `{"desk_code":"D02","public_key":"`+hex.EncodeToString(pub)+`"}`, nil)
			m.EntityUID = keyID
			return m
		}(), "enrolment"},
	}
	keysBefore, _ := o.server.TrustedKeys(ctx)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, _ := o.server.Desk(ctx, a.store.DeskID())
			tt.m.Seq = held.LastSeq + 1
			resp, err := a.syncer.Client.Push(ctx, []store.Mutation{tt.m})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Results[0]
			if r.Status != store.PushRejected || !strings.Contains(r.Error, tt.wantText) {
				t.Fatalf("result %+v, want rejected: ...%s...", r, tt.wantText)
			}
			if resp.LastSeq != tt.m.Seq {
				t.Fatalf("last seq %d, want %d: a refused change uses its number", resp.LastSeq, tt.m.Seq)
			}
			if _, ok := Italian(r.Error, r.ErrorArgs); !ok {
				t.Errorf("no Italian for %q", r.Error)
			}
		})
	}
	if got := o.serverUser(t, clerk.Username); string(got.Fields["role"]) != `"clerk"` {
		t.Errorf("clerk1's role at the server is %s", got.Fields["role"])
	}
	a.sync(t)
	if got := a.record(t, cf).Person; got.Surname != person.Surname || got.Name != person.Name {
		t.Errorf("%s %s at the desk after a sync", got.Surname, got.Name)
	}
	if keys, _ := o.server.TrustedKeys(ctx); len(keys) != len(keysBefore) {
		t.Errorf("the server trusts %d keys, it trusted %d", len(keys), len(keysBefore))
	}
}

// TestClerkChangesNeedAServerLogin (finding 4): an administrator changes
// clerks only after a login the server checked; offline the desk says so
// before trying; a server login is bound to its desk and its clerk.
func TestClerkChangesNeedAServerLogin(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 10)
	addClerks(t, o.server, admin)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	nuovo := access.User{Username: "nuovo", FullName: "Nino Nuovo", Role: access.Clerk}

	// Logged in with the desk's own copy only (the server did not check).
	if _, err := a.store.WithLockout().Login(ctx, admin.Username, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := a.store.ClerkChangesAllowed(ctx, admin.Username); fault.Code(err) != fault.Forbidden {
		t.Fatalf("allowed without a server login: %v", err)
	}
	if _, err := a.store.CreateUser(ctx, admin.Username, nuovo, testPassword); fault.Code(err) != fault.Forbidden {
		t.Fatalf("created without a server login: %v", err)
	}

	// Desk B's administrator logs in through the server: desk A cannot use
	// that login.
	bLogin := ServerFirst{Client: b.syncer.Client, Local: b.store.WithLockout(), Logins: b.store}
	if _, err := bLogin.Login(ctx, admin.Username, testPassword); err != nil {
		t.Fatal(err)
	}
	_, stolen, err := b.syncer.Client.Login(ctx, admin.Username, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	a.store.RememberServerLogin(stolen)
	if _, err := a.store.CreateUser(ctx, admin.Username, nuovo, testPassword); err != nil {
		t.Fatal(err)
	}
	if rep := a.sync(t); rep.Rejected != 1 {
		t.Fatalf("desk A pushed a clerk change with desk B's login: %+v", rep)
	}
	for _, u := range mustUsers(t, o.server) {
		if u.Username == nuovo.Username {
			t.Fatal("the server took a clerk from another desk's login")
		}
	}

	// At desk B, with its own server login, the change goes.
	if err := b.store.SetPassword(ctx, admin.Username, clerk.Username, "nuova-password-2026"); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t); rep.Rejected != 0 || rep.Pushed != 1 {
		t.Fatalf("desk B: %+v", rep)
	}
	if _, _, err := a.syncer.Client.Login(ctx, clerk.Username, "nuova-password-2026"); err != nil {
		t.Fatalf("the new password at the server: %v", err)
	}
}

// TestServerKeepsVersionsAndAudit: the server, as the system of record,
// keeps the person row each applied change replaces and an audit entry per
// applied mutation.
func TestServerKeepsVersionsAndAudit(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	a := o.newDesk("D01")
	a.sync(t)
	cf := someHouseholder(t, o.server, 0)
	before := a.record(t, cf).Person
	addDocument(t, a, cf, "VV1234567")
	a.sync(t)
	muts, _ := a.store.Outbox(ctx, 0, 0)
	last := muts[len(muts)-1]
	var n int
	o.scan(t, `SELECT count(*) FROM person_version v JOIN person p ON p.id = v.person_id WHERE p.uid = ? AND v.version = ?`,
		[]any{before.UID, before.Version}, &n)
	if n != 1 {
		t.Fatalf("person_version rows of the replaced version: %d", n)
	}
	lines, err := o.server.FindAudit(ctx, access.LogFilter{Operator: clerk.Username})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range lines {
		found = found || (l.Action == "person.add_document" && l.EntityUID == before.UID)
	}
	if !found || last.Op != "add_document" {
		t.Fatalf("no audit entry of the applied change at the server: %+v", lines)
	}
}

// TestDesksRealChangesAreAccepted: what a desk makes beyond the register
// (its key, a certificate, a duplicate, the cash close, queue set-up) goes
// through the funnel untouched; the same certificate pushed as a social
// worker's is refused.
func TestDesksRealChangesAreAccepted(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	a := o.newDesk("D01")
	a.sync(t)
	rec := a.record(t, someHouseholder(t, o.server, 0))
	in := store.IssueInput{PersonID: rec.Person.ID,
		Request: certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayMarca, Serial: "01234567890123"},
			FeePayment: certificate.PayCard},
		Issuer:       certificate.Issuer{Username: clerk.Username, FullName: clerk.FullName, Role: clerk.Role},
		Municipality: certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico"},
		Settings:     certificate.DefaultSettings}
	issued, err := a.store.IssueCertificate(ctx, in, func(d certificate.Document) ([]byte, error) { return []byte("%PDF " + d.Number), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.Reprint(ctx, clerk.Username, issued.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.CloseCash(ctx, clerk.Username, registry.DateOf(time.Now().In(registry.Rome))); err != nil {
		t.Fatal(err)
	}
	supervisor := access.User{Username: "sbruno", FullName: "Sara Bruno", Role: access.Supervisor}
	addClerks(t, o.server, supervisor, registrar)
	// A registrar corrects a name, keeping the codice fiscale (a mismatch
	// only a registrar may confirm).
	other := a.record(t, someHouseholder(t, o.server, 1)).Person
	if err := a.store.CorrectPerson(ctx, registrar, registry.Correction{PersonID: other.ID, BaseVersion: other.Version,
		Surname: other.Surname, Name: other.Name + " Maria", Sex: other.Sex, BirthDate: other.BirthDate, BirthPlace: other.BirthPlace,
		BirthPlaceName: other.BirthPlaceName, CF: other.CF, ConfirmMismatch: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SaveService(ctx, supervisor.Username, queue.Service{Code: "C", Name: "Carta d'identità", DailyCap: 40, Open: true, Position: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SaveCounter(ctx, supervisor.Username, queue.Counter{Code: "4", Name: "Sportello 4", Services: []string{"C"}}); err != nil {
		t.Fatal(err)
	}
	nine, _ := queue.ParseClock("09:00")
	noon, _ := queue.ParseClock("12:00")
	if _, err := a.store.SaveServiceSetup(ctx, supervisor.Username, queue.ServiceSetup{
		Service: queue.Service{Code: "D", Name: "Stato civile", DailyCap: 50, Open: true, Position: 4},
		First:   500, Last: 502, SlotMinutes: 20, Counters: []string{"4"},
		Hours: []queue.Hours{{Weekday: time.Tuesday, Opens: nine, Closes: noon}}}); err != nil {
		t.Fatal(err)
	}
	qs := queue.DefaultSettings
	qs.PriorityRun, qs.Within = 3, 15*time.Minute
	if _, err := a.store.SaveQueueSettings(ctx, supervisor.Username, qs); err != nil {
		t.Fatal(err)
	}
	if rep := a.sync(t); rep.Rejected != 0 || rep.Pushed < 8 {
		rejected, _ := a.store.RejectedMutations(ctx)
		t.Fatalf("desk A: %+v, refused %+v", rep, rejected)
	}
	muts, _ := a.store.Outbox(ctx, 0, 0)
	var cert store.Mutation
	for _, m := range muts {
		if m.Entity == "certificate" {
			cert = m
		}
	}
	addClerks(t, o.server, worker)
	forged := o.hostile(t, a, "certificate", "issue", worker.Username, string(cert.Payload), nil)
	resp, err := a.syncer.Client.Push(ctx, []store.Mutation{forged})
	if err != nil || resp.Results[0].Status != store.PushRejected {
		t.Fatalf("a certificate issued by a social worker: %+v %v", resp, err)
	}
	for name, m := range map[string]store.Mutation{
		"a service set up by a clerk": o.hostile(t, a, "queue_service", "set", clerk.Username, `{"Code":"Z","Name":"Z","DailyCap":1,"Open":true}`, nil),
		"settings out of range":       o.hostile(t, a, "queue_settings", "update", supervisor.Username, `{"priority_run":99,"within_minutes":15}`, nil),
		"numbers past 999":            o.hostile(t, a, "queue_service", "update", supervisor.Username, `{"code":"D","name":"D","first_number":1,"last_number":5000,"slot_minutes":20}`, nil),
	} {
		held, _ := o.server.Desk(ctx, a.store.DeskID())
		m.Seq = held.LastSeq + 1
		if resp, err := a.syncer.Client.Push(ctx, []store.Mutation{m}); err != nil || resp.Results[0].Status != store.PushRejected {
			t.Errorf("%s: %+v %v", name, resp, err)
		}
	}
}

// TestSocialRecordsMeetTheirRules: referrals, appointments and documents a
// stolen social desk pushes meet the social desk's own rules at the server,
// judged on the day the desk made them; a real referral made offline and
// pushed days later is still taken.
func TestSocialRecordsMeetTheirRules(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	addClerks(t, o.server, worker)
	pua := o.socialDesk("D01")
	pua.sync(t)
	c := openCase(t, pua, someHouseholder(t, o.server, 0))
	pua.sync(t)
	doc := func(entity string, fields map[string]string) *store.EditDocs {
		f := map[string]json.RawMessage{"case": json.RawMessage(`"` + c.UID + `"`)}
		for k, v := range fields {
			f[k] = json.RawMessage(v)
		}
		return &store.EditDocs{After: []store.Doc{{Entity: entity, UID: ulid.Make().String(), Version: 1, Fields: f}}}
	}
	now := time.Now().UTC()
	made := now.Format("2006-01-02T15:04:05.000000Z")
	tomorrow := now.AddDate(0, 0, 1).Format("2006-01-02")
	soon := now.Add(48 * time.Hour).Format("2006-01-02T15:04:05.000000Z")
	referral := func(service, followUp string) map[string]string {
		return map[string]string{"service": `"` + service + `"`, "status": `"pending"`, "follow_up": `"` + followUp + `"`, "note": `""`,
			"created_at": `"` + made + `"`, "created_by": `"` + worker.Username + `"`}
	}
	appointment := func(at string, minutes string) map[string]string {
		return map[string]string{"worker": `"` + worker.Username + `"`, "at": `"` + at + `"`, "minutes": minutes, "place": `""`,
			"state": `"booked"`, "ticket_uid": `""`, "created_at": `"` + made + `"`, "created_by": `"` + worker.Username + `"`}
	}
	for _, tt := range []struct {
		name, entity string
		docs         *store.EditDocs
		wantText     string
	}{
		{"a referral to no service", "social_referral", doc("social_referral", referral("", tomorrow)), "Write the service"},
		{"a referral due before it was made", "social_referral", doc("social_referral", referral("ADI", "2020-01-01")), "today or later"},
		{"an appointment of five minutes", "social_appointment", doc("social_appointment", appointment(soon, "5")), "between 10 and 240"},
		{"an appointment before it was booked", "social_appointment", doc("social_appointment", appointment("2020-01-01T09:00:00.000000Z", "30")), "in the future"},
		{"a document that is no PDF or picture", "social_document", doc("social_document", map[string]string{"kind": `"isee"`, "name": `"x.exe"`,
			"mime": `"application/pdf"`, "size": "2", "sha256": `""`, "content": `"4d5a"`, "received_at": `"` + made + `"`, "received_by": `"` + worker.Username + `"`}), "PDF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := o.hostile(t, pua, tt.entity, "create", worker.Username, `{}`, tt.docs)
			resp, err := pua.syncer.Client.Push(ctx, []store.Mutation{m})
			if err != nil {
				t.Fatal(err)
			}
			if r := resp.Results[0]; r.Status != store.PushRejected || !strings.Contains(r.Error, tt.wantText) {
				t.Fatalf("result %+v, want rejected: ...%s...", r, tt.wantText)
			}
		})
	}
	// Made three days ago offline, due the day after it was made: taken.
	before := now.AddDate(0, 0, -3)
	m := o.hostile(t, pua, "social_referral", "create", worker.Username, `{}`, doc("social_referral",
		referral("Servizio ADI", before.AddDate(0, 0, 1).Format("2006-01-02"))))
	m.CreatedAt = before.Format("2006-01-02T15:04:05.000000Z")
	resp, err := pua.syncer.Client.Push(ctx, []store.Mutation{m})
	if err != nil || resp.Results[0].Status == store.PushRejected {
		t.Fatalf("an offline referral pushed later: %+v %v", resp, err)
	}
}
