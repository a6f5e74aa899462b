package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// TestEditFormErrorsAtOnce checks the change of address saved empty: the
// required fields are marked before anything is typed; saving shows every
// error at once, each beside its field, and nothing moves on the form.
func TestEditFormErrorsAtOnce(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	pv.edits.address.OnTapped()
	f := pv.edits.form
	marked := map[string]bool{}
	for _, it := range f.form.Items {
		marked[strings.TrimSuffix(it.Text, " *")] = strings.HasSuffix(it.Text, " *")
	}
	for label, want := range map[string]bool{"Via": true, "Numero civico": true, "Dal": true, "Interno": false} {
		if marked[label] != want {
			t.Errorf("%q marked required %v, want %v (%v)", label, marked[label], want, marked)
		}
	}
	before := f.content.MinSize()
	c := h.win.Canvas()
	from := f.fieldOf("Dal").(*fieldEntry)
	from.SetText("31/02/2026x")
	c.Focus(from)
	pressKey(c, fyne.KeyReturn) // save
	var shown []string
	for i, it := range f.form.Items {
		if f.errs[i].Text != "" {
			shown = append(shown, strings.TrimSuffix(it.Text, " *"))
		}
	}
	if strings.Join(shown, ",") != "Via,Numero civico,Dal" {
		t.Errorf("errors beside %v, want Via, Numero civico and Dal at once", shown)
	}
	if after := f.content.MinSize(); after.Height != before.Height {
		t.Errorf("the form moved: %v, then %v", before, after)
	}
	if f.saved || f.busy {
		t.Error("a form with errors was saved")
	}
}
