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
	"sportello/registry"
)

// pressKey sends a key as the desktop driver does: to the focused widget,
// else to the window.
func pressKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if on := c.OnTypedKey(); on != nil {
		on(ev)
	}
}

// TestPurposeDialogKeys checks the purpose dialog from the keyboard: the
// choice has the focus; Escape cancels; the arrows choose and Enter opens
// the record.
func TestPurposeDialogKeys(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	pv := rs.person
	pd := pv.edits.purposes
	h.waitFor("the purpose dialog", func() bool { return pd.dialog != nil })
	if h.win.Canvas().Focused() != pd.choice {
		t.Fatalf("focus on %T, want the purpose's choice", h.win.Canvas().Focused())
	}
	h.key(fyne.KeyReturn) // nothing chosen: no answer yet
	if pd.dialog == nil {
		t.Fatal("Enter with no purpose chosen answered the dialog")
	}
	h.key(fyne.KeyEscape)
	h.waitFor("the refusal", func() bool { return pd.dialog == nil && pv.empty.Visible() })

	rs.onEscape()
	rs = h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	h.waitFor("the purpose dialog again", func() bool { return pd.dialog != nil })
	h.key(fyne.KeyRight) // the first purpose
	h.key(fyne.KeyReturn)
	h.waitFor("the record", func() bool { return pv.shown() })
	if !strings.Contains(pv.edits.purpose.Text, "Richiesta della persona allo sportello") {
		t.Errorf("purpose %q", pv.edits.purpose.Text)
	}
}

// TestEditFormKeys checks an edit form from the keyboard: the first field
// has the focus; Escape in a field cancels; Enter in a field saves.
func TestEditFormKeys(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	c := h.win.Canvas()
	pv.edits.document.OnTapped()
	f := pv.edits.form
	doc := f.dlg
	if focused := c.Focused(); focused == nil {
		t.Fatal("no field has the focus")
	}
	pressKey(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Fatal("Escape did not close the form")
	}
	pv.edits.document.OnTapped()
	if pv.edits.form.dlg == doc {
		t.Fatal("the form did not open again")
	}
	form := pv.edits.form
	test.Type(c.Focused().(*fieldEntry), "CA00000AA")
	c.Focus(form.fieldOf("Scade il").(fyne.Focusable)) // expiry
	test.Type(c.Focused().(*fieldEntry), "15/03/2036")
	pressKey(c, fyne.KeyReturn)
	h.waitFor("the save", func() bool { return form.saved })
	if docs := h.record("Mario").Documents; len(docs) != 1 || docs[0].Number != "CA00000AA" {
		t.Errorf("documents %+v", docs)
	}
}

// TestCertificateDialogKeys checks the issuing dialog from the keyboard:
// the type has the focus; Enter goes on to the preview; Escape goes back
// from the preview to the form and closes the form.
func TestCertificateDialogKeys(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	s, c := h.s, h.win.Canvas()
	if c.Focused() != s.typeSel {
		t.Fatalf("focus on %T, want the certificate type", c.Focused())
	}
	h.chooseType(certificate.Residence)
	pressKey(c, fyne.KeyReturn)
	h.waitFor("the draft", func() bool { return s.issueBtn != nil })
	pressKey(c, fyne.KeyEscape)
	if s.issueBtn != nil || c.Focused() != s.typeSel {
		t.Fatal("Escape did not go back from the draft to the form")
	}
	pressKey(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Error("Escape did not close the dialog")
	}
}

// TestEscapeBackToTheRecord checks that Escape on a family member's record
// opened from another record goes back to that record, and only then
// closes the view.
func TestEscapeBackToTheRecord(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	pv.members[1].OnTapped()
	h.waitFor("Anna's record", func() bool { return pv.shown() && pv.record.Person.Name == "Anna" })
	pv.members[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // Escape on a member's button
	h.waitFor("Mario's record again", func() bool { return pv.shown() && pv.record.Person.Name == "Mario" })
	h.win.Canvas().Unfocus()
	h.key(fyne.KeyEscape)
	h.waitFor("the view closed", func() bool { return !pv.shown() })
}

// TestConfirmDialogKeys checks a confirmation from the keyboard: closing
// the day, Escape keeps it open, Enter closes it.
func TestConfirmDialogKeys(t *testing.T) {
	h := newCertificateHarness(t, "Mario", access.Clerk)
	h.s.onClose() // the issuing dialog the harness opens
	s := newCertRegisterScreen(h.svc, h.win, h.q.do, access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}, time.Now)
	h.win.SetContent(s.buildUI())
	s.onShow()
	h.waitFor("the close offered", func() bool { return !s.lockDay.Disabled() })
	c := h.win.Canvas()
	c.Focus(s.lockDay)
	s.lockDay.OnTapped()
	pressKey(c, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Fatal("Escape did not cancel the confirmation")
	}
	s.lockDay.OnTapped()
	pressKey(c, fyne.KeyReturn)
	h.waitFor("the day closed", func() bool {
		locked, err := h.svc.CashLocked(context.Background(), registry.DateOf(time.Now().In(registry.Rome)))
		return err == nil && locked
	})
}
