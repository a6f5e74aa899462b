package desk

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
)

// loginTimeout bounds a login: the password hash takes a tenth of a second,
// anything far longer is a stuck database.
const loginTimeout = 10 * time.Second

// loginScreen asks for the clerk's username and password.
type loginScreen struct {
	win    fyne.Window
	auth   access.Authenticator
	office Office
	demo   []DemoLogin
	do     func(func())
	done   func(access.User) // called on the UI goroutine after a right login

	username *widget.Entry
	password *widget.Entry
	submit   *widget.Button
	problem  *widget.Label // why the last attempt failed; hidden when none
	busy     *widget.ProgressBarInfinite
}

func newLoginScreen(win fyne.Window, auth access.Authenticator, office Office, demo []DemoLogin, do func(func()), done func(access.User)) *loginScreen {
	return &loginScreen{win: win, auth: auth, office: office, demo: demo, do: do, done: done}
}

func (s *loginScreen) buildUI() fyne.CanvasObject {
	s.username = &widget.Entry{PlaceHolder: lang.L("Username")}
	s.username.OnSubmitted = func(string) { s.win.Canvas().Focus(s.password) }
	s.password = &widget.Entry{Password: true, PlaceHolder: lang.L("Password")}
	s.password.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = &widget.Button{Text: lang.L("Log in"), Icon: theme.LoginIcon(), Importance: widget.HighImportance, OnTapped: s.onSubmit}
	s.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	s.problem.Hide()
	s.busy = widget.NewProgressBarInfinite()
	s.busy.Stop()
	s.busy.Hide()

	title := &widget.Label{Text: lang.X("app.title", "Sportello"), SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}}
	where := &widget.Label{Text: s.office.Municipality + "\n" + s.office.Office, Wrapping: fyne.TextWrapWord}
	form := container.NewVBox(
		title, where,
		widget.NewSeparator(),
		&widget.Label{Text: lang.L("Username"), TextStyle: fyne.TextStyle{Bold: true}}, s.username,
		&widget.Label{Text: lang.L("Password"), TextStyle: fyne.TextStyle{Bold: true}}, s.password,
		s.problem,
		s.submit,
		s.busy,
	)
	column := container.NewVBox(form)
	if len(s.demo) > 0 {
		column.Add(s.demoCard())
	}
	return container.NewVScroll(container.NewCenter(container.New(columnLayout{width: 420}, column)))
}

// demoCard lists the demo clerks' credentials; it exists only in demo mode.
func (s *loginScreen) demoCard() fyne.CanvasObject {
	rows := container.New(layout.NewFormLayout(),
		&widget.Label{Text: lang.L("Role"), TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: lang.L("Username") + " / " + lang.L("Password"), TextStyle: fyne.TextStyle{Bold: true}},
	)
	for _, d := range s.demo {
		rows.Add(&widget.Label{Text: roleName(access.Role(d.Role))})
		rows.Add(&widget.Label{Text: d.Username + " / " + d.Password, Selectable: true, TextStyle: fyne.TextStyle{Monospace: true}})
	}
	return widget.NewCard(lang.L("Demo clerks"),
		lang.L("This list appears only in demo mode: the data are synthetic."), rows)
}

// onSubmit checks the credentials off the UI goroutine; bcrypt takes a tenth
// of a second.
func (s *loginScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	username, password := strings.TrimSpace(s.username.Text), s.password.Text
	if username == "" || password == "" {
		s.showProblem(lang.L("Write your username and password"))
		return
	}
	s.setBusy(true)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		u, err := s.auth.Login(ctx, username, password)
		s.do(func() {
			s.setBusy(false)
			if err != nil {
				s.password.SetText("")
				s.showProblem(userMessage(err))
				return
			}
			s.done(u)
		})
	}()
}

func (s *loginScreen) setBusy(busy bool) {
	if busy {
		s.problem.Hide()
		s.submit.Disable()
		s.busy.Show()
		s.busy.Start()
		return
	}
	s.busy.Stop()
	s.busy.Hide()
	s.submit.Enable()
}

func (s *loginScreen) showProblem(text string) {
	s.problem.SetText(text)
	s.problem.Show()
}

// columnLayout gives its objects a fixed width (or their minimum, if wider)
// and their minimum height: a form column in the middle of a wide window.
type columnLayout struct{ width float32 }

func (l columnLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objects {
		if o.Visible() {
			min = min.Max(o.MinSize())
		}
	}
	return fyne.NewSize(max(min.Width, l.width), min.Height)
}

func (l columnLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
