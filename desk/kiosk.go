package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
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

// kioskShowTicket is how long the kiosk shows the ticket it gave (or the
// problem it met) before it offers the services again.
const kioskShowTicket = 6 * time.Second

// The kiosk's type sizes. The service names are the largest text on the
// screen (the number given is as large, never larger): a person reads what
// to touch first. kioskTapGap is how long after a touch another one is
// ignored: a second tap of an impatient finger must not give a second ticket.
const (
	kioskServiceText = 44
	kioskTitleText   = 32
	kioskAskText     = 28
	kioskTapGap      = time.Second
	// kioskMessageHeight is the height kept for the number given, its
	// details and a problem, so that nothing moves when they appear.
	kioskMessageHeight = 120
)

// kioskScreen is the touch screen at the entrance: a large button per open
// service and a priority option; a touch prints a ticket.
type kioskScreen struct {
	deps KioskDeps
	win  fyne.Window
	do   func(func())
	hold time.Duration
	now  func() time.Time

	services  *fyne.Container // the service buttons
	buttons   map[string]*widget.Button
	priority  *widget.Check
	code      *widget.Entry // the booking code, for a check-in
	keys      map[rune]*widget.Button
	erase     *widget.Button // deletes the last character of the code
	checkIn   *widget.Button
	message   *canvas.Text // the number given, big
	detail    *widget.Label
	problem   *widget.Label
	printing  bool
	lastTap   time.Time // the last touch that gave (or tried) a ticket
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
	return &kioskScreen{deps: d, win: w, do: do, hold: kioskShowTicket, now: time.Now, buttons: map[string]*widget.Button{}}
}

func (k *kioskScreen) buildUI() fyne.CanvasObject {
	title := canvas.NewText(k.deps.Office.Municipality, paBlue)
	title.TextSize = kioskTitleText
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Alignment = fyne.TextAlignCenter
	office := &widget.Label{Text: k.deps.Office.Office, Alignment: fyne.TextAlignCenter}
	ask := canvas.NewText(lang.L("Touch the service you need"), paText)
	ask.TextSize = kioskAskText
	ask.Alignment = fyne.TextAlignCenter
	k.services = container.NewVBox()
	k.priority = widget.NewCheck(lang.L("Priority"), nil)
	explain := &widget.Label{
		Text:     lang.L("Priority is for people with a recognised severe disability (law 104/1992), pregnant women and people over 75, and whoever accompanies them. Staff may ask for proof."),
		Wrapping: fyne.TextWrapWord,
	}
	k.message = canvas.NewText("", paBlue)
	k.message.TextSize = kioskServiceText
	k.message.TextStyle = fyne.TextStyle{Bold: true}
	k.message.Alignment = fyne.TextAlignCenter
	k.detail = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	k.problem = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	k.problem.Hide()
	top := container.NewVBox(title, office, widget.NewSeparator(), ask)
	left := container.NewBorder(nil, container.NewBorder(nil, nil,
		container.NewThemeOverride(k.priority, largeTheme{newDeskTheme()}), nil, container.NewThemeOverride(explain, explainTheme{newDeskTheme()})),
		nil, nil, k.services)
	centre := fyne.CanvasObject(left)
	if k.deps.CheckIn != nil {
		centre = container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewSeparator(), k.checkInPanel()), left)
	}
	messages := container.New(fixedHeight(kioskMessageHeight), container.NewVBox(k.message,
		container.NewThemeOverride(container.NewVBox(k.detail, k.problem), keypadTheme{newDeskTheme()})))
	return container.NewPadded(container.NewBorder(top, messages, nil, nil, centre))
}

// checkInPanel is the booking code's field and its on-screen keyboard: the
// code's own alphabet (no 0, O, 1 or I), a key that deletes, and the
// button that checks the booking in.
func (k *kioskScreen) checkInPanel() fyne.CanvasObject {
	k.code = widget.NewEntry()
	k.code.PlaceHolder = lang.L("Booking code")
	k.code.OnSubmitted = func(string) { k.onCheckIn() }
	k.code.OnChanged = func(s string) {
		if len(s) > queue.CodeLength {
			k.code.SetText(s[:queue.CodeLength])
		}
	}
	k.keys = map[rune]*widget.Button{}
	pad := container.NewGridWithColumns(8)
	for _, r := range "23456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		if _, ok := queue.NormalizeCode(strings.Repeat(string(r), queue.CodeLength)); !ok {
			continue // not in a booking code
		}
		b := widget.NewButton(string(r), func() { k.onKey(r) })
		k.keys[r] = b
		pad.Add(b)
	}
	k.erase = &widget.Button{Icon: theme.NavigateBackIcon(), OnTapped: k.onErase}
	k.checkIn = &widget.Button{Text: lang.L("I have an appointment"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: k.onCheckIn}
	return container.NewThemeOverride(container.NewVBox(container.NewBorder(nil, nil, nil, k.erase, k.code), pad, k.checkIn), keypadTheme{newDeskTheme()})
}

// onKey types one character of the booking code.
func (k *kioskScreen) onKey(r rune) {
	if len(k.code.Text) < queue.CodeLength {
		k.code.SetText(k.code.Text + string(r))
	}
}

func (k *kioskScreen) onErase() {
	if t := k.code.Text; t != "" {
		k.code.SetText(t[:len(t)-1])
	}
}

// fixedHeight lays its objects out one under the other in a band of its
// height, whatever they hold, so the rest of the screen stays still.
type fixedHeight float32

func (h fixedHeight) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objects {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, float32(h))
}

func (h fixedHeight) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(size.Width, max(float32(h), o.MinSize().Height)))
	}
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

// explainTheme sets the priority's explanation in type read at arm's length.
type explainTheme struct{ *deskTheme }

func (t explainTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 18
	}
	return t.deskTheme.Size(n)
}

// keypadTheme is the booking code's keyboard: keys a finger hits, smaller
// than the services.
type keypadTheme struct{ *deskTheme }

func (t keypadTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 24
	case theme.SizeNameInlineIcon:
		return 28
	case theme.SizeNameInnerPadding:
		return 8
	}
	return t.deskTheme.Size(n)
}

// accept says whether a touch counts: not while a ticket is being given,
// nor within kioskTapGap of the last one that counted.
func (k *kioskScreen) accept() bool {
	if k.printing {
		return false
	}
	now := k.now()
	if !k.lastTap.IsZero() && now.Sub(k.lastTap) < kioskTapGap && !now.Before(k.lastTap) {
		return false
	}
	k.lastTap = now
	return true
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
		if k.resetting != nil {
			k.resetting.Stop() // nothing to offer: the problem stays
		}
		return
	}
	k.services.RemoveAll()
	for _, s := range o.Services {
		if !s.Open {
			continue
		}
		code := s.Code
		// The name is drawn over the button at the kiosk's largest size
		// (a button's own label takes a theme override only once drawn).
		b := &widget.Button{Importance: widget.HighImportance, OnTapped: func() { k.onService(code) }}
		name := canvas.NewText(s.Code+"  "+s.Name, paWhite)
		name.TextSize = kioskServiceText
		name.TextStyle = fyne.TextStyle{Bold: true}
		name.Alignment = fyne.TextAlignCenter
		k.buttons[code] = b
		k.services.Add(container.NewStack(b, container.NewPadded(name)))
	}
	if len(k.buttons) == 0 {
		k.services.Add(&widget.Label{Text: lang.L("No service is open now"), Alignment: fyne.TextAlignCenter})
	}
	k.services.Refresh()
}

// onService gives a ticket of the service, prints it and shows its number.
func (k *kioskScreen) onService(code string) {
	if !k.accept() {
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
	if k.code == nil || k.printing || strings.TrimSpace(k.code.Text) == "" {
		return // a second tap finds the code used and gone
	}
	// The code leaves the screen once used, right or wrong: the next
	// person must not find it there.
	code, ok := queue.NormalizeCode(k.code.Text)
	k.code.SetText("")
	if !ok {
		k.problem.SetText(lang.L("This booking code does not exist: check it and try again"))
		k.problem.Show()
		k.resetLater()
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
		k.do(func() { k.showIssued(is, err, printErr) })
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
	k.resetLater()
}

// resetLater clears the screen for the next person after the hold.
func (k *kioskScreen) resetLater() {
	if k.resetting != nil {
		k.resetting.Stop()
	}
	k.resetting = time.AfterFunc(k.hold, func() { k.do(k.clear) })
}

// clear takes the last ticket, and any problem, off the screen.
func (k *kioskScreen) clear() {
	k.message.Text = ""
	k.message.Refresh()
	k.detail.SetText("")
	k.problem.Hide()
	if k.code != nil {
		k.code.SetText("")
	}
}

func (k *kioskScreen) showProblem(err error) {
	if fault.Code(err) == fault.Internal {
		fyne.LogError("kiosk", err)
	}
	k.problem.SetText(userMessage(err))
	k.problem.Show()
	k.message.Text = ""
	k.message.Refresh()
	k.detail.SetText("")
	k.resetLater()
}
