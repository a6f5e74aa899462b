package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/certificate"
)

// TestCertificateScreenVirtualBolloSetting checks the dialog against the
// municipality's authorisation of the virtual bollo: without it the dialog
// starts on the marca and refuses the virtual bollo saying what to set.
func TestCertificateScreenVirtualBolloSetting(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	none := certificate.DefaultSettings
	h.svc.settings = &none
	s := newCertificateScreen(h.svc, h.win, h.q.do, h.s.by, h.s.rec)
	s.show()
	if s.duty.Selected != s.dutyLabels[dutyMarca] {
		t.Errorf("without an authorisation the dialog starts on %q", s.duty.Selected)
	}
	h.s = s
	h.chooseType(certificate.Residence)
	test.Type(s.serial, "01234567890123")
	if s.previewBtn.Disabled() {
		t.Errorf("a marca is refused: %q", s.verdict.Text)
	}
	s.duty.SetSelected(s.dutyLabels[dutyVirtual])
	if !s.previewBtn.Disabled() || !strings.Contains(s.verdict.Text, "bollo_virtual_authorisation") {
		t.Errorf("virtual bollo without an authorisation: enabled %v, verdict %q", !s.previewBtn.Disabled(), s.verdict.Text)
	}
}
