package store

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
)

// trustOffice is a server's store and the desks enrolled at it, each a
// store of its own holding the fixture municipality.
type trustOffice struct {
	server *Store
	desks  map[string]*Store
}

func newTrustOffice(tb testing.TB, codes ...string) *trustOffice {
	tb.Helper()
	o := &trustOffice{server: openAt(tb, filepath.Join(tb.TempDir(), "server.db"), Options{DeskCode: "SRV", Create: true}), desks: map[string]*Store{}}
	// The server knows the clerk who issues at the desks.
	if _, err := o.server.AddServerUser(context.Background(), "setup", access.User{Username: certClerk.Username, FullName: certClerk.FullName, Role: access.Clerk}, "una-password-lunga"); err != nil {
		tb.Fatal(err)
	}
	for _, code := range codes {
		d := openAt(tb, filepath.Join(tb.TempDir(), code+".db"), Options{DeskCode: code, Create: true})
		if _, err := d.Load(context.Background(), seqOf(fixtureHouseholds(tb)), nil); err != nil {
			tb.Fatalf("Load: %v", err)
		}
		o.enrol(tb, d, code)
		o.desks[code] = d
	}
	return o
}

// enrol enrols the desk d under code with a fresh one-time code.
func (o *trustOffice) enrol(tb testing.TB, d *Store, code string) EnrolledDesk {
	tb.Helper()
	ctx := context.Background()
	key, err := d.DeskKey(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	one, err := o.server.NewEnrolCode(ctx, "admin", code)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := o.server.Enrol(ctx, one, d.DeskID(), code, key.Public().(ed25519.PublicKey))
	if err != nil {
		tb.Fatalf("enrol %s: %v", code, err)
	}
	return e
}

// push sends the desk's whole outbox after the server's last seq.
func (o *trustOffice) push(tb testing.TB, d *Store) []PushResult {
	tb.Helper()
	ctx := context.Background()
	held, err := o.server.Desk(ctx, d.DeskID())
	if err != nil {
		tb.Fatal(err)
	}
	out, err := d.Outbox(ctx, held.LastSeq, 0)
	if err != nil {
		tb.Fatal(err)
	}
	res, _, err := o.server.ApplyPush(ctx, d.DeskID(), out)
	if err != nil {
		tb.Fatalf("push: %v", err)
	}
	return res
}

// issueAt issues a residence certificate for Mario Rossi at desk d.
func issueAt(tb testing.TB, d *Store) certificate.Issued {
	tb.Helper()
	got, err := d.IssueCertificate(context.Background(), issueInput(idOf(tb, d, "Rossi", "Mario"), certificate.Residence), fakePDF)
	if err != nil {
		tb.Fatalf("IssueCertificate: %v", err)
	}
	return got
}

func TestEnrolCodeOfAnotherDeskTouchesNoEnrolledDesk(t *testing.T) {
	ctx := context.Background()
	o := newTrustOffice(t, "D02")
	real := o.desks["D02"]
	issueAt(t, real)
	o.push(t, real)
	before, err := o.server.Desk(ctx, real.DeskID())
	if err != nil {
		t.Fatal(err)
	}
	// The attacker holds a code made for D06 and presents D02's desk id
	// (it travels in every request's headers) with a key of its own.
	pub, _, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name, deskCode string
	}{
		{"code for D06, desk id of D02, desk code D06", "D06"},
		{"code for D06, desk id of D02, desk code D02", "D02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := o.server.NewEnrolCode(ctx, "admin", "D06")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.server.Enrol(ctx, code, real.DeskID(), tt.deskCode, pub); err == nil {
				t.Fatal("the enrolment was accepted")
			}
			after, err := o.server.Desk(ctx, real.DeskID())
			if err != nil {
				t.Fatal(err)
			}
			if after.KeyID != before.KeyID || after.DeskCode != "D02" || after.LastSeq != before.LastSeq {
				t.Fatalf("D02 became %+v, was %+v", after, before)
			}
		})
	}
	// The real D02 goes on: its next certificate is applied.
	issueAt(t, real)
	for _, r := range o.push(t, real) {
		if r.Status == PushRejected {
			t.Fatalf("D02's mutation %d rejected: %s", r.Seq, r.Error)
		}
	}
}

func TestReEnrolmentOfTheSameDesk(t *testing.T) {
	ctx := context.Background()
	o := newTrustOffice(t, "D02")
	d := o.desks["D02"]
	issueAt(t, d)
	o.push(t, d)
	first, _ := o.server.Desk(ctx, d.DeskID())

	// With a fresh code for its own desk code and its own key: nothing
	// changes but the code is used.
	again := o.enrol(t, d, "D02")
	if again.KeyID != first.KeyID || again.LastSeq != first.LastSeq || again.LastSeq == 0 {
		t.Fatalf("re-enrolment changed the desk: %+v, was %+v", again, first)
	}
	// With a fresh code for its own desk code and another key: refused,
	// a key changes only by rotation signed with the current key.
	pub, _, _ := ed25519.GenerateKey(nil)
	code, _ := o.server.NewEnrolCode(ctx, "admin", "D02")
	_, err := o.server.Enrol(ctx, code, d.DeskID(), "D02", pub)
	if fault.Code(err) != fault.Forbidden {
		t.Fatalf("re-enrolment with another key: %v", err)
	}
	if now, _ := o.server.Desk(ctx, d.DeskID()); now.KeyID != first.KeyID {
		t.Fatalf("the key changed to %s", now.KeyID)
	}
}

func TestServerRefusesACertificateNumberedAsAnotherDesks(t *testing.T) {
	ctx := context.Background()
	o := newTrustOffice(t, "D02", "D06")
	victim, attacker := o.desks["D02"], o.desks["D06"]
	issueAt(t, victim)
	o.push(t, victim)
	own := issueAt(t, attacker)
	o.push(t, attacker)

	held, _ := o.server.Desk(ctx, attacker.DeskID())
	seq := held.LastSeq
	var mine certificatePayload
	out, _ := attacker.Outbox(ctx, 0, 0)
	for _, m := range out {
		if m.Entity == "certificate" && m.Op == "issue" {
			json.Unmarshal(m.Payload, &mine)
		}
	}
	if mine.Number != own.Number {
		t.Fatalf("no certificate mutation in the attacker's outbox")
	}
	forged := func(edit func(p *certificatePayload)) Mutation {
		p := mine
		edit(&p)
		b, _ := json.Marshal(p)
		seq++
		return Mutation{Seq: seq, MutationID: newUID(), DeskID: attacker.DeskID(), Operator: "clerk", Entity: "certificate",
			EntityUID: newUID(), Op: "issue", Payload: b, CreatedAt: timestamp(fixedNow)}
	}
	d02 := certificate.Number{Desk: "D02", Year: 2026, Seq: 2}.String()
	tests := []struct {
		name string
		m    Mutation
	}{
		{"another desk's next number", forged(func(p *certificatePayload) { p.Number = d02 })},
		{"another desk's number already in the register", forged(func(p *certificatePayload) {
			p.Number = certificate.Number{Desk: "D02", Year: 2026, Seq: 1}.String()
		})},
		{"its own number again", forged(func(p *certificatePayload) {})},
		{"a seal of another number", forged(func(p *certificatePayload) {
			p.Number = certificate.Number{Desk: "D06", Year: 2026, Seq: 2}.String()
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _, err := o.server.ApplyPush(ctx, attacker.DeskID(), []Mutation{tt.m})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].Status != PushRejected {
				t.Fatalf("pushed %s: %+v", tt.name, res)
			}
		})
	}
	// A malformed payload is refused with the whole push, before anything
	// is applied (store/syncauth.go).
	m := forged(func(p *certificatePayload) {})
	m.Payload = json.RawMessage(`"x"`)
	if _, _, err := o.server.ApplyPush(ctx, attacker.DeskID(), []Mutation{m}); fault.Code(err) != fault.Invalid {
		t.Fatalf("a malformed payload: %v, want it refused as invalid", err)
	}
}

func TestRevocationIsNeverUndone(t *testing.T) {
	ctx := context.Background()
	o := newTrustOffice(t, "D02", "D06")
	victim, hostile := o.desks["D02"], o.desks["D06"]
	o.push(t, victim)
	o.push(t, hostile)
	if _, err := o.server.RevokeDesk(ctx, "admin", "D02"); err != nil {
		t.Fatal(err)
	}
	d02, _ := o.server.desk(ctx, victim.DeskID())
	// The hostile desk pushes D02's key again, as not revoked.
	held, _ := o.server.Desk(ctx, hostile.DeskID())
	payload, _ := json.Marshal(map[string]string{"key_id": d02.KeyID, "desk_code": "D02", "public_key": hexKey(d02.PublicKey)})
	o.server.ApplyPush(ctx, hostile.DeskID(), []Mutation{{Seq: held.LastSeq + 1, MutationID: newUID(), DeskID: hostile.DeskID(), Operator: "nobody",
		Entity: "desk_key", EntityUID: d02.KeyID, Op: "create", Payload: payload, CreatedAt: timestamp(fixedNow)}})
	// Desk D06 pulls the keys.
	page, err := o.server.Changes(ctx, 0, 1000, hostile.DeskID())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := hostile.ApplyChanges(ctx, page); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Store{"server": o.server, "desk D06": hostile} {
		keys, err := s.TrustedKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k := keys[d02.KeyID]; k.RevokedAt.IsZero() || k.DeskCode != "D02" {
			t.Errorf("%s holds D02's key as %+v", name, k)
		}
	}
	if _, err := o.server.Desk(ctx, victim.DeskID()); fault.Code(err) != fault.Forbidden {
		t.Errorf("the revoked desk: %v", err)
	}
}

func TestRecogniseRefusesWhatNoReceiptVouchesFor(t *testing.T) {
	ctx := context.Background()
	o := newTrustOffice(t, "D02", "D06")
	d := o.desks["D02"]
	held, _ := o.server.Desk(ctx, d.DeskID())
	good, err := o.server.EnrolmentReceipt(ctx, held)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := o.server.Recognise(ctx, good); err != nil || again.KeyID != held.KeyID {
		t.Fatalf("the desk's own receipt: %+v %v", again, err)
	}
	other, _ := o.server.Desk(ctx, o.desks["D06"].DeskID())
	d06, _ := o.server.EnrolmentReceipt(ctx, other)
	tests := []struct {
		name string
		edit func(r *Receipt)
		code string
	}{
		{"another desk code", func(r *Receipt) { r.DeskCode = "D07" }, fault.Forbidden},
		{"another key", func(r *Receipt) { r.PublicKey = d06.PublicKey }, fault.Forbidden},
		{"a later time", func(r *Receipt) { r.Since = "2099-01-01T00:00:00.000000Z" }, fault.Forbidden},
		{"no signature", func(r *Receipt) { r.Signature = "" }, fault.Forbidden},
		{"another desk's receipt under this desk id", func(r *Receipt) { *r = d06; r.DeskID = d.DeskID() }, fault.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			if _, err := o.server.Recognise(ctx, r); fault.Code(err) != tt.code {
				t.Fatalf("Recognise = %v, want %s", err, tt.code)
			}
			if now, _ := o.server.Desk(ctx, d.DeskID()); now.KeyID != held.KeyID || now.DeskCode != "D02" {
				t.Fatalf("the desk became %+v", now)
			}
		})
	}
	// A revoked desk is not brought back by its receipt.
	if _, err := o.server.RevokeDesk(ctx, "admin", "D02"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.server.Recognise(ctx, good); fault.Code(err) != fault.Forbidden {
		t.Fatalf("the revoked desk's receipt: %v", err)
	}
}

func hexKey(pub ed25519.PublicKey) string { return hex.EncodeToString(pub) }
