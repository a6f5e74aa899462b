package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/queue"
)

// OfficeSetup is what the office set-up screen needs: the services with
// their numbers, hours and counters, the counters, and the queue settings.
// The store implements it.
type OfficeSetup interface {
	QueueOffice(ctx context.Context) (queue.Office, error)
	ServiceSetups(ctx context.Context) ([]queue.ServiceSetup, error)
	SaveServiceSetup(ctx context.Context, operator string, s queue.ServiceSetup) (queue.ServiceSetup, error)
	SaveCounter(ctx context.Context, operator string, c queue.Counter) (queue.Counter, error)
	QueueSettings(ctx context.Context) (queue.Settings, error)
	SaveQueueSettings(ctx context.Context, operator string, s queue.Settings) (queue.Settings, error)
}

// officeSetupArea is the office set-up, for the roles that may set it up,
// on a desk whose queue keeps its set-up.
func officeSetupArea(d *Desk, u access.User) (area, bool) {
	setup, ok := d.deps.Queue.(OfficeSetup)
	if !ok || !u.Role.CanSetUpOffice() {
		return area{}, false
	}
	s := newOfficeSetupScreen(setup, u.Username, d.do)
	return area{name: lang.L("Office set-up"), icon: theme.SettingsIcon(), content: container.NewScroll(s.buildUI()), onShow: s.onLoad}, true
}

// weekdays in the order the form lists them, Monday first.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// officeSetupScreen edits the queue's set-up: each service (name, prefix,
// daily numbers, cap, opening hours per weekday, slot length, the counters
// that call it), each counter (name, the services it calls) and the calling
// policy with the statistics' threshold and the board's chime. Every save
// is checked by the store; a refused one changes nothing and says why.
type officeSetupScreen struct {
	setup    OfficeSetup
	operator string
	do       func(func())

	serviceList *widget.List
	svCode      *widget.Entry
	svName      *widget.Entry
	svFirst     *widget.Entry
	svLast      *widget.Entry
	svCap       *widget.Entry
	svPosition  *widget.Entry
	svSlot      *widget.Entry
	svOpen      *widget.Check
	svHours     []*widget.Entry // one per weekday, "08:30-12:30, 14:00-16:00"
	svCounters  *widget.CheckGroup
	saveService *widget.Button

	counterList  *widget.List
	ctCode       *widget.Entry
	ctName       *widget.Entry
	ctServices   *widget.CheckGroup
	saveCounter  *widget.Button
	priorityRun  *widget.Entry
	maxWait      *widget.Entry
	window       *widget.Entry
	within       *widget.Entry
	chime        *widget.Check
	saveSettings *widget.Button

	message *widget.Label
	problem *widget.Label

	// Touched on the UI goroutine only.
	services []queue.ServiceSetup
	counters []queue.Counter
	settings queue.Settings
	service  int // index in services of the one edited, -1 for a new one
	counter  int // index in counters of the one edited, -1 for a new one
	// The codes of the service and counter to show once the set-up is read
	// again; "" keeps the indexes.
	serviceCode, counterCode string
}

func newOfficeSetupScreen(setup OfficeSetup, operator string, do func(func())) *officeSetupScreen {
	return &officeSetupScreen{setup: setup, operator: operator, do: do} // the first service and counter shown
}

func (s *officeSetupScreen) buildUI() fyne.CanvasObject {
	s.message = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance}
	s.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.message.Hide()
	s.problem.Hide()
	tabs := container.NewAppTabs(
		container.NewTabItem(lang.L("Services"), s.servicesUI()),
		container.NewTabItem(lang.L("Counters"), s.countersUI()),
		container.NewTabItem(lang.L("Calling policy"), s.policyUI()),
	)
	return container.NewBorder(container.NewPadded(container.NewVBox(s.message, s.problem)), nil, nil, nil, tabs)
}

func (s *officeSetupScreen) servicesUI() fyne.CanvasObject {
	s.serviceList = widget.NewList(func() int { return len(s.services) },
		func() fyne.CanvasObject { return widget.NewLabel("A  Sportello sociale - PUA") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(s.services[i].Service.Code + "  " + s.services[i].Service.Name)
		})
	s.serviceList.OnSelected = func(i widget.ListItemID) { s.showService(i) }
	newService := widget.NewButtonWithIcon(lang.L("New service"), theme.ContentAddIcon(), func() {
		s.serviceList.UnselectAll()
		s.showService(-1)
	})
	s.svCode, s.svName = widget.NewEntry(), widget.NewEntry()
	s.svCode.PlaceHolder = "A"
	s.svFirst, s.svLast, s.svCap, s.svPosition, s.svSlot = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.svOpen = widget.NewCheck(lang.L("Offered at the kiosk"), nil)
	s.svCounters = widget.NewCheckGroup(nil, nil)
	s.svCounters.Horizontal = true
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Prefix"), s.svCode),
		widget.NewFormItem(lang.L("Name"), s.svName),
		widget.NewFormItem(lang.L("First number"), s.svFirst),
		widget.NewFormItem(lang.L("Last number"), s.svLast),
		widget.NewFormItem(lang.L("Tickets a day at most"), s.svCap),
		widget.NewFormItem(lang.L("Order on the kiosk"), s.svPosition),
		widget.NewFormItem("", s.svOpen),
		widget.NewFormItem(lang.L("Appointment length (minutes)"), s.svSlot),
		widget.NewFormItem(lang.L("Called at"), s.svCounters),
	)
	hours := widget.NewForm()
	for _, wd := range weekdays {
		e := widget.NewEntry()
		e.PlaceHolder = lang.L("closed")
		s.svHours = append(s.svHours, e)
		hours.Append(weekdayName(wd), e)
	}
	s.saveService = widget.NewButtonWithIcon(lang.L("Save the service"), theme.DocumentSaveIcon(), s.onSaveService)
	s.saveService.Importance = widget.HighImportance
	right := container.NewBorder(nil, s.saveService, nil, nil, container.NewVScroll(container.NewVBox(form,
		&widget.Label{Text: lang.L("Opening hours (for example 08:30-12:30, 14:00-16:00)"), TextStyle: fyne.TextStyle{Bold: true}},
		hours)))
	split := container.NewHSplit(container.NewBorder(nil, newService, nil, nil, s.serviceList), container.NewPadded(right))
	split.Offset = 0.3
	return split
}

func (s *officeSetupScreen) countersUI() fyne.CanvasObject {
	s.counterList = widget.NewList(func() int { return len(s.counters) },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello 10") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.counters[i].Name) })
	s.counterList.OnSelected = func(i widget.ListItemID) { s.showCounter(i) }
	newCounter := widget.NewButtonWithIcon(lang.L("New counter"), theme.ContentAddIcon(), func() {
		s.counterList.UnselectAll()
		s.showCounter(-1)
	})
	s.ctCode, s.ctName = widget.NewEntry(), widget.NewEntry()
	s.ctServices = widget.NewCheckGroup(nil, nil)
	s.saveCounter = widget.NewButtonWithIcon(lang.L("Save the counter"), theme.DocumentSaveIcon(), s.onSaveCounter)
	s.saveCounter.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Code"), s.ctCode),
		widget.NewFormItem(lang.L("Name"), s.ctName),
		widget.NewFormItem(lang.L("Services it calls"), s.ctServices),
	)
	split := container.NewHSplit(container.NewBorder(nil, newCounter, nil, nil, s.counterList),
		container.NewPadded(container.NewVBox(form, s.saveCounter)))
	split.Offset = 0.3
	return split
}

func (s *officeSetupScreen) policyUI() fyne.CanvasObject {
	s.priorityRun, s.maxWait, s.window, s.within = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.chime = widget.NewCheck(lang.L("Boards chime on each call"), nil)
	s.saveSettings = widget.NewButtonWithIcon(lang.L("Save the policy"), theme.DocumentSaveIcon(), s.onSaveSettings)
	s.saveSettings.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Priority calls in a row at most (0: no limit)"), s.priorityRun),
		widget.NewFormItem(lang.L("Maximum wait, then called first (minutes, 0: off)"), s.maxWait),
		widget.NewFormItem(lang.L("Appointment window (minutes before and after)"), s.window),
		widget.NewFormItem(lang.L("Service level: first called within (minutes)"), s.within),
		widget.NewFormItem("", s.chime),
	)
	return container.NewPadded(container.NewVBox(form, s.saveSettings))
}

func weekdayName(wd time.Weekday) string {
	return [...]string{lang.L("Sunday"), lang.L("Monday"), lang.L("Tuesday"), lang.L("Wednesday"), lang.L("Thursday"), lang.L("Friday"), lang.L("Saturday")}[wd]
}

// onLoad reads the set-up off the UI goroutine and shows it.
func (s *officeSetupScreen) onLoad() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		services, err := s.setup.ServiceSetups(ctx)
		var office queue.Office
		var settings queue.Settings
		if err == nil {
			office, err = s.setup.QueueOffice(ctx)
		}
		if err == nil {
			settings, err = s.setup.QueueSettings(ctx)
		}
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.loaded(services, office.Counters, settings)
		})
	}()
}

// loaded shows what was read, keeping the service and counter edited.
func (s *officeSetupScreen) loaded(services []queue.ServiceSetup, counters []queue.Counter, settings queue.Settings) {
	s.services, s.counters, s.settings = services, counters, settings
	var codes, names []string
	for _, c := range counters {
		codes = append(codes, c.Code)
	}
	for _, sv := range services {
		names = append(names, sv.Service.Code)
	}
	s.svCounters.Options = codes
	s.svCounters.Refresh()
	s.ctServices.Options = names
	s.ctServices.Refresh()
	s.serviceList.Refresh()
	s.counterList.Refresh()
	if s.serviceCode != "" {
		s.service = slices.IndexFunc(services, func(ss queue.ServiceSetup) bool { return ss.Service.Code == s.serviceCode })
	}
	if s.counterCode != "" {
		s.counter = slices.IndexFunc(counters, func(c queue.Counter) bool { return c.Code == s.counterCode })
	}
	s.serviceCode, s.counterCode = "", ""
	s.showService(min(s.service, len(services)-1))
	s.showCounter(min(s.counter, len(counters)-1))
	if s.service >= 0 {
		s.serviceList.Select(s.service) // the highlight follows the form
	}
	if s.counter >= 0 {
		s.counterList.Select(s.counter)
	}
	s.priorityRun.SetText(strconv.Itoa(settings.PriorityRun))
	s.maxWait.SetText(strconv.Itoa(int(settings.MaxWait / time.Minute)))
	s.window.SetText(strconv.Itoa(int(settings.AppointmentWindow / time.Minute)))
	s.within.SetText(strconv.Itoa(int(settings.Within / time.Minute)))
	s.chime.SetChecked(settings.Chime)
}

// showService fills the service form with services[i], or empty for a new
// service (i < 0). The prefix of a saved service never changes.
func (s *officeSetupScreen) showService(i int) {
	s.service = i
	ss := queue.ServiceSetup{Service: queue.Service{DailyCap: 999, Open: true, Position: len(s.services) + 1}, First: 1, Last: 999, SlotMinutes: 15}
	if i >= 0 {
		ss = s.services[i]
		s.svCode.Disable()
	} else {
		s.svCode.Enable()
	}
	s.svCode.SetText(ss.Service.Code)
	s.svName.SetText(ss.Service.Name)
	s.svFirst.SetText(strconv.Itoa(ss.First))
	s.svLast.SetText(strconv.Itoa(ss.Last))
	s.svCap.SetText(strconv.Itoa(ss.Service.DailyCap))
	s.svPosition.SetText(strconv.Itoa(ss.Service.Position))
	s.svSlot.SetText(strconv.Itoa(ss.SlotMinutes))
	s.svOpen.SetChecked(ss.Service.Open)
	s.svCounters.SetSelected(slices.Clone(ss.Counters))
	for j, wd := range weekdays {
		s.svHours[j].SetText(hoursText(ss.Hours, wd))
	}
}

// hoursText is a weekday's opening ranges as the form shows them.
func hoursText(hours []queue.Hours, wd time.Weekday) string {
	var parts []string
	for _, h := range hours {
		if h.Weekday == wd {
			parts = append(parts, h.Opens.String()+"-"+h.Closes.String())
		}
	}
	return strings.Join(parts, ", ")
}

// parseHours reads a weekday's ranges, "08:30-12:30, 14:00-16:00"; empty
// means closed.
func parseHours(wd time.Weekday, text string) ([]queue.Hours, error) {
	var out []queue.Hours
	for part := range strings.SplitSeq(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		opens, closes, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fault.New(fault.Invalid, "Write the opening hours of {{.Day}} as 08:30-12:30, with a comma between ranges", map[string]any{"Day": weekdayName(wd)})
		}
		o, err := queue.ParseClock(strings.TrimSpace(opens))
		if err != nil {
			return nil, err
		}
		c, err := queue.ParseClock(strings.TrimSpace(closes))
		if err != nil {
			return nil, err
		}
		out = append(out, queue.Hours{Weekday: wd, Opens: o, Closes: c})
	}
	return out, nil
}

// wholeNumber reads a form's number, with a message naming the field when
// it is not one.
func wholeNumber(e *widget.Entry, field string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(e.Text))
	if err != nil {
		return 0, fault.New(fault.Invalid, "{{.Field}}: write a whole number", map[string]any{"Field": field})
	}
	return n, nil
}

// numberField is a form's number entry, the name its message gives it and
// where its value goes.
type numberField struct {
	e     *widget.Entry
	name  string
	value *int
}

// numbers reads several number fields, stopping at the first bad one.
func numbers(fields ...numberField) error {
	for _, f := range fields {
		n, err := wholeNumber(f.e, f.name)
		if err != nil {
			return err
		}
		*f.value = n
	}
	return nil
}

// serviceForm reads the service form.
func (s *officeSetupScreen) serviceForm() (queue.ServiceSetup, error) {
	ss := queue.ServiceSetup{Service: queue.Service{Code: strings.ToUpper(strings.TrimSpace(s.svCode.Text)), Name: strings.TrimSpace(s.svName.Text), Open: s.svOpen.Checked},
		Counters: slices.Clone(s.svCounters.Selected)}
	err := numbers(
		numberField{s.svFirst, lang.L("First number"), &ss.First},
		numberField{s.svLast, lang.L("Last number"), &ss.Last},
		numberField{s.svCap, lang.L("Tickets a day at most"), &ss.Service.DailyCap},
		numberField{s.svPosition, lang.L("Order on the kiosk"), &ss.Service.Position},
		numberField{s.svSlot, lang.L("Appointment length (minutes)"), &ss.SlotMinutes},
	)
	if err != nil {
		return ss, err
	}
	for j, wd := range weekdays {
		h, err := parseHours(wd, s.svHours[j].Text)
		if err != nil {
			return ss, err
		}
		ss.Hours = append(ss.Hours, h...)
	}
	return ss, nil
}

// onSaveService saves the service form off the UI goroutine, then reloads.
func (s *officeSetupScreen) onSaveService() {
	ss, err := s.serviceForm()
	if err == nil && s.service < 0 && slices.ContainsFunc(s.services, func(o queue.ServiceSetup) bool { return o.Service.Code == ss.Service.Code }) {
		err = fault.New(fault.Conflict, "The service {{.Code}} exists already: choose it in the list to change it", map[string]any{"Code": ss.Service.Code})
	}
	if err != nil {
		s.showProblem(err)
		return
	}
	s.save(func(ctx context.Context) error {
		_, err := s.setup.SaveServiceSetup(ctx, s.operator, ss)
		return err
	}, lang.L("The service {{.Code}} is saved", map[string]any{"Code": ss.Service.Code}), func() { s.serviceCode = ss.Service.Code })
}

// showCounter fills the counter form with counters[i], or empty for a new
// counter (i < 0). The code of a saved counter never changes.
func (s *officeSetupScreen) showCounter(i int) {
	s.counter = i
	c := queue.Counter{}
	if i >= 0 {
		c = s.counters[i]
		s.ctCode.Disable()
	} else {
		s.ctCode.Enable()
	}
	s.ctCode.SetText(c.Code)
	s.ctName.SetText(c.Name)
	s.ctServices.SetSelected(slices.Clone(c.Services))
}

func (s *officeSetupScreen) onSaveCounter() {
	c := queue.Counter{Code: strings.TrimSpace(s.ctCode.Text), Name: strings.TrimSpace(s.ctName.Text), Services: slices.Clone(s.ctServices.Selected)}
	if s.counter < 0 && slices.ContainsFunc(s.counters, func(o queue.Counter) bool { return o.Code == c.Code }) {
		s.showProblem(fault.New(fault.Conflict, "The counter {{.Code}} exists already: choose it in the list to change it", map[string]any{"Code": c.Code}))
		return
	}
	s.save(func(ctx context.Context) error {
		_, err := s.setup.SaveCounter(ctx, s.operator, c)
		return err
	}, lang.L("The counter {{.Code}} is saved", map[string]any{"Code": c.Code}), func() { s.counterCode = c.Code })
}

// settingsForm reads the policy form.
func (s *officeSetupScreen) settingsForm() (queue.Settings, error) {
	qs := queue.Settings{Chime: s.chime.Checked}
	var maxWait, window, within int
	err := numbers(
		numberField{s.priorityRun, lang.L("Priority calls in a row at most (0: no limit)"), &qs.PriorityRun},
		numberField{s.maxWait, lang.L("Maximum wait, then called first (minutes, 0: off)"), &maxWait},
		numberField{s.window, lang.L("Appointment window (minutes before and after)"), &window},
		numberField{s.within, lang.L("Service level: first called within (minutes)"), &within},
	)
	qs.MaxWait, qs.AppointmentWindow, qs.Within = time.Duration(maxWait)*time.Minute, time.Duration(window)*time.Minute, time.Duration(within)*time.Minute
	return qs, err
}

func (s *officeSetupScreen) onSaveSettings() {
	qs, err := s.settingsForm()
	if err != nil {
		s.showProblem(err)
		return
	}
	s.save(func(ctx context.Context) error {
		_, err := s.setup.SaveQueueSettings(ctx, s.operator, qs)
		return err
	}, lang.L("The calling policy is saved"), nil)
}

// save runs one save off the UI goroutine, then says how it went and
// reloads the set-up; saved runs before the reload when it worked.
func (s *officeSetupScreen) save(f func(ctx context.Context) error, done string, saved func()) {
	s.saveService.Disable()
	s.saveCounter.Disable()
	s.saveSettings.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		err := f(ctx)
		s.do(func() {
			s.saveService.Enable()
			s.saveCounter.Enable()
			s.saveSettings.Enable()
			if err != nil {
				s.showProblem(err)
				return
			}
			s.problem.Hide()
			s.message.SetText(done)
			s.message.Show()
			if saved != nil {
				saved()
			}
			s.onLoad()
		})
	}()
}

func (s *officeSetupScreen) showProblem(err error) {
	s.message.Hide()
	s.problem.SetText(userMessage(err))
	s.problem.Show()
}
