package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sportello/access"
	"sportello/assets"
	"sportello/certificate"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// page gets a page and checks its status and type.
func page(t *testing.T, o *queueOffice, path string, status int) string {
	t.Helper()
	return pageAs(t, o.http.Client(), o, path, status)
}

// pageAs gets a page with the client c (a device's browser).
func pageAs(t *testing.T, c *http.Client, o *queueOffice, path string, status int) string {
	t.Helper()
	resp, err := c.Get(o.http.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, status, b.String())
	}
	return b.String()
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not show %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

func TestBoardPageShowsTheCallsAndTheLines(t *testing.T) {
	o := newQueueOffice(t)
	d := o.enrol("D01")
	ctx := context.Background()
	for _, sv := range []string{"A", "A", "A", "B"} {
		if _, err := d.IssueTicket(ctx, "mrossi", sv, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.CallNext(ctx, "mrossi", "2", "b1"); err != nil {
		t.Fatal(err)
	}
	body := pageAs(t, o.device(t, "board"), o, "/board", 200)
	mustContain(t, "the board", body, `<html lang="it">`, "Sala d&#39;attesa", "Ultime chiamate",
		`<p id="call-number" class="call-number">A001</p>`, `<p id="call-counter" class="call-counter">Sportello 2</p>`,
		`<span class="name">Anagrafe e certificati</span><span class="count">2</span>`,
		`<span class="name">Carta d&#39;identità</span><span class="count">1</span>`,
		`src="/web/board.js"`, `"seq":5`, "Attiva l'annuncio vocale")
	mustNotContain(t, "the board", body, "mrossi")

	other := newQueueOffice(t)
	empty := pageAs(t, other.device(t, "board"), other, "/board", 200)
	mustContain(t, "an empty board", empty, `<p id="call-number" class="call-number">&mdash;</p>`)
}

func TestKioskPageOffersTheOpenServices(t *testing.T) {
	o := newQueueOffice(t)
	if _, err := o.store.SaveService(context.Background(), "admin", queue.Service{Code: "C", Name: "Sportello sociale - PUA", DailyCap: 80, Position: 3}); err != nil {
		t.Fatal(err)
	}
	body := pageAs(t, o.device(t, "kiosk"), o, "/kiosk", 200)
	mustContain(t, "the kiosk", body, `data-service="A"`, "Anagrafe e certificati", `data-service="B"`,
		"Ho diritto alla precedenza", "Ha una prenotazione?", `src="/web/kiosk.js"`)
	mustNotContain(t, "the kiosk", body, `data-service="C"`, "Sportello sociale")
}

func TestTicketPageTellsWhereTheTicketIs(t *testing.T) {
	o := newQueueOffice(t)
	kiosk := o.enrol("K01")
	d := o.enrol("D01")
	ctx := context.Background()
	var rs []TicketReceipt
	for range 3 {
		r, err := kiosk.KioskIssue(ctx, "A", false)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	body := page(t, o, rs[2].URL, 200)
	mustContain(t, "the ticket page", body, "Biglietto <strong>A003</strong>", "Anagrafe e certificati",
		"Ci sono 2 persone prima di lei.", "Attesa stimata: circa", `http-equiv="refresh"`)
	mustContain(t, "the first ticket's page", page(t, o, rs[0].URL, 200), "Nessuno è prima di lei.", "Sarà chiamato a breve.")

	// Called: the counter to go to.
	for i, c := range []string{"1", "2"} {
		if _, err := d.CallNext(ctx, "mrossi", c, "t"+c); err != nil {
			t.Fatal(err)
		}
		if _, err := d.StartTicket(ctx, "mrossi", int64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	mustContain(t, "the third ticket's page", page(t, o, rs[2].URL, 200), "Nessuno è prima di lei.")
	mustContain(t, "the first ticket's page", page(t, o, rs[0].URL, 200), "La stanno servendo allo Sportello 1.")
	if _, err := d.FinishTicket(ctx, "mrossi", 1, "certificato"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CallNext(ctx, "mrossi", "1", "t3"); err != nil {
		t.Fatal(err)
	}
	called := page(t, o, rs[2].URL, 200)
	mustContain(t, "the called ticket's page", called, "È il suo turno! Si rechi allo Sportello 1.", "Chiamato alle ")
	mustNotContain(t, "the called ticket's page", called, "mrossi")
	mustContain(t, "the served ticket's page", page(t, o, rs[0].URL, 200), "Servizio concluso.")

	// Transferred: the page follows the ticket to its new line.
	if _, err := d.TransferTicket(ctx, "mrossi", 2, "B"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the transferred ticket's page", page(t, o, rs[1].URL, 200), "Biglietto <strong>A002</strong>", "Carta d&#39;identità", "Nessuno è prima di lei.")

	notFound := page(t, o, "/ticket/01ARZ3NDEKTSV4RRFFQ69G5FAV", 404)
	mustContain(t, "an unknown ticket's page", notFound, "Il biglietto non è stato trovato")
	mustNotContain(t, "an unknown ticket's page", notFound, `http-equiv="refresh"`)
	page(t, o, "/ticket/short", 404)

	resp, err := o.http.Client().Get(o.http.URL + rs[0].URL + "/qr.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Header.Get("Content-Type") != "image/png" || img.Bounds().Dx() < 200 {
		t.Errorf("QR code: %v %s", err, resp.Header.Get("Content-Type"))
	}
	page(t, o, "/ticket/01ARZ3NDEKTSV4RRFFQ69G5FAV/qr.png", 404)
}

func TestWebFilesAreServed(t *testing.T) {
	o := newQueueOffice(t)
	for _, tc := range []struct {
		path, ctype, holds string
	}{
		{"/web/style.css", "text/css; charset=utf-8", "#0066CC"},
		{"/web/board.js", "text/javascript; charset=utf-8", "speechSynthesis"},
		{"/web/kiosk.js", "text/javascript; charset=utf-8", "/v1/queue/kiosk/issue"},
		{"/web/verify.js", "text/javascript; charset=utf-8", "BarcodeDetector"},
		{"/web/fonts/OFL.txt", "text/plain; charset=utf-8", "SIL OPEN FONT LICENSE"},
		{"/web/it.json", "application/json", `"Il biglietto non è stato trovato"`},
	} {
		resp, err := o.http.Client().Get(o.http.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(b.String(), tc.holds) {
			t.Errorf("%s: %d %s, holds %q: %v", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.holds, strings.Contains(b.String(), tc.holds))
		}
	}
	font := page(t, o, "/web/fonts/titillium-400.ttf", 200)
	if font != string(assets.FontRegular) {
		t.Error("the font served is not Titillium Web")
	}
	page(t, o, "/web/fonts/comic-sans.ttf", 404)
	page(t, o, "/web/pages/board.html", 404) // templates are not files to fetch
	page(t, o, "/web/", 404)
}

// sealText seals a certificate's data with key.
func sealText(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	s := certificate.Seal{Number: certificate.Number{Desk: "D01", Year: 2026, Seq: 42}.String(),
		Types: []certificate.Type{certificate.Residence}, Surname: "MARTINI", Name: "MARIA", CF: "MRTMRA83T56A269B",
		BirthDate: registry.NewDate(1983, 12, 16), IssueDate: registry.NewDate(2026, 11, 26), Use: certificate.UsePrivate,
		ContentHash: certificate.ContentHash("certified text")}
	if err := s.Sign(key); err != nil {
		t.Fatal(err)
	}
	text, err := s.Text()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestVerifyAcceptsARealSealAndRefusesAnAlteredOne(t *testing.T) {
	o := newQueueOffice(t)
	ctx := context.Background()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	code, err := o.store.NewEnrolCode(ctx, "admin", "D01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.store.Enrol(ctx, code, "desk-D01", "D01", pub); err != nil {
		t.Fatal(err)
	}
	good := sealText(t, priv)
	addClerks(t, o.store, access.User{Username: "clerk", FullName: "Carla Sportello", Role: access.Clerk})
	// The desk's push puts the certificate in the server's register.
	payload, _ := json.Marshal(map[string]string{"number": certificate.Number{Desk: "D01", Year: 2026, Seq: 42}.String(), "seal": good})
	if res, _, err := o.store.ApplyPush(ctx, "desk-D01", []store.Mutation{{Seq: 1, MutationID: "01CERT0000000000000000000A", DeskID: "desk-D01",
		Operator: "clerk", Entity: "certificate", EntityUID: "01CERT", Op: "issue", Payload: payload, CreatedAt: "2026-11-26T09:00:00.000000Z"}}); err != nil || res[0].Status != store.PushApplied {
		t.Fatalf("push the certificate: %+v %v", res, err)
	}
	altered := strings.Replace(good, "|MARIA|", "|MARIO|", 1)
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	sig := []byte(good)
	i := len(sig) - 20 // a character of the signature
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}

	verify := func(text string) (int, []byte) {
		body, _ := json.Marshal(VerifyRequest{Text: text})
		return o.raw("POST", "/v1/verify", http.Header{"Content-Type": {"application/json"}}, string(body))
	}
	status, body := verify(good)
	var v VerifyResponse
	if err := json.Unmarshal(body, &v); status != 200 || err != nil || !v.Valid || v.Seal.Surname != "MARTINI" ||
		v.Seal.BirthDate != "1983-12-16" || v.Seal.Types[0].Code != 8 || v.Seal.KeyID != certificate.KeyID(pub) {
		t.Fatalf("a real seal: %d %s", status, body)
	}
	for _, tc := range []struct {
		name, text, message string
	}{
		{"altered", altered, "The seal is not valid: the certificate data were altered"},
		{"signature altered", string(sig), "The seal is not valid: the certificate data were altered"},
		{"unknown key", sealText(t, stranger), "The seal was made by a desk key that is not among the trusted ones ({{.Key}})"},
		{"not a seal", "hello", "This is not a certificate seal: the text is malformed"},
	} {
		status, body := verify(tc.text)
		var e ErrorBody
		if json.Unmarshal(body, &e); status != 400 || e.Code != "invalid" || e.Message != tc.message {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}

	form := func(text string) string {
		t.Helper()
		resp, err := o.http.Client().PostForm(o.http.URL+"/verify", url.Values{"text": {text}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verify form: %d", resp.StatusCode)
		}
		return b.String()
	}
	ok := form(good)
	mustContain(t, "a verified seal", ok, "Sigillo valido", "MARTINI", "MARIA", "MRTMRA83T56A269B", "16/12/1983", "26/11/2026",
		"Si rilascia per uso tra privati.", certificate.KeyID(pub))
	mustNotContain(t, "a verified seal", ok, "Sigillo non valido")
	bad := form(altered)
	mustContain(t, "an altered seal", bad, "Sigillo non valido", "i dati del certificato sono stati alterati")
	mustNotContain(t, "an altered seal", bad, "Sigillo valido</h2>")
	mustContain(t, "the empty form", page(t, o, "/verify", 200), "Testo del codice QR", `<textarea id="text" name="text"`)
}
