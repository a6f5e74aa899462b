package desk

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
)

// AppointmentDesk is what the booking screen needs: the services, their
// free slots, the day's bookings, booking and cancelling.
type AppointmentDesk interface {
	QueueOffice(ctx context.Context) (queue.Office, error)
	FreeSlots(ctx context.Context, service string, day registry.Date) ([]queue.Clock, error)
	Appointments(ctx context.Context, day registry.Date) ([]queue.Appointment, error)
	BookAppointment(ctx context.Context, operator string, a queue.Appointment) (queue.Appointment, error)
	CancelAppointment(ctx context.Context, operator, code string) (queue.Appointment, error)
}

// appointmentPeople finds a person of the register by codice fiscale, so a
// booking made with one is linked to the person; the store does.
type appointmentPeople interface {
	PersonByCF(ctx context.Context, code string) (registry.Match, error)
}

// appointmentBring reads what a service asks people to bring, for the
// booking slip; the store does.
type appointmentBring interface {
	OnlineService(ctx context.Context, service string) (queue.OnlineService, error)
}

// appointmentsArea is the booking screen, for the roles that serve the
// public, on a desk with appointments.
func appointmentsArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Appointments == nil || u.Role == access.Admin || !u.Role.Valid() {
		return area{}, false
	}
	s := newAppointmentsScreen(d.deps.Appointments, u.Username, d.do, func() registry.Date { return queue.DayOf(d.now()) })
	s.win, s.office = d.win, d.deps.Office
	return area{name: lang.L("Appointments"), icon: theme.HistoryIcon(), content: s.buildUI(), onShow: s.onShow}, true
}

// appointmentsScreen books a slot of a service for a person and lists the
// day's bookings, which the clerk can cancel.
type appointmentsScreen struct {
	desk     AppointmentDesk
	operator string
	do       func(func())
	today    func() registry.Date

	service *widget.Select
	day     *widget.Entry
	slot    *widget.Select
	person  *widget.Entry
	book    *widget.Button
	code    *canvas.Text // the code just booked, big
	booked  *widget.Label
	problem *widget.Label
	list    *widget.List
	cancel  *widget.Button
	found   *widget.Label  // the person of the register the codice fiscale names
	slip    *widget.Button // save the slip of the booking just made
	win     fyne.Window    // for the save dialog; nil: no slip
	office  Office         // named on the slip
	people  appointmentPeople
	bring   appointmentBring

	// touched on the UI goroutine only
	services []queue.Service
	slots    []queue.Clock
	rows     []queue.Appointment
	selected int
	dayGen   int                  // the last onDay request: older answers are dropped
	match    registry.Match       // the person the field names, ID 0 for none
	lookGen  int                  // the last lookup: older answers are dropped
	last     printing.BookingSlip // the booking just made, Code "" for none
}

func newAppointmentsScreen(d AppointmentDesk, operator string, do func(func()), today func() registry.Date) *appointmentsScreen {
	s := &appointmentsScreen{desk: d, operator: operator, do: do, today: today, selected: -1}
	s.people, _ = d.(appointmentPeople)
	s.bring, _ = d.(appointmentBring)
	return s
}

func (s *appointmentsScreen) buildUI() fyne.CanvasObject {
	s.service = newSelect(nil, func(string) { s.onDay() })
	s.service.PlaceHolder = lang.L("Choose the service")
	s.day = newDateEntry(s.today())
	s.day.OnSubmitted = func(string) { s.onDay() }
	s.slot = newSelect(nil, nil)
	s.slot.PlaceHolder = lang.L("Choose a free time")
	s.person = widget.NewEntry()
	s.person.PlaceHolder = lang.L("Name and surname or codice fiscale")
	s.person.OnSubmitted = func(string) { s.onBook() }
	s.person.OnChanged = s.onPerson
	s.found = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	s.slip = widget.NewButtonWithIcon(lang.L("Booking slip PDF…"), theme.DocumentPrintIcon(), s.onSlip)
	s.slip.Disable()
	s.book = widget.NewButtonWithIcon(lang.L("Book"), theme.ConfirmIcon(), s.onBook)
	s.book.Importance = widget.HighImportance
	s.code = canvas.NewText("", paBlue)
	s.code.TextSize = 40
	s.code.TextStyle = fyne.TextStyle{Bold: true}
	s.booked = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.problem.Hide()

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Service"), s.service),
		widget.NewFormItem(lang.L("Day"), container.NewBorder(nil, nil, nil,
			widget.NewButtonWithIcon(lang.L("Free times"), theme.ViewRefreshIcon(), s.onDay), s.day)),
		widget.NewFormItem(lang.L("Time"), s.slot),
		widget.NewFormItem(lang.L("Person"), s.person),
		widget.NewFormItem("", s.found),
	)
	s.list = widget.NewList(func() int { return len(s.rows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rowText(i)) })
	s.list.OnSelected = func(i widget.ListItemID) { s.selected = i; s.cancel.Enable() }
	s.list.OnUnselected = func(widget.ListItemID) { s.selected = -1; s.cancel.Disable() }
	s.cancel = widget.NewButtonWithIcon(lang.L("Cancel the booking"), theme.DeleteIcon(), s.onCancel)
	s.cancel.Disable()
	left := container.NewVBox(
		&widget.Label{Text: lang.L("New appointment"), TextStyle: fyne.TextStyle{Bold: true}},
		form, s.book, s.code, s.booked, s.slip, s.problem)
	right := container.NewBorder(&widget.Label{Text: lang.L("Bookings of the day"), TextStyle: fyne.TextStyle{Bold: true}},
		s.cancel, nil, nil, s.list)
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.45
	return split
}

func (s *appointmentsScreen) rowText(i int) string {
	if i < 0 || i >= len(s.rows) {
		return ""
	}
	a := s.rows[i]
	text := a.Slot.String() + "  " + a.Service + "  " + a.Code + "  " + a.Person
	switch a.State {
	case queue.BookingCancelled:
		text += "  · " + lang.L("cancelled")
	case queue.BookingCheckedIn:
		text += "  · " + lang.L("checked in")
	}
	return text
}

// onShow loads the services and the day's bookings.
func (s *appointmentsScreen) onShow() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		o, err := s.desk.QueueOffice(ctx)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.services = o.Services
			var names []string
			for _, sv := range o.Services {
				names = append(names, sv.Code+"  "+sv.Name)
			}
			s.service.SetOptions(names)
			s.onDay()
		})
	}()
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.person); c != nil {
		c.Focus(s.person)
	}
}

func (s *appointmentsScreen) serviceCode() string {
	if i := s.service.SelectedIndex(); i >= 0 && i < len(s.services) {
		return s.services[i].Code
	}
	return ""
}

// onDay reads the free slots of the service and the bookings of the day.
func (s *appointmentsScreen) onDay() {
	day, err := parseDateField(s.day, lang.L("Day"), false)
	if err != nil {
		s.showProblem(err)
		return
	}
	service := s.serviceCode()
	s.dayGen++
	gen := s.dayGen
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		var slots []queue.Clock
		var err error
		if service != "" {
			slots, err = s.desk.FreeSlots(ctx, service, day)
		}
		var rows []queue.Appointment
		if err == nil {
			rows, err = s.desk.Appointments(ctx, day)
		}
		s.do(func() {
			if gen == s.dayGen {
				s.showDay(slots, rows, err)
			}
		})
	}()
}

func (s *appointmentsScreen) showDay(slots []queue.Clock, rows []queue.Appointment, err error) {
	if err != nil {
		s.showProblem(err)
		return
	}
	s.problem.Hide()
	s.slots, s.rows = slots, rows
	var options []string
	for _, c := range slots {
		options = append(options, c.String())
	}
	s.slot.ClearSelected()
	s.slot.SetOptions(options)
	if len(options) == 0 && s.serviceCode() != "" {
		s.slot.PlaceHolder = lang.L("No free time on this day")
	} else {
		s.slot.PlaceHolder = lang.L("Choose a free time")
	}
	s.slot.Refresh()
	s.list.UnselectAll()
	s.list.Refresh()
}

// onBook books the chosen slot for the person and shows the code to give
// them.
func (s *appointmentsScreen) onBook() {
	day, err := parseDateField(s.day, lang.L("Day"), false)
	if err != nil {
		s.showProblem(err)
		return
	}
	i := s.slot.SelectedIndex()
	if s.serviceCode() == "" || i < 0 || i >= len(s.slots) {
		s.problem.SetText(lang.L("Choose the service and a free time"))
		s.problem.Show()
		return
	}
	a := queue.Appointment{Service: s.serviceCode(), Day: day, Slot: s.slots[i], Person: s.person.Text}
	name := strings.TrimSpace(s.person.Text)
	if s.match.ID != 0 {
		a.Person = s.match.CF // the link to the register: the booking names the person by codice fiscale
		name = s.match.Name + " " + s.match.Surname
	}
	serviceName := s.services[s.service.SelectedIndex()].Name
	s.book.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		got, err := s.desk.BookAppointment(ctx, s.operator, a)
		var bring string
		if err == nil && s.bring != nil {
			if o, berr := s.bring.OnlineService(ctx, got.Service); berr == nil {
				bring = o.Bring
			}
		}
		s.do(func() {
			s.book.Enable()
			if err != nil {
				s.showProblem(err)
				return
			}
			s.code.Text = got.Code
			s.code.Refresh()
			s.booked.SetText(lang.L("Booked for {{.Day}} at {{.Time}}: give the person the code {{.Code}} to show at the kiosk",
				map[string]any{"Day": got.Day.Italian(), "Time": got.Slot.String(), "Code": got.Code}))
			s.last = printing.BookingSlip{Municipality: s.office.Municipality, Office: s.office.Office, Service: serviceName,
				At: got.At(), Code: got.Code, Person: name, Bring: bring}
			if s.win != nil {
				s.slip.Enable()
			}
			s.person.SetText("")
			s.onDay()
		})
	}()
}

// onCancel cancels the booking selected in the list.
func (s *appointmentsScreen) onCancel() {
	if s.selected < 0 || s.selected >= len(s.rows) {
		return
	}
	code := s.rows[s.selected].Code
	s.cancel.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		_, err := s.desk.CancelAppointment(ctx, s.operator, code)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.onDay()
		})
	}()
}

func (s *appointmentsScreen) showProblem(err error) {
	s.problem.SetText(userMessage(err))
	s.problem.Show()
}

// onPerson looks the codice fiscale typed up in the register, off the UI
// goroutine, and says whom the booking will be linked to.
func (s *appointmentsScreen) onPerson(text string) {
	s.lookGen++
	gen := s.lookGen
	s.match = registry.Match{}
	code := strings.ToUpper(strings.TrimSpace(text))
	if s.people == nil || registry.ValidateCF(code) != nil {
		s.found.SetText("")
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		m, err := s.people.PersonByCF(ctx, code)
		s.do(func() {
			if gen != s.lookGen {
				return
			}
			if err != nil {
				s.found.SetText(lang.L("No person of the register has this codice fiscale: the booking keeps it as written"))
				return
			}
			s.match = m
			s.found.SetText(lang.L("Person of the register: {{.Name}}, born on {{.Born}}", map[string]any{"Name": m.Name + " " + m.Surname, "Born": m.BirthDate.Italian()}))
		})
	}()
}

// slipPDF is the slip of the booking just made.
func (s *appointmentsScreen) slipPDF(printed time.Time) ([]byte, error) {
	b := s.last
	b.Printed = printed
	return printing.BookingSlipPDF(b, translated)
}

// onSlip asks where to save the slip of the booking just made, to print or
// send it.
func (s *appointmentsScreen) onSlip() {
	if s.win == nil || s.last.Code == "" {
		return
	}
	pdf, err := s.slipPDF(time.Now())
	if err != nil {
		s.showProblem(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(pdf); err != nil {
			fyne.LogError("booking slip", err)
			s.problem.SetText(lang.L("The file could not be written"))
			s.problem.Show()
		}
	}, s.win)
	d.SetFileName("prenotazione-" + s.last.Code + ".pdf")
	d.Show()
}
