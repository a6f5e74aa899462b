package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/registry"
)

// cfCalcWindow shows the calculator alone in a test window, today being
// 26/11/2026.
func cfCalcWindow(t *testing.T) *cfCalcScreen {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	s := newCFCalcScreen(func() registry.Date { return registry.NewDate(2026, 11, 26) })
	w.SetContent(s.buildUI())
	return s
}

func TestCFCalcCompute(t *testing.T) {
	for _, tc := range []struct {
		name                          string
		surname, first, sex, born, at string
		want                          string // in the result label
		firstPlace                    string // the first place offered; "" for none
	}{
		{"Rome", "Rossi", "Mario", "Maschio", "01/01/1980", "roma", "Codice fiscale: RSSMRA80A01H501U", "Roma (RM) · H501"},
		{"accents and apostrophes", "D'Alò", "Maria Chiara", "Femmina", "15/06/1975", "Roma", "Codice fiscale: DLAMCH75H55H501", "Roma (RM) · H501"},
		{"place typed as a code", "Rossi", "Mario", "Maschio", "01/01/1980", "H501", "Codice fiscale: RSSMRA80A01H501U", "Roma (RM) · H501"},
		{"municipality not yet founded", "Rossi", "Mario", "Maschio", "01/01/1980", "Fiumicino", "Nessun comune o stato estero con quel nome era in vigore il 01/01/1980", ""},
		{"no sex", "Rossi", "Mario", "", "01/01/1980", "Roma", "Scegliere il sesso", "Roma (RM) · H501"},
		{"bad date", "Rossi", "Mario", "Maschio", "1980-01-01", "Roma", "Data di nascita: scriva la data come gg/mm/aaaa", ""},
		{"future date", "Rossi", "Mario", "Maschio", "01/01/2030", "Roma", "futuro", "Roma (RM) · H501"},
		{"no surname letters", "123", "Mario", "Maschio", "01/01/1980", "Roma", "cognome", "Roma (RM) · H501"},
		{"no place", "Rossi", "Mario", "Maschio", "01/01/1980", "", "Scrivere il luogo di nascita", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cfCalcWindow(t)
			test.Type(s.surname, tc.surname)
			test.Type(s.name, tc.first)
			if tc.sex != "" {
				s.sex.SetSelected(tc.sex)
			}
			test.Type(s.born, tc.born)
			test.Type(s.place, tc.at)
			if got := s.places.Selected; got != tc.firstPlace && tc.firstPlace != "" {
				t.Errorf("place offered %q, want %q", got, tc.firstPlace)
			}
			// Enter in the place box computes, as the button does
			s.place.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if !strings.Contains(s.computed.Text, tc.want) {
				t.Errorf("result %q, want %q", s.computed.Text, tc.want)
			}
		})
	}
}

func TestCFCalcPlaceInForceAtBirth(t *testing.T) {
	// a municipality whose name changed: each entry is offered only for
	// the dates it was in force
	var old registry.Place
	for _, p := range registry.Municipalities() {
		if !p.To.IsZero() && !p.From.IsZero() && p.To.Year > 1950 {
			old = p
			break
		}
	}
	if old.Code == "" {
		t.Skip("no ceased municipality in the lists")
	}
	s := cfCalcWindow(t)
	test.Type(s.born, old.To.Italian())
	test.Type(s.place, old.Name)
	if len(s.found) == 0 || !s.found[0].ValidOn(old.To) {
		t.Fatalf("places for %s on %s: %v", old.Name, old.To.Italian(), s.found)
	}
	for _, p := range s.found {
		if !p.ValidOn(old.To) {
			t.Errorf("%v offered but not in force on %s", p, old.To.Italian())
		}
	}
}

func TestCFCalcCheckAndDecode(t *testing.T) {
	omocode := registry.OmocodeVariant("RSSMRA80A01H501U", 1)
	for _, tc := range []struct {
		name, code string
		checked    string
		decoded    []string
	}{
		{"valid", "rssmra80a01h501u", "Codice fiscale valido: RSSMRA80A01H501U",
			[]string{"Sesso: Maschio", "Data di nascita: 01/01/1980", "Luogo di nascita: Roma (RM)", "Omocodia: no"}},
		{"omocode", omocode, "Codice fiscale valido: " + omocode,
			[]string{"Omocodia: sì; il codice base è RSSMRA80A01H501U"}},
		{"woman", "DLAMCH75H55H501" + string(mustCheckChar(t, "DLAMCH75H55H501")), "valido",
			[]string{"Sesso: Femmina", "Data di nascita: 15/06/1975"}},
		{"wrong check character", "RSSMRA80A01H501A", "Non valido: Il carattere di controllo", nil},
		{"too short", "RSSMRA80", "Non valido: ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cfCalcWindow(t)
			test.Type(s.code, tc.code)
			s.code.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if !strings.Contains(s.checked.Text, tc.checked) {
				t.Errorf("check %q, want %q", s.checked.Text, tc.checked)
			}
			for _, want := range tc.decoded {
				if !strings.Contains(s.decoded.Text, want) {
					t.Errorf("decoded %q, want %q", s.decoded.Text, want)
				}
			}
			if tc.decoded == nil && s.decoded.Text != "" {
				t.Errorf("decoded %q for an invalid code", s.decoded.Text)
			}
		})
	}
}

func mustCheckChar(t *testing.T, first15 string) byte {
	t.Helper()
	c, err := registry.CheckChar(first15)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCFCalcArea: the roles that use the register have the calculator in
// the rail; a social worker does not.
func TestCFCalcArea(t *testing.T) {
	h := newEditHarness(t)
	sh := h.enterAs(clerkUser)
	if !slicesHasArea(sh, "Codice fiscale") {
		t.Error("clerk: no calculator in the rail")
	}
	h.desk.onLogout()
	sh = h.enterAs(socialUser)
	if slicesHasArea(sh, "Codice fiscale") {
		t.Error("social worker: calculator in the rail")
	}
}

func slicesHasArea(sh *shell, name string) bool {
	for _, a := range sh.areas {
		if a.name == name {
			return true
		}
	}
	return false
}
