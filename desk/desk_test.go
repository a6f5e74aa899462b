package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/registry"
)

func TestLogin(t *testing.T) {
	for _, tc := range []struct {
		name, username, password string
		problem                  string // the message shown; "" when the login succeeds
	}{
		{"wrong password", clerkUser, "not-the-password", "Nome utente o password sbagliati"},
		{"empty password", clerkUser, "", "Scriva nome utente e password"},
		{"right", clerkUser, testPassword, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{})
			ls := h.desk.login
			if h.win.Canvas().Focused() != ls.username {
				t.Error("the username box does not have the focus at start")
			}
			h.login(tc.username, tc.password)
			if tc.problem != "" {
				h.waitFor("the login's answer", func() bool { return ls.problem.Visible() })
				if got := ls.problem.Text; got != tc.problem {
					t.Errorf("message %q, want %q", got, tc.problem)
				}
				if h.desk.shell != nil {
					t.Fatal("the main window opened after a failed login")
				}
				if ls.password.Text != "" {
					t.Error("the wrong password is still in its box")
				}
				if ls.submit.Disabled() {
					t.Error("the login button is still disabled")
				}
				return
			}
			h.waitFor("the main window", func() bool { return h.desk.shell != nil })
			sh := h.desk.shell
			if got, want := sh.clerk.Text, clerkName+" · Operatore di sportello"; got != want {
				t.Errorf("top bar names %q, want %q", got, want)
			}
			if got, want := sh.clock.Text, "26/11/2026 10:30:00"; got != want {
				t.Errorf("clock %q, want %q", got, want)
			}
			if got, want := sh.sync.Text, "Autonomo: nessun server centrale"; got != want {
				t.Errorf("sync state %q, want %q", got, want)
			}
			if h.win.Canvas().Focused() != sh.registry.search {
				t.Error("the search box does not have the focus after the login")
			}
		})
	}
}

func TestLoginDemoCard(t *testing.T) {
	demo := []DemoLogin{{Username: "sportello", Password: "demo-sportello", Role: "clerk"}}
	for _, tc := range []struct {
		name string
		demo []DemoLogin
	}{
		{"demo mode", demo},
		{"production", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{Demo: tc.demo})
			screen := rendered(h.win.Content())
			for _, text := range []string{"demo-sportello", "Operatori di prova", "Operatore di sportello"} {
				if got := strings.Contains(screen, text); got != (tc.demo != nil) {
					t.Errorf("%q on the login screen: %v, want %v", text, got, tc.demo != nil)
				}
			}
		})
	}
}

// TestLoginLayout pins the login screen of demo mode.
func TestLoginLayout(t *testing.T) {
	h := newHarness(t, Deps{Demo: []DemoLogin{
		{Username: "sportello", Password: "demo-sportello", Role: "clerk"},
		{Username: "anagrafe", Password: "demo-anagrafe", Role: "registrar"},
	}})
	test.AssertRendersToMarkup(t, "login_demo.xml", h.win.Canvas())
}

func TestSocialWorkerHasNoRegistry(t *testing.T) {
	h := newHarness(t, Deps{})
	sh := h.loginAs(socialUser)
	if sh.registry != nil || len(sh.areas) != 1 || sh.areas[0].name != "Impostazioni" { // only the clerk's own settings
		t.Fatalf("a social worker sees %d areas, the register among them: %v", len(sh.areas), sh.registry != nil)
	}
	if !sh.noArea.Visible() || !strings.Contains(sh.noArea.Text, "Assistente sociale") {
		t.Errorf("no message for the role without areas; got %q", sh.noArea.Text)
	}
	if strings.Contains(rendered(h.win.Content()), "Anagrafe") {
		t.Error("the registry area is on the screen of a social worker")
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, Deps{})
	sh := h.enterAs(clerkUser)
	test.Tap(sh.logout)
	if h.desk.shell != nil || h.desk.login == nil {
		t.Fatal("the login screen is not back after the logout")
	}
	if h.win.Canvas().Focused() != h.desk.login.username {
		t.Error("the username box does not have the focus after the logout")
	}
	h.shortcut(focusSearchShortcut) // the window's shortcut is gone with the clerk
	if h.win.Canvas().Focused() != h.desk.login.username {
		t.Error("Ctrl+F still acts after the logout")
	}
}

func TestClockTicks(t *testing.T) {
	var ticks atomic.Int64
	h := newHarness(t, Deps{Now: func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Second) }})
	h.desk.tick = 10 * time.Millisecond
	sh := h.enterAs(clerkUser)
	first := sh.clock.Text
	h.waitFor("the clock to move", func() bool { return sh.clock.Text != first })
}

func TestSearchAsYouType(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string // names listed, sorted
		summary    string
	}{
		{"surname prefix", "ross", []string{"Rossi Luca", "Rossi Maria", "Rossi Mario"}, "Persone trovate: 3"},
		{"surname and name", "rossi mar", []string{"Rossi Maria", "Rossi Mario"}, "Persone trovate: 2"},
		{"name and birth date", "rossi 15/03/1970", []string{"Rossi Mario"}, "Persone trovate: 1"},
		{"nobody", "esposito", nil, "Nessuna persona trovata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{})
			h.enterAs(clerkUser)
			rs := h.typeSearch(tc.text)
			var got []string
			for _, m := range rs.matches {
				got = append(got, fullName(m.Surname, m.Name))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("listed %v, want %v", got, tc.want)
			}
			if rs.summary.Text != tc.summary {
				t.Errorf("summary %q, want %q", rs.summary.Text, tc.summary)
			}
			list := rendered(rs.list)
			for _, name := range tc.want {
				if !strings.Contains(list, name) {
					t.Errorf("%s is not on screen", name)
				}
			}
		})
	}
}

// countingSearch counts the searches that reach the register.
type countingSearch struct {
	registry.Directory
	n atomic.Int64
}

func (c *countingSearch) Search(ctx context.Context, q registry.Query, limit int) ([]registry.Match, error) {
	c.n.Add(1)
	return c.Directory.Search(ctx, q, limit)
}

// TestSearchWaitsForPause checks that a word typed at speed is one search,
// with the desk's real pause.
func TestSearchWaitsForPause(t *testing.T) {
	counter := &countingSearch{}
	h := newHarnessWith(t, Deps{}, func(d registry.Directory) registry.Directory {
		counter.Directory = d
		return counter
	})
	rs := h.enterAs(clerkUser).registry
	rs.debounce = searchDebounce
	h.typeSearch("bianchi anna")
	if n := counter.n.Load(); n != 1 {
		t.Errorf("typing 12 letters ran %d searches, want 1", n)
	}
	if len(rs.matches) != 1 || rs.matches[0].Name != "Anna" {
		t.Errorf("found %v, want Anna Bianchi", rs.matches)
	}
}

func TestSearchRowShowsStatus(t *testing.T) {
	h := newHarness(t, Deps{})
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi maria")
	list := rendered(rs.list)
	for _, want := range []string{"Rossi Maria", "Cancellata", "n. 11/11/1980", h.fx.cf["Maria"]} {
		if !strings.Contains(list, want) {
			t.Errorf("the row of Maria Rossi lacks %q", want)
		}
	}
}

// TestSearchDatesAsTyped checks that a birth date typed without separators
// or with a two-digit year finds the person, as clerks type it.
func TestSearchDatesAsTyped(t *testing.T) {
	for _, text := range []string{"11111980", "11/11/80", "rossi 11.11.80"} {
		t.Run(text, func(t *testing.T) {
			h := newHarness(t, Deps{})
			h.enterAs(clerkUser)
			rs := h.typeSearch(text)
			if rs.problem.Visible() {
				t.Fatalf("%q refused: %q", text, rs.problem.Text)
			}
			if len(rs.matches) != 1 || rs.matches[0].Name != "Maria" {
				t.Errorf("%q found %v, want Maria Rossi, born 11/11/1980", text, rs.matches)
			}
		})
	}
}

func TestSearchProblems(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"impossible date", "rossi 31/02/1980", "La data 31/02/1980 non esiste"},
		{"wrong check character", "RSSMRA70C15A269X", "Il carattere di controllo del codice fiscale è sbagliato"},
		{"two dates", "rossi 15/03/1970 16/03/1970", "Cerchi una data di nascita alla volta"},
		{"too long", strings.Repeat("rossi ", 40), "La ricerca è troppo lunga"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Deps{})
			h.enterAs(clerkUser)
			rs := h.typeSearch(tc.text)
			if !rs.problem.Visible() || rs.problem.Text != tc.want {
				t.Errorf("under the box: %q (shown %v), want %q", rs.problem.Text, rs.problem.Visible(), tc.want)
			}
			if len(rs.matches) != 0 {
				t.Errorf("%d results listed for a query that cannot run", len(rs.matches))
			}
			// Fixing the text clears the message.
			rs.search.SetText("rossi")
			h.waitFor("the results of rossi", func() bool { return rs.shown == rs.query })
			if rs.problem.Visible() {
				t.Error("the message stays after the text was fixed")
			}
		})
	}
}

// gatedSearch holds the searches for one word until released, to check that
// a late answer does not replace the results of a newer text.
type gatedSearch struct {
	registry.Directory
	word          string
	held, release chan struct{}
	once          sync.Once
	running       sync.WaitGroup
}

func (g *gatedSearch) Search(ctx context.Context, q registry.Query, limit int) ([]registry.Match, error) {
	if slices.Contains(q.Words, g.word) {
		g.running.Add(1)
		defer g.running.Done()
		g.once.Do(func() { close(g.held) })
		<-g.release
	}
	return g.Directory.Search(ctx, q, limit)
}

func TestSearchDropsStaleResults(t *testing.T) {
	gate := &gatedSearch{word: "rossi", held: make(chan struct{}), release: make(chan struct{})}
	h := newHarnessWith(t, Deps{}, func(d registry.Directory) registry.Directory {
		gate.Directory = d
		return gate
	})
	rs := h.enterAs(clerkUser).registry

	test.Type(rs.search, "rossi")
	select {
	case <-gate.held:
	case <-time.After(5 * time.Second):
		t.Fatal("the search for rossi did not start")
	}
	rs.search.SetText("verdi")
	h.waitFor("the results of verdi", func() bool { return rs.shown == rs.query })
	close(gate.release)
	gate.running.Wait()
	h.q.drain()
	if len(rs.matches) != 1 || rs.matches[0].Surname != "Verdi" {
		t.Errorf("after the late answer for rossi the list holds %v, want Giulia Verdi alone", rs.matches)
	}
}

func TestOpenResult(t *testing.T) {
	h := newHarness(t, Deps{})
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	pv := rs.person
	h.waitFor("the record of Mario Rossi", func() bool { return pv.shown() })
	if got := pv.cf.Text; got != h.fx.cf["Mario"] {
		t.Errorf("codice fiscale %q, want %q", got, h.fx.cf["Mario"])
	}
	view := rendered(pv.scroll)
	for _, want := range []string{
		"Rossi Mario",
		"Maschio",
		"15/03/1970, età 56",
		"Anagni (FR)",
		"Italiana",
		"Coniugato",
		"Residente",
		"Verificato presso l'Agenzia delle Entrate",
		"Via Roma 12",
		"03012 Anagni (FR)",
		"Matrimonio · 20/06/1998 · Anagni (FR)",
		"dal 15/03/1970 al 19/06/1998",
		"Piazza Giuseppe Garibaldi 3",
		"Rossi Mario (questa scheda)",
		"Intestatario scheda · n. 15/03/1970",
		"Bianchi Anna",
		"Moglie · n. 02/07/1972",
		"Rossi Luca",
		"Figlio · n. 20/01/2005",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("the record lacks %q", want)
		}
	}
	if pv.members[0] != nil || pv.members[1] == nil || pv.members[2] == nil {
		t.Errorf("family buttons %v: want none for Mario himself, one for Anna and one for Luca", pv.members)
	}
}

func TestOpenFamilyMember(t *testing.T) {
	h := newHarness(t, Deps{})
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	pv := rs.person
	h.waitFor("the record of Mario Rossi", func() bool { return pv.shown() })

	test.Tap(pv.members[1])
	h.waitFor("the record of Anna Bianchi", func() bool { return pv.record.Person.Name == "Anna" })
	view := rendered(pv.scroll)
	for _, want := range []string{h.fx.cf["Anna"], "Femmina", "Roma (RM)", "Coniugata", "Bianchi Anna (questa scheda)", "Moglie"} {
		if !strings.Contains(view, want) {
			t.Errorf("the record of Anna lacks %q", want)
		}
	}
	if rs.selected != -1 {
		t.Errorf("row %d still selected for a person not in the results", rs.selected)
	}

	// Her marriage names Mario: a button that opens him.
	if pv.others[0] == nil || pv.others[0].Text != "Rossi Mario" {
		t.Fatalf("the marriage does not offer Mario's record: %v", pv.others)
	}
	test.Tap(pv.others[0])
	h.waitFor("the record of Mario Rossi", func() bool { return pv.record.Person.Name == "Mario" })
	if rs.selected != 0 {
		t.Errorf("Mario is in the results but row %d is selected", rs.selected)
	}

	// Escape on a member's button goes back to the records this one was
	// opened from (Anna's, then Mario's first), then to the list, as in
	// the box.
	for _, back := range []string{"Anna", "Mario"} {
		h.win.Canvas().Focus(pv.members[2])
		h.key(fyne.KeyEscape)
		h.waitFor("the record of "+back+" again", func() bool { return pv.shown() && pv.record.Person.Name == back })
	}
	h.win.Canvas().Focus(pv.members[2])
	h.key(fyne.KeyEscape)
	if pv.shown() || h.win.Canvas().Focused() != rs.search {
		t.Error("Escape on a family member's button did not close the record")
	}
}

func TestOpenDeceasedForeignBorn(t *testing.T) {
	h := newHarness(t, Deps{})
	h.enterAs(clerkUser)
	rs := h.typeSearch(h.fx.cf["Giulia"])
	h.key(fyne.KeyReturn)
	h.waitFor("the record of Giulia Verdi", func() bool { return rs.person.shown() })
	view := rendered(rs.person.scroll)
	for _, want := range []string{"Deceduta", "Deceduta dal 02/02/2020", "05/05/1950, età al decesso 69", "Marocco", "Vedova"} {
		if !strings.Contains(view, want) {
			t.Errorf("the record of Giulia lacks %q", want)
		}
	}
}

func TestKeyboard(t *testing.T) {
	h := newHarness(t, Deps{})
	sh := h.enterAs(clerkUser)
	rs := sh.registry
	c := h.win.Canvas()

	// Ctrl+F brings the cursor back to the box from anywhere.
	c.Focus(sh.logout)
	h.shortcut(focusSearchShortcut)
	if c.Focused() != rs.search {
		t.Fatal("Ctrl+F did not focus the search box")
	}

	h.typeSearch("ross")
	for _, step := range []struct {
		key  fyne.KeyName
		want int
	}{
		{fyne.KeyDown, 0}, {fyne.KeyDown, 1}, {fyne.KeyUp, 0}, {fyne.KeyUp, 0},
		{fyne.KeyDown, 1}, {fyne.KeyDown, 2}, {fyne.KeyDown, 2},
	} {
		h.key(step.key)
		if rs.selected != step.want {
			t.Fatalf("after %s row %d is selected, want %d", step.key, rs.selected, step.want)
		}
	}
	if rs.person.shown() {
		t.Fatal("moving the selection opened a record")
	}
	h.key(fyne.KeyReturn)
	h.waitFor("the record of the third row", func() bool { return rs.person.shown() })
	if got, want := rs.person.record.Person.ID, rs.matches[2].ID; got != want {
		t.Errorf("Enter opened person %d, want %d", got, want)
	}

	// Escape goes back to the list, and again clears the box.
	h.key(fyne.KeyEscape)
	if rs.person.shown() || c.Focused() != rs.search {
		t.Fatal("Escape did not close the record and go back to the box")
	}
	if rs.selected != 2 {
		t.Errorf("the selection moved to %d on Escape", rs.selected)
	}
	h.key(fyne.KeyEscape)
	if rs.search.Text != "" || len(rs.matches) != 0 {
		t.Errorf("the second Escape left %q and %d results", rs.search.Text, len(rs.matches))
	}

	// Ctrl+F in the box selects what was typed, to type over it.
	test.Type(rs.search, "verdi")
	h.shortcut(focusSearchShortcut)
	if got := rs.search.SelectedText(); got != "verdi" {
		t.Errorf("Ctrl+F in the box selected %q, want all of it", got)
	}
}

// TestEnterBeforeResults checks that Enter typed right after a codice fiscale,
// before the pause that starts the search, opens the person.
func TestEnterBeforeResults(t *testing.T) {
	h := newHarness(t, Deps{})
	sh := h.enterAs(clerkUser)
	rs := sh.registry
	rs.debounce = time.Hour // the search starts only because of Enter
	test.Type(rs.search, h.fx.cf["Luca"])
	h.key(fyne.KeyReturn)
	h.waitFor("the record of Luca Rossi", func() bool { return rs.person.shown() })
	if got := rs.person.record.Person.Name; got != "Luca" {
		t.Errorf("opened %s, want Luca", got)
	}
	if !strings.Contains(rendered(rs.person.scroll), "Non ancora verificato presso l'Agenzia delle Entrate") {
		t.Error("Luca's codice fiscale, not verified, is not marked so")
	}
}

// TestRecordLayout pins the main window with a family open.
func TestRecordLayout(t *testing.T) {
	h := newHarness(t, Deps{})
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	h.waitFor("the record of Mario Rossi", func() bool { return rs.person.shown() })
	test.AssertRendersToMarkup(t, "registry_family.xml", h.win.Canvas())
}

// manyNamesakes answers every search with n people named Rossi, as a large
// register does for a common surname, at most limit of them.
type manyNamesakes struct {
	registry.Directory
	n int
}

func (m manyNamesakes) Search(_ context.Context, _ registry.Query, limit int) ([]registry.Match, error) {
	var out []registry.Match
	for i := range min(m.n, limit) {
		out = append(out, registry.Match{ID: int64(i + 1), Surname: "Rossi", Name: fmt.Sprintf("Persona %d", i+1), BirthDate: registry.NewDate(1970, 1, 1)})
	}
	return out, nil
}

// TestSearchSaysHowManyInAll: the summary tells exactly 50 from more than
// 50, and a text with nothing searchable in it still says nobody was found.
func TestSearchSaysHowManyInAll(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		people     int
		listed     int
		summary    string
	}{
		{"exactly fifty", "rossi", 50, 50, "Persone trovate: 50"},
		{"more than fifty", "rossi", 200, 50, "Più di 50 persone trovate: sono elencate le prime 50; aggiunga il nome o la data di nascita per restringere la ricerca"},
		{"only signs", `* " ( )`, 200, 0, "Nessuna persona trovata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessWith(t, Deps{}, func(d registry.Directory) registry.Directory { return manyNamesakes{d, tc.people} })
			h.enterAs(clerkUser)
			rs := h.typeSearch(tc.text)
			if len(rs.matches) != tc.listed {
				t.Errorf("%d listed, want %d", len(rs.matches), tc.listed)
			}
			if rs.summary.Text != tc.summary {
				t.Errorf("summary %q, want %q", rs.summary.Text, tc.summary)
			}
		})
	}
}
