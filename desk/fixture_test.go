package desk

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/access"
	"sportello/registry"
	"sportello/store"
)

// testNow is the desk's clock in the tests: a Thursday morning in Anagni.
var testNow = time.Date(2026, time.November, 26, 10, 30, 0, 0, registry.Rome)

// Clerks of the test register.
const (
	clerkUser    = "lneri"
	clerkName    = "Laura Neri"
	socialUser   = "pblu"
	socialName   = "Paolo Blu"
	testPassword = "sportello-2026"
)

// fixture is a register on a real store: the Rossi family (Mario, householder,
// married to Anna Bianchi, and their son Luca), Giulia Verdi, deceased and
// born in Morocco, and Maria Rossi, cancelled.
type fixture struct {
	store *store.Store
	cf    map[string]string // codice fiscale by first name
}

// The tests only read the register, so they share one fixture, made by the
// first test that needs it (bcrypt makes each clerk take a tenth of a second)
// and removed by TestMain.
var (
	sharedOnce sync.Once
	shared     *fixture
	sharedErr  error
	sharedDir  string
)

func sharedFixture(tb testing.TB) *fixture {
	tb.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "sportello-desk-test-")
		if sharedErr == nil {
			shared, sharedErr = newFixture(filepath.Join(sharedDir, "desk.db"))
		}
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}

// closeSharedFixture closes and removes the shared fixture, if made.
func closeSharedFixture() {
	if shared != nil {
		shared.store.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}

func newFixture(path string) (*fixture, error) { return newFixtureWith(path, nil) }

// newFixtureWith is newFixture with more households in the register.
func newFixtureWith(path string, more []registry.Household) (*fixture, error) {
	s, err := store.Open(path, store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		return nil, err
	}
	f := &fixture{store: s, cf: map[string]string{}}
	var failed error

	person := func(uid, surname, name string, sex registry.Sex, born registry.Date, place string, cs registry.CivilStatus, st registry.Status) registry.Person {
		cf, err := registry.ComputeCF(surname, name, sex, born, place)
		if err != nil && failed == nil {
			failed = fmt.Errorf("codice fiscale of %s: %w", name, err)
		}
		f.cf[name] = cf
		citizenship := registry.Italy
		if strings.HasPrefix(place, "Z") {
			citizenship = place
		}
		return registry.Person{UID: uid, CF: cf, CFChecked: name != "Luca", Surname: surname, Name: name, Sex: sex,
			BirthDate: born, BirthPlace: place, Citizenships: []string{citizenship}, CivilStatus: cs, Status: st}
	}
	roma12 := registry.Address{Toponym: "VIA", Street: "ROMA", HouseNumber: "12", Postcode: "03012", Place: "A269"}
	garibaldi := registry.Address{Toponym: "PIAZZA", Street: "GIUSEPPE GARIBALDI", HouseNumber: "3", Postcode: "03012", Place: "A269"}
	mario := person("p-mario", "Rossi", "Mario", registry.Male, registry.NewDate(1970, 3, 15), "A269", registry.Married, registry.Resident)
	anna := person("p-anna", "Bianchi", "Anna", registry.Female, registry.NewDate(1972, 7, 2), "H501", registry.Married, registry.Resident)
	luca := person("p-luca", "Rossi", "Luca", registry.Male, registry.NewDate(2005, 1, 20), "D810", registry.Single, registry.Resident)
	giulia := person("p-giulia", "Verdi", "Giulia", registry.Female, registry.NewDate(1950, 5, 5), "Z330", registry.Widowed, registry.Deceased)
	giulia.StatusSince = registry.NewDate(2020, 2, 2)
	maria := person("p-maria", "Rossi", "Maria", registry.Female, registry.NewDate(1980, 11, 11), "A269", registry.Single, registry.Cancelled)
	wedding := registry.NewDate(1998, 6, 20)

	households := []registry.Household{
		{
			Address: roma12,
			Members: []registry.Member{
				{Person: mario, Relationship: registry.Householder},
				{Person: anna, Relationship: registry.Spouse},
				{Person: luca, Relationship: registry.Child},
			},
			Residences: []registry.Residence{
				{PersonUID: "p-mario", Address: garibaldi, From: registry.NewDate(1970, 3, 15), To: registry.NewDate(1998, 6, 19)},
				{PersonUID: "p-mario", Address: roma12, From: wedding},
				{PersonUID: "p-anna", Address: roma12, From: wedding},
				{PersonUID: "p-luca", Address: roma12, From: registry.NewDate(2005, 1, 20)},
			},
			CivilEvents: []registry.CivilEvent{
				{PersonUID: "p-mario", Kind: registry.EventMarriage, Date: wedding, Place: "A269", OtherPersonUID: "p-anna"},
				{PersonUID: "p-anna", Kind: registry.EventMarriage, Date: wedding, Place: "A269", OtherPersonUID: "p-mario"},
			},
		},
		{
			Address: registry.Address{Toponym: "VIA", Street: "DEI GIGLI", HouseNumber: "5", Postcode: "03012", Place: "A269"},
			Members: []registry.Member{{Person: giulia, Relationship: registry.Householder}},
		},
		{Others: []registry.Person{maria}},
	}
	households = append(households, more...)
	seq := func(yield func(registry.Household, error) bool) {
		for _, h := range households {
			if !yield(h, nil) {
				return
			}
		}
	}
	if failed != nil {
		s.Close()
		return nil, failed
	}
	ctx := context.Background()
	if _, err := s.Load(ctx, iter.Seq2[registry.Household, error](seq), nil); err != nil {
		s.Close()
		return nil, err
	}
	for _, u := range []access.User{
		{Username: clerkUser, FullName: clerkName, Role: access.Clerk},
		{Username: socialUser, FullName: socialName, Role: access.SocialWorker},
	} {
		if _, err := s.CreateUser(ctx, "test", u, testPassword); err != nil {
			s.Close()
			return nil, err
		}
	}
	return f, nil
}

// uiQueue stands in for the UI goroutine: fyne.Do calls from the desk's
// goroutines queue here and the test runs them, so widgets are only ever
// touched by the test goroutine, as by the real driver's main goroutine.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// harness is a desk in a test window over a fixture.
type harness struct {
	t    *testing.T
	fx   *fixture
	q    *uiQueue
	win  fyne.Window
	desk *Desk
}

func newHarness(t *testing.T, deps Deps) *harness {
	t.Helper()
	return newHarnessWith(t, deps, nil)
}

// newHarnessWith is newHarness with the store's Directory wrapped by wrap.
func newHarnessWith(t *testing.T, deps Deps, wrap func(registry.Directory) registry.Directory) *harness {
	t.Helper()
	fx := sharedFixture(t)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	if deps.Office == (Office{}) {
		deps.Office = Office{Municipality: "Comune di Anagni", Office: "Sportello unico - Piazza Cavour", DeskCode: "D01"}
	}
	if deps.Now == nil {
		deps.Now = func() time.Time { return testNow }
	}
	deps.Directory, deps.Auth = fx.store, fx.store
	if wrap != nil {
		deps.Directory = wrap(fx.store)
	}
	h := &harness{t: t, fx: fx, q: &uiQueue{}, win: w}
	h.desk = newDesk(fyne.CurrentApp(), w, deps, h.q.do)
	t.Cleanup(func() {
		if h.desk.shell != nil {
			h.desk.onLogout() // stops the clock's goroutine
		}
	})
	return h
}

// waitFor runs the queued UI work until cond holds, failing after a few
// seconds: searches and logins finish in milliseconds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// login types the credentials and presses Enter in the password box.
func (h *harness) login(username, password string) {
	h.t.Helper()
	ls := h.desk.login
	test.Type(ls.username, username)
	h.win.Canvas().Focus(ls.password)
	test.Type(ls.password, password)
	h.key(fyne.KeyReturn)
}

// loginAs logs in through the login screen and waits for the main window.
func (h *harness) loginAs(username string) *shell {
	h.t.Helper()
	h.login(username, testPassword)
	h.waitFor("the main window", func() bool { return h.desk.shell != nil })
	return h.shortPause()
}

// enterAs opens the main window of a clerk of the register as a right login
// does, without the password check (bcrypt is slow under the race detector;
// TestLogin covers the check).
func (h *harness) enterAs(username string) *shell {
	h.t.Helper()
	users, err := h.fx.store.Users(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	i := slices.IndexFunc(users, func(u access.User) bool { return u.Username == username })
	if i < 0 {
		h.t.Fatalf("no clerk %s in the register", username)
	}
	h.desk.onLoggedIn(users[i])
	return h.shortPause()
}

// shortPause makes the search box wait testDebounce after the last key,
// unless the test sets another pause.
func (h *harness) shortPause() *shell {
	if rs := h.desk.shell.registry; rs != nil {
		rs.debounce = testDebounce
	}
	return h.desk.shell
}

// testDebounce is the search box's pause in the tests: test.Type types
// faster than any clerk, so a short pause still groups a word's letters.
const testDebounce = 20 * time.Millisecond

// key types a key to whatever has the focus, or to the window.
func (h *harness) key(name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	c := h.win.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if on := c.OnTypedKey(); on != nil {
		on(ev)
	}
}

// shortcut sends s as the desktop driver does: to the focused widget if it
// takes shortcuts, else to the window.
func (h *harness) shortcut(s fyne.Shortcut) {
	c := h.win.Canvas()
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	// The test canvas keeps the window's shortcuts in the software canvas
	// it wraps, and does not pass TypedShortcut through.
	inner := reflect.ValueOf(c).Elem().FieldByName("WindowlessCanvas").Interface()
	inner.(fyne.Shortcutable).TypedShortcut(s)
}

// typeSearch types text in the search box and waits for its results.
func (h *harness) typeSearch(text string) *registryScreen {
	h.t.Helper()
	rs := h.desk.shell.registry
	test.Type(rs.search, text)
	h.waitFor("the results of "+text, func() bool { return rs.shown == rs.query })
	return rs
}

// rendered is the markup of o, to look for the texts a clerk reads.
func rendered(o fyne.CanvasObject) string {
	return test.RenderObjectToMarkup(o)
}
