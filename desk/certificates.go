package desk

import (
	"context"
	"image"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/registry"
)

// CertificateDesk issues and registers certificates and hands out their
// paper: the program wires the store and the printing package behind it.
type CertificateDesk interface {
	Settings() certificate.Settings
	// Policy says which roles issue certificates.
	Policy() certificate.IssuePolicy
	// Issue checks the rules, registers the certificate and returns it with
	// its PDF, committed.
	Issue(ctx context.Context, personID int64, req certificate.Request, by certificate.Issuer) (certificate.Issued, error)
	// SelfDeclaration is the pre-filled self-declaration of the request's
	// facts on rec, declared by by: no certificate is issued for it.
	SelfDeclaration(rec registry.Record, req certificate.Request, by certificate.Declarant) ([]byte, error)
	// Preview renders the first page; nil with no error when this machine
	// cannot render PDFs.
	Preview(ctx context.Context, pdf []byte) (image.Image, error)
	// Print sends the PDF to the configured printer.
	Print(ctx context.Context, pdf []byte) error
	// Register lists the certificates issued on a day.
	Register(ctx context.Context, day registry.Date) ([]certificate.Entry, error)
	// Reprint is a registered certificate's PDF marked as a duplicate; the
	// reprint is logged.
	Reprint(ctx context.Context, operator, number string) ([]byte, error)
	// CashClose is a day's cash register with its totals, and its PDF report.
	CashClose(ctx context.Context, day registry.Date) (certificate.DailyClose, []byte, error)
	// LockCash records the day's close with its totals: from then on the
	// day takes no more amounts.
	LockCash(ctx context.Context, operator string, day registry.Date) (certificate.DailyClose, error)
	// CashLocked says whether the day's cash register is closed.
	CashLocked(ctx context.Context, day registry.Date) (bool, error)
}

// certificateLauncher returns what the person view's "Issue certificate"
// button runs, or nil when the desk issues none or the role may not.
func certificateLauncher(d *Desk, u access.User) func(registry.Record) {
	if d.deps.Certificates == nil || !d.deps.Certificates.Policy().MayIssue(u.Role) {
		return nil
	}
	by := certificate.Issuer{Username: u.Username, FullName: u.FullName, Role: u.Role}
	return func(rec registry.Record) {
		newCertificateScreen(d.deps.Certificates, d.win, d.do, by, rec).show()
	}
}

// The duty options.
const (
	dutyVirtual = iota
	dutyMarca
	dutyExempt
)

// certificateScreen is the issuing dialog opened from a person's record:
// type, use, stamp duty and fee payment, the rules' verdict and the fees
// before issuing; then the issued certificate's preview, print and save.
type certificateScreen struct {
	svc CertificateDesk
	win fyne.Window
	do  func(func())
	by  certificate.Issuer
	rec registry.Record

	dlg     dialog.Dialog
	content *fyne.Container

	typeSel     *widget.Select
	combo       *widget.CheckGroup
	useSel      *widget.Select
	duty        *widget.RadioGroup
	serial      *widget.Entry
	exemption   *widget.Select
	reason      *widget.Entry
	norm        *widget.Entry
	feePay      *widget.Select
	force       *widget.Check
	forceReason *widget.Entry
	verdict     *widget.Label
	instead     *fyne.Container // the types to issue instead of a refused one
	fees        *widget.Label
	issueBtn    *widget.Button

	// The self-declaration, offered without issuing.
	whoSel        *widget.Select // who declares: the person, a parent, the guardian
	declarantName *widget.Entry
	parentOf      registry.Person // the householder, a minor child's parent, proposed as the declarant
	selfBtn       *widget.Button
	selfNote      *widget.Label

	typeLabels  []string
	typeOf      map[string][]certificate.Type
	comboLabels []string
	comboOf     map[string]certificate.Type
	uses        []certificate.Use
	useLabels   []string
	exemptions  []certificate.Exemption
	dutyLabels  []string
	payments    []certificate.Payment
	payLabels   []string

	issued     *certificate.Issued
	issuedReq  certificate.Request // what was issued, for its self-declaration
	number     *widget.Label
	preview    *canvas.Image
	previewMsg *widget.Label
	printBtn   *widget.Button
	problem    *widget.Label
}

func newCertificateScreen(svc CertificateDesk, win fyne.Window, do func(func()), by certificate.Issuer, rec registry.Record) *certificateScreen {
	return &certificateScreen{svc: svc, win: win, do: do, by: by, rec: rec}
}

func (s *certificateScreen) show() {
	s.dlg = dialog.NewCustomWithoutButtons(lang.L("Issue a certificate to {{.Name}}", map[string]any{"Name": fullName(s.rec.Person.Surname, s.rec.Person.Name)}), s.buildUI(), s.win)
	s.dlg.Resize(fyne.NewSize(820, 640))
	s.dlg.Show()
	s.win.Canvas().Focus(s.typeSel)
}

func (s *certificateScreen) buildUI() fyne.CanvasObject {
	s.typeOf = map[string][]certificate.Type{}
	contestuale := lang.L("Certificato contestuale (combined)")
	for _, t := range certificate.Types() {
		label := strconv.Itoa(int(t)) + " · " + t.Title()
		s.typeLabels = append(s.typeLabels, label)
		s.typeOf[label] = []certificate.Type{t}
		if !t.Alone() {
			s.comboLabels = append(s.comboLabels, t.Title())
			if s.comboOf == nil {
				s.comboOf = map[string]certificate.Type{}
			}
			s.comboOf[t.Title()] = t
		}
	}
	s.typeLabels = append(s.typeLabels, contestuale)
	s.typeSel = newSelect(s.typeLabels, func(string) { s.onChange() })
	s.combo = widget.NewCheckGroup(s.comboLabels, func([]string) { s.onChange() })
	for _, t := range certificate.Contestuale {
		s.combo.Selected = append(s.combo.Selected, t.Title())
	}
	s.combo.Hide()

	s.uses = certificate.Uses()
	for _, u := range s.uses {
		s.useLabels = append(s.useLabels, useName(u))
	}
	s.useSel = newSelect(s.useLabels, func(string) { s.onChange() })
	s.useSel.SetSelectedIndex(0)

	s.dutyLabels = []string{lang.L("Virtual bollo, paid at the desk"), lang.L("Marca da bollo brought by the citizen"), lang.L("Exempt from bollo")}
	s.duty = widget.NewRadioGroup(s.dutyLabels, func(string) { s.onChange() })
	s.duty.Required = true
	s.duty.SetSelected(s.dutyLabels[dutyVirtual])
	if !s.svc.Settings().VirtualBollo.Valid() {
		s.duty.SetSelected(s.dutyLabels[dutyMarca]) // no authorisation to pay it virtually
	}
	s.serial = widget.NewEntry()
	s.serial.SetPlaceHolder(lang.L("Serial number of the marca"))
	s.serial.OnChanged = func(string) { s.onChange() }
	s.exemptions = certificate.Exemptions()
	var exemptLabels []string
	for _, e := range s.exemptions {
		exemptLabels = append(exemptLabels, strconv.Itoa(e.Code)+" · "+e.Caption)
	}
	s.exemption = newSelect(exemptLabels, func(string) { s.onChange() })
	s.exemption.PlaceHolder = lang.L("Exemption (table 39)")
	s.reason = widget.NewEntry()
	s.reason.SetPlaceHolder(lang.L("Reason of the exemption"))
	s.reason.OnChanged = func(string) { s.onChange() }
	s.norm = widget.NewEntry()
	s.norm.SetPlaceHolder(lang.L("Legal reference of the exemption (law and article)"))
	s.norm.OnChanged = func(string) { s.onChange() }

	s.payments = []certificate.Payment{certificate.PayCash, certificate.PayCard, certificate.PayPagoPA}
	s.payLabels = []string{lang.L("In cash"), lang.L("Card (POS)"), lang.L("Through pagoPA")}
	s.feePay = newSelect(s.payLabels, func(string) { s.onChange() })
	s.feePay.SetSelectedIndex(0)

	s.force = widget.NewCheck(lang.L("Issue anyway (registrar): the force is logged"), func(bool) { s.onChange() })
	s.forceReason = widget.NewEntry()
	s.forceReason.SetPlaceHolder(lang.L("Why the registrar issues anyway"))
	s.forceReason.OnChanged = func(string) { s.onChange() }

	s.verdict = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.instead = container.NewHBox()
	s.fees = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}

	s.whoSel = newSelect([]string{lang.L("The person declares"), lang.L("A parent declares (for a minor)"), lang.L("The guardian declares")}, func(string) { s.onChange() })
	s.whoSel.SetSelectedIndex(declaresSelf)
	if s.rec.Person.BirthDate.AgeOn(registry.Today()) < certificate.MarriageAge {
		s.whoSel.SetSelectedIndex(declaresParent)
	}
	s.declarantName = widget.NewEntry()
	s.declarantName.SetPlaceHolder(lang.L("Name of the parent or guardian who declares"))
	if p, ok := s.parent(); ok {
		s.parentOf = p
		s.declarantName.SetText(fullName(p.Surname, p.Name))
	}
	s.declarantName.OnChanged = func(string) { s.onChange() }
	s.selfBtn = widget.NewButtonWithIcon(lang.L("Self-declaration (free)"), theme.FileTextIcon(), s.onSelfDeclaration)
	s.selfNote = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	s.issueBtn = &widget.Button{Text: lang.L("Issue and register"), Icon: theme.DocumentCreateIcon(), Importance: widget.HighImportance, OnTapped: s.onIssue}
	cancel := widget.NewButton(lang.L("Cancel"), s.onClose)

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Certificate type"), container.NewVBox(s.typeSel, s.combo)),
		widget.NewFormItem(lang.L("Certificate use"), s.useSel),
		widget.NewFormItem(lang.L("Stamp duty"), container.NewVBox(s.duty, s.serial, s.exemption, s.reason, s.norm)),
		widget.NewFormItem(lang.L("Fee paid by"), s.feePay),
	)
	self := widget.NewForm(widget.NewFormItem(lang.L("Self-declaration"), container.NewVBox(s.whoSel, s.declarantName, s.selfNote)))
	s.content = container.NewVBox(form, container.NewVBox(s.force, s.forceReason), s.verdict, s.instead, s.fees, self,
		container.NewHBox(layout.NewSpacer(), cancel, s.selfBtn, s.issueBtn))
	s.onChange()
	return container.NewVScroll(s.content)
}

func useName(u certificate.Use) string {
	switch u {
	case certificate.UseAbroad:
		return lang.L("For use abroad")
	case certificate.UseCourt:
		return lang.L("For court proceedings")
	case certificate.UseImmigration:
		return lang.L("For proceedings under the immigration rules")
	case certificate.UseOffice:
		return lang.L("For a public office (exchange between public offices)")
	}
	return lang.L("For Italian private parties")
}

// request is what the form asks for now.
func (s *certificateScreen) request() certificate.Request {
	var req certificate.Request
	if i := s.typeSel.SelectedIndex(); i >= 0 {
		if label := s.typeLabels[i]; s.typeOf[label] != nil {
			req.Types = slices.Clone(s.typeOf[label])
		} else {
			for _, c := range s.combo.Selected {
				req.Types = append(req.Types, s.comboOf[c])
			}
		}
	}
	if i := s.useSel.SelectedIndex(); i >= 0 {
		req.Use = s.uses[i]
	}
	switch s.dutyIndex() {
	case dutyVirtual:
		req.Duty.Payment = certificate.PayVirtual
	case dutyMarca:
		req.Duty.Payment, req.Duty.Serial = certificate.PayMarca, s.serial.Text
	case dutyExempt:
		if i := s.exemption.SelectedIndex(); i >= 0 {
			req.Duty.Exemption = s.exemptions[i].Code
		}
		req.Duty.Reason, req.Duty.Norm = s.reason.Text, s.norm.Text
	}
	if i := s.feePay.SelectedIndex(); i >= 0 {
		req.FeePayment = s.payments[i]
	}
	req.Force, req.ForceReason = s.force.Visible() && s.force.Checked, s.forceReason.Text
	req.Normalise()
	return req
}

// Who declares a self-declaration, as whoSel offers it.
const (
	declaresSelf = iota
	declaresParent
	declaresGuardian
)

// declarant is who the form says declares.
func (s *certificateScreen) declarant() certificate.Declarant {
	d := certificate.Declarant{Name: s.declarantName.Text}
	if s.parentOf.ID != 0 && d.Name == fullName(s.parentOf.Surname, s.parentOf.Name) {
		d.Sex = s.parentOf.Sex
	}
	switch s.whoSel.SelectedIndex() {
	case declaresParent:
		d.Capacity = certificate.Parent
	case declaresGuardian:
		d.Capacity = certificate.Guardian
	default:
		return certificate.Declarant{}
	}
	return d
}

// parent is the householder when the person is a minor registered as their
// child: the parent the clerk most likely has before them, to confirm.
func (s *certificateScreen) parent() (registry.Person, bool) {
	p := s.rec.Person
	if p.BirthDate.AgeOn(registry.Today()) >= certificate.MarriageAge || p.Relationship != registry.Child {
		return registry.Person{}, false
	}
	for _, m := range s.rec.Members {
		if m.Person.ID == s.rec.Family.HouseholderID && m.Person.ID != 0 {
			return m.Person, true
		}
	}
	return registry.Person{}, false
}

func (s *certificateScreen) dutyIndex() int {
	return slices.Index(s.dutyLabels, s.duty.Selected)
}

// onChange shows the fields that apply, the rules' verdict and the fees.
func (s *certificateScreen) onChange() {
	if s.issueBtn == nil {
		return // still building
	}
	contestuale := s.typeSel.SelectedIndex() == len(s.typeLabels)-1
	showIf(s.combo, contestuale)
	d := s.dutyIndex()
	showIf(s.serial, d == dutyMarca)
	showIf(s.exemption, d == dutyExempt)
	other := d == dutyExempt && s.exemption.SelectedIndex() >= 0 && s.exemptions[s.exemption.SelectedIndex()].Code == certificate.OtherExemption
	showIf(s.reason, other)
	showIf(s.norm, other)

	req := s.request()
	s.force.Hide()
	s.forceReason.Hide()
	s.showInstead(nil)
	defer func() {
		s.judgeSelfDeclaration(req)
		s.content.Refresh() // the texts' heights changed
	}()
	if len(req.Types) == 0 {
		s.setVerdict(lang.L("Choose the certificate type."), widget.MediumImportance, false)
		s.fees.SetText("")
		return
	}
	if refusals := certificate.Refusals(s.rec, req); len(refusals) > 0 {
		r := refusals[0]
		s.showInstead(&r)
		if r.Forceable && s.by.MayForce() {
			s.force.Show()
			showIf(s.forceReason, s.force.Checked)
		}
		if !s.force.Visible() || !s.force.Checked {
			s.setVerdict(userMessage(r.Error()), widget.DangerImportance, false)
			s.fees.SetText("")
			return
		}
	}
	err := req.Validate()
	if err == nil {
		err = req.ApplySettings(s.svc.Settings())
	}
	if err != nil {
		s.setVerdict(userMessage(err), widget.WarningImportance, false)
		s.fees.SetText("")
		return
	}
	valid := lang.L("Valid for six months.")
	if v := certificate.Validity(req.Types, registry.Today()); v.IsZero() {
		valid = lang.L("Valid with no time limit.")
	}
	s.setVerdict(req.Title()+". "+valid, widget.SuccessImportance, true)
	f := req.Fees(s.svc.Settings())
	s.fees.SetText(lang.L("Bollo {{.Bollo}} · Secretarial fee {{.Fee}} · To collect {{.Total}}",
		map[string]any{"Bollo": euro(f.BolloDue), "Fee": euro(f.FeeCents), "Total": euro(f.Total())}))
}

// showInstead offers, for a refusal, the types that certify the person's
// real position (an AIRE citizen's residence AIRE, a convivenza's residence
// in convivenza); nil clears the offer.
func (s *certificateScreen) showInstead(r *certificate.Refusal) {
	s.instead.Objects = nil
	if r != nil {
		for _, t := range r.Instead {
			refused := r.Type
			s.instead.Add(widget.NewButtonWithIcon(lang.L("Issue instead: {{.Type}}", map[string]any{"Type": strconv.Itoa(int(t)) + " · " + t.Title()}),
				theme.NavigateNextIcon(), func() { s.onInstead(refused, t) }))
		}
	}
	showIf(s.instead, len(s.instead.Objects) > 0)
}

// onInstead puts t in place of the refused type: in the contestuale's list
// when one is being made, else as the type.
func (s *certificateScreen) onInstead(refused, t certificate.Type) {
	if s.typeSel.SelectedIndex() == len(s.typeLabels)-1 {
		sel := slices.DeleteFunc(slices.Clone(s.combo.Selected), func(l string) bool { return s.comboOf[l] == refused })
		s.combo.SetSelected(append(sel, t.Title()))
		return
	}
	for i, label := range s.typeLabels {
		if ts := s.typeOf[label]; len(ts) == 1 && ts[0] == t {
			s.typeSel.SetSelectedIndex(i)
			return
		}
	}
}

// judgeSelfDeclaration says whether the self-declaration of the request can
// be made, and by whom.
func (s *certificateScreen) judgeSelfDeclaration(req certificate.Request) {
	showIf(s.declarantName, s.whoSel.SelectedIndex() != declaresSelf)
	if len(req.Types) == 0 {
		s.selfBtn.Disable()
		s.selfNote.SetText("")
		return
	}
	_, err := certificate.SelfDeclaration(s.rec, req, s.declarant(), registry.Today(), certificate.Municipality{})
	if err != nil {
		s.selfBtn.Disable()
		note := userMessage(err)
		if note == s.verdict.Text {
			note = lang.L("No self-declaration either: the register does not hold these facts.")
		}
		s.selfNote.SetText(note)
		return
	}
	s.selfBtn.Enable()
	s.selfNote.SetText(lang.L("The citizen may declare these facts instead (art. 46 DPR 445/2000): free, no certificate is issued."))
}

func (s *certificateScreen) setVerdict(text string, imp widget.Importance, ok bool) {
	s.verdict.Text, s.verdict.Importance = text, imp
	s.verdict.Refresh()
	if ok {
		s.issueBtn.Enable()
	} else {
		s.issueBtn.Disable()
	}
}

func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// euro is an amount in cents as Italians write it: "€ 16,52", "€ 8.120,50".
func euro(cents int64) string { return "€ " + certificate.Euro(cents) }

// onIssue registers the certificate off the UI goroutine.
func (s *certificateScreen) onIssue() {
	req := s.request()
	s.issuedReq = req
	s.issueBtn.Disable()
	s.setVerdict(lang.L("Issuing..."), widget.MediumImportance, false)
	go func() {
		issued, err := s.svc.Issue(context.Background(), s.rec.Person.ID, req, s.by)
		s.do(func() {
			if err != nil {
				s.setVerdict(userMessage(err), widget.DangerImportance, true)
				return
			}
			s.showIssued(issued)
		})
	}()
}

// showIssued replaces the form with the certificate: number, fees, the
// first page's preview, print and save.
func (s *certificateScreen) showIssued(issued certificate.Issued) {
	s.issued = &issued
	s.number = &widget.Label{Text: lang.L("Certificate {{.Number}} registered · verification code {{.Code}}",
		map[string]any{"Number": issued.Number, "Code": issued.Document.Code}), TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	fees := &widget.Label{Text: lang.L("To collect {{.Total}}", map[string]any{"Total": euro(issued.Fees.Total())})}
	s.preview = &canvas.Image{FillMode: canvas.ImageFillContain}
	s.preview.SetMinSize(fyne.NewSize(297, 420)) // A4 proportions
	s.preview.Hide()
	s.previewMsg = &widget.Label{Text: lang.L("Rendering the preview..."), Importance: widget.LowImportance, Wrapping: fyne.TextWrapWord}
	s.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	s.printBtn = &widget.Button{Text: lang.L("Print the certificate"), Icon: theme.DocumentPrintIcon(), Importance: widget.HighImportance, OnTapped: s.onPrint}
	save := widget.NewButtonWithIcon(lang.L("Save the PDF"), theme.DocumentSaveIcon(), func() { s.onSave(issued.Number+".pdf", issued.PDF) })
	self := widget.NewButtonWithIcon(lang.L("Self-declaration (free)"), theme.FileTextIcon(), s.onSelfDeclaration)
	closeBtn := widget.NewButton(lang.L("Close this window"), s.onClose)
	buttons := container.NewVBox(s.printBtn, save, self, widget.NewSeparator(), closeBtn)
	// The preview takes the room left by the texts and the buttons.
	s.content.Layout = layout.NewStackLayout()
	s.content.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(s.number, fees), s.problem, nil, buttons,
		container.NewStack(s.preview, container.NewVBox(s.previewMsg)),
	)}
	s.content.Refresh()
	s.win.Canvas().Focus(s.printBtn)
	pdf := issued.PDF
	go func() {
		img, err := s.svc.Preview(context.Background(), pdf)
		s.do(func() { s.showPreview(img, err) })
	}()
}

func (s *certificateScreen) showPreview(img image.Image, err error) {
	switch {
	case err != nil:
		s.previewMsg.SetText(userMessage(err))
	case img == nil:
		s.previewMsg.SetText(lang.L("This computer cannot show a preview (install poppler-utils): save the PDF to look at it."))
	default:
		s.preview.Image = img
		s.preview.Show()
		s.preview.Refresh()
		s.previewMsg.Hide()
	}
}

func (s *certificateScreen) onPrint() {
	pdf := s.issued.PDF
	s.printBtn.Disable()
	s.problem.SetText("")
	go func() {
		err := s.svc.Print(context.Background(), pdf)
		s.do(func() {
			s.printBtn.Enable()
			if err != nil {
				s.problem.SetText(userMessage(err))
				return
			}
			s.problem.Importance = widget.SuccessImportance
			s.problem.SetText(lang.L("Sent to the printer."))
		})
	}()
}

// onSelfDeclaration saves the self-declaration of what the form asks for,
// or of the certificate just issued.
func (s *certificateScreen) onSelfDeclaration() {
	req, problem, name := s.request(), s.selfNote, lang.X("certificate.selfdeclaration.file", "self-declaration")
	if s.issued != nil {
		req, problem, name = s.issuedReq, s.problem, name+"-"+s.issued.Number
	}
	pdf, err := s.svc.SelfDeclaration(s.rec, req, s.declarant())
	if err != nil {
		problem.Importance = widget.DangerImportance
		problem.SetText(userMessage(err))
		return
	}
	saveFile(s.win, name+".pdf", pdf, problem)
}

// onSave asks where to save a PDF.
func (s *certificateScreen) onSave(name string, pdf []byte) {
	saveFile(s.win, name, pdf, s.problem)
}

// saveFile asks where to save data, proposing name; a failure is said in
// problem.
func saveFile(win fyne.Window, name string, data []byte, problem *widget.Label) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(data); err != nil {
			problem.Importance = widget.DangerImportance
			problem.SetText(lang.L("The file could not be written"))
		}
	}, win)
	d.SetFileName(name)
	d.Show()
}

func (s *certificateScreen) onClose() {
	if s.dlg != nil {
		s.dlg.Hide()
	}
}
