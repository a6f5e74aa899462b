package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/fault"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
)

// KioskDeps is what the ticket kiosk needs.
type KioskDeps struct {
	Queue   queue.Engine
	Office  Office
	Printer printing.Printer
	CheckIn AppointmentCheckIn // nil hides the booking code
	// StatusURL gives the address of a ticket's page at the central
	// server, printed on the ticket as a QR code; nil with no server.
	StatusURL func(ticketUID string) string
	// OwnQueue is the machine's own queue, used when Queue (the office's,
	// at a server) does not answer: the desk on this machine serves the
	// tickets given meanwhile from it. nil: no fallback.
	OwnQueue queue.Engine
}

// AppointmentCheckIn turns a booking code into a ticket.
type AppointmentCheckIn interface {
	CheckInAppointment(ctx context.Context, code string) (queue.Issued, error)
}

// kioskShowTicket is how long the kiosk shows the ticket it gave before it
// offers the services again.
const kioskShowTicket = 6 * time.Second

// kioskScreen is the touch screen at the entrance: a large button per open
// service and a priority option; a touch prints a ticket.
type kioskScreen struct {
	deps KioskDeps
	win  fyne.Window
	do   func(func())
	hold time.Duration

	services  *fyne.Container // the service buttons
	buttons   map[string]*widget.Button
	priority  *widget.Check
	code      *widget.Entry // the booking code, for a check-in
	checkIn   *widget.Button
	message   *canvas.Text // the number given, big
	detail    *widget.Label
	problem   *widget.Label
	printing  bool
	resetting *time.Timer
}

// NewKiosk shows the kiosk in w, full screen; the caller runs the window.
func NewKiosk(a fyne.App, w fyne.Window, d KioskDeps) {
	a.Settings().SetTheme(newDeskTheme())
	k := newKiosk(w, d, fyne.Do)
	w.SetTitle(lang.L("Tickets") + " - " + d.Office.Municipality)
	w.SetContent(k.buildUI())
	w.SetFullScreen(true)
	k.load()
}

func newKiosk(w fyne.Window, d KioskDeps, do func(func())) *kioskScreen {
	return &kioskScreen{deps: d, win: w, do: do, hold: kioskShowTicket, buttons: map[string]*widget.Button{}}
}

func (k *kioskScreen) buildUI() fyne.CanvasObject {
	title := canvas.NewText(k.deps.Office.Municipality, paBlue)
	title.TextSize = 36
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Alignment = fyne.TextAlignCenter
	office := &widget.Label{Text: k.deps.Office.Office, Alignment: fyne.TextAlignCenter}
	ask := canvas.NewText(lang.L("Touch the service you need"), paText)
	ask.TextSize = 28
	ask.Alignment = fyne.TextAlignCenter
	k.services = container.NewGridWithColumns(1)
	k.priority = widget.NewCheck(lang.L("Priority"), nil)
	explain := &widget.Label{
		Text:     lang.L("Priority is for people with a recognised severe disability (law 104/1992), pregnant women and people over 75, and whoever accompanies them. Staff may ask for proof."),
		Wrapping: fyne.TextWrapWord,
	}
	k.message = canvas.NewText("", paBlue)
	k.message.TextSize = 96
	k.message.TextStyle = fyne.TextStyle{Bold: true}
	k.message.Alignment = fyne.TextAlignCenter
	k.detail = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	k.problem = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	k.problem.Hide()
	top := container.NewVBox(title, office, widget.NewSeparator(), ask)
	bottom := container.NewVBox(container.NewBorder(nil, nil, k.priority, nil, explain))
	if k.deps.CheckIn != nil {
		k.code = widget.NewEntry()
		k.code.PlaceHolder = lang.L("Booking code")
		k.code.OnSubmitted = func(string) { k.onCheckIn() }
		k.checkIn = &widget.Button{Text: lang.L("I have an appointment"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: k.onCheckIn}
		bottom.Add(widget.NewSeparator())
		bottom.Add(container.NewBorder(nil, nil, nil, k.checkIn, k.code))
	}
	bottom.Add(k.message)
	bottom.Add(k.detail)
	bottom.Add(k.problem)
	big := container.NewThemeOverride(container.NewPadded(k.services), largeTheme{newDeskTheme()})
	return container.NewPadded(container.NewBorder(top, container.NewThemeOverride(bottom, largeTheme{newDeskTheme()}), nil, nil, big))
}

// largeTheme is the desk's theme with type and padding for a touch screen
// read from a step away.
type largeTheme struct{ *deskTheme }

func (t largeTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 30
	case theme.SizeNameInlineIcon:
		return 40
	case theme.SizeNameInnerPadding:
		return 24
	}
	return t.deskTheme.Size(n)
}

// load reads the services open now and makes their buttons.
func (k *kioskScreen) load() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		o, err := k.deps.Queue.QueueOffice(ctx)
		if errors.Is(err, queue.ErrUnreachable) && k.deps.OwnQueue != nil {
			o, err = k.deps.OwnQueue.QueueOffice(ctx)
		}
		cancel()
		k.do(func() { k.showServices(o, err) })
	}()
}

func (k *kioskScreen) showServices(o queue.Office, err error) {
	if err != nil {
		k.showProblem(err)
		return
	}
	k.services.RemoveAll()
	for _, s := range o.Services {
		if !s.Open {
			continue
		}
		code := s.Code
		b := &widget.Button{Text: s.Code + "  " + s.Name, Importance: widget.HighImportance, OnTapped: func() { k.onService(code) }}
		k.buttons[code] = b
		k.services.Add(container.NewStack(b))
	}
	if len(k.buttons) == 0 {
		k.services.Add(&widget.Label{Text: lang.L("No service is open now"), Alignment: fyne.TextAlignCenter})
	}
	k.services.Add(layout.NewSpacer())
	k.services.Refresh()
}

// onService gives a ticket of the service, prints it and shows its number.
func (k *kioskScreen) onService(code string) {
	if k.printing {
		return
	}
	k.printing = true
	priority := k.priority.Checked
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		is, err := k.deps.Queue.IssueTicket(ctx, "kiosk", code, priority)
		local := false
		if errors.Is(err, queue.ErrUnreachable) && k.deps.OwnQueue != nil {
			// The office's queue does not answer: the ticket goes in this
			// machine's own queue, which its desk serves meanwhile.
			is, err = k.deps.OwnQueue.IssueTicket(ctx, "kiosk", code, priority)
			local = true
		}
		var printErr error
		if err == nil {
			printErr = k.printTicket(ctx, is, !local)
		}
		k.do(func() { k.showIssued(is, err, printErr) })
	}()
}

// onCheckIn turns the booking code typed into a ticket, prints it and
// shows its number; a wrong, used or expired code is explained.
func (k *kioskScreen) onCheckIn() {
	if k.printing || k.code == nil {
		return
	}
	code, ok := queue.NormalizeCode(k.code.Text)
	if !ok {
		k.problem.SetText(lang.L("This booking code does not exist: check it and try again"))
		k.problem.Show()
		return
	}
	k.printing = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		is, err := k.deps.CheckIn.CheckInAppointment(ctx, code)
		var printErr error
		if err == nil {
			printErr = k.print(ctx, is)
		}
		k.do(func() {
			if err == nil {
				k.code.SetText("")
			}
			k.showIssued(is, err, printErr)
		})
	}()
}

func (k *kioskScreen) print(ctx context.Context, is queue.Issued) error {
	return k.printTicket(ctx, is, true)
}

// printTicket prints the ticket; atServer says it is in the office's queue
// at the server, whose page its QR code shows.
func (k *kioskScreen) printTicket(ctx context.Context, is queue.Issued, atServer bool) error {
	if k.deps.Printer == nil {
		return nil
	}
	info := printing.TicketInfo{Municipality: k.deps.Office.Municipality, Office: k.deps.Office.Office, Issued: is}
	if k.deps.StatusURL != nil && atServer {
		info.StatusURL = k.deps.StatusURL(is.Ticket.UID)
	}
	if tp, ok := k.deps.Printer.(printing.TicketPrinter); ok {
		// A thermal printer prints the ticket as text, in its own fonts.
		return tp.PrintTicket(ctx, info, translated)
	}
	pdf, err := printing.TicketPDF(info, translated)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("ticket-%s-%s", is.Ticket.Day, is.Ticket.Label)
	return k.deps.Printer.Print(ctx, name, pdf)
}

func (k *kioskScreen) showIssued(is queue.Issued, err, printErr error) {
	k.printing = false
	if err != nil {
		k.showProblem(err)
		return
	}
	k.problem.Hide()
	k.message.Text = is.Ticket.Label
	k.message.Refresh()
	text := lang.L("Your number is {{.Label}}", map[string]any{"Label": is.Ticket.Label}) + " · " + printing.AheadText(is.Ahead, translated)
	if !is.Ticket.AppointmentAt.IsZero() {
		text += "\n" + lang.L("Appointment at {{.Time}}", map[string]any{"Time": is.Ticket.AppointmentAt.In(registry.Rome).Format("15:04")})
	}
	if printErr != nil {
		fyne.LogError("print ticket", printErr)
		text += "\n" + lang.L("The ticket could not be printed: remember your number")
	}
	k.detail.SetText(text)
	k.priority.SetChecked(false)
	if k.resetting != nil {
		k.resetting.Stop()
	}
	k.resetting = time.AfterFunc(k.hold, func() { k.do(k.clear) })
}

// clear takes the last ticket off the screen.
func (k *kioskScreen) clear() {
	k.message.Text = ""
	k.message.Refresh()
	k.detail.SetText("")
}

func (k *kioskScreen) showProblem(err error) {
	if fault.Code(err) == fault.Internal {
		fyne.LogError("kiosk", err)
	}
	k.problem.SetText(userMessage(err))
	k.problem.Show()
}
