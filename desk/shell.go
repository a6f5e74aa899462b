package desk

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/registry"
)

// clockLayout is how the top bar shows the time, in Europe/Rome.
const clockLayout = "02/01/2006 15:04:05"

// focusSearchShortcut is Ctrl+F (Cmd+F on macOS): put the cursor in the
// register's search box from anywhere in the window.
var focusSearchShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}

// shell is the main window of a logged-in clerk: the top bar, the left rail
// with the areas the role may use and the logout, and the work in the centre.
type shell struct {
	desk *Desk
	user access.User

	clock    *widget.Label
	sync     *widget.Label
	download *widget.ProgressBar // the first download of the register
	// syncScreen shows the conflicts and refused changes; nil standalone.
	syncScreen *syncScreen
	ticks      int // clock ticks since the shell started
	clerk      *widget.Label
	registry   *registryScreen // nil when the role may not use the register
	counter    *counterPanel   // the queue on the right; nil when the role serves no counter
	areas      []area          // the areas the role may use, in rail order
	buttons    []*widget.Button
	centre     *fyne.Container // holds the content of the area shown
	current    int             // index in areas of the area shown
	// registryArea is the index of the register in areas, for Ctrl+F.
	registryArea int
	logout       *widget.Button
	noArea       *widget.Label // shown instead of the work when the role has no area yet

	stopClock chan struct{}
	idle      *sessionLock // locks the desk after a time without activity
}

// area is one entry of the left rail and the screen it shows in the centre.
type area struct {
	name    string
	icon    fyne.Resource
	content fyne.CanvasObject
	onShow  func() // puts the focus where the clerk starts; may be nil
}

func newShell(d *Desk, u access.User) *shell {
	s := &shell{desk: d, user: u}
	if u.Role.CanUseRegistry() {
		dir, edits := registryDepth(d, u)
		s.registry = newRegistryScreen(dir, d.win, d.do, d.now)
		if edits != nil {
			s.registry.person.enableEdits(edits)
		}
		s.registry.person.onCertificate = certificateLauncher(d, u)
		if sd := d.deps.Social; sd != nil {
			s.registry.person.do = d.do
			s.registry.person.socialCase = func(uid string) bool {
				has, err := sd.PersonHasSocialCase(context.Background(), u, uid)
				return err == nil && has
			}
		}
	}
	s.counter = counterPanelFor(d, u)
	return s
}

// buildAreas makes the screens of the areas the role may use. Each later
// area (certificates, queue statistics, administration...) adds its entry
// here, guarded by what the role may do.
func (s *shell) buildAreas() {
	if s.registry != nil {
		s.registryArea = len(s.areas)
		s.areas = append(s.areas, area{name: lang.L("Registry"), icon: theme.AccountIcon(), content: s.registry.buildUI(), onShow: s.registry.focusSearch})
	}
	// In rail order; a social worker starts at the social desk.
	for _, build := range []func(*Desk, access.User) (area, bool){
		socialArea, cfCalcArea, accessLogArea, appointmentsArea, officeArea, queueStatsArea,
		officeSetupArea, certificateArea, usersArea, settingsArea,
	} {
		if a, ok := build(s.desk, s.user); ok {
			s.areas = append(s.areas, a)
		}
	}
	if a, screen, ok := syncArea(s.desk, s.user); ok {
		s.syncScreen = screen
		s.areas = append(s.areas, a)
	}
}

func (s *shell) buildUI() fyne.CanvasObject {
	s.buildAreas()
	work := s.work()
	return container.NewBorder(s.topBar(), nil, s.rail(), s.counter.ui(), work)
}

// topBar shows where, who, the sync state and the time, white on PA blue.
func (s *shell) topBar() fyne.CanvasObject {
	office := s.desk.deps.Office
	place := &widget.Label{Text: office.Municipality, TextStyle: fyne.TextStyle{Bold: true}}
	where := office.Office
	if office.DeskCode != "" {
		where += " · " + lang.L("Desk {{.Code}}", map[string]any{"Code": office.DeskCode})
	}
	s.sync = &widget.Label{Text: lang.L("Standalone: no central server")}
	s.download = widget.NewProgressBar()
	s.download.Hide()
	if s.desk.deps.Sync != nil {
		s.showSync(s.desk.deps.Sync.View())
	}
	s.clerk = &widget.Label{Text: s.user.FullName + " · " + roleName(s.user.Role), TextStyle: fyne.TextStyle{Bold: true}}
	s.clock = &widget.Label{Text: s.clockText(), TextStyle: fyne.TextStyle{Monospace: true}}

	// The office's name gives way (shortened with an ellipsis) on a narrow
	// screen: the bar never makes the window wider than the screen.
	bar := container.NewBorder(nil, nil, place,
		container.NewHBox(
			widget.NewIcon(theme.StorageIcon()), s.sync, s.download,
			widget.NewSeparator(),
			widget.NewIcon(theme.AccountIcon()), s.clerk,
			widget.NewSeparator(),
			s.clock,
		),
		&widget.Label{Text: where, Truncation: fyne.TextTruncateEllipsis},
	)
	background := canvas.NewRectangle(paBlue)
	return container.NewThemeOverride(container.NewStack(background, container.NewPadded(bar)), barTheme{newDeskTheme()})
}

// rail lists the areas the role may use, and the logout at the bottom.
// Only areas that work are listed.
func (s *shell) rail() fyne.CanvasObject {
	buttons := container.NewVBox()
	for i, a := range s.areas {
		b := &widget.Button{Text: a.name, Icon: a.icon, Alignment: widget.ButtonAlignLeading, OnTapped: func() { s.show(i) }}
		if i == s.current {
			b.Importance = widget.HighImportance
		}
		s.buttons = append(s.buttons, b)
		buttons.Add(b)
	}
	s.logout = &widget.Button{Text: lang.L("Log out"), Icon: theme.LogoutIcon(), Alignment: widget.ButtonAlignLeading, OnTapped: s.desk.onLogout}
	return container.NewHBox(
		container.NewPadded(container.NewBorder(buttons, s.logout, nil, nil)),
		widget.NewSeparator(),
	)
}

// work is the centre: the first area the role may use, otherwise a message
// that says why nothing is there.
func (s *shell) work() fyne.CanvasObject {
	s.centre = container.NewStack()
	if len(s.areas) > 1 { // more than the clerk's own settings
		s.show(0)
		return s.centre
	}
	s.noArea = &widget.Label{
		Text: lang.L("No area of this desk is available to the role {{.Role}}: ask the supervisor for what you need.",
			map[string]any{"Role": roleName(s.user.Role)}),
		Wrapping:  fyne.TextWrapWord,
		Alignment: fyne.TextAlignCenter,
	}
	s.current = -1
	s.centre.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(layout.NewSpacer(), s.noArea, layout.NewSpacer()))}
	return s.centre
}

// show puts area i in the centre and marks its rail button.
func (s *shell) show(i int) {
	s.current = i
	s.centre.Objects = []fyne.CanvasObject{s.areas[i].content}
	s.centre.Refresh()
	for j, b := range s.buttons {
		b.Importance = widget.MediumImportance
		if j == i {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	if s.areas[i].onShow != nil {
		s.areas[i].onShow()
	}
}

// start runs the clock and binds the window's shortcuts; stop undoes both.
func (s *shell) start() {
	c := s.desk.win.Canvas()
	if s.registry != nil {
		c.AddShortcut(focusSearchShortcut, func(fyne.Shortcut) { s.onRegistry() })
		c.SetOnTypedKey(s.registry.onWindowKey)
		s.registry.focusSearch()
	}
	s.counter.begin()
	if s.registry != nil && s.counter != nil {
		s.registry.search.onOther = s.counter.onKey
	}
	s.idle = newSessionLock(s)
	stop := make(chan struct{})
	s.stopClock = stop
	go func() {
		t := time.NewTicker(s.desk.tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.desk.do(s.onTick)
			}
		}
	}()
}

func (s *shell) stop() {
	close(s.stopClock)
	s.idle.close()
	s.counter.end()
	c := s.desk.win.Canvas()
	c.RemoveShortcut(focusSearchShortcut)
	c.SetOnTypedKey(nil)
	if s.registry != nil {
		s.registry.close()
		s.registry.person.closeEdits()
	}
}

func (s *shell) onTick() {
	s.clock.SetText(s.clockText())
	s.idle.check()
	s.ticks++
	if s.desk.deps.Sync != nil && s.ticks%syncEvery == 0 {
		go func() {
			v := s.desk.deps.Sync.View()
			s.desk.do(func() { s.showSync(v) })
		}()
	}
}

// showSync puts the sync state in the top bar, with a progress bar while
// the register downloads.
func (s *shell) showSync(v SyncView) {
	s.sync.SetText(v.Text())
	if s.syncScreen != nil && s.syncScreen.state != nil {
		s.syncScreen.state.SetText(v.Text())
	}
	if v.Downloading() {
		s.download.SetValue(v.Download)
		s.download.Show()
	} else {
		s.download.Hide()
	}
}

// syncEvery is how many clock ticks pass between two reads of the sync state.
const syncEvery = 5

// onRegistry shows the register with the cursor in its search box.
func (s *shell) onRegistry() {
	if s.current != s.registryArea {
		s.show(s.registryArea)
		return
	}
	s.registry.focusSearch()
}

func (s *shell) clockText() string {
	return s.desk.now().In(registry.Rome).Format(clockLayout)
}
