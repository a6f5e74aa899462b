package desk

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/registry"
	"sportello/store"
)

// Clerks the edit tests add to their own register.
const (
	registrarUser  = "gverdi"
	supervisorUser = "sbruno"
)

// newEditHarness is a desk with the registry in depth over a register of
// its own: the edit tests write to it.
func newEditHarness(t *testing.T) *harness {
	t.Helper()
	fx, err := newFixture(filepath.Join(t.TempDir(), "edit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fx.store.Close() })
	ctx := context.Background()
	for _, u := range []access.User{
		{Username: registrarUser, FullName: "Giorgio Verdi", Role: access.Registrar},
		{Username: supervisorUser, FullName: "Sara Bruno", Role: access.Supervisor},
	} {
		if _, err := fx.store.CreateUser(ctx, "test", u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	deps := Deps{
		Directory: fx.store, Registry: fx.store, Auth: fx.store, Social: fx.store,
		Office: Office{Municipality: "Comune di Anagni", Office: "Sportello unico", DeskCode: "D01"},
		Now:    func() time.Time { return testNow },
	}
	h := &harness{t: t, fx: fx, q: &uiQueue{}, win: w}
	h.desk = newDesk(fyne.CurrentApp(), w, deps, h.q.do)
	t.Cleanup(func() {
		if h.desk.shell != nil {
			h.desk.onLogout()
		}
	})
	return h
}

// openRecord searches text, opens the first found and, when the session
// has no purpose yet, answers the purpose dialog with the first purpose.
func (h *harness) openRecord(text string) *personView {
	h.t.Helper()
	rs := h.typeSearch(text)
	h.key(fyne.KeyReturn)
	pv := rs.person
	pd := pv.edits.purposes
	h.waitFor("the record or the purpose dialog", func() bool { return pv.shown() || pd.dialog != nil })
	if pd.dialog != nil {
		pd.choice.SetSelectedIndex(0)
		pd.dialog.Submit()
	}
	h.waitFor("the record of "+text, func() bool { return pv.shown() })
	return pv
}

// save submits the form opened last and waits for the store's answer.
func (h *harness) save(pv *personView) *editForm {
	h.t.Helper()
	f := pv.edits.form
	f.form.OnSubmit()
	h.waitFor("the edit's answer", func() bool { return !f.busy })
	return f
}

func (h *harness) record(name string) registry.Record {
	h.t.Helper()
	ms, err := h.fx.store.Search(context.Background(), registry.Query{CF: h.fx.cf[name]}, 1)
	if err != nil || len(ms) != 1 {
		h.t.Fatalf("search %s: %v %v", name, ms, err)
	}
	rec, err := h.fx.store.FullRecord(context.Background(), ms[0].ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return rec
}

func TestPurposeAskedOnceAndLogged(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	pv := rs.person
	pd := pv.edits.purposes

	// Cancelled: the record does not open and nothing is logged.
	h.waitFor("the purpose dialog", func() bool { return pd.dialog != nil })
	pd.dialog.Hide() // as Cancel does
	h.waitFor("the refusal", func() bool { return pv.empty.Visible() && pv.empty.Importance == 3 })
	if !strings.Contains(pv.empty.Text, "finalità") {
		t.Errorf("refusal %q", pv.empty.Text)
	}

	// Chosen: the record opens and the view is logged with the purpose.
	rs.onEscape()
	pv = h.openRecord("rossi mario")
	if !strings.Contains(pv.edits.purpose.Text, "Richiesta della persona allo sportello") {
		t.Errorf("purpose shown %q", pv.edits.purpose.Text)
	}
	// Another record of the same session: no dialog, logged too.
	pv.members[1].OnTapped()
	h.waitFor("Anna's record", func() bool { return pv.shown() && pv.record.Person.Name == "Anna" })
	if pd.dialog != nil {
		t.Error("the purpose was asked twice in one session")
	}
	log, err := h.fx.store.AccessLog(context.Background(), access.LogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].PersonName != "Bianchi Anna" || log[1].PersonName != "Rossi Mario" ||
		log[0].Operator != clerkUser || log[0].Purpose != access.PurposeCounter {
		t.Errorf("access log %+v", log)
	}

	// Change of purpose: the next record asks again.
	pv.edits.changePurpose.OnTapped()
	h.waitFor("the purpose dialog again", func() bool { return pd.dialog != nil })
	pd.choice.SetSelectedIndex(1)
	pd.dialog.Submit()
	h.waitFor("the view logged again", func() bool {
		log, _ := h.fx.store.AccessLog(context.Background(), access.LogFilter{})
		return len(log) == 3
	})
	if log, _ := h.fx.store.AccessLog(context.Background(), access.LogFilter{Limit: 1}); log[0].Purpose != access.PurposeCertificate {
		t.Errorf("after change, purpose %q", log[0].Purpose)
	}
}

func TestEditForms(t *testing.T) {
	tests := []struct {
		name  string
		user  string
		open  string // search text of the record
		tap   func(e *personEdits) *widget.Button
		fill  func(f any)
		check func(t *testing.T, h *harness)
	}{
		{
			name: "change of address", user: clerkUser, open: "rossi mario",
			tap: func(e *personEdits) *widget.Button { return e.address },
			fill: func(f any) {
				a := f.(*addressForm)
				a.toponym.SetSelected("PIAZZA")
				test.Type(a.street, "Cavour")
				test.Type(a.number, "2")
				a.from.SetText("01/10/2026")
			},
			check: func(t *testing.T, h *harness) {
				for _, name := range []string{"Mario", "Anna", "Luca"} {
					if got := h.record(name).Address.Line(); got != "Piazza Cavour 2" {
						t.Errorf("%s lives at %q", name, got)
					}
				}
			},
		},
		{
			name: "new family member", user: clerkUser, open: "rossi mario",
			tap: func(e *personEdits) *widget.Button { return e.member },
			fill: func(f any) {
				m := f.(*memberForm)
				test.Type(m.fields.surname, "Rossi")
				test.Type(m.fields.name, "Sofia")
				m.fields.sex.SetSelected(sexName(registry.Female))
				m.fields.born.SetText("02/11/2026")
				m.fields.place.SetText("Anagni")
				m.fields.compute.OnTapped()
				m.relationship.SetSelectedIndex(2) // child
			},
			check: func(t *testing.T, h *harness) {
				rec := h.record("Mario")
				if len(rec.Members) != 4 || rec.Members[3].Person.Name != "Sofia" || rec.Members[3].Person.CF != "RSSSFO26S42A269R" {
					t.Errorf("members %+v", rec.Members)
				}
			},
		},
		{
			name: "change of householder", user: clerkUser, open: "rossi mario",
			tap: func(e *personEdits) *widget.Button { return e.householder },
			fill: func(f any) {
				c := f.(*householderForm)
				c.next.SetSelectedIndex(0) // Anna
				c.former.SetSelectedIndex(0)
			},
			check: func(t *testing.T, h *harness) {
				rec := h.record("Anna")
				if rec.Members[0].Person.Name != "Anna" || rec.Members[0].Relationship != registry.Householder || rec.Members[1].Relationship != registry.Spouse {
					t.Errorf("members after the change %+v", rec.Members)
				}
			},
		},
		{
			name: "marriage links both", user: clerkUser, open: "rossi luca",
			tap: func(e *personEdits) *widget.Button { return e.civil },
			fill: func(f any) {
				c := f.(*civilEventForm)
				c.kind.SetSelectedIndex(0)
				c.date.SetText("12/09/2026")
				c.place.SetText("A269")
				test.Type(c.otherName, "Esposito Chiara")
			},
			check: func(t *testing.T, h *harness) {
				rec := h.record("Luca")
				if rec.Person.CivilStatus != registry.Married || len(rec.CivilEvents) != 1 || rec.CivilEvents[0].OtherName != "Esposito Chiara" {
					t.Errorf("after the marriage %+v %+v", rec.Person, rec.CivilEvents)
				}
			},
		},
		{
			name: "identity document", user: clerkUser, open: "rossi mario",
			tap: func(e *personEdits) *widget.Button { return e.document },
			fill: func(f any) {
				d := f.(*documentForm)
				test.Type(d.number, "CA00000AA")
				d.expires.SetText("15/03/2036")
			},
			check: func(t *testing.T, h *harness) {
				docs := h.record("Mario").Documents
				if len(docs) != 1 || docs[0].Kind != registry.DocCIE || docs[0].IssuedBy != "Comune di Anagni" {
					t.Errorf("documents %+v", docs)
				}
			},
		},
		{
			name: "registrar corrects personal data", user: registrarUser, open: "rossi luca",
			tap: func(e *personEdits) *widget.Button { return e.correct },
			fill: func(f any) {
				c := f.(*correctForm)
				c.fields.born.SetText("21/01/2005")
				c.fields.compute.OnTapped()
			},
			check: func(t *testing.T, h *harness) {
				rec, err := h.fx.store.Search(context.Background(), registry.Query{Words: []string{"rossi", "luca"}}, 1)
				if err != nil || len(rec) != 1 || rec[0].BirthDate != registry.NewDate(2005, 1, 21) {
					t.Errorf("after the correction %+v %v", rec, err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newEditHarness(t)
			h.enterAs(tc.user)
			pv := h.openRecord(tc.open)
			version := pv.record.Person.Version
			b := tc.tap(pv.edits)
			if b == nil {
				t.Fatal("the button is not offered")
			}
			test.Tap(b)
			tc.fill(pv.edits.opened)
			f := h.save(pv)
			if f.messages() != "" {
				t.Fatalf("refused: %s", f.messages())
			}
			h.waitFor("the record reopened", func() bool { return pv.shown() && pv.record.Person.Version > version || pv.record.Family.Version > 1 })
			tc.check(t, h)
			if _, err := h.fx.store.VerifyAudit(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestStaleEditRefused: a change saved by someone else after the record was
// opened makes the form's save a refusal that says so; nothing is
// overwritten and the form stays open.
func TestStaleEditRefused(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	test.Tap(pv.edits.document)
	d := pv.edits.opened.(*documentForm)
	test.Type(d.number, "CA11111AA")
	d.expires.SetText("15/03/2036")

	// Another desk records a document meanwhile.
	rec := h.record("Mario")
	other := registry.DocumentEdit{PersonID: rec.Person.ID, BaseVersion: rec.Person.Version,
		Document: registry.Document{Kind: registry.DocPassport, Number: "YA7654321", Expires: registry.NewDate(2031, 1, 1), IssuedBy: "Questura"}}
	if err := h.fx.store.AddDocument(context.Background(), access.User{Username: "other", Role: access.Clerk}, other); err != nil {
		t.Fatal(err)
	}
	f := h.save(pv)
	if !strings.Contains(f.problem.Text, "Qualcun altro") || f.saved {
		t.Errorf("stale save: problem %q, saved %t", f.messages(), f.saved)
	}
	if docs := h.record("Mario").Documents; len(docs) != 1 || docs[0].Number != "YA7654321" {
		t.Errorf("documents %+v", docs)
	}
}

// TestEditValidationInItalian: a refused edit says what to fix, in Italian,
// and leaves the form open.
func TestEditValidationInItalian(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	test.Tap(pv.edits.document)
	d := pv.edits.opened.(*documentForm)
	test.Type(d.number, "CA11111AA")
	d.expires.SetText("31/02/2030")
	if f := h.save(pv); !strings.Contains(f.messages(), "gg/mm/aaaa") {
		t.Errorf("bad date: %q", f.messages())
	}
	d.expires.SetText("01/01/2020")
	if f := h.save(pv); !strings.Contains(f.messages(), "scadenza") {
		t.Errorf("expiry before issue: %q", f.messages())
	}
}

func TestRoleRestrictions(t *testing.T) {
	h := newEditHarness(t)
	// a clerk edits but cannot correct personal data
	h.enterAs(clerkUser)
	e := h.openRecord("rossi mario").edits
	if e.address == nil || e.member == nil || e.householder == nil || e.civil == nil || e.document == nil {
		t.Error("a clerk lacks an edit form")
	}
	if e.correct != nil {
		t.Error("a clerk may correct personal data")
	}
	if names := areaNames(h.desk.shell); strings.Contains(names, "Registro degli accessi") {
		t.Errorf("a clerk sees the access log: %s", names)
	}
	h.desk.onLogout()

	// a registrar may correct
	h.enterAs(registrarUser)
	if e := h.openRecord("rossi mario").edits; e.correct == nil || e.address == nil {
		t.Error("a registrar lacks the correction or the edits")
	}
	h.desk.onLogout()

	// a supervisor reads, never edits, and has the access log
	h.enterAs(supervisorUser)
	if e := h.openRecord("rossi mario").edits; e.address != nil || e.correct != nil || e.document != nil {
		t.Error("a supervisor is offered an edit")
	}
	if names := areaNames(h.desk.shell); !strings.Contains(names, "Registro degli accessi") {
		t.Errorf("a supervisor lacks the access log: %s", names)
	}
	h.desk.onLogout()

	// a social worker sees no registry at all
	s := h.enterAs(socialUser)
	if s.registry != nil || strings.Contains(areaNames(s), "Anagrafe") {
		t.Errorf("a social worker sees the registry: %s", areaNames(s))
	}
	// and the store refuses them an edit whatever the screen does
	rec := h.record("Mario")
	err := h.fx.store.AddDocument(context.Background(), access.User{Username: socialUser, Role: access.SocialWorker},
		registry.DocumentEdit{PersonID: rec.Person.ID, BaseVersion: rec.Person.Version})
	if err == nil {
		t.Error("the store let a social worker edit")
	}
}

func areaNames(s *shell) string {
	var names []string
	for _, a := range s.areas {
		names = append(names, a.name)
	}
	return strings.Join(names, ", ")
}

func TestAccessLogScreen(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	test.Tap(pv.edits.document)
	d := pv.edits.opened.(*documentForm)
	test.Type(d.number, "CA22222AA")
	d.expires.SetText("15/03/2036")
	h.save(pv)
	h.desk.onLogout()

	s := newAccessLogScreen(h.fx.store, h.win, h.q.do)
	h.win.SetContent(s.buildUI())
	h.waitFor("the record views", func() bool { return len(s.rows) >= 1 })
	if got := s.rows[len(s.rows)-1]; got[1] != clerkUser || got[2] != "Rossi Mario" || got[4] != "Richiesta della persona allo sportello" {
		t.Errorf("first view %v", got)
	}
	// filter by another clerk: nothing
	test.Type(s.operator, "nessuno")
	test.Tap(s.search)
	h.waitFor("no entries", func() bool { return len(s.rows) == 0 })
	// the audit log, filtered by action
	s.operator.SetText("")
	s.subject.SetText("person.")
	s.which.SetSelected("Modifiche (registro delle operazioni)")
	h.waitFor("the audit log", func() bool { return s.kind == showAudit && len(s.rows) == 1 })
	if s.rows[0][2] != "person.add_document" || s.rows[0][1] != clerkUser {
		t.Errorf("audit row %v", s.rows[0])
	}
	var buf bytes.Buffer
	if err := s.writeCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Quando,Operatore,Azione") || !strings.Contains(lines[1], "person.add_document") {
		t.Errorf("CSV:\n%s", buf.String())
	}
	// a bad date says how to write it
	s.from.SetText("ieri")
	test.Tap(s.search)
	if !strings.Contains(s.summary.Text, "gg/mm/aaaa") {
		t.Errorf("bad date: %q", s.summary.Text)
	}
}

func TestAsAtView(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	pv := h.openRecord("rossi mario")
	e := pv.edits
	test.Type(e.asAt, "01/01/1990")
	test.Tap(e.asAtShow)
	h.waitFor("the record as at 1990", func() bool { return e.asAtTitle != nil })
	view := rendered(pv.scroll)
	for _, want := range []string{"01/01/1990", "Piazza Giuseppe Garibaldi 3", "Celibe"} {
		if !strings.Contains(view, want) {
			t.Errorf("the 1990 record lacks %q", want)
		}
	}
	if strings.Contains(view, "Rossi Luca") || e.address != nil {
		t.Error("the 1990 record shows Luca (born 2005) or an edit")
	}
	test.Tap(e.asAtBack)
	h.waitFor("today's record", func() bool { return e.asAtTitle == nil && pv.shown() && e.address != nil })
	if view := rendered(pv.scroll); !strings.Contains(view, "Via Roma 12") || !strings.Contains(view, "Rossi Luca") {
		t.Error("back to today does not show today's record")
	}
	// as-at views are logged too
	if log, _ := h.fx.store.AccessLog(context.Background(), access.LogFilter{}); len(log) != 3 {
		t.Errorf("%d views logged, want 3", len(log))
	}
}

func TestUsersScreen(t *testing.T) {
	h := newEditHarness(t)
	ctx := context.Background()
	admin := access.User{Username: "admin1", FullName: "Ada Admin", Role: access.Admin}
	if _, err := h.fx.store.CreateUser(ctx, "test", admin, testPassword); err != nil {
		t.Fatal(err)
	}
	s := h.enterAs("admin1")
	if names := areaNames(s); !strings.Contains(names, "Utenti") || !strings.Contains(names, "Registro degli accessi") {
		t.Fatalf("an administrator's areas: %s", names)
	}
	h.desk.onLogout()

	u := newUsersScreen(h.fx.store, admin, h.q.do)
	h.win.SetContent(u.buildUI())
	h.waitFor("the users", func() bool { return len(u.users) == 5 })

	// a new clerk; passwords that differ are refused first
	test.Type(u.username, "mbianchi")
	test.Type(u.fullName, "Marta Bianchi")
	test.Type(u.password, "password-lunga")
	test.Type(u.repeat, "password-lungA")
	test.Tap(u.create)
	if !strings.Contains(u.message.Text, "diverse") {
		t.Errorf("different passwords: %q", u.message.Text)
	}
	u.repeat.SetText("password-lunga")
	test.Tap(u.create)
	h.waitFor("the new user", func() bool { return len(u.users) == 6 })

	// lock her out, then unlock and promote her
	auth := h.fx.store.WithLockout()
	for range access.MaxFailedLogins {
		auth.Login(ctx, "mbianchi", "sbagliata")
	}
	u.reload("")
	h.waitFor("the lock", func() bool { return len(u.locked) == 1 })
	i := slices.IndexFunc(u.users, func(x access.User) bool { return x.Username == "mbianchi" })
	if !strings.Contains(u.rowText(i), "bloccato fino alle") {
		t.Errorf("row %q", u.rowText(i))
	}
	u.list.Select(i)
	test.Tap(u.unlock)
	h.waitFor("the unlock", func() bool { return len(u.locked) == 0 && strings.Contains(u.message.Text, "mbianchi") })
	u.list.Select(i)
	u.role.SetSelectedIndex(1) // registrar
	test.Tap(u.setRole)
	h.waitFor("the new role", func() bool { return strings.Contains(u.message.Text, "Ufficiale") })
	got, err := auth.Login(ctx, "mbianchi", "password-lunga")
	if err != nil || got.Role != access.Registrar {
		t.Errorf("login after the changes: %+v %v", got, err)
	}
	// an administrator cannot change their own role
	u.list.Select(slices.IndexFunc(u.users, func(x access.User) bool { return x.Username == "admin1" }))
	if !u.setRole.Disabled() {
		t.Error("an administrator may change their own role")
	}
}

// TestUsersScreenSaysWhenTheServerMustCheck: at a desk that syncs with a
// server, an administrator whose password the server did not check (a login
// offline) is told before trying that clerks cannot be changed; a login the
// server checked lets them.
func TestUsersScreenSaysWhenTheServerMustCheck(t *testing.T) {
	h := newEditHarness(t)
	ctx := context.Background()
	admin := access.User{Username: "admin1", FullName: "Ada Admin", Role: access.Admin}
	if _, err := h.fx.store.CreateUser(ctx, "test", admin, testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fx.store.SeeEpoch(ctx, "01JSERVEREPOCH0000000000000"); err != nil {
		t.Fatal(err)
	}
	u := newUsersScreen(h.fx.store, admin, h.q.do)
	h.win.SetContent(u.buildUI())
	h.waitFor("the warning", func() bool { return strings.Contains(u.message.Text, "verificata dal server") })
	if !u.create.Disabled() {
		t.Error("a new user can be created without a login the server checked")
	}
	u.list.Select(0)
	if !u.setPassword.Disabled() || !u.setRole.Disabled() {
		t.Error("a clerk can be changed without a login the server checked")
	}
	h.fx.store.RememberServerLogin(store.ServerLogin{Username: "admin1", Token: "signed-by-the-server", Expires: time.Now().Add(time.Hour)})
	u.reload("")
	h.waitFor("the change allowed", func() bool { return !u.create.Disabled() })
}

func TestLogoutClosesPurposeDialog(t *testing.T) {
	h := newEditHarness(t)
	h.enterAs(clerkUser)
	rs := h.typeSearch("rossi mario")
	h.key(fyne.KeyReturn)
	pd := rs.person.edits.purposes
	h.waitFor("the purpose dialog", func() bool { return pd.dialog != nil })
	h.desk.onLogout()
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Error("the purpose dialog stays over the login")
	}
	if pd.current() != "" {
		t.Error("a purpose was set without an answer")
	}
}

func TestSessionLock(t *testing.T) {
	h := newEditHarness(t)
	now := testNow
	h.desk.now = func() time.Time { return now }
	s := h.enterAs(clerkUser)
	s.onTick()
	// nine minutes of work: not locked
	now = now.Add(9 * time.Minute)
	h.typeSearch("rossi")
	s.onTick()
	now = now.Add(9 * time.Minute)
	s.onTick()
	if s.idle.locked() {
		t.Fatal("locked although the clerk typed nine minutes ago")
	}
	// ten minutes with nothing: locked
	now = now.Add(2 * time.Minute)
	s.onTick()
	if !s.idle.locked() {
		t.Fatal("not locked after ten idle minutes")
	}
	test.Type(s.idle.password, "sbagliata")
	test.Tap(s.idle.unlock)
	h.waitFor("the refusal", func() bool { return s.idle.problem.Visible() })
	if !s.idle.locked() {
		t.Fatal("a wrong password unlocked the desk")
	}
	test.Type(s.idle.password, testPassword)
	test.Tap(s.idle.unlock)
	h.waitFor("the unlock", func() bool { return !s.idle.locked() })
	if h.desk.shell != s {
		t.Error("the unlock changed the session")
	}
}
