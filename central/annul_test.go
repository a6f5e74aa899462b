package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/store"
)

// TestAnnulledCertificate checks the annulment at the server: only the
// issuing desk annuls, only a certificate in the register, only with the
// reason and once; then /verify (page and API) says the certificate was
// annulled, on which day and why.
func TestAnnulledCertificate(t *testing.T) {
	o := newQueueOffice(t)
	ctx := context.Background()
	enrol := func(code string) ed25519.PrivateKey {
		t.Helper()
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		c, err := o.store.NewEnrolCode(ctx, "admin", code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.store.Enrol(ctx, c, "desk-"+code, code, pub); err != nil {
			t.Fatal(err)
		}
		return priv
	}
	priv := enrol("D01")
	enrol("D02")
	addClerks(t, o.store, access.User{Username: "uff", FullName: "Ugo Ufficiale", Role: access.Registrar})
	good := sealText(t, priv)
	number := certificate.Number{Desk: "D01", Year: 2026, Seq: 42}.String()
	seq, sent := map[string]int64{}, 0
	push := func(desk, op string, payload any) store.PushResult {
		t.Helper()
		seq[desk]++
		body, _ := json.Marshal(payload)
		sent++
		id := fmt.Sprintf("01ANN%021d", sent)
		res, _, err := o.store.ApplyPush(ctx, "desk-"+desk, []store.Mutation{{Seq: seq[desk], MutationID: id, DeskID: "desk-" + desk,
			Operator: "uff", Entity: "certificate", EntityUID: number, Op: op, Payload: body, CreatedAt: "2026-11-26T09:00:00.000000Z"}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	annul := func(reason, at string) map[string]string {
		return map[string]string{"number": number, "reason": reason, "annulled_at": at}
	}
	if r := push("D01", "annul", annul("errore", "2026-11-27T10:00:00.000000Z")); r.Status != store.PushRejected {
		t.Errorf("an annulment of a certificate not in the register: %+v", r)
	}
	if r := push("D01", "issue", map[string]string{"number": number, "seal": good}); r.Status != store.PushApplied {
		t.Fatalf("push the certificate: %+v", r)
	}
	for _, tt := range []struct {
		name, desk string
		payload    any
	}{
		{"another desk", "D02", annul("errore", "2026-11-27T10:00:00.000000Z")},
		{"no reason", "D01", annul(" ", "2026-11-27T10:00:00.000000Z")},
		{"no time", "D01", annul("errore", "")},
		{"a time that is not one", "D01", annul("errore", "ieri")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := push(tt.desk, "annul", tt.payload); r.Status != store.PushRejected {
				t.Errorf("accepted: %+v", r)
			}
		})
	}
	// A payload that is no JSON object is refused with the whole push
	// (store/syncauth.go), using no seq.
	if _, _, err := o.store.ApplyPush(ctx, "desk-D01", []store.Mutation{{Seq: seq["D01"] + 1, MutationID: "01ANN000000000000000000099", DeskID: "desk-D01",
		Operator: "uff", Entity: "certificate", EntityUID: number, Op: "annul", Payload: []byte(`"annul"`), CreatedAt: "2026-11-26T09:00:00.000000Z"}}); fault.Code(err) != fault.Invalid {
		t.Errorf("an annulment that is not JSON: %v", err)
	}
	if r := push("D01", "annul", annul("dati del richiedente errati", "2026-11-27T10:00:00.000000Z")); r.Status != store.PushApplied {
		t.Fatalf("the issuing desk's annulment: %+v", r)
	}
	if r := push("D01", "annul", annul("di nuovo", "2026-11-28T10:00:00.000000Z")); r.Status != store.PushRejected {
		t.Errorf("a second annulment: %+v", r)
	}

	want := "Certificato annullato il 27/11/2026 (dati del richiedente errati)"
	body, _ := json.Marshal(VerifyRequest{Text: good})
	status, raw := o.raw("POST", "/v1/verify", http.Header{"Content-Type": {"application/json"}}, string(body))
	var v VerifyResponse
	if err := json.Unmarshal(raw, &v); status != 200 || err != nil || v.Seal.Annulled != want {
		t.Errorf("the API on an annulled certificate: %d %s", status, raw)
	}
	resp, err := o.http.Client().PostForm(o.http.URL+"/verify", url.Values{"text": {good}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	mustContain(t, "the page of an annulled certificate", b.String(), want, "MARTINI")
}
