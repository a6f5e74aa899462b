package desk

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// stradarioCSV is the stradario of the edit tests' municipality.
const stradarioCSV = "PROGR_NAZIONALE;DUG;DENOM_UFF;CIVICO;ESPONENTE\n" +
	"7001;VIA;GARIBALDI;1;\n7001;VIA;GARIBALDI;5;\n7001;VIA;GARIBALDI;5;B\n" +
	"7002;PIAZZA;CAVOUR;2;\n7003;VIA;ROMA;12;\n"

// openAddressForm loads the stradario, enters as user and opens the change
// of address of Mario Rossi.
func openAddressForm(t *testing.T, user string) (*harness, *personView, *addressForm) {
	t.Helper()
	h := newEditHarness(t)
	if _, err := h.fx.store.LoadStradario(context.Background(), strings.NewReader(stradarioCSV)); err != nil {
		t.Fatal(err)
	}
	h.enterAs(user)
	pv := h.openRecord("rossi mario")
	test.Tap(pv.edits.address)
	return h, pv, pv.edits.opened.(*addressForm)
}

// pickFrom opens c's list and taps the option labelled label.
func pickFrom[T any](h *harness, c *completion[T], label string) {
	h.t.Helper()
	h.waitFor("the option "+label, func() bool { return slices.Contains(c.labels(), label) })
	test.Tap(c.button)
	for _, it := range c.menu.Items {
		if strings.Contains(rendered(it), ">"+label+"<") {
			test.Tap(it.(fyne.Tappable))
			return
		}
	}
	h.t.Fatalf("%q not in the list %v", label, c.labels())
}

// TestAddressFromStradario: the clerk types "gari", picks VIA GARIBALDI and
// one of its house numbers; the address is saved, not flagged.
func TestAddressFromStradario(t *testing.T) {
	h, pv, a := openAddressForm(t, clerkUser)
	a.toponym.SetSelected("PIAZZA")
	test.Type(a.street, "gari")
	pickFrom(h, a.streets.streets, "VIA GARIBALDI")
	if a.toponym.Selected != "VIA" || a.street.Text != "GARIBALDI" {
		t.Fatalf("picked: %q %q", a.toponym.Selected, a.street.Text)
	}
	h.waitFor("the house numbers of Via Garibaldi", func() bool { return slices.Equal(a.streets.numbers.labels(), []string{"1", "5", "5/B"}) })
	test.Type(a.number, "5")
	pickFrom(h, a.streets.numbers, "5/B")
	a.from.SetText("01/10/2026")
	if f := h.save(pv); f.messages() != "" || !f.saved {
		t.Fatalf("refused: %s", f.messages())
	}
	addr := h.record("Mario").Address
	if addr.Line() != "Via Garibaldi 5/B" || addr.OffStradario {
		t.Errorf("address %q, off the stradario %t", addr.Line(), addr.OffStradario)
	}
}

// TestAddressOffStradario: a street not in the stradario is refused to a
// clerk with the reason and recorded, flagged, when the registrar confirms.
func TestAddressOffStradario(t *testing.T) {
	fill := func(a *addressForm) {
		test.Type(a.street, "Dei Mille")
		test.Type(a.number, "3")
		a.from.SetText("01/10/2026")
	}
	t.Run("clerk refused", func(t *testing.T) {
		h, pv, a := openAddressForm(t, clerkUser)
		if a.confirm != nil {
			t.Error("a clerk is offered to confirm a street off the stradario")
		}
		fill(a)
		f := h.save(pv)
		if !strings.Contains(f.messages(), "VIA DEI MILLE non è nello stradario: solo l'ufficiale d'anagrafe") || f.saved {
			t.Errorf("clerk's save: %q, saved %t", f.messages(), f.saved)
		}
		if got := h.record("Mario").Address.Line(); got != "Via Roma 12" {
			t.Errorf("address changed to %q", got)
		}
	})
	t.Run("registrar confirms, flag shown", func(t *testing.T) {
		h, pv, a := openAddressForm(t, registrarUser)
		fill(a)
		if f := h.save(pv); !strings.Contains(f.messages(), "confermi") || f.saved {
			t.Fatalf("unconfirmed save: %q", f.messages())
		}
		test.Tap(a.confirm)
		version := pv.record.Person.Version
		if f := h.save(pv); f.messages() != "" || !f.saved {
			t.Fatalf("confirmed save refused: %s", f.messages())
		}
		h.waitFor("the record reopened", func() bool { return pv.shown() && pv.record.Person.Version > version })
		if addr := h.record("Mario").Address; !addr.OffStradario {
			t.Errorf("%s not flagged", addr.Line())
		}
		if view := rendered(pv.scroll); !strings.Contains(view, "Via non presente nello stradario") {
			t.Errorf("the record does not show the flag:\n%s", view)
		}
	})
}

// TestStreetPickedWithKeys: Down opens the list, the arrows and Enter pick.
func TestStreetPickedWithKeys(t *testing.T) {
	h, _, a := openAddressForm(t, clerkUser)
	test.Type(a.street, "ro")
	h.waitFor("the streets of ro", func() bool { return slices.Equal(a.streets.streets.labels(), []string{"VIA ROMA"}) })
	a.street.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	m := a.streets.streets.menu
	if m == nil || !m.Visible() {
		t.Fatal("Down does not open the list")
	}
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if a.toponym.Selected != "VIA" || a.street.Text != "ROMA" {
		t.Fatalf("picked with the keys: %q %q", a.toponym.Selected, a.street.Text)
	}
}
