// Package desk is the clerk's window: the login, the main window with its
// top bar and left rail, and one file per screen (registry.go is the register
// search and the person view). It receives domain interfaces (the registry's
// Directory, the Authenticator) and never touches SQL or HTTP. Every string a
// clerk reads goes through Fyne's lang; the translations are in
// assets/translations.
package desk

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sportello/access"
	"sportello/queue"
	"sportello/registry"
)

// Office names the place the desk serves, for the login screen and the top bar.
type Office struct {
	Municipality string // "Comune di Anagni"
	Office       string // "Sportello unico - Piazza Cavour"
	DeskCode     string // "D01"
}

// DemoLogin is a demo clerk's credentials, listed on the login screen in demo
// mode only. Role is an access.Role ("clerk"), shown translated.
type DemoLogin struct {
	Username, Password, Role string
}

// Deps is what the desk needs from the rest of the program.
type Deps struct {
	Directory    registry.Directory   // search and records
	Registry     RegistryDesk         // the registry in depth (full record, edits, access and audit logs); nil for search and read only
	Auth         access.Authenticator // login
	Certificates CertificateDesk      // issuing certificates from a person's record; nil hides the button
	Queue        queue.Engine         // the in-person queue: the counter panel; nil hides it
	OwnQueue     queue.Engine         // the desk's own queue when Queue is the office's at a server, for when it does not answer; nil otherwise
	Visits       queue.Visits         // what each visit did: the desk's store; nil keeps no visits
	Appointments AppointmentDesk      // booking appointments; nil hides the area
	Social       SocialDesk           // the social desk's cases; nil hides the area
	Office       Office
	Demo         []DemoLogin // nil outside demo mode
	Sync         SyncDesk    // the link with the central server; nil: the desk is standalone
	Now          func() time.Time
}

// Desk is the window's controller: it shows the login, then the main window
// of the clerk who logged in, and the login again after a logout.
type Desk struct {
	app  fyne.App
	win  fyne.Window
	deps Deps

	// do runs f on the UI goroutine: fyne.Do, or a queue the tests drain.
	do   func(f func())
	now  func() time.Time
	tick time.Duration // how often the top bar's clock is updated

	login *loginScreen
	shell *shell // nil while nobody is logged in
}

// New sets the desk's theme and shows the login in w; the caller then runs
// the window.
func New(a fyne.App, w fyne.Window, d Deps) *Desk {
	return newDesk(a, w, d, fyne.Do)
}

func newDesk(a fyne.App, w fyne.Window, d Deps, do func(func())) *Desk {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	applyClerkPreferences(a)
	a.Settings().SetTheme(newDeskTheme())
	desk := &Desk{app: a, win: w, deps: d, do: do, now: now, tick: time.Second}
	w.SetTitle(lang.X("app.title", "Sportello") + " - " + d.Office.Municipality)
	desk.showLogin()
	return desk
}

// showLogin replaces the window's content with an empty login form.
func (d *Desk) showLogin() {
	d.login = newLoginScreen(d.win, d.deps.Auth, d.deps.Office, d.deps.Demo, d.do, d.onLoggedIn)
	d.win.SetContent(d.login.buildUI())
	d.win.Canvas().Focus(d.login.username)
}

// onLoggedIn opens the main window for the clerk.
func (d *Desk) onLoggedIn(u access.User) {
	d.login = nil
	d.shell = newShell(d, u)
	d.win.SetContent(d.shell.buildUI())
	d.shell.start()
}

// reopen builds the clerk's window again, on the settings area, after a
// change of language or look: every screen and theme override is made
// anew. The clerk stays logged in.
func (d *Desk) reopen() {
	d.app.Settings().SetTheme(newDeskTheme())
	if d.shell == nil {
		d.showLogin()
		return
	}
	u := d.shell.user
	d.shell.stop()
	d.onLoggedIn(u)
	for i, a := range d.shell.areas {
		if a.name == lang.L("Settings") {
			d.shell.show(i)
		}
	}
}

// onLogout closes the clerk's main window and shows the login again.
func (d *Desk) onLogout() {
	if d.shell != nil {
		d.shell.stop()
		d.shell = nil
	}
	d.showLogin()
}
