package desk

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// UserAdmin manages the clerks who log in; the store implements it.
type UserAdmin interface {
	Users(ctx context.Context) ([]access.User, error)
	CreateUser(ctx context.Context, operator string, u access.User, password string) (access.User, error)
	SetRole(ctx context.Context, operator, username string, role access.Role) error
	SetPassword(ctx context.Context, operator, username, password string) error
	Unlock(ctx context.Context, operator, username string) error
	LockedUsers(ctx context.Context) (map[string]time.Time, error)
	// ClerkChangesAllowed says why operator may not change the clerks now
	// (a desk with a server: only after a login the server checked), nil
	// when they may.
	ClerkChangesAllowed(ctx context.Context, operator string) error
}

// roles lists the roles in the order the screen offers them.
var roles = []access.Role{access.Clerk, access.Registrar, access.SocialWorker, access.Supervisor, access.Admin}

// usersScreen is the administrator's screen: the users with their role and
// lock, a new user, and for the one selected a new role, a new password or
// the lifting of a lock.
type usersScreen struct {
	admin UserAdmin
	me    access.User
	do    func(func())

	list    *widget.List
	message *widget.Label

	// new user
	username, fullName, password, repeat *widget.Entry
	newRole                              *widget.Select
	create                               *widget.Button

	// the user selected
	selectedName *widget.Label
	role         *widget.Select
	setRole      *widget.Button
	newPassword  *widget.Entry
	setPassword  *widget.Button
	unlock       *widget.Button

	users    []access.User
	locked   map[string]time.Time
	selected int // index in users, -1 for none
	busy     bool
	// cannot is why the clerks cannot be changed from this desk now (no
	// login checked by the server); nil when they can.
	cannot error
}

func newUsersScreen(admin UserAdmin, me access.User, do func(func())) *usersScreen {
	return &usersScreen{admin: admin, me: me, do: do, selected: -1}
}

func roleNames() []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleName(r)
	}
	return names
}

func (s *usersScreen) buildUI() fyne.CanvasObject {
	s.list = widget.NewList(
		func() int { return len(s.users) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rowText(id)) },
	)
	s.list.OnSelected = s.onSelect
	s.message = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}

	s.username, s.fullName = widget.NewEntry(), widget.NewEntry()
	s.password, s.repeat = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	s.newRole = newSelect(roleNames(), nil)
	s.newRole.SetSelectedIndex(0)
	s.create = widget.NewButtonWithIcon(lang.L("Create user"), theme.ContentAddIcon(), s.onCreate)
	newUser := widget.NewForm(
		widget.NewFormItem(lang.L("Username"), s.username),
		widget.NewFormItem(lang.L("Full name"), s.fullName),
		widget.NewFormItem(lang.L("Role"), s.newRole),
		widget.NewFormItem(lang.L("Password"), s.password),
		widget.NewFormItem(lang.L("Repeat the password"), s.repeat),
	)

	s.selectedName = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
	s.role = newSelect(roleNames(), nil)
	s.setRole = widget.NewButton(lang.L("Change role"), s.onSetRole)
	s.newPassword = widget.NewPasswordEntry()
	s.setPassword = widget.NewButton(lang.L("Set password"), s.onSetPassword)
	s.unlock = widget.NewButtonWithIcon(lang.L("Unlock"), theme.ConfirmIcon(), s.onUnlock)
	selected := container.NewVBox(s.selectedName,
		container.NewBorder(nil, nil, nil, s.setRole, s.role),
		container.NewBorder(nil, nil, nil, s.setPassword, s.newPassword),
		s.unlock)
	s.enableSelected(false)

	right := container.NewVBox(
		section(lang.L("New user"), container.NewVBox(newUser, s.create)),
		section(lang.L("User selected"), selected),
		s.message,
	)
	split := container.NewHSplit(s.list, container.NewVScroll(container.NewPadded(right)))
	split.Offset = 0.45
	s.reload("")
	return split
}

func (s *usersScreen) rowText(i int) string {
	u := s.users[i]
	text := u.Username + " · " + u.FullName + " · " + roleName(u.Role)
	if until, ok := s.locked[strings.ToLower(u.Username)]; ok {
		text += " · " + lang.L("locked until {{.Time}}", map[string]any{"Time": until.In(registry.Rome).Format("15:04")})
	}
	return text
}

func (s *usersScreen) enableSelected(on bool) {
	for _, w := range []fyne.Disableable{s.role, s.setRole, s.newPassword, s.setPassword, s.unlock} {
		if on && (s.cannot == nil || w == s.unlock) {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

func (s *usersScreen) onSelect(id widget.ListItemID) {
	s.selected = id
	u := s.users[id]
	s.selectedName.SetText(u.FullName + " (" + u.Username + ")")
	s.role.SetSelectedIndex(slices.Index(roles, u.Role))
	s.newPassword.SetText("")
	s.enableSelected(true)
	if _, locked := s.locked[strings.ToLower(u.Username)]; !locked {
		s.unlock.Disable()
	}
	if s.cannot != nil || strings.EqualFold(u.Username, s.me.Username) {
		s.role.Disable()
		s.setRole.Disable()
	}
}

// run does an administration step off the UI goroutine, then reloads the
// list and says how it went.
func (s *usersScreen) run(done string, f func(ctx context.Context) error) {
	if s.busy {
		return
	}
	s.busy = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		err := f(ctx)
		s.do(func() {
			s.busy = false
			if err != nil {
				s.say(userMessage(err), widget.DangerImportance)
				return
			}
			s.reload(done)
		})
	}()
}

func (s *usersScreen) say(text string, importance widget.Importance) {
	s.message.Importance = importance
	s.message.SetText(text)
}

// reload reads the users and locks again; done, if not "", is said after.
func (s *usersScreen) reload(done string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		users, err := s.admin.Users(ctx)
		var locked map[string]time.Time
		if err == nil {
			locked, err = s.admin.LockedUsers(ctx)
		}
		cannot := s.admin.ClerkChangesAllowed(ctx, s.me.Username)
		if cannot != nil && fault.Code(cannot) == fault.Internal && err == nil {
			err = cannot
		}
		s.do(func() {
			if err != nil {
				s.say(userMessage(err), widget.DangerImportance)
				return
			}
			s.users, s.locked, s.cannot = users, locked, cannot
			if cannot != nil {
				s.create.Disable()
			} else {
				s.create.Enable()
			}
			s.selected = -1
			s.list.UnselectAll()
			s.list.Refresh()
			s.enableSelected(false)
			s.selectedName.SetText("")
			switch {
			case done != "":
				s.say(done, widget.SuccessImportance)
			case cannot != nil:
				// Said before the administrator tries.
				s.say(userMessage(cannot), widget.WarningImportance)
			}
		})
	}()
}

func (s *usersScreen) onCreate() {
	if s.password.Text != s.repeat.Text {
		s.say(userMessage(fault.New(fault.Invalid, "The two passwords differ", nil)), widget.DangerImportance)
		return
	}
	u := access.User{Username: s.username.Text, FullName: s.fullName.Text, Role: roles[max(s.newRole.SelectedIndex(), 0)]}
	password := s.password.Text
	s.run(lang.L("User {{.Username}} created", map[string]any{"Username": strings.TrimSpace(u.Username)}), func(ctx context.Context) error {
		_, err := s.admin.CreateUser(ctx, s.me.Username, u, password)
		if err == nil {
			s.do(func() {
				for _, e := range []*widget.Entry{s.username, s.fullName, s.password, s.repeat} {
					e.SetText("")
				}
			})
		}
		return err
	})
}

func (s *usersScreen) selectedUser() (access.User, bool) {
	if s.selected < 0 || s.selected >= len(s.users) {
		return access.User{}, false
	}
	return s.users[s.selected], true
}

func (s *usersScreen) onSetRole() {
	u, ok := s.selectedUser()
	i := s.role.SelectedIndex()
	if !ok || i < 0 {
		return
	}
	role := roles[i]
	s.run(lang.L("{{.Username}} is now {{.Role}}", map[string]any{"Username": u.Username, "Role": roleName(role)}), func(ctx context.Context) error {
		return s.admin.SetRole(ctx, s.me.Username, u.Username, role)
	})
}

func (s *usersScreen) onSetPassword() {
	u, ok := s.selectedUser()
	if !ok {
		return
	}
	password := s.newPassword.Text
	s.run(lang.L("New password set for {{.Username}}", map[string]any{"Username": u.Username}), func(ctx context.Context) error {
		return s.admin.SetPassword(ctx, s.me.Username, u.Username, password)
	})
}

func (s *usersScreen) onUnlock() {
	u, ok := s.selectedUser()
	if !ok {
		return
	}
	s.run(lang.L("{{.Username}} can log in again", map[string]any{"Username": u.Username}), func(ctx context.Context) error {
		return s.admin.Unlock(ctx, s.me.Username, u.Username)
	})
}

// usersArea is the administrator's users screen as an area of the rail.
func usersArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Registry == nil || !u.Role.CanManageUsers() {
		return area{}, false
	}
	s := newUsersScreen(d.deps.Registry, u, d.do)
	return area{name: lang.L("Users"), icon: theme.AccountIcon(), content: s.buildUI()}, true
}
