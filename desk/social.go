package desk

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/printing"
	"sportello/queue"
	"sportello/registry"
	"sportello/social"
)

// SocialDesk is what the social desk's screens need: cases and their
// intake, notes, referrals and appointments, the worker's lists, and the
// desk's settings. The store implements it and checks the role on every
// call; the desk finds it on Deps.Registry.
type SocialDesk interface {
	SocialWorkers(ctx context.Context, u access.User) ([]access.User, error)
	OpenCase(ctx context.Context, u access.User, in social.Intake) (social.Case, error)
	CaseFile(ctx context.Context, u access.User, caseUID string, purpose social.Purpose) (social.File, error)
	MoveCase(ctx context.Context, u access.User, caseUID string, base int64, to social.Phase) (social.Case, error)
	CloseCase(ctx context.Context, u access.User, caseUID string, base int64, reason social.ClosureReason, note string) (social.Case, error)
	ReopenCase(ctx context.Context, u access.User, caseUID string, base int64) (social.Case, error)
	AddNote(ctx context.Context, u access.User, caseUID, text string) (social.Note, error)
	AddReferral(ctx context.Context, u access.User, caseUID string, r social.Referral) (social.Referral, error)
	SetReferralStatus(ctx context.Context, u access.User, referralUID string, status social.ReferralStatus) (social.Referral, error)
	BookSocialAppointment(ctx context.Context, u access.User, a social.Appointment) (social.Appointment, error)
	CancelSocialAppointment(ctx context.Context, u access.User, uid string) (social.Appointment, error)
	ArriveSocialAppointment(ctx context.Context, u access.User, uid string) (social.Appointment, queue.Issued, error)
	MyOpenCases(ctx context.Context, u access.User) ([]social.Case, error)
	OverdueReferrals(ctx context.Context, u access.User, day registry.Date) ([]social.Referral, error)
	DayAppointments(ctx context.Context, u access.User, day registry.Date) ([]social.Appointment, error)
	SearchCases(ctx context.Context, u access.User, text string, phase social.Phase) ([]social.Case, error)
	PersonHasSocialCase(ctx context.Context, u access.User, personUID string) (bool, error)
	Meta(ctx context.Context, key string) (string, error)
}

// socialRecordReader is how the intake reads a person's record: every view is
// logged in the register's access log first.
type socialRecordReader interface {
	LogAccess(ctx context.Context, operator string, personID int64, purpose access.Purpose) error
}

// Settings of the receipt's contacts, in the store's meta.
const (
	metaSocialOffice  = "social_office_name"
	metaSocialAddress = "social_office_address"
	metaSocialPhone   = "social_office_phone"
	metaSocialEmail   = "social_office_email"
	metaSocialHours   = "social_office_hours"
)

// socialArea is the social desk, for the social workers on a desk whose
// store keeps cases.
func socialArea(d *Desk, u access.User) (area, bool) {
	sd := d.deps.Social
	if sd == nil || d.deps.Registry == nil || !u.Role.CanUseSocialDesk() {
		return area{}, false
	}
	s := newSocialScreen(sd, d.deps.Directory, d.deps.Registry, u, d.win, d.do, d.now)
	s.municipality = strings.TrimPrefix(d.deps.Office.Municipality, "Comune di ")
	if c := d.deps.Certificates; c != nil {
		s.print = c.Print
	}
	return area{name: lang.L("Social desk"), icon: theme.HomeIcon(), content: s.buildUI(), onShow: s.onShow}, true
}

// socialScreen is the social worker's desk: their open cases, the overdue
// referrals, today's appointments and the search of cases; the intake form
// and a case file open in its place.
type socialScreen struct {
	svc          SocialDesk
	dir          registry.Directory
	reader       socialRecordReader // nil: records are not read
	user         access.User
	win          fyne.Window
	do           func(func())
	now          func() time.Time
	municipality string
	// print sends a PDF to the printer; nil when the desk has none.
	print func(ctx context.Context, pdf []byte) error
	// save offers a PDF to save (a file dialog); tests replace it.
	save func(name string, pdf []byte)

	body     *fyne.Container // the lists, the intake form or a case file
	lists    fyne.CanvasObject
	search   *widget.Entry
	phase    *widget.Select
	newCase  *widget.Button
	mine     *widget.List
	overdue  *widget.List
	today    *widget.List
	results  *widget.List
	arrive   *widget.Button
	summary  *widget.Label
	notice   *widget.Label // what was just done; hidden when empty
	header   *fyne.Container
	problem  *widget.Label
	resTitle *widget.Label

	// touched on the UI goroutine only
	mineRows    []social.Case
	overdueRows []social.Referral
	todayRows   []social.Appointment
	resultRows  []social.Case
	todaySel    int
	intake      *intakeForm // while shown
	file        *caseView   // while shown
	workers     []access.User
}

func newSocialScreen(svc SocialDesk, dir registry.Directory, reader socialRecordReader, u access.User, win fyne.Window, do func(func()), now func() time.Time) *socialScreen {
	s := &socialScreen{svc: svc, dir: dir, reader: reader, user: u, win: win, do: do, now: now, todaySel: -1}
	s.save = func(name string, pdf []byte) { saveFile(win, name, pdf, s.problem) }
	return s
}

// day is the desk's today in Europe/Rome.
func (s *socialScreen) day() registry.Date { return registry.DateOf(s.now().In(registry.Rome)) }

func (s *socialScreen) buildUI() fyne.CanvasObject {
	s.search = widget.NewEntry()
	s.search.PlaceHolder = lang.L("Case number or name")
	s.search.OnSubmitted = func(string) { s.onSearch() }
	s.phase = newSelect(nil, func(string) { s.onSearch() })
	s.phase.PlaceHolder = lang.L("Any phase")
	options := []string{lang.L("Any phase")}
	for _, p := range social.Phases {
		options = append(options, socialPhaseName(p))
	}
	s.phase.SetOptions(options)
	s.newCase = widget.NewButtonWithIcon(lang.L("New request"), theme.ContentAddIcon(), s.showIntake)
	s.newCase.Importance = widget.HighImportance
	find := widget.NewButtonWithIcon(lang.L("Search"), theme.SearchIcon(), s.onSearch)
	s.summary = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.notice = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance}
	s.notice.Hide()
	s.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.problem.Hide()

	s.mine = widget.NewList(func() int { return len(s.mineRows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(socialCaseLine(s.mineRows[i]))
		})
	s.mine.OnSelected = func(i widget.ListItemID) {
		s.mine.UnselectAll()
		s.openCase(s.mineRows[i].UID, social.PurposeCaseWork)
	}
	s.overdue = widget.NewList(func() int { return len(s.overdueRows) },
		func() fyne.CanvasObject { return &widget.Label{Importance: widget.DangerImportance} },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(socialOverdueLine(s.overdueRows[i]))
		})
	s.overdue.OnSelected = func(i widget.ListItemID) {
		s.overdue.UnselectAll()
		s.openCase(s.overdueRows[i].CaseUID, social.PurposeFollowUp)
	}
	s.today = widget.NewList(func() int { return len(s.todayRows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(socialApptLine(s.todayRows[i], false))
		})
	s.today.OnSelected = func(i widget.ListItemID) {
		s.todaySel = i
		s.arrive.Enable()
		if s.todayRows[i].State != social.AppointmentBooked {
			s.arrive.Disable()
		}
	}
	s.today.OnUnselected = func(widget.ListItemID) { s.todaySel = -1; s.arrive.Disable() }
	s.arrive = widget.NewButtonWithIcon(lang.L("The person has arrived: issue the ticket"), theme.ConfirmIcon(), s.onArrive)
	s.arrive.Disable()
	openToday := widget.NewButtonWithIcon(lang.L("Open the case"), theme.FolderOpenIcon(), func() {
		if s.todaySel >= 0 && s.todaySel < len(s.todayRows) {
			s.openCase(s.todayRows[s.todaySel].CaseUID, social.PurposeAppointment)
		}
	})
	s.results = widget.NewList(func() int { return len(s.resultRows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(socialCaseLine(s.resultRows[i]))
		})
	s.results.OnSelected = func(i widget.ListItemID) {
		s.results.UnselectAll()
		s.openCase(s.resultRows[i].UID, social.PurposeCaseWork)
	}
	s.resTitle = socialBold(lang.L("Cases found"))

	top := container.NewBorder(nil, nil, nil, container.NewHBox(s.phase, find, s.newCase), s.search)
	section := func(title *widget.Label, list fyne.CanvasObject, bottom fyne.CanvasObject) fyne.CanvasObject {
		return container.NewPadded(container.NewBorder(title, bottom, nil, nil, list))
	}
	left := container.NewVSplit(
		section(socialBold(lang.L("My open cases")), s.mine, nil),
		section(socialBold(lang.L("Overdue referrals")), s.overdue, nil))
	right := container.NewVSplit(
		section(socialBold(lang.L("Today's appointments")), s.today, container.NewHBox(s.arrive, openToday)),
		section(s.resTitle, s.results, nil))
	grid := container.NewGridWithColumns(2, left, right)
	s.header = container.NewVBox(top, s.summary, s.notice, s.problem)
	s.lists = container.NewBorder(s.header, nil, nil, nil, grid)
	s.body = container.NewStack(s.lists)
	return s.body
}

func socialBold(text string) *widget.Label {
	return &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}}
}

// onShow reloads the lists and puts the cursor in the search box.
func (s *socialScreen) onShow() {
	if s.intake == nil && s.file == nil {
		s.refresh()
		if c := fyne.CurrentApp().Driver().CanvasForObject(s.search); c != nil {
			c.Focus(s.search)
		}
	}
}

// refresh reads the worker's three lists.
func (s *socialScreen) refresh() {
	day := s.day()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		mine, err := s.svc.MyOpenCases(ctx, s.user)
		var late []social.Referral
		var today []social.Appointment
		if err == nil {
			late, err = s.svc.OverdueReferrals(ctx, s.user, day)
		}
		if err == nil {
			today, err = s.svc.DayAppointments(ctx, s.user, day)
		}
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			socialSay(s.problem, "", s.header)
			s.mineRows, s.overdueRows, s.todayRows = mine, late, today
			s.todaySel = -1
			s.arrive.Disable()
			s.mine.Refresh()
			s.overdue.Refresh()
			s.today.UnselectAll()
			s.today.Refresh()
			s.summary.SetText(lang.L("{{.Open}} open cases, {{.Late}} overdue referrals, {{.Today}} appointments today",
				map[string]any{"Open": len(mine), "Late": len(late), "Today": len(today)}))
		})
	}()
}

// selectedPhase is the phase chosen in the filter, "" for any.
func (s *socialScreen) selectedPhase() social.Phase {
	if i := s.phase.SelectedIndex(); i > 0 && i <= len(social.Phases) {
		return social.Phases[i-1]
	}
	return ""
}

// onSearch finds cases by number or name and phase.
func (s *socialScreen) onSearch() {
	text, phase := s.search.Text, s.selectedPhase()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		found, err := s.svc.SearchCases(ctx, s.user, text, phase)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			socialSay(s.problem, "", s.header)
			s.resultRows = found
			s.resTitle.SetText(lang.L("Cases found: {{.Count}}", map[string]any{"Count": len(found)}))
			s.results.Refresh()
		})
	}()
}

// onArrive issues the queue ticket of the appointment selected.
func (s *socialScreen) onArrive() {
	if s.todaySel < 0 || s.todaySel >= len(s.todayRows) {
		return
	}
	uid := s.todayRows[s.todaySel].UID
	s.arrive.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		_, issued, err := s.svc.ArriveSocialAppointment(ctx, s.user, uid)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.refresh()
			socialSay(s.notice, lang.L("Ticket {{.Label}} issued: the person waits to be called", map[string]any{"Label": issued.Ticket.Label}), s.header)
		})
	}()
}

// showIntake replaces the lists with an empty intake form.
func (s *socialScreen) showIntake() {
	s.file = nil
	s.intake = newIntakeForm(s)
	s.body.Objects = []fyne.CanvasObject{s.intake.buildUI()}
	s.body.Refresh()
	s.intake.loadWorkers()
	// The clerk starts by finding the person.
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.intake.find); c != nil {
		c.Focus(s.intake.find)
	}
}

// openCase reads the case file for purpose and shows it.
func (s *socialScreen) openCase(uid string, purpose social.Purpose) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		f, err := s.svc.CaseFile(ctx, s.user, uid, purpose)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.showCase(f)
		})
	}()
}

// showCase replaces what is shown with the case file f.
func (s *socialScreen) showCase(f social.File) {
	s.intake = nil
	s.file = newCaseView(s, f)
	s.body.Objects = []fyne.CanvasObject{s.file.buildUI()}
	s.body.Refresh()
}

// showLists goes back to the worker's lists, reloaded.
func (s *socialScreen) showLists() {
	s.intake, s.file = nil, nil
	socialSay(s.notice, "", s.header)
	s.body.Objects = []fyne.CanvasObject{s.lists}
	s.body.Refresh()
	s.refresh()
}

func (s *socialScreen) showProblem(err error) {
	socialSay(s.problem, userMessage(err), s.header)
}

// socialSay puts text in l, hidden when empty, and lays out box again.
func socialSay(l *widget.Label, text string, box *fyne.Container) {
	l.SetText(text)
	showIf(l, text != "")
	box.Refresh()
}

// office is the social desk's office as the receipt names it, from the
// desk's settings.
func (s *socialScreen) office(ctx context.Context) (printing.SocialOffice, error) {
	o := printing.SocialOffice{Municipality: s.municipality}
	for _, f := range []struct {
		key string
		dst *string
	}{{metaSocialOffice, &o.Office}, {metaSocialAddress, &o.Address}, {metaSocialPhone, &o.Phone}, {metaSocialEmail, &o.Email}, {metaSocialHours, &o.Hours}} {
		v, err := s.svc.Meta(ctx, f.key)
		if err != nil {
			return o, err
		}
		*f.dst = v
	}
	if o.Office == "" {
		o.Office = "Punto Unico di Accesso"
	}
	return o, nil
}

// workerName is the full name of a social worker, the username if unknown.
func (s *socialScreen) workerName(username string) string {
	return socialWorkerName(s.workers, username)
}

func socialWorkerName(workers []access.User, username string) string {
	for _, w := range workers {
		if w.Username == username {
			return w.FullName
		}
	}
	return username
}

// loadWorkers reads the social workers once, then calls then on the UI
// goroutine.
func (s *socialScreen) loadWorkers(then func()) {
	if s.workers != nil {
		then()
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		ws, err := s.svc.SocialWorkers(ctx, s.user)
		s.do(func() {
			if err != nil {
				s.showProblem(err)
				return
			}
			s.workers = ws
			then()
		})
	}()
}

// Lines of the lists.

func socialCaseLine(c social.Case) string {
	line := c.Number.String() + "  " + c.PersonName + "  · " + socialTypeName(c.Type) + "  · " + socialPhaseName(c.Phase)
	if c.Priority == social.Urgent || c.Priority == social.High {
		line += "  · " + socialPriorityName(c.Priority)
	}
	return line
}

func socialOverdueLine(r social.Referral) string {
	return lang.L("{{.Number}} {{.Person}}: {{.Service}}, follow-up due {{.Date}}", map[string]any{
		"Number": r.CaseNumber.String(), "Person": r.PersonName, "Service": r.Service, "Date": r.FollowUp.Italian()})
}

// socialApptLine is an appointment as a list shows it; withDay adds the
// date.
func socialApptLine(a social.Appointment, withDay bool) string {
	at := a.At.In(registry.Rome)
	when := at.Format("15:04")
	if withDay {
		when = at.Format("02/01/2006 15:04")
	}
	line := when + "  " + a.CaseNumber.String() + "  " + a.PersonName
	if a.Place != "" {
		line += "  · " + a.Place
	}
	switch a.State {
	case social.AppointmentArrived:
		line += "  · " + lang.L("arrived")
	case social.AppointmentCancelled:
		line += "  · " + lang.L("cancelled")
	}
	return line
}

// Names of the social desk's codes.

func socialTypeName(t social.RequestType) string {
	switch t {
	case social.HomeCare:
		return lang.X("social.type.home_care", "Home care (ADI/SAD)")
	case social.ResidentialCare:
		return lang.X("social.type.residential_care", "Residential or day care")
	case social.Inclusion:
		return lang.X("social.type.inclusion", "Inclusion support")
	case social.ISEEHelp:
		return lang.X("social.type.isee_help", "ISEE help")
	case social.RentSupport:
		return lang.X("social.type.rent_support", "Rent support")
	case social.Disability:
		return lang.X("social.type.disability", "Disability")
	}
	return lang.X("social.type.other", "Other request")
}

func socialSourceName(s social.Source) string {
	switch s {
	case social.WalkIn:
		return lang.X("social.source.walk_in", "Walk-in")
	case social.Referred:
		return lang.X("social.source.referral", "Referral")
	case social.Outreach:
		return lang.X("social.source.outreach", "Outreach")
	case social.Online:
		return lang.X("social.source.online", "Online, from the portal")
	}
	return lang.X("social.source.other", "Other")
}

func socialPriorityName(p social.Priority) string {
	switch p {
	case social.Low:
		return lang.X("social.priority.low", "Low priority")
	case social.High:
		return lang.X("social.priority.high", "High priority")
	case social.Urgent:
		return lang.X("social.priority.urgent", "Urgent")
	}
	return lang.X("social.priority.normal", "Normal priority")
}

func socialRiskName(r social.Risk) string {
	switch r {
	case social.LivesAlone:
		return lang.X("social.risk.lives_alone", "Lives alone")
	case social.NotSelfReliant:
		return lang.X("social.risk.not_self_reliant", "Not self-sufficient")
	case social.NoIncome:
		return lang.X("social.risk.no_income", "No income")
	case social.Eviction:
		return lang.X("social.risk.eviction", "Eviction")
	case social.Minors:
		return lang.X("social.risk.minors", "Minors at risk")
	case social.Violence:
		return lang.X("social.risk.violence", "Violence")
	case social.Addiction:
		return lang.X("social.risk.addiction", "Addiction")
	}
	return lang.X("social.risk.health", "Health")
}

func socialPhaseName(p social.Phase) string {
	switch p {
	case social.PhaseIntake:
		return lang.X("social.phase.intake", "Intake")
	case social.PhaseAssessment:
		return lang.X("social.phase.assessment", "Assessment")
	case social.PhasePlanning:
		return lang.X("social.phase.planning", "Planning")
	case social.PhaseImplementation:
		return lang.X("social.phase.implementation", "Implementation")
	case social.PhaseMonitoring:
		return lang.X("social.phase.monitoring", "Monitoring")
	}
	return lang.X("social.phase.closed", "Closed")
}

func socialClosureName(r social.ClosureReason) string {
	switch r {
	case social.GoalsAchieved:
		return lang.X("social.closure.goals_achieved", "Goals achieved")
	case social.Partial:
		return lang.X("social.closure.partial", "Goals partly achieved")
	case social.Transferred:
		return lang.X("social.closure.transferred", "Transferred to another service")
	case social.Ineligible:
		return lang.X("social.closure.ineligible", "Not eligible")
	case social.LostContact:
		return lang.X("social.closure.lost_contact", "Contact lost")
	case social.Deceased:
		return lang.X("social.closure.deceased", "Deceased")
	}
	return lang.X("social.closure.other", "Other reason")
}

func socialDocName(k social.DocumentKind) string {
	switch k {
	case social.DocIdentity:
		return lang.X("social.document.identity", "Identity document")
	case social.DocISEE:
		return lang.X("social.document.isee", "ISEE attestation or DSU")
	case social.DocMedical:
		return lang.X("social.document.medical", "Medical record")
	case social.DocIncome:
		return lang.X("social.document.income", "Income")
	case social.DocRent:
		return lang.X("social.document.rent", "Lease or eviction")
	}
	return lang.X("social.document.other", "Other document")
}

func socialReferralName(st social.ReferralStatus) string {
	switch st {
	case social.ReferralPending:
		return lang.X("social.referral.pending", "Pending")
	case social.ReferralAccepted:
		return lang.X("social.referral.accepted", "Accepted")
	case social.ReferralRejected:
		return lang.X("social.referral.rejected", "Rejected")
	}
	return lang.X("social.referral.completed", "Completed")
}
