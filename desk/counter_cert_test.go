package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
)

// TestPreviewBeforeIssue checks that the certificate is seen whole before
// its number is taken: the form offers the preview, not the issue; the
// preview is the draft (BOZZA, no number), zoomable; "Issue and register"
// comes only with it, and back to the form keeps the choices.
func TestPreviewBeforeIssue(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	s := h.s
	if s.issueBtn != nil {
		t.Fatal("the form offers to issue before the preview")
	}
	if !s.previewBtn.Disabled() {
		t.Error("preview offered before a type is chosen")
	}
	h.chooseType(certificate.Residence)
	if s.previewBtn.Disabled() {
		t.Fatalf("preview refused: %q", s.verdict.Text)
	}
	test.Tap(s.previewBtn)
	h.waitFor("the draft's preview", func() bool { return s.draftPDF != nil && s.preview != nil && s.preview.Visible() })
	if s.issueBtn == nil || s.issueBtn.Disabled() {
		t.Fatal("no issue after the preview")
	}
	if text, err := printing.PageText(context.Background(), s.draftPDF); err == nil {
		if !strings.Contains(text, "BOZZA") || strings.Contains(text, "D01-") {
			t.Errorf("the draft: %s", text)
		}
	}
	if entries, _ := h.svc.Register(context.Background(), registry.DateOf(time.Now().In(registry.Rome))); len(entries) != 0 {
		t.Fatalf("the preview registered %d certificates", len(entries))
	}
	before := s.preview.MinSize()
	test.Tap(s.zoomIn)
	if after := s.preview.MinSize(); after.Width <= before.Width {
		t.Errorf("zoom in: %v, then %v", before, after)
	}
	test.Tap(s.zoomOut)
	test.Tap(s.zoomOut)
	if after := s.preview.MinSize(); after.Width >= before.Width {
		t.Errorf("zoom out: %v, then %v", before, after)
	}

	test.Tap(s.backBtn)
	if s.typeSel.Selected == "" || s.previewBtn.Disabled() {
		t.Fatalf("back to the form lost the choices: %q", s.typeSel.Selected)
	}
	test.Tap(s.previewBtn)
	h.waitFor("the draft again", func() bool { return s.issueBtn != nil && s.preview.Visible() })
	test.Tap(s.issueBtn)
	h.waitFor("the issued certificate", func() bool { return s.issued != nil && s.preview.Visible() })
	if !strings.HasPrefix(s.issued.Number, "D01-2026-000001-") || !strings.Contains(s.number.Text, s.issued.Number) {
		t.Errorf("issued %q, label %q", s.issued.Number, s.number.Text)
	}
}

// TestAnnulFromRegister checks the annulment in the register screen: only
// a registrar is offered it; it asks the reason, refuses an empty one, and
// the register then lists the certificate as annulled.
func TestAnnulFromRegister(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	ctx := context.Background()
	by := certificate.Issuer{Username: clerkUser, FullName: clerkName, Role: access.Clerk}
	req := certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}}
	issued, err := h.svc.Issue(ctx, h.s.rec.Person.ID, req, by)
	if err != nil {
		t.Fatal(err)
	}
	clerk := newCertRegisterScreen(h.svc, h.win, h.q.do, access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}, time.Now)
	clerk.buildUI()
	if clerk.annulBtn.Visible() {
		t.Error("a clerk is offered the annulment")
	}

	s := newCertRegisterScreen(h.svc, h.win, h.q.do, access.User{Username: "uff", FullName: "Luca Neri", Role: access.Registrar}, time.Now)
	h.win.SetContent(s.buildUI())
	s.onShow()
	h.waitFor("today's register", func() bool { return len(s.entries) == 1 })
	if !s.annulBtn.Visible() || !s.annulBtn.Disabled() {
		t.Error("the annulment is offered before a certificate is chosen")
	}
	s.list.Select(0)
	test.Tap(s.annulBtn)
	if s.annulReason == nil || h.win.Canvas().Focused() != s.annulReason {
		t.Fatal("the annulment does not ask the reason, with the focus in its field")
	}
	s.annulReason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter confirms
	if s.annulError.Text == "" {
		t.Error("an empty reason is not refused beside its field")
	}
	test.Type(s.annulReason, "dati del richiedente errati")
	s.annulReason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the annulled entry", func() bool { return len(s.entries) == 1 && s.entries[0].AnnulledAt != "" })
	if line := entryLine(s.entries[0]); !strings.Contains(line, "ANNULLATO") {
		t.Errorf("register line %q", line)
	}
	reg, err := h.fx.store.CertificateByNumber(ctx, issued.Number)
	if err != nil || reg.AnnulReason != "dati del richiedente errati" || reg.AnnulledBy != "uff" {
		t.Errorf("register: %+v %v", reg.AnnulReason, err)
	}
}
