package desk

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/fault"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
	"sportello/social"
)

// caseView is a case file: the intake, the phase with its changes, closure
// and reopening, the notes, the referrals (overdue ones highlighted) and the
// appointments, and the receipt and consent form for the person. A change
// updates the file from the store's answer, without reading it again.
type caseView struct {
	s *socialScreen
	f social.File

	root    *fyne.Container
	title   *widget.Label
	notice  *widget.Label // what was just done; hidden when empty
	content *fyne.Container
	problem *widget.Label // why the last action failed
	details *fyne.Container
	phase   *fyne.Container // the phase changes the case allows, closure, reopening
	moves   map[social.Phase]*widget.Button
	reason  *widget.Select
	why     *widget.Entry
	close   *widget.Button
	reopen  *widget.Button

	notes   *fyne.Container
	note    *widget.Entry
	addNote *widget.Button

	referrals   *fyne.Container
	refRows     map[string]*socialReferralRow // by referral uid
	refService  *widget.Entry
	refFollowUp *widget.Entry
	refNote     *widget.Entry
	addRef      *widget.Button

	appointments *fyne.Container
	apptRows     map[string]*socialApptRow // by appointment uid
	apptDay      *widget.Entry
	apptTime     *widget.Entry
	apptMinutes  *widget.Entry
	apptPlace    *widget.Entry
	apptWorker   *widget.Select
	book         *widget.Button

	receipt *widget.Button
	consent *widget.Button
	printR  *widget.Button
	pdf     []byte // the receipt made last, for printing
}

// socialReferralRow is a referral as the file shows it, with its status changes.
type socialReferralRow struct {
	label   *widget.Label
	actions map[social.ReferralStatus]*widget.Button
}

// socialApptRow is an appointment as the file shows it.
type socialApptRow struct {
	label  *widget.Label
	cancel *widget.Button
}

func newCaseView(s *socialScreen, f social.File) *caseView {
	return &caseView{s: s, f: f}
}

func (v *caseView) buildUI() fyne.CanvasObject {
	v.title = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	v.notice = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance}
	v.notice.Hide()
	v.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	v.problem.Hide()
	back := widget.NewButtonWithIcon(lang.L("Back to the lists"), theme.NavigateBackIcon(), v.s.showLists)
	v.receipt = widget.NewButtonWithIcon(lang.L("Receipt PDF"), theme.DocumentIcon(), v.onReceipt)
	v.consent = widget.NewButtonWithIcon(lang.L("Consent form PDF"), theme.DocumentIcon(), v.onConsent)
	v.printR = widget.NewButtonWithIcon(lang.L("Print the receipt"), theme.DocumentPrintIcon(), v.onPrint)
	v.printR.Disable()
	if v.s.print == nil {
		v.printR.Hide()
	}
	v.details = container.NewVBox()
	v.phase = container.NewHBox()
	v.reason = newSelect(socialNames(social.ClosureReasons, socialClosureName), nil)
	v.reason.PlaceHolder = lang.L("Why the case is closed")
	v.why = widget.NewEntry()
	v.why.PlaceHolder = lang.L("Closure note")
	v.close = widget.NewButtonWithIcon(lang.L("Close the case"), theme.CancelIcon(), v.onClose)
	v.reopen = widget.NewButtonWithIcon(lang.L("Reopen the case"), theme.ViewRefreshIcon(), v.onReopen)

	v.notes = container.NewVBox()
	v.note = widget.NewMultiLineEntry()
	v.note.Wrapping = fyne.TextWrapWord
	v.note.PlaceHolder = lang.L("New note: it cannot be changed once added")
	v.addNote = widget.NewButtonWithIcon(lang.L("Add the note"), theme.ContentAddIcon(), v.onNote)

	v.referrals = container.NewVBox()
	v.refService = widget.NewEntry()
	v.refService.PlaceHolder = lang.L("Service the person is referred to")
	v.refFollowUp = newDateEntry(registry.Date{})
	v.refNote = widget.NewEntry()
	v.refNote.PlaceHolder = lang.L("Note")
	v.addRef = widget.NewButtonWithIcon(lang.L("Refer"), theme.MailForwardIcon(), v.onReferral)

	v.appointments = container.NewVBox()
	v.apptDay = newDateEntry(registry.Date{})
	v.apptTime = widget.NewEntry()
	v.apptTime.PlaceHolder = lang.L("hh:mm")
	v.apptMinutes = widget.NewEntry()
	v.apptMinutes.SetText("30")
	v.apptPlace = widget.NewEntry()
	v.apptPlace.PlaceHolder = lang.L("Room, or home visit")
	v.apptWorker = newSelect(nil, nil)
	v.apptWorker.PlaceHolder = lang.L("Choose the social worker")
	v.book = widget.NewButtonWithIcon(lang.L("Book the appointment"), theme.ConfirmIcon(), v.onBook)

	tabs := container.NewAppTabs(
		container.NewTabItem(lang.L("Notes"), container.NewVBox(v.notes, v.note, v.addNote)),
		container.NewTabItem(lang.L("Referrals"), container.NewVBox(v.referrals, widget.NewForm(
			widget.NewFormItem(lang.L("Service"), v.refService),
			widget.NewFormItem(lang.L("Follow-up on"), v.refFollowUp),
			widget.NewFormItem(lang.L("Note"), v.refNote)), v.addRef)),
		container.NewTabItem(lang.L("Appointments"), container.NewVBox(v.appointments, widget.NewForm(
			widget.NewFormItem(lang.L("Day"), v.apptDay),
			widget.NewFormItem(lang.L("Time"), v.apptTime),
			widget.NewFormItem(lang.L("Minutes"), v.apptMinutes),
			widget.NewFormItem(lang.L("Place"), v.apptPlace),
			widget.NewFormItem(lang.L("Social worker"), v.apptWorker)), v.book)),
	)
	top := container.NewBorder(nil, nil, back, container.NewHBox(v.receipt, v.consent, v.printR), v.title)
	v.content = container.NewVBox(top, v.notice, v.problem, v.details, widget.NewSeparator(),
		socialBold(lang.L("Phase")), v.phase, container.NewBorder(nil, nil, nil, v.close, container.NewGridWithColumns(2, v.reason, v.why)), v.reopen,
		widget.NewSeparator(), tabs)
	v.root = container.NewStack(container.NewVScroll(container.NewPadded(v.content)))
	v.render()
	v.s.loadWorkers(v.fillWorkers)
	return v.root
}

// fillWorkers offers the social workers for an appointment, the case's
// worker first chosen, and names the worker in the details.
func (v *caseView) fillWorkers() {
	var options []string
	sel := -1
	for i, w := range v.s.workers {
		options = append(options, w.FullName)
		if w.Username == v.f.Worker {
			sel = i
		}
	}
	v.apptWorker.SetOptions(options)
	if sel >= 0 {
		v.apptWorker.SetSelectedIndex(sel)
	}
	v.renderDetails()
}

// render shows the file as it stands.
func (v *caseView) render() {
	v.title.SetText(v.f.Number.String() + "  ·  " + v.f.PersonName)
	v.renderDetails()
	v.renderPhase()
	v.renderNotes()
	v.renderReferrals()
	v.renderAppointments()
	v.content.Refresh()
}

func (v *caseView) renderDetails() {
	c := v.f.Case
	form := widget.NewForm()
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			form.Append(label, &widget.Label{Text: value, Wrapping: fyne.TextWrapWord})
		}
	}
	add(lang.L("Phase"), socialPhaseName(c.Phase))
	add(lang.L("Request"), socialTypeName(c.Type))
	source := socialSourceName(c.Source)
	if c.Referrer != "" {
		source += " · " + c.Referrer
	}
	add(lang.L("How it came"), source)
	add(lang.L("Presenting issue"), c.PresentingIssue)
	add(lang.L("Priority"), socialPriorityName(c.Priority))
	var risks []string
	for _, r := range c.Risks {
		risks = append(risks, socialRiskName(r))
	}
	add(lang.L("Risk factors"), strings.Join(risks, ", "))
	if c.ISEE != nil {
		add(lang.L("ISEE (euro)"), euro(c.ISEE.Cents)+" · "+lang.L("valid until {{.Date}}", map[string]any{"Date": c.ISEE.Expiry.Italian()}))
	}
	add(lang.L("Assigned to"), v.s.workerName(c.Worker))
	add(lang.L("Opened on"), c.OpenedAt.In(registry.Rome).Format("02/01/2006 15:04"))
	if !c.TargetDate.IsZero() {
		add(lang.L("Assessment by"), c.TargetDate.Italian())
	}
	add(lang.L("Next step"), c.NextStep)
	if c.Visitor != nil {
		vis := c.Visitor
		add(lang.L("Visitor"), strings.Join(socialNonEmpty(vis.CF, vis.BirthDate.Italian(), vis.Phone, vis.Email, vis.Address), " · "))
	}
	var members []string
	for _, m := range c.Household {
		members = append(members, strings.Join(socialNonEmpty(m.Name, m.Relationship), ", "))
	}
	add(lang.L("Declared household"), strings.Join(members, "; "))
	var docs []string
	for _, d := range c.Documents {
		docs = append(docs, socialDocName(d.Kind)+": "+d.Name)
	}
	add(lang.L("Documents received"), strings.Join(docs, "; "))
	consent := lang.L("not recorded")
	if c.Consent.Given {
		consent = lang.L("given on {{.Date}}", map[string]any{"Date": c.Consent.At.In(registry.Rome).Format("02/01/2006")})
		if c.Consent.Signed {
			consent += " · " + lang.L("form signed")
		}
	}
	add(lang.L("Consent"), consent)
	if !c.Open() {
		add(lang.L("Closed"), c.ClosedAt.In(registry.Rome).Format("02/01/2006")+" · "+socialClosureName(c.Closure)+" "+c.ClosureNote)
	}
	v.details.Objects = []fyne.CanvasObject{form}
	v.details.Refresh()
	v.content.Refresh()
}

func socialNonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// renderPhase offers the phase changes of the current phase, or reopening.
func (v *caseView) renderPhase() {
	v.moves = map[social.Phase]*widget.Button{}
	v.phase.RemoveAll()
	v.phase.Add(&widget.Label{Text: socialPhaseName(v.f.Phase), TextStyle: fyne.TextStyle{Bold: true}})
	for _, to := range social.Next(v.f.Phase) {
		b := widget.NewButtonWithIcon(lang.L("Move to: {{.Phase}}", map[string]any{"Phase": socialPhaseName(to)}), theme.NavigateNextIcon(), func() { v.onMove(to) })
		v.moves[to] = b
		v.phase.Add(b)
	}
	open := v.f.Open()
	for _, o := range []fyne.Disableable{v.close, v.reason, v.why, v.addRef, v.book} {
		if open {
			o.Enable()
		} else {
			o.Disable()
		}
	}
	if open {
		v.reopen.Disable()
	} else {
		v.reopen.Enable()
	}
}

func (v *caseView) renderNotes() {
	v.notes.RemoveAll()
	if len(v.f.Notes) == 0 {
		v.notes.Add(widget.NewLabel(lang.L("No notes yet")))
	}
	for _, n := range v.f.Notes {
		v.notes.Add(&widget.Label{Text: n.At.In(registry.Rome).Format("02/01/2006 15:04") + " · " + n.Author + "\n" + n.Text, Wrapping: fyne.TextWrapWord})
	}
}

func (v *caseView) renderReferrals() {
	v.referrals.RemoveAll()
	v.refRows = map[string]*socialReferralRow{}
	if len(v.f.Referrals) == 0 {
		v.referrals.Add(widget.NewLabel(lang.L("No referrals yet")))
	}
	now := v.s.now()
	for _, r := range v.f.Referrals {
		text := r.Service + " · " + socialReferralName(r.Status) + " · " + lang.L("follow-up on {{.Date}}", map[string]any{"Date": r.FollowUp.Italian()})
		row := &socialReferralRow{label: &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}, actions: map[social.ReferralStatus]*widget.Button{}}
		if r.Overdue(now) {
			row.label.Importance = widget.DangerImportance
			row.label.TextStyle.Bold = true
			row.label.Text = lang.L("OVERDUE") + " · " + text
		}
		buttons := container.NewHBox()
		for _, st := range []social.ReferralStatus{social.ReferralAccepted, social.ReferralRejected, social.ReferralCompleted} {
			probe := r
			if probe.SetStatus(st) != nil || !v.f.Open() {
				continue
			}
			uid := r.UID
			b := widget.NewButton(socialReferralName(st), func() { v.onReferralStatus(uid, st) })
			row.actions[st] = b
			buttons.Add(b)
		}
		v.refRows[r.UID] = row
		v.referrals.Add(container.NewBorder(nil, nil, nil, buttons, row.label))
	}
}

func (v *caseView) renderAppointments() {
	v.appointments.RemoveAll()
	v.apptRows = map[string]*socialApptRow{}
	if len(v.f.Appointments) == 0 {
		v.appointments.Add(widget.NewLabel(lang.L("No appointments yet")))
	}
	for _, a := range v.f.Appointments {
		row := &socialApptRow{label: widget.NewLabel(socialApptLine(a, true) + " · " + v.s.workerName(a.Worker))}
		var right fyne.CanvasObject = container.NewHBox()
		if a.State == social.AppointmentBooked {
			uid := a.UID
			row.cancel = widget.NewButtonWithIcon(lang.L("Cancel"), theme.DeleteIcon(), func() { v.onCancelAppointment(uid) })
			right = row.cancel
		}
		v.apptRows[a.UID] = row
		v.appointments.Add(container.NewBorder(nil, nil, nil, right, row.label))
	}
}

// run does one change off the UI goroutine and, when it succeeds, applies
// it to the file and says what was done.
func (v *caseView) run(change func(ctx context.Context) (func(), error), done string) {
	socialSay(v.problem, "", v.content)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		apply, err := change(ctx)
		v.s.do(func() {
			if err != nil {
				v.showProblem(err)
				return
			}
			apply()
			v.render()
			v.say(done)
		})
	}()
}

// setCase takes the state of the case from the store's answer; the details
// read with the file stay.
func (v *caseView) setCase(c social.Case) {
	f := &v.f.Case
	f.Phase, f.Worker, f.ClosedAt, f.Closure, f.ClosureNote, f.Reopened, f.Version = c.Phase, c.Worker, c.ClosedAt, c.Closure, c.ClosureNote, c.Reopened, c.Version
}

func (v *caseView) onMove(to social.Phase) {
	uid, base := v.f.UID, v.f.Version
	v.run(func(ctx context.Context) (func(), error) {
		c, err := v.s.svc.MoveCase(ctx, v.s.user, uid, base, to)
		return func() { v.setCase(c) }, err
	}, lang.L("The case is now in phase: {{.Phase}}", map[string]any{"Phase": socialPhaseName(to)}))
}

func (v *caseView) onClose() {
	i := v.reason.SelectedIndex()
	if i < 0 {
		v.showProblem(fault.New(fault.Invalid, "Choose why the case is closed", nil))
		return
	}
	uid, base, reason, note := v.f.UID, v.f.Version, social.ClosureReasons[i], v.why.Text
	v.run(func(ctx context.Context) (func(), error) {
		c, err := v.s.svc.CloseCase(ctx, v.s.user, uid, base, reason, note)
		return func() { v.setCase(c); v.reason.ClearSelected(); v.why.SetText("") }, err
	}, lang.L("The case is closed"))
}

func (v *caseView) onReopen() {
	uid, base := v.f.UID, v.f.Version
	v.run(func(ctx context.Context) (func(), error) {
		c, err := v.s.svc.ReopenCase(ctx, v.s.user, uid, base)
		return func() { v.setCase(c) }, err
	}, lang.L("The case is reopened: it is back in intake"))
}

func (v *caseView) onNote() {
	uid, text := v.f.UID, v.note.Text
	v.run(func(ctx context.Context) (func(), error) {
		n, err := v.s.svc.AddNote(ctx, v.s.user, uid, text)
		return func() { v.f.Notes = append(v.f.Notes, n); v.note.SetText("") }, err
	}, lang.L("Note added"))
}

func (v *caseView) onReferral() {
	followUp, err := parseDateField(v.refFollowUp, lang.L("Follow-up on"), false)
	if err != nil {
		v.showProblem(err)
		return
	}
	uid := v.f.UID
	r := social.Referral{Service: v.refService.Text, FollowUp: followUp, Note: v.refNote.Text}
	v.run(func(ctx context.Context) (func(), error) {
		got, err := v.s.svc.AddReferral(ctx, v.s.user, uid, r)
		return func() {
			v.f.Referrals = append(v.f.Referrals, got)
			v.refService.SetText("")
			v.refFollowUp.SetText("")
			v.refNote.SetText("")
		}, err
	}, lang.L("Referral recorded"))
}

func (v *caseView) onReferralStatus(uid string, st social.ReferralStatus) {
	v.run(func(ctx context.Context) (func(), error) {
		got, err := v.s.svc.SetReferralStatus(ctx, v.s.user, uid, st)
		return func() {
			for i := range v.f.Referrals {
				if v.f.Referrals[i].UID == uid {
					v.f.Referrals[i] = got
				}
			}
		}, err
	}, lang.L("Referral updated"))
}

func (v *caseView) onBook() {
	day, err := parseDateField(v.apptDay, lang.L("Day"), false)
	if err != nil {
		v.showProblem(err)
		return
	}
	clock, err := queue.ParseClock(strings.TrimSpace(v.apptTime.Text))
	if err != nil {
		v.showProblem(fault.New(fault.Invalid, "Write the time as hh:mm", nil))
		return
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(v.apptMinutes.Text))
	if err != nil {
		v.showProblem(fault.New(fault.Invalid, "The duration must be between 10 and 240 minutes", nil))
		return
	}
	a := social.Appointment{CaseUID: v.f.UID, At: clock.At(day), Minutes: minutes, Place: v.apptPlace.Text, Worker: v.f.Worker}
	if i := v.apptWorker.SelectedIndex(); i >= 0 && i < len(v.s.workers) {
		a.Worker = v.s.workers[i].Username
	}
	v.run(func(ctx context.Context) (func(), error) {
		got, err := v.s.svc.BookSocialAppointment(ctx, v.s.user, a)
		return func() {
			v.f.Appointments = append(v.f.Appointments, got)
			v.apptTime.SetText("")
			v.apptPlace.SetText("")
		}, err
	}, lang.L("Appointment booked"))
}

func (v *caseView) onCancelAppointment(uid string) {
	v.run(func(ctx context.Context) (func(), error) {
		got, err := v.s.svc.CancelSocialAppointment(ctx, v.s.user, uid)
		return func() {
			for i := range v.f.Appointments {
				if v.f.Appointments[i].UID == uid {
					v.f.Appointments[i] = got
				}
			}
		}, err
	}, lang.L("Appointment cancelled"))
}

// nextSocialAppointment is the first booked appointment after now, nil if none.
func nextSocialAppointment(f social.File, now time.Time) *social.Appointment {
	for _, a := range f.Appointments {
		if a.State == social.AppointmentBooked && a.At.After(now) {
			return &a
		}
	}
	return nil
}

// document reads the file again for the receipt (the view is logged with
// that purpose) and lays out a PDF with layout.
func (v *caseView) document(name string, layout func(printing.Receipt, printing.Letterhead) ([]byte, error)) {
	uid, workers, now := v.f.UID, v.s.workers, v.s.now()
	socialSay(v.problem, "", v.content)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		f, err := v.s.svc.CaseFile(ctx, v.s.user, uid, social.PurposeReceipt)
		var office printing.SocialOffice
		if err == nil {
			office, err = v.s.office(ctx)
		}
		var pdf []byte
		if err == nil {
			pdf, err = layout(printing.Receipt{Office: office, Case: f.Case, Worker: socialWorkerName(workers, f.Worker),
				Next: nextSocialAppointment(f, now), At: now}, printing.Letterhead{})
		}
		v.s.do(func() {
			if err != nil {
				v.showProblem(err)
				return
			}
			v.pdf = pdf
			v.printR.Enable()
			v.s.save(name+"-"+f.Number.String()+".pdf", pdf)
		})
	}()
}

func (v *caseView) onReceipt() {
	v.document(lang.X("social.receipt.file", "receipt"), printing.CaseReceipt)
}

func (v *caseView) onConsent() {
	v.document(lang.X("social.consent.file", "consent"), printing.ConsentForm)
}

// onPrint sends the receipt made last to the printer.
func (v *caseView) onPrint() {
	if v.pdf == nil || v.s.print == nil {
		return
	}
	pdf := v.pdf
	v.printR.Disable()
	go func() {
		err := v.s.print(context.Background(), pdf)
		v.s.do(func() {
			v.printR.Enable()
			if err != nil {
				v.showProblem(err)
				return
			}
			v.say(lang.L("Sent to the printer."))
		})
	}()
}

func (v *caseView) showProblem(err error) {
	socialSay(v.notice, "", v.content)
	socialSay(v.problem, userMessage(err), v.content)
}

// say tells what was just done.
func (v *caseView) say(text string) {
	socialSay(v.problem, "", v.content)
	socialSay(v.notice, text, v.content)
}
