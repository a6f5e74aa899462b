package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/store"
)

// issueAt issues a residence certificate at the desk for the householder
// with codice fiscale cf.
func issueAt(t *testing.T, d *desk, cf string) certificate.Issued {
	t.Helper()
	rec := d.record(t, cf)
	in := store.IssueInput{PersonID: rec.Person.ID,
		Request:      certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UsePrivate, Duty: certificate.StampDuty{Exemption: 8, Reason: "test"}},
		Issuer:       certificate.Issuer{Username: clerk.Username, FullName: clerk.FullName, Role: access.Clerk},
		Municipality: certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico"},
		Settings:     certificate.DefaultSettings}
	got, err := d.store.IssueCertificate(context.Background(), in, func(doc certificate.Document) ([]byte, error) {
		return []byte("%PDF " + doc.Number), nil
	})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return got
}

// verifyAt asks the server's /v1/verify; it returns the refusal's message,
// "" when the seal is valid.
func verifyAt(t *testing.T, o *office, text string) (string, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(VerifyRequest{Text: text})
	req, _ := http.NewRequest(http.MethodPost, o.http.URL+"/v1/verify", bytes.NewReader(b))
	req.Header.Set(ClientHeader, APIVersion)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		var v VerifyResponse
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || !v.Valid {
			t.Fatalf("verify answered 200 with %+v, %v", v, err)
		}
		return "", nil
	}
	var e ErrorBody
	json.NewDecoder(resp.Body).Decode(&e)
	if e.Message == "" {
		t.Fatalf("verify answered %d with no reason", resp.StatusCode)
	}
	return e.Message, e.Args
}

// forge seals a copy of seal with key after edit.
func forge(t *testing.T, text string, key ed25519.PrivateKey, edit func(*certificate.Seal)) string {
	t.Helper()
	s, err := certificate.ParseSeal(text)
	if err != nil {
		t.Fatal(err)
	}
	edit(&s)
	if err := s.Sign(key); err != nil {
		t.Fatal(err)
	}
	out, err := s.Text()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEnrolmentOverHTTPCannotTakeAnEnrolledDesk(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	real := o.newDesk("D02")
	real.sync(t)
	// A hostile holder of a code for D06 presents D02's desk id.
	_, stolen, _ := ed25519.GenerateKey(nil)
	code, _ := o.server.NewEnrolCode(ctx, "admin", "D06")
	hostile := NewClient(o.http.URL, real.store.DeskID(), stolen, nil)
	var se *ServerError
	if _, err := hostile.Enrol(ctx, code, "D06"); !errors.As(err, &se) || se.Status != http.StatusConflict {
		t.Fatalf("enrolment as D02 with a code for D06: %v", err)
	}
	if _, err := hostile.Status(ctx); !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Fatalf("the hostile key signs for D02: %v", err)
	}
	// The real D02 carries on.
	addDocument(t, real, someHouseholder(t, o.server, 0), "FF1234567")
	if rep := real.sync(t); rep.Rejected != 0 {
		t.Fatalf("D02's changes rejected: %+v", rep)
	}
}

func TestSealsVerifyOnlyWhenTheRegisterHoldsThem(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	a, hostile := o.newDesk("D02"), o.newDesk("D06")
	a.sync(t)
	hostile.sync(t)
	cf := someHouseholder(t, o.server, 0)
	issued := issueAt(t, a, cf)
	if msg, _ := verifyAt(t, o, issued.Document.SealText); msg == "" {
		t.Fatal("a seal the server has not received verifies")
	}
	a.sync(t)
	if msg, _ := verifyAt(t, o, issued.Document.SealText); msg != "" {
		t.Fatalf("the registered seal: %s", msg)
	}
	d02Key, _ := a.store.DeskKey(ctx)
	d06Key, _ := hostile.store.DeskKey(ctx)
	// The hostile desk enrols a key of its own under D02's code, as a
	// pushed desk_key document.
	_, planted, _ := ed25519.GenerateKey(nil)
	pub := planted.Public().(ed25519.PublicKey)
	held, _ := o.server.Desk(ctx, hostile.store.DeskID())
	payload, _ := json.Marshal(map[string]string{"key_id": certificate.KeyID(pub), "desk_code": "D02", "public_key": hex.EncodeToString(pub)})
	hostile.syncer.Client.Push(ctx, []store.Mutation{{Seq: held.LastSeq + 1, MutationID: "01HOSTILEKEY000000000000000", DeskID: hostile.store.DeskID(),
		Operator: "nobody", Entity: "desk_key", EntityUID: certificate.KeyID(pub), Op: "create", Payload: payload, CreatedAt: "2026-12-04T10:00:00.000000Z"}})
	tests := []struct {
		name, text, want string
	}{
		{"a D02 number sealed with D06's key", forge(t, issued.Document.SealText, d06Key, func(*certificate.Seal) {}), "sealed with the key of desk"},
		{"a D02 number sealed with a key planted for D02", forge(t, issued.Document.SealText, planted, func(*certificate.Seal) {}), "not among the trusted ones"},
		{"D02's key on other data for its number", forge(t, issued.Document.SealText, d02Key, func(s *certificate.Seal) { s.Surname = "Altro" }), "other data"},
		{"D06's key on a D06 number never issued", forge(t, issued.Document.SealText, d06Key, func(s *certificate.Seal) {
			s.Number = certificate.Number{Desk: "D06", Year: s.IssueDate.Year, Seq: 7}.String()
		}), "not in the register"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, _ := verifyAt(t, o, tt.text)
			if msg == "" || !strings.Contains(msg, tt.want) {
				t.Fatalf("verify = %q, want a refusal with %q", msg, tt.want)
			}
		})
	}
}

func TestRevokedDeskIsRefusedAndItsSealsVerifyRevoked(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	issued := issueAt(t, b, someHouseholder(t, o.server, 0))
	b.sync(t)
	a.sync(t)
	if _, err := o.server.RevokeDesk(ctx, "admin", "D02"); err != nil {
		t.Fatal(err)
	}
	var se *ServerError
	if _, err := b.syncer.Once(ctx); !errors.As(err, &se) || se.Status != http.StatusUnauthorized || !strings.Contains(se.Body.Message, "revoked") {
		t.Fatalf("the revoked desk syncs: %v", err)
	}
	msg, args := verifyAt(t, o, issued.Document.SealText)
	if !strings.Contains(msg, "revoked on") || args["Date"] == "" || args["Desk"] != "D02" {
		t.Fatalf("verify a seal of the revoked desk = %q %v", msg, args)
	}
	// Desk D01 learns it by pulling and says it offline.
	a.sync(t)
	keys, err := a.store.TrustedKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certificate.Verify(issued.Document.SealText, keys); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("offline verification at D01: %v", err)
	}
	// The revoked desk cannot come back with a fresh code.
	code, _ := o.server.NewEnrolCode(ctx, "admin", "D02")
	if _, err := b.syncer.Client.Enrol(ctx, code, "D02"); !errors.As(err, &se) || se.Status != http.StatusForbidden {
		t.Fatalf("a revoked desk enrols again: %v", err)
	}
}

func TestKeyRotationThroughTheServer(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	a, other := o.newDesk("D02"), o.newDesk("D06")
	a.sync(t)
	other.sync(t)
	cf := someHouseholder(t, o.server, 0)
	before := issueAt(t, a, cf)
	a.sync(t)
	old := a.syncer.Client

	// Hostile rotations: a proof by another key, the key of another desk.
	otherKey, _ := other.store.DeskKey(ctx)
	_, stranger, _ := ed25519.GenerateKey(nil)
	var se *ServerError
	badProof := RotateKeyRequest{PublicKey: hex.EncodeToString(stranger.Public().(ed25519.PublicKey)), Proof: hex.EncodeToString(make([]byte, 64))}
	if err := old.do(ctx, http.MethodPost, "/v1/keys/rotate", badProof, nil); !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Fatalf("rotation without the new key's proof: %v", err)
	}
	if _, err := old.RotateKey(ctx, otherKey); !errors.As(err, &se) || se.Status != http.StatusConflict {
		t.Fatalf("rotation to another desk's key: %v", err)
	}
	if _, err := NewClient(o.http.URL, a.store.DeskID(), stranger, nil).RotateKey(ctx, stranger); !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Fatalf("rotation signed with a key that is not the desk's: %v", err)
	}

	// The desk rotates.
	next, err := a.store.NextKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := old.RotateKey(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.UseNextKey(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	a.syncer.Client = old.WithKey(next)
	if resp.KeyID != certificate.KeyID(next.Public().(ed25519.PublicKey)) {
		t.Fatalf("rotated to %s", resp.KeyID)
	}
	if _, err := old.Status(ctx); !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Fatalf("the old key still signs: %v", err)
	}
	after := issueAt(t, a, cf)
	if rep := a.sync(t); rep.Rejected != 0 {
		t.Fatalf("a certificate sealed with the new key was rejected: %+v", rep)
	}
	for _, text := range []string{before.Document.SealText, after.Document.SealText} {
		if msg, _ := verifyAt(t, o, text); msg != "" {
			t.Errorf("seal %s: %s", text[:30], msg)
		}
	}
	// The other desk trusts both keys for D02.
	other.sync(t)
	keys, _ := other.store.TrustedKeys(ctx)
	if _, err := certificate.Verify(after.Document.SealText, keys); err != nil {
		t.Errorf("D06 verifying the new key's seal: %v", err)
	}
}

func TestRestoredServerTakesBackADeskEnrolledAfterTheBackup(t *testing.T) {
	tests := []struct {
		name string
		// comeBack brings the late desk back to the restored server.
		comeBack func(t *testing.T, o *office, late *desk)
	}{
		{"recognised from its receipt at its next sync", func(t *testing.T, o *office, late *desk) {}},
		{"enrolled again with a fresh code, keeping its key", func(t *testing.T, o *office, late *desk) {
			ctx := context.Background()
			// A receipt the server cannot verify is refused...
			if err := late.store.KeepReceipt(ctx, store.Receipt{DeskID: late.store.DeskID(), DeskCode: "D05"}); err != nil {
				t.Fatal(err)
			}
			var se *ServerError
			if _, err := late.syncer.Once(ctx); !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
				t.Fatalf("sync with a forged receipt: %v", err)
			}
			// ...and the administrator's fresh code brings the desk back.
			code, err := o.server.NewEnrolCode(ctx, "admin", "D05")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := late.syncer.Client.Enrol(ctx, code, "D05"); err != nil {
				t.Fatalf("enrol again: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			o := newOffice(t, 40)
			a := o.newDesk("D01")
			a.sync(t)
			backup := filepath.Join(t.TempDir(), "backup.db")
			if err := o.server.Backup(ctx, backup); err != nil {
				t.Fatal(err)
			}
			// Desk D05 is enrolled after the backup, issues a certificate, syncs.
			late := o.newDesk("D05")
			late.sync(t)
			cf := someHouseholder(t, o.server, 0)
			first := issueAt(t, late, cf)
			late.sync(t)

			o.restore(backup)
			if _, err := o.server.Desk(ctx, late.store.DeskID()); err == nil {
				t.Fatal("the backup knows the late desk")
			}
			if msg, _ := verifyAt(t, o, first.Document.SealText); msg == "" {
				t.Fatal("the restored server verifies a seal of a desk it does not know")
			}
			tt.comeBack(t, o, late)
			rep := late.sync(t)
			if !rep.NewEpoch {
				t.Fatalf("the desk did not notice the restore: %+v", rep)
			}
			out, _ := late.store.Outbox(ctx, 0, 0)
			held, err := o.server.Desk(ctx, late.store.DeskID())
			if err != nil || held.LastSeq != out[len(out)-1].Seq {
				t.Fatalf("the server holds %+v of %d mutations: %v", held, len(out), err)
			}
			if msg, _ := verifyAt(t, o, first.Document.SealText); msg != "" {
				t.Fatalf("the late desk's seal after the restore: %s", msg)
			}
			second := issueAt(t, late, cf)
			if rep := late.sync(t); rep.Rejected != 0 {
				t.Fatalf("the next certificate was rejected: %+v", rep)
			}
			if msg, _ := verifyAt(t, o, second.Document.SealText); msg != "" {
				t.Fatalf("the next seal: %s", msg)
			}
			// A receipt is no key to another desk: altered, it is refused.
			r, ok, _ := late.store.HeldReceipt(ctx)
			if !ok {
				t.Fatal("no receipt kept")
			}
			r.DeskCode = "D09"
			var se *ServerError
			if _, err := late.syncer.Client.Recognise(ctx, r); !errors.As(err, &se) || se.Status != http.StatusForbidden {
				t.Fatalf("an altered receipt: %v", err)
			}
		})
	}
}

func TestRestoredServerTakesTheKeyADeskRotatedToAfterTheBackup(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	a := o.newDesk("D02")
	a.sync(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := o.server.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	c, _, err := RotateDeskKey(ctx, a.store, a.syncer.Client, "admin")
	if err != nil {
		t.Fatal(err)
	}
	a.syncer.Client = c
	a.sync(t)
	o.restore(backup)
	if rep := a.sync(t); !rep.NewEpoch {
		t.Fatalf("the desk did not notice the restore: %+v", rep)
	}
	held, _ := o.server.Desk(ctx, a.store.DeskID())
	key, _ := a.store.DeskKey(ctx)
	if held.KeyID != certificate.KeyID(key.Public().(ed25519.PublicKey)) {
		t.Fatalf("the restored server holds key %s", held.KeyID)
	}
}

func TestKeyRotationWhoseAnswerWasLostIsFinished(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 10)
	a := o.newDesk("D02")
	a.sync(t)
	next, err := a.store.NextKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The server takes the new key; the desk never hears it.
	if _, err := a.syncer.Client.RotateKey(ctx, next); err != nil {
		t.Fatal(err)
	}
	if _, err := a.syncer.Client.Status(ctx); err == nil {
		t.Fatal("the old key still signs")
	}
	c, resp, err := RotateDeskKey(ctx, a.store, a.syncer.Client, "admin")
	if err != nil {
		t.Fatalf("finishing the rotation: %v", err)
	}
	key, _ := a.store.DeskKey(ctx)
	if resp.KeyID != certificate.KeyID(next.Public().(ed25519.PublicKey)) || !key.Equal(next) {
		t.Fatalf("the desk signs with %v, the server took %s", key.Public(), resp.KeyID)
	}
	a.syncer.Client = c
	a.sync(t)
}
