package portal

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

var (
	personLink = regexp.MustCompile(`href="/certificates\?person=([^"&]+)"`)
	hiddenForm = regexp.MustCompile(`name="form" value="([0-9a-f]+)"`)
	issuedLink = regexp.MustCompile(`href="/documents/(WEB-[0-9A-Z-]+)\.pdf"`)
)

// certFixture is a portal with a signed-in citizen of a family of several.
type certFixture struct {
	st     *store.Store
	p      *Portal
	b      *browser
	me     registry.Record
	member registry.Person // another member of my family
	csrf   string
}

func newCertFixture(t *testing.T) certFixture { t.Helper(); return newCertFixtureWith(t, nil) }

// newCertFixtureWith is newCertFixture with the portal's configuration
// changed by set.
func newCertFixtureWith(t *testing.T, set func(*Config)) certFixture {
	t.Helper()
	st := testStore(t)
	op, pc := testOP(t, st)
	cfg := Config{Providers: []ProviderConfig{pc}, Office: certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Ufficio Anagrafe"}}
	if set != nil {
		set(&cfg)
	}
	p := testPortal(t, st, cfg)
	people, err := op.citizens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.PersonByCF(t.Context(), people[0].CF)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Record(t.Context(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	fam := store.FamilyOf(rec)
	if len(fam) < 2 {
		t.Fatalf("the demo citizen has no family: %+v", rec.Members)
	}
	b := newBrowser(t)
	_, body := b.signIn(p, "test")
	csrf := hiddenCSRF.FindStringSubmatch(body)
	if csrf == nil {
		t.Fatalf("not signed in: %s", body)
	}
	return certFixture{st: st, p: p, b: b, me: rec, member: fam[1], csrf: csrf[1]}
}

// formID is a fresh form id from the certificates page of uid.
func (f certFixture) formID(t *testing.T, uid string) string {
	t.Helper()
	status, body := f.b.get(f.p.URL() + "/certificates?person=" + url.QueryEscape(uid))
	m := hiddenForm.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("certificates page: %d %s", status, body)
	}
	return m[1]
}

func (f certFixture) certificates(t *testing.T) int {
	t.Helper()
	docs, err := f.st.OnlineDocuments(t.Context(), f.me.Person.UID)
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

func TestCertificateOnlineForAFamilyMember(t *testing.T) {
	f := newCertFixture(t)
	status, body := f.b.get(f.p.URL() + "/certificates")
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	// The free self-declaration comes first, with why offices must take it.
	decl, cert := strings.Index(body, "autocertificazione, gratuita"), strings.Index(body, "Certificati con il sigillo")
	if decl < 0 || cert < decl || !strings.Contains(body, "artt. 43 e 46 del DPR 445/2000") {
		t.Fatalf("the self-declaration is not offered first: %s", body)
	}
	var uids []string
	for _, m := range personLink.FindAllStringSubmatch(body, -1) {
		uids = append(uids, m[1])
	}
	if !slices.Contains(uids, f.member.UID) || !slices.Contains(uids, f.me.Person.UID) {
		t.Fatalf("the family is not offered: %q", uids)
	}
	form := f.formID(t, f.member.UID)
	post := url.Values{"csrf": {f.csrf}, "form": {form}, "person": {f.member.UID}, "type": {"1"}, "choice": {"private:0"}} // birth: exempt by law
	status, body = f.b.post(f.p.URL()+"/certificates", post)
	m := issuedLink.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.Contains(body, "è rilasciato") {
		t.Fatalf("issue: %d %s", status, body)
	}
	number := m[1]
	resp, err := f.b.c.Get(f.p.URL() + "/documents/" + number + ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	seal, ok := printing.ExtractSeal(pdf)
	if !ok {
		t.Fatal("the PDF carries no seal")
	}
	s, err := f.st.VerifySeal(t.Context(), seal)
	if err != nil || s.Number != number || s.CF != f.member.CF {
		t.Fatalf("verify: %+v %v", s, err)
	}
	// The same form again is the same certificate.
	if _, body := f.b.post(f.p.URL()+"/certificates", post); !strings.Contains(body, number) || f.certificates(t) != 1 {
		t.Fatalf("a replayed form: %d certificates", f.certificates(t))
	}
	log, err := f.st.AccessLog(t.Context(), access.LogFilter{Subject: f.member.UID})
	if err != nil || len(log) == 0 {
		t.Fatalf("the member's views are not logged: %v", err)
	}
	for _, e := range log {
		if e.Purpose != access.PurposeOnline || e.Operator != "online:"+f.me.Person.UID {
			t.Fatalf("logged as %+v", e)
		}
	}
}

func TestCertificateOnlineRefusedAndBollo(t *testing.T) {
	f := newCertFixture(t)
	_, body := f.b.get(f.p.URL() + "/certificates")
	// A living citizen: the death certificate is refused, saying why.
	if !strings.Contains(body, "<strong>"+certificate.Death.Title()+"</strong>: non disponibile") {
		t.Fatalf("the death certificate is not refused: %s", body)
	}
	// Residence for private use owes the bollo: not offered, refused if sent.
	if !strings.Contains(body, `id="choice-8"`) || slices.ContainsFunc(choicesFor(certificate.Residence), func(c choice) bool { return c.Value == "private:0" }) {
		t.Fatal("residence not offered, or offered for private use without the bollo")
	}
	post := url.Values{"csrf": {f.csrf}, "form": {f.formID(t, "")}, "person": {f.me.Person.UID}, "type": {"8"}, "choice": {"private:0"}}
	if status, _ := f.b.post(f.p.URL()+"/certificates", post); status != http.StatusBadRequest || f.certificates(t) != 0 {
		t.Fatalf("residence with the bollo owed: %d, %d certificates", status, f.certificates(t))
	}
	post.Set("choice", "court:3")
	if status, body := f.b.post(f.p.URL()+"/certificates", post); status != http.StatusOK || f.certificates(t) != 1 {
		t.Fatalf("residence for court, exempt: %d %s", status, body)
	}
}

func TestCertificatesHostile(t *testing.T) {
	f := newCertFixture(t)
	// Another citizen of the register, not of my family.
	var stranger registry.Record
	others, err := f.st.DemoCitizens(t.Context(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range others {
		rec, err := f.st.Record(t.Context(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Person.FamilyID != f.me.Person.FamilyID {
			stranger = rec
			break
		}
	}
	if stranger.Person.UID == "" {
		t.Fatal("no citizen outside the family")
	}
	// A certificate of the stranger, asked for at the server by the stranger.
	theirs, err := f.st.IssueOnline(t.Context(), store.OnlineInput{FormID: strings.Repeat("e", 32), RequesterID: stranger.Person.ID, PersonID: stranger.Person.ID,
		Request: certificate.Request{Types: []certificate.Type{certificate.Birth}}, Signer: "x"}, func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, printing.Letterhead{}) })
	if err != nil {
		t.Fatal(err)
	}
	form := f.formID(t, "")
	good := url.Values{"csrf": {f.csrf}, "form": {form}, "person": {f.me.Person.UID}, "type": {"1"}, "choice": {"private:0"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vs := range good {
			out[key] = slices.Clone(vs)
		}
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	anon := newBrowser(t)
	cases := []struct {
		name   string
		do     func() (int, string)
		status int
	}{
		{"a post without the CSRF token", func() (int, string) { return f.b.post(f.p.URL()+"/certificates", with("csrf", "")) }, http.StatusForbidden},
		{"a post with another token", func() (int, string) {
			return f.b.post(f.p.URL()+"/certificates", with("csrf", strings.Repeat("0", 64)))
		}, http.StatusForbidden},
		{"a post from another site", func() (int, string) {
			req, _ := http.NewRequest(http.MethodPost, f.p.URL()+"/certificates", strings.NewReader(good.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			resp, err := f.b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, ""
		}, http.StatusForbidden},
		{"a person outside the family", func() (int, string) { return f.b.post(f.p.URL()+"/certificates", with("person", stranger.Person.UID)) }, http.StatusNotFound},
		{"another citizen's form id", func() (int, string) {
			return f.b.post(f.p.URL()+"/certificates", with("form", strings.Repeat("e", 32)))
		}, http.StatusForbidden},
		{"a type not offered online", func() (int, string) { return f.b.post(f.p.URL()+"/certificates", with("type", "99")) }, http.StatusBadRequest},
		{"the stranger's certificates page", func() (int, string) {
			return f.b.get(f.p.URL() + "/certificates?person=" + url.QueryEscape(stranger.Person.UID))
		}, http.StatusNotFound},
		{"the stranger's certificate", func() (int, string) { return f.b.get(f.p.URL() + "/documents/" + theirs.Number + ".pdf") }, http.StatusNotFound},
		{"a number that is no number", func() (int, string) { return f.b.get(f.p.URL() + "/documents/x.pdf") }, http.StatusNotFound},
		{"the stranger's self-declaration", func() (int, string) {
			return f.b.post(f.p.URL()+"/certificates/declaration", url.Values{"csrf": {f.csrf}, "person": {stranger.Person.UID}, "type": {"1"}})
		}, http.StatusNotFound},
		{"a family member's self-declaration", func() (int, string) {
			return f.b.post(f.p.URL()+"/certificates/declaration", url.Values{"csrf": {f.csrf}, "person": {f.member.UID}, "type": {"1"}})
		}, http.StatusForbidden},
		{"a self-declaration without the token", func() (int, string) {
			return f.b.post(f.p.URL()+"/certificates/declaration", url.Values{"person": {f.me.Person.UID}, "type": {"1"}})
		}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := tc.do(); status != tc.status {
				t.Fatalf("%d, want %d: %s", status, tc.status, body)
			}
			if n := f.certificates(t); n != 0 {
				t.Fatalf("%d certificates", n)
			}
			if log, _ := f.st.AccessLog(t.Context(), access.LogFilter{Subject: stranger.Person.UID}); len(log) != 0 {
				t.Fatalf("the stranger's data were viewed: %+v", log)
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		for _, path := range []string{"/certificates", "/documents", "/documents/" + theirs.Number + ".pdf"} {
			if _, body := anon.get(f.p.URL() + path); !strings.Contains(body, `href="/login/test"`) {
				t.Fatalf("%s is not the home page for someone signed out", path)
			}
		}
		if status, body := anon.post(f.p.URL()+"/certificates", good); status != http.StatusOK || !strings.Contains(body, `href="/login/test"`) || f.certificates(t) != 0 {
			t.Fatalf("signed out post: %d", status)
		}
	})
}

func TestSelfDeclarationOnline(t *testing.T) {
	f := newCertFixture(t)
	resp, err := f.b.c.PostForm(f.p.URL()+"/certificates/declaration", url.Values{"csrf": {f.csrf}, "person": {f.me.Person.UID}, "type": {"8"}})
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("%d %s", resp.StatusCode, pdf)
	}
	if f.certificates(t) != 0 {
		t.Fatal("a self-declaration went to the certificate register")
	}
	if log, _ := f.st.AccessLog(t.Context(), access.LogFilter{Subject: f.me.Person.UID}); len(log) == 0 {
		t.Fatal("the self-declaration is not in the access log")
	}
}

func TestCertificatePagesAreTranslated(t *testing.T) {
	var lacking []string
	missing = func(lang, key string) { lacking = append(lacking, lang+": "+key) }
	defer func() { missing = func(string, string) {} }()
	f := newCertFixture(t)
	for _, lang := range []string{"it", "en"} {
		f.b.get(f.p.URL() + "/lang/" + lang)
		for _, path := range []string{"/", "/certificates", "/certificates?person=" + url.QueryEscape(f.member.UID), "/documents", "/documents?issued=x", "/social"} {
			if status, body := f.b.get(f.p.URL() + path); status != http.StatusOK {
				t.Fatalf("%s %s: %d %s", lang, path, status, body)
			}
		}
		for _, err := range []error{store.ErrBolloOnline(), store.ErrNotFamily()} {
			newTr(lang).Error(err)
		}
	}
	if len(lacking) > 0 {
		t.Fatalf("untranslated: %q", lacking)
	}
}

// TestConcurrentOnlineCertificates: citizens asking at once each get their
// certificate once, numbered apart, every one sealed and in the register;
// the same form sent at once from several tabs issues one.
func TestConcurrentOnlineCertificates(t *testing.T) {
	f := newCertFixture(t)
	render := func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, printing.Letterhead{}) }
	const n = 40
	numbers := make([]string, n)
	errs := make([]error, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			form := fmt.Sprintf("%032x", i%30) // forms 0-9 are sent twice
			got, err := f.st.IssueOnline(t.Context(), store.OnlineInput{FormID: form, RequesterID: f.me.Person.ID, PersonID: f.me.Person.ID,
				Request: certificate.Request{Types: []certificate.Type{certificate.Birth}}, Signer: "Sportello online"}, render)
			numbers[i], errs[i] = got.Number, err
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if j := i + 30; j < n && numbers[j] != numbers[i] {
			t.Fatalf("form %d sent twice: %s and %s", i, numbers[i], numbers[j])
		}
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(numbers)))
	if len(distinct) != 30 || f.certificates(t) != 30 {
		t.Fatalf("%d numbers, %d certificates, want 30", len(distinct), f.certificates(t))
	}
	for _, num := range distinct {
		reg, err := f.st.CertificateByNumber(t.Context(), num)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.VerifySeal(t.Context(), reg.Seal); err != nil {
			t.Fatalf("%s: %v", num, err)
		}
	}
	t.Logf("%d online certificates (30 forms) in %v", n, elapsed)
}
