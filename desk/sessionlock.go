package desk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
)

// sessionLock covers the desk after access.SessionIdle without activity, so
// a record left open is not read by the next person at the counter; the
// clerk's password (with the lockout rules) opens it again, or the clerk
// logs out. Activity is what the window shows of the clerk's work, sampled
// at every tick of the clock: the widget with the focus and its text, the
// search typed, the record open, the area shown.
type sessionLock struct {
	shell *shell
	now   func() time.Time
	idle  time.Duration

	last     time.Time // the last activity seen
	snapshot string    // what the activity signals read at the last tick

	popup    *widget.PopUp // shown while locked
	password *widget.Entry
	unlock   *widget.Button
	problem  *widget.Label
	busy     bool
}

func newSessionLock(s *shell) *sessionLock {
	return &sessionLock{shell: s, now: s.desk.now, idle: access.SessionIdle, last: s.desk.now()}
}

// signals is a digest of what changes while the clerk works.
func (l *sessionLock) signals() string {
	s := l.shell
	c := s.desk.win.Canvas()
	focus := fmt.Sprintf("%p", c.Focused())
	if e, ok := c.Focused().(*widget.Entry); ok {
		focus += e.Text
	}
	if rs := s.registry; rs != nil {
		focus += fmt.Sprintf("|%d|%d|%d", rs.query, rs.opening, rs.person.record.Person.Version)
		if rs.search != nil {
			focus += rs.search.Text
		}
	}
	return fmt.Sprintf("%s|%d|%d", focus, s.current, len(c.Overlays().List()))
}

// check runs at every tick: it notes activity, and locks after the idle time.
func (l *sessionLock) check() {
	if l.popup != nil {
		return
	}
	now := l.now()
	if sig := l.signals(); sig != l.snapshot {
		l.snapshot, l.last = sig, now
		return
	}
	if now.Sub(l.last) >= l.idle {
		l.lock()
	}
}

// lock covers the window until the clerk's password is typed.
func (l *sessionLock) lock() {
	s := l.shell
	l.password = widget.NewPasswordEntry()
	l.password.OnSubmitted = func(string) { l.onUnlock() }
	l.unlock = widget.NewButtonWithIcon(lang.L("Unlock"), theme.LoginIcon(), l.onUnlock)
	l.unlock.Importance = widget.HighImportance
	l.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	l.problem.Hide()
	logout := widget.NewButtonWithIcon(lang.L("Log out"), theme.LogoutIcon(), func() { l.close(); s.desk.onLogout() })
	content := container.NewVBox(
		&widget.Label{Text: lang.L("The desk is locked"), SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: lang.L("No activity for {{.Minutes}} minutes: {{.Name}} can go on with the password.",
			map[string]any{"Minutes": int(l.idle / time.Minute), "Name": s.user.FullName}), Wrapping: fyne.TextWrapWord},
		widget.NewForm(widget.NewFormItem(lang.L("Password"), l.password)),
		l.problem,
		container.NewHBox(logout, l.unlock),
	)
	l.popup = widget.NewModalPopUp(container.NewPadded(content), s.desk.win.Canvas())
	l.popup.Resize(fyne.NewSize(460, 0))
	l.popup.Show()
	s.desk.win.Canvas().Focus(l.password)
}

func (l *sessionLock) onUnlock() {
	if l.busy || l.popup == nil {
		return
	}
	l.busy = true
	s := l.shell
	password := l.password.Text
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		_, err := s.desk.deps.Auth.Login(ctx, s.user.Username, password)
		s.desk.do(func() {
			l.busy = false
			if l.popup == nil {
				return
			}
			if err != nil {
				l.password.SetText("")
				l.problem.SetText(userMessage(err))
				l.problem.Show()
				return
			}
			l.close()
			l.last = l.now()
		})
	}()
}

// close takes the cover away.
func (l *sessionLock) close() {
	if l.popup != nil {
		l.popup.Hide()
		l.popup = nil
	}
}

// locked reports whether the cover is shown.
func (l *sessionLock) locked() bool { return l.popup != nil }
