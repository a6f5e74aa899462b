package desk

import (
	"context"
	"image"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// testCertificates is the desk's CertificateDesk over a real store and the
// real PDF layout; the preview and the printer are recorded, not run.
type testCertificates struct {
	st       *store.Store
	settings *certificate.Settings // when set, instead of the national amounts with an authorisation
	policy   certificate.IssuePolicy

	mu       sync.Mutex
	printed  [][]byte
	declared []certificate.Declaration
}

func (c *testCertificates) Settings() certificate.Settings {
	if c.settings != nil {
		return *c.settings
	}
	s := certificate.DefaultSettings
	s.VirtualBollo = certificate.Authorisation{Number: "12345/2019", Date: registry.NewDate(2019, 5, 20)}
	return s
}

func (c *testCertificates) Policy() certificate.IssuePolicy { return c.policy }

func (c *testCertificates) Issue(ctx context.Context, personID int64, req certificate.Request, by certificate.Issuer) (certificate.Issued, error) {
	m := certificate.Municipality{Code: "A269", Name: "Anagni"}
	return c.st.IssueCertificate(ctx, store.IssueInput{PersonID: personID, Request: req, Issuer: by, Municipality: m, Settings: c.Settings(), Policy: c.policy},
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, printing.Letterhead{}) })
}

func (c *testCertificates) Draft(ctx context.Context, personID int64, req certificate.Request, by certificate.Issuer) ([]byte, error) {
	m := certificate.Municipality{Code: "A269", Name: "Anagni"}
	_, pdf, err := c.st.DraftCertificate(ctx, store.IssueInput{PersonID: personID, Request: req, Issuer: by, Municipality: m, Settings: c.Settings(), Policy: c.policy},
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, printing.Letterhead{}) })
	return pdf, err
}

func (c *testCertificates) Annul(ctx context.Context, by access.User, number, reason string) error {
	return c.st.AnnulCertificate(ctx, by, number, reason)
}

func (c *testCertificates) SelfDeclaration(rec registry.Record, req certificate.Request, by certificate.Declarant) ([]byte, error) {
	decl, err := certificate.SelfDeclaration(rec, req, by, registry.DateOf(testNow), certificate.Municipality{Code: "A269", Name: "Anagni"})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.declared = append(c.declared, decl)
	return printing.SelfDeclaration(decl)
}

func (c *testCertificates) Preview(context.Context, []byte) (image.Image, error) {
	return image.NewGray(image.Rect(0, 0, 210, 297)), nil
}

func (c *testCertificates) Print(_ context.Context, pdf []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printed = append(c.printed, pdf)
	return nil
}

func (c *testCertificates) Register(ctx context.Context, day registry.Date) ([]certificate.Entry, error) {
	return c.st.CertificatesOn(ctx, day)
}

func (c *testCertificates) Reprint(ctx context.Context, operator, number string) ([]byte, error) {
	doc, err := c.st.Reprint(ctx, operator, number)
	if err != nil {
		return nil, err
	}
	return printing.Certificate(doc, printing.Letterhead{})
}

func (c *testCertificates) CashClose(ctx context.Context, day registry.Date) (certificate.DailyClose, []byte, error) {
	dc, err := c.st.CashReport(ctx, day)
	if err != nil {
		return certificate.DailyClose{}, nil, err
	}
	pdf, err := printing.CashClose(dc, certificate.Municipality{Code: "A269", Name: "Anagni"}, "D01", printing.Letterhead{})
	return dc, pdf, err
}

func (c *testCertificates) LockCash(ctx context.Context, operator string, day registry.Date) (certificate.DailyClose, error) {
	return c.st.CloseCash(ctx, operator, day)
}

func (c *testCertificates) CashLocked(ctx context.Context, day registry.Date) (bool, error) {
	_, closed, err := c.st.CashClosed(ctx, day)
	return closed, err
}

// certificateHarness opens the issuing dialog for a person of a fixture of
// its own (issuing writes to the register).
type certificateHarness struct {
	t   *testing.T
	fx  *fixture
	svc *testCertificates
	q   *uiQueue
	win fyne.Window
	s   *certificateScreen
}

func newCertificateHarness(t *testing.T, name string, role access.Role) *certificateHarness {
	t.Helper()
	fx, err := newFixture(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fx.store.Close() })
	return openCertificateScreen(t, fx, name, role)
}

// openCertificateScreen opens the issuing dialog for the person of fx with
// the first name.
func openCertificateScreen(t *testing.T, fx *fixture, name string, role access.Role) *certificateHarness {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	found, err := fx.store.Search(ctx, registry.Query{CF: fx.cf[name]}, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("person %s: %v", name, err)
	}
	rec, err := fx.store.Record(ctx, found[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	h := &certificateHarness{t: t, fx: fx, svc: &testCertificates{st: fx.store}, q: &uiQueue{}, win: w}
	by := certificate.Issuer{Username: clerkUser, FullName: clerkName, Role: role}
	h.s = newCertificateScreen(h.svc, w, h.q.do, by, rec)
	h.s.show()
	return h
}

func (h *certificateHarness) chooseType(t certificate.Type) {
	h.t.Helper()
	for i, label := range h.s.typeLabels {
		if ts := h.s.typeOf[label]; len(ts) == 1 && ts[0] == t {
			h.s.typeSel.SetSelectedIndex(i)
			return
		}
	}
	h.t.Fatalf("type %d not offered", t)
}

func (h *certificateHarness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		h.q.drain()
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestIssueCertificateScreen(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	s := h.s
	if !s.previewBtn.Disabled() {
		t.Error("issue enabled before a type is chosen")
	}
	h.chooseType(certificate.Residence)
	if s.previewBtn.Disabled() || s.verdict.Importance != widget.SuccessImportance {
		t.Fatalf("residence refused: %q", s.verdict.Text)
	}
	if !strings.Contains(s.fees.Text, "€ 16,00") || !strings.Contains(s.fees.Text, "€ 16,52") {
		t.Errorf("fees %q, want bollo € 16,00 and € 16,52 to collect", s.fees.Text)
	}
	test.Tap(s.previewBtn)
	h.waitFor("the draft", func() bool { return s.issueBtn != nil })
	test.Tap(s.issueBtn)
	h.waitFor("the issued certificate", func() bool { return s.issued != nil && s.preview.Visible() })
	if !strings.Contains(s.number.Text, "D01-2026-000001-") {
		t.Errorf("number label %q", s.number.Text)
	}
	reg, err := h.fx.store.CertificateByNumber(context.Background(), s.issued.Number)
	if err != nil || reg.SHA256 != s.issued.SHA256 {
		t.Fatalf("the certificate shown is not the registered one: %v", err)
	}
	test.Tap(s.printBtn)
	h.waitFor("the print", func() bool {
		h.svc.mu.Lock()
		defer h.svc.mu.Unlock()
		return len(h.svc.printed) == 1
	})
	h.q.drain()
	if string(h.svc.printed[0]) != string(reg.PDF) {
		t.Error("what was printed is not the registered PDF")
	}
}

func TestCertificateScreenRules(t *testing.T) {
	tests := []struct {
		name    string
		person  string
		role    access.Role
		setup   func(h *certificateHarness)
		enabled bool
		verdict string
		fees    string
		force   bool
	}{
		{"stato libero of a married man", "Mario", access.Clerk, func(h *certificateHarness) { h.chooseType(certificate.Free) }, false, "coniugato", "", false},
		{"cittadinanza", "Mario", access.Clerk, func(h *certificateHarness) { h.chooseType(certificate.Citizenship) }, true, "Certificato di cittadinanza", "€ 16,52", false},
		{"exempt 99 without reason", "Mario", access.Clerk, func(h *certificateHarness) {
			h.chooseType(certificate.Residence)
			h.s.duty.SetSelected(h.s.dutyLabels[dutyExempt])
			h.s.exemption.SetSelectedIndex(len(h.s.exemptions) - 1)
		}, false, "motivo", "", false},
		{"exempt 99 without norm", "Mario", access.Clerk, func(h *certificateHarness) {
			h.chooseType(certificate.Residence)
			h.s.duty.SetSelected(h.s.dutyLabels[dutyExempt])
			h.s.exemption.SetSelectedIndex(len(h.s.exemptions) - 1)
			test.Type(h.s.reason, "borsa di studio")
		}, false, "riferimento normativo", "", false},
		{"exempt 99 with reason and norm", "Mario", access.Clerk, func(h *certificateHarness) {
			h.chooseType(certificate.Residence)
			h.s.duty.SetSelected(h.s.dutyLabels[dutyExempt])
			h.s.exemption.SetSelectedIndex(len(h.s.exemptions) - 1)
			test.Type(h.s.reason, "borsa di studio")
			test.Type(h.s.norm, "art. 8, legge 11 agosto 1991, n. 266")
		}, true, "Certificato di residenza", "€ 0,26", false},
		{"exemption 10 for private use", "Mario", access.Clerk, func(h *certificateHarness) {
			h.chooseType(certificate.Residence)
			h.s.duty.SetSelected(h.s.dutyLabels[dutyExempt])
			h.s.exemption.SetSelectedIndex(9)
		}, false, "non è coerente", "", false},
		{"marca without serial", "Mario", access.Clerk, func(h *certificateHarness) {
			h.chooseType(certificate.Residence)
			h.s.duty.SetSelected(h.s.dutyLabels[dutyMarca])
		}, false, "numero", "", false},
		{"contestuale", "Mario", access.Clerk, func(h *certificateHarness) { h.s.typeSel.SetSelectedIndex(len(h.s.typeLabels) - 1) }, true, "Certificato contestuale di nascita, cittadinanza, esistenza in vita, residenza, stato civile e stato di famiglia", "€ 16,52", false},
		{"residence of a deceased", "Giulia", access.Registrar, func(h *certificateHarness) { h.chooseType(certificate.Residence) }, false, "deceduta", "", false},
		{"death of a deceased", "Giulia", access.Clerk, func(h *certificateHarness) { h.chooseType(certificate.Death) }, true, "morte", "€ 0,26", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newCertificateHarness(t, tt.person, tt.role)
			tt.setup(h)
			if h.s.previewBtn.Disabled() == tt.enabled {
				t.Errorf("issue enabled %v, want %v (verdict %q)", !h.s.previewBtn.Disabled(), tt.enabled, h.s.verdict.Text)
			}
			if !strings.Contains(h.s.verdict.Text, tt.verdict) {
				t.Errorf("verdict %q lacks %q", h.s.verdict.Text, tt.verdict)
			}
			if !strings.Contains(h.s.fees.Text, tt.fees) || (tt.fees == "" && h.s.fees.Text != "") {
				t.Errorf("fees %q, want %q", h.s.fees.Text, tt.fees)
			}
			if h.s.force.Visible() != tt.force {
				t.Errorf("force offered %v, want %v", h.s.force.Visible(), tt.force)
			}
		})
	}
}

func TestCertificateButtonOnRecord(t *testing.T) {
	fx := sharedFixture(t)
	h := newHarness(t, Deps{Certificates: &testCertificates{st: fx.store}})
	if s := h.enterAs(clerkUser); s.registry.person.onCertificate == nil {
		t.Error("a clerk's record view offers no certificate")
	}
	h2 := newHarness(t, Deps{})
	if s := h2.enterAs(clerkUser); s.registry.person.onCertificate != nil {
		t.Error("a desk with no certificates offers the button")
	}
}

func TestCertificateDialogLayout(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	h.chooseType(certificate.Family)
	test.AssertRendersToMarkup(t, "certificate_issue.xml", h.win.Canvas())
}

func TestCertificateRegisterScreen(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	ctx := context.Background()
	by := certificate.Issuer{Username: clerkUser, FullName: clerkName, Role: access.Clerk}
	req := certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}}
	issued, err := h.svc.Issue(ctx, h.s.rec.Person.ID, req, by)
	if err != nil {
		t.Fatal(err)
	}
	u := access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}
	s := newCertRegisterScreen(h.svc, h.win, h.q.do, u, time.Now)
	h.win.SetContent(s.buildUI())
	s.onShow()
	h.waitFor("today's register", func() bool { return len(s.entries) == 1 })
	if line := entryLine(s.entries[0]); !strings.Contains(line, issued.Number) || !strings.Contains(line, "ROSSI MARIO") || !strings.Contains(line, "€ 16,52") {
		t.Errorf("register line %q", line)
	}
	if !strings.Contains(s.totals.Text, "€ 16,00") || !strings.Contains(s.totals.Text, "€ 0,52") {
		t.Errorf("totals %q", s.totals.Text)
	}
	if !s.printDup.Disabled() {
		t.Error("duplicate offered before a certificate is chosen")
	}
	s.list.Select(0)
	test.Tap(s.printDup)
	h.waitFor("the duplicate printed", func() bool {
		h.svc.mu.Lock()
		defer h.svc.mu.Unlock()
		return len(h.svc.printed) == 1
	})
	dup := h.svc.printed[0]
	if string(dup) == string(issued.PDF) {
		t.Error("the duplicate is the original, not marked")
	}
	if seal, ok := printing.ExtractSeal(dup); !ok || seal != issued.Document.SealText {
		t.Error("the duplicate does not carry the original's seal")
	}
	h.waitFor("the confirmation", func() bool { return strings.Contains(s.problem.Text, issued.Number) })
}

// TestCertificateRegisterLocksDay closes the day from the register screen,
// through its confirmation, and checks that the day then refuses a paid
// certificate.
func TestCertificateRegisterLocksDay(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	ctx := context.Background()
	by := certificate.Issuer{Username: clerkUser, FullName: clerkName, Role: access.Clerk}
	req := certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}}
	if _, err := h.svc.Issue(ctx, h.s.rec.Person.ID, req, by); err != nil {
		t.Fatal(err)
	}
	u := access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}
	s := newCertRegisterScreen(h.svc, h.win, h.q.do, u, time.Now)
	h.win.SetContent(s.buildUI())
	s.onShow()
	h.waitFor("the close offered", func() bool { return !s.lockDay.Disabled() })

	test.Tap(s.lockDay)
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("closing the day asks no confirmation")
	}
	confirm := findButton(t, top, lang.L("Close the day"))
	if confirm == nil {
		t.Fatal("the confirmation has no close button")
	}
	test.Tap(confirm)
	h.waitFor("the day closed", func() bool { return strings.Contains(s.problem.Text, "€ 16,52") })
	if !s.lockDay.Disabled() {
		t.Error("the close is still offered")
	}
	if locked, err := h.svc.CashLocked(ctx, registry.DateOf(time.Now().In(registry.Rome))); err != nil || !locked {
		t.Errorf("CashLocked = %v, %v", locked, err)
	}
	if _, err := h.svc.Issue(ctx, h.s.rec.Person.ID, req, by); err == nil {
		t.Error("a paid certificate was issued on a closed day")
	}

	again := newCertRegisterScreen(h.svc, h.win, h.q.do, u, time.Now)
	h.win.SetContent(again.buildUI())
	again.onShow()
	h.waitFor("the closed day shown", func() bool { return strings.Contains(again.totals.Text, lang.L("cash register closed")) })
	if !again.lockDay.Disabled() {
		t.Error("a closed day offers the close again")
	}
}

// findButton finds the button with text in o's tree.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var kids []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		kids = v.Objects
	case fyne.Widget:
		kids = test.TempWidgetRenderer(t, v).Objects()
	}
	for _, k := range kids {
		if b := findButton(t, k, text); b != nil {
			return b
		}
	}
	return nil
}

func TestCertificateAreaInRail(t *testing.T) {
	fx := sharedFixture(t)
	h := newHarness(t, Deps{Certificates: &testCertificates{st: fx.store}})
	s := h.enterAs(clerkUser)
	found := false
	for _, a := range s.areas {
		found = found || a.name == lang.L("Certificates")
	}
	if !found {
		t.Error("a clerk's rail has no Certificates area")
	}
}

func TestEuroAsItaliansWriteIt(t *testing.T) {
	for cents, want := range map[int64]string{52: "€ 0,52", 1652: "€ 16,52", 812050: "€ 8.120,50", 123456789: "€ 1.234.567,89", -1600: "€ -16,00"} {
		if got := euro(cents); got != want {
			t.Errorf("euro(%d) = %q, want %q", cents, got, want)
		}
	}
}
