package desk

import (
	"context"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
	"sportello/social"
)

// intakeForm takes a request at first contact: the person (found in the
// register, with their family pre-filled as the declared household, or a
// visitor with the data they give), what they ask, the consent and the
// documents received.
type intakeForm struct {
	s   *socialScreen
	rec *registry.Record // the person of the register chosen; nil for a visitor or until chosen

	who       *widget.RadioGroup
	find      *widget.Entry
	findBtn   *widget.Button
	matches   *widget.Select
	chosen    *widget.Label
	register  *fyne.Container // the search of the register
	visitor   *fyne.Container // the visitor's fields
	surname   *widget.Entry
	name      *widget.Entry
	cf        *widget.Entry
	birth     *widget.Entry
	phone     *widget.Entry
	email     *widget.Entry
	address   *widget.Entry
	typ       *widget.Select
	source    *widget.Select
	referrer  *widget.Entry
	issue     *widget.Entry
	priority  *widget.Select
	risks     []*widget.Check // one per social.Risks
	iseeValue *widget.Entry
	iseeDate  *widget.Entry
	household *fyne.Container
	addMember *widget.Button
	consent   *widget.Check
	signed    *widget.Check
	docKind   *widget.Select
	attach    *widget.Button
	docs      *fyne.Container
	nextStep  *widget.Entry
	worker    *widget.Select
	target    *widget.Entry
	save      *widget.Button
	problem   *widget.Label
	content   *fyne.Container

	// touched on the UI goroutine only
	matchRows []registry.Match
	members   []socialMemberRow
	documents []social.Document
}

// socialMemberRow is one editable member of the declared household.
type socialMemberRow struct {
	personUID    string
	birth        registry.Date
	name         *widget.Entry
	relationship *widget.Entry
}

func newIntakeForm(s *socialScreen) *intakeForm {
	return &intakeForm{s: s}
}

func (f *intakeForm) buildUI() fyne.CanvasObject {
	fromRegister, asVisitor := lang.L("Person of the register"), lang.L("Visitor not in the register")
	f.who = widget.NewRadioGroup([]string{fromRegister, asVisitor}, func(v string) { f.onWho(v == asVisitor) })
	f.who.Horizontal = true
	f.find = widget.NewEntry()
	f.find.PlaceHolder = lang.L("Codice fiscale, or surname and name")
	f.find.OnSubmitted = func(string) { f.onFind() }
	f.findBtn = widget.NewButtonWithIcon(lang.L("Find"), theme.SearchIcon(), f.onFind)
	f.matches = newSelect(nil, func(string) { f.onMatch() })
	f.matches.PlaceHolder = lang.L("Choose the person")
	f.matches.Hide()
	f.chosen = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	f.register = container.NewVBox(container.NewBorder(nil, nil, nil, f.findBtn, f.find), f.matches, f.chosen)

	entry := func(ph string) *widget.Entry { e := widget.NewEntry(); e.PlaceHolder = ph; return e }
	f.surname, f.name = entry(lang.L("Surname")), entry(lang.L("Name"))
	f.cf, f.birth = entry(lang.L("Codice fiscale (if given)")), newDateEntry(registry.Date{})
	f.phone, f.email, f.address = entry(lang.L("Phone")), entry(lang.L("E-mail")), entry(lang.L("Where they live or can be reached"))
	f.visitor = container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Surname"), f.surname), widget.NewFormItem(lang.L("Name"), f.name),
		widget.NewFormItem(lang.L("Codice fiscale"), f.cf), widget.NewFormItem(lang.L("Birth date"), f.birth),
		widget.NewFormItem(lang.L("Phone"), f.phone), widget.NewFormItem(lang.L("E-mail"), f.email),
		widget.NewFormItem(lang.L("Address"), f.address)))

	f.typ = newSelect(socialNames(social.RequestTypes, socialTypeName), nil)
	f.typ.PlaceHolder = lang.L("Choose the request")
	f.source = newSelect(socialNames(social.Sources, socialSourceName), nil)
	f.source.SetSelectedIndex(0)
	f.referrer = entry(lang.L("Doctor, hospital, school, office..."))
	f.issue = widget.NewMultiLineEntry()
	f.issue.PlaceHolder = lang.L("The need, in the person's words")
	f.issue.Wrapping = fyne.TextWrapWord
	f.issue.SetMinRowsVisible(3)
	f.priority = newSelect(socialNames(social.Priorities, socialPriorityName), nil)
	f.priority.SetSelectedIndex(1)
	riskGrid := container.NewGridWithColumns(4)
	for _, r := range social.Risks {
		c := widget.NewCheck(socialRiskName(r), nil)
		f.risks = append(f.risks, c)
		riskGrid.Add(c)
	}
	f.iseeValue = entry(lang.L("e.g. 7.345,12"))
	f.iseeDate = newDateEntry(registry.Date{})
	f.household = container.NewVBox()
	f.addMember = widget.NewButtonWithIcon(lang.L("Add a member"), theme.ContentAddIcon(), func() { f.addRow(social.Member{}) })
	f.consent = widget.NewCheck(lang.L("The person consents to the processing of their data (information notice given)"), nil)
	f.signed = widget.NewCheck(lang.L("Consent form signed"), nil)
	f.docKind = newSelect(socialNames(social.DocumentKinds, socialDocName), nil)
	f.docKind.PlaceHolder = lang.L("What the document is")
	f.attach = widget.NewButtonWithIcon(lang.L("Attach a file..."), theme.FileIcon(), f.onAttach)
	f.docs = container.NewVBox()
	f.nextStep = entry(lang.L("e.g. home visit, UVM, call back"))
	f.worker = newSelect(nil, nil)
	f.worker.PlaceHolder = lang.L("Choose the social worker")
	f.target = newDateEntry(registry.Date{})
	f.save = widget.NewButtonWithIcon(lang.L("Open the case"), theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), f.s.showLists)
	f.problem = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	f.problem.Hide()

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Request"), f.typ),
		widget.NewFormItem(lang.L("How it came"), f.source),
		widget.NewFormItem(lang.L("Referred by"), f.referrer),
		widget.NewFormItem(lang.L("Presenting issue"), f.issue),
		widget.NewFormItem(lang.L("Priority"), f.priority),
		widget.NewFormItem(lang.L("Risk factors"), riskGrid),
		widget.NewFormItem(lang.L("ISEE (euro)"), f.iseeValue),
		widget.NewFormItem(lang.L("ISEE valid until"), f.iseeDate),
		widget.NewFormItem(lang.L("Assigned to"), f.worker),
		widget.NewFormItem(lang.L("Assessment by"), f.target),
		widget.NewFormItem(lang.L("Next step"), f.nextStep),
	)
	f.content = container.NewVBox(
		socialBold(lang.L("New request to the social desk")),
		f.who, f.register, f.visitor,
		widget.NewSeparator(), form,
		widget.NewSeparator(), socialBold(lang.L("Declared household")), f.household, f.addMember,
		widget.NewSeparator(), socialBold(lang.L("Documents received")), container.NewBorder(nil, nil, nil, f.attach, f.docKind), f.docs,
		widget.NewSeparator(), f.consent, f.signed,
		f.problem, container.NewHBox(back, f.save),
	)
	f.who.SetSelected(fromRegister)
	return container.NewVScroll(container.NewPadded(f.content))
}

// socialNames gives the translated names of codes, in order.
func socialNames[T any](codes []T, name func(T) string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = name(c)
	}
	return out
}

// loadWorkers fills the assignment with the social workers, the clerk
// first chosen.
func (f *intakeForm) loadWorkers() {
	f.s.loadWorkers(func() {
		var options []string
		mine := -1
		for i, w := range f.s.workers {
			options = append(options, w.FullName)
			if w.Username == f.s.user.Username {
				mine = i
			}
		}
		f.worker.SetOptions(options)
		if mine >= 0 {
			f.worker.SetSelectedIndex(mine)
		}
	})
}

// onWho shows the register's search or the visitor's fields.
func (f *intakeForm) onWho(visitor bool) {
	showIf(f.visitor, visitor)
	showIf(f.register, !visitor)
	f.relayout()
}

func (f *intakeForm) isVisitor() bool { return f.who.Selected == lang.L("Visitor not in the register") }

// onFind searches the register for the text typed.
func (f *intakeForm) onFind() {
	q, err := registry.ParseQuery(f.find.Text)
	if err == nil && q.IsEmpty() {
		err = fault.New(fault.Invalid, "Type the codice fiscale, or the surname and the name", nil)
	}
	if err != nil {
		f.showProblem(err)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		ms, err := f.s.dir.Search(ctx, q, searchLimit)
		f.s.do(func() {
			if err != nil {
				f.showProblem(err)
				return
			}
			socialSay(f.problem, "", f.content)
			f.matchRows = ms
			var options []string
			for _, m := range ms {
				options = append(options, fullName(m.Surname, m.Name)+"  "+m.BirthDate.Italian()+"  "+m.CF+"  "+m.Address)
			}
			f.matches.ClearSelected()
			f.matches.SetOptions(options)
			showIf(f.matches, len(ms) > 0)
			f.relayout()
			if len(ms) == 0 {
				f.chosen.SetText(lang.L("Nobody found: check the data, or take the request as a visitor"))
			}
			if len(ms) == 1 {
				f.matches.SetSelectedIndex(0)
			}
		})
	}()
}

// onMatch reads the record of the person chosen, logging the view first.
func (f *intakeForm) onMatch() {
	i := f.matches.SelectedIndex()
	if i < 0 || i >= len(f.matchRows) {
		return
	}
	id := f.matchRows[i].ID
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		var rec registry.Record
		var err error
		if f.s.reader != nil {
			err = f.s.reader.LogAccess(ctx, f.s.user.Username, id, access.PurposeCounter)
		}
		if err == nil {
			rec, err = f.s.dir.Record(ctx, id)
		}
		f.s.do(func() {
			if err != nil {
				f.showProblem(err)
				return
			}
			f.choose(rec)
		})
	}()
}

// choose makes rec the person of the request and fills the household with
// their registry family.
func (f *intakeForm) choose(rec registry.Record) {
	f.rec = &rec
	p := rec.Person
	f.chosen.SetText(fullName(p.Surname, p.Name) + "  · " + p.CF + "  · " + p.BirthDate.Italian())
	f.members = nil
	f.household.RemoveAll()
	members := rec.Members
	if len(members) == 0 {
		members = []registry.Member{{Person: p, Relationship: p.Relationship}}
	}
	for _, m := range members {
		f.addRow(social.Member{PersonUID: m.Person.UID, Name: fullName(m.Person.Surname, m.Person.Name),
			Relationship: relationshipName(m.Relationship, m.Person.Sex), BirthDate: m.Person.BirthDate})
	}
	f.relayout()
}

// relayout lays the form out again after a part of it changed size.
func (f *intakeForm) relayout() {
	for _, c := range []*fyne.Container{f.register, f.household, f.docs, f.content} {
		if c != nil {
			c.Refresh()
		}
	}
}

// addRow adds an editable member to the declared household.
func (f *intakeForm) addRow(m social.Member) {
	row := socialMemberRow{personUID: m.PersonUID, birth: m.BirthDate, name: widget.NewEntry(), relationship: widget.NewEntry()}
	row.name.SetText(m.Name)
	row.name.PlaceHolder = lang.L("Surname and name")
	row.relationship.SetText(m.Relationship)
	row.relationship.PlaceHolder = lang.L("Relationship, as declared")
	f.members = append(f.members, row)
	var line *fyne.Container
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	remove.OnTapped = func() {
		for i := range f.members {
			if f.members[i].name == row.name {
				f.members = append(f.members[:i], f.members[i+1:]...)
				break
			}
		}
		f.household.Remove(line)
		f.relayout()
	}
	line = container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, row.name, row.relationship))
	f.household.Add(line)
	f.relayout()
}

// onAttach asks for a file and attaches it as the kind chosen.
func (f *intakeForm) onAttach() {
	if f.docKind.SelectedIndex() < 0 {
		f.showProblem(fault.New(fault.Invalid, "Choose what the document is", nil))
		return
	}
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, social.MaxDocumentSize+1))
		if err != nil {
			socialSay(f.problem, lang.L("The file could not be read"), f.content)
			return
		}
		f.addDocument(r.URI().Name(), data)
	}, f.s.win)
}

// addDocument attaches a file's content as the kind chosen, checked at
// once.
func (f *intakeForm) addDocument(name string, data []byte) {
	i := f.docKind.SelectedIndex()
	if i < 0 {
		f.showProblem(fault.New(fault.Invalid, "Choose what the document is", nil))
		return
	}
	d := social.Document{Kind: social.DocumentKinds[i], Name: name, Content: data}
	if err := d.Validate(); err != nil {
		f.showProblem(err)
		return
	}
	socialSay(f.problem, "", f.content)
	f.documents = append(f.documents, d)
	var line *fyne.Container
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	remove.OnTapped = func() {
		for j := range f.documents {
			if f.documents[j].Name == d.Name && f.documents[j].Kind == d.Kind {
				f.documents = append(f.documents[:j], f.documents[j+1:]...)
				break
			}
		}
		f.docs.Remove(line)
		f.relayout()
	}
	label := widget.NewLabel(socialDocName(d.Kind) + ": " + d.Name + " (" + strconv.Itoa((d.Size+1023)/1024) + " KB)")
	line = container.NewBorder(nil, nil, nil, remove, label)
	f.docs.Add(line)
	f.relayout()
}

// intake reads the form; a field that cannot be read is an error that says
// which.
func (f *intakeForm) intake() (social.Intake, error) {
	var in social.Intake
	if f.isVisitor() {
		birth, err := parseDateField(f.birth, lang.L("Birth date"), true)
		if err != nil {
			return in, err
		}
		in.Visitor = &social.Visitor{Surname: f.surname.Text, Name: f.name.Text, CF: f.cf.Text, BirthDate: birth,
			Phone: f.phone.Text, Email: f.email.Text, Address: f.address.Text}
	} else if f.rec != nil {
		in.PersonUID = f.rec.Person.UID
	}
	if i := f.typ.SelectedIndex(); i >= 0 {
		in.Type = social.RequestTypes[i]
	}
	if i := f.source.SelectedIndex(); i >= 0 {
		in.Source = social.Sources[i]
	}
	if i := f.priority.SelectedIndex(); i >= 0 {
		in.Priority = social.Priorities[i]
	}
	for i, c := range f.risks {
		if c.Checked {
			in.Risks = append(in.Risks, social.Risks[i])
		}
	}
	in.Referrer, in.PresentingIssue, in.NextStep = f.referrer.Text, f.issue.Text, f.nextStep.Text
	if strings.TrimSpace(f.iseeValue.Text) != "" || strings.TrimSpace(f.iseeDate.Text) != "" {
		cents, err := parseISEEEuro(f.iseeValue.Text)
		if err != nil {
			return in, err
		}
		expiry, err := parseDateField(f.iseeDate, lang.L("ISEE valid until"), false)
		if err != nil {
			return in, err
		}
		in.ISEE = &social.ISEE{Cents: cents, Expiry: expiry}
	}
	for _, m := range f.members {
		in.Household = append(in.Household, social.Member{PersonUID: m.personUID, Name: m.name.Text, Relationship: m.relationship.Text, BirthDate: m.birth})
	}
	in.Consent = social.Consent{Given: f.consent.Checked, Signed: f.signed.Checked}
	in.Documents = f.documents
	if i := f.worker.SelectedIndex(); i >= 0 && i < len(f.s.workers) {
		in.Worker = f.s.workers[i].Username
	}
	target, err := parseDateField(f.target, lang.L("Assessment by"), true)
	if err != nil {
		return in, err
	}
	in.TargetDate = target
	return in, nil
}

// onSave opens the case and shows its file, where the receipt is printed.
func (f *intakeForm) onSave() {
	in, err := f.intake()
	if err == nil {
		err = in.Validate(f.s.day())
	}
	if err != nil {
		f.showProblem(err)
		return
	}
	f.save.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		c, err := f.s.svc.OpenCase(ctx, f.s.user, in)
		var file social.File
		if err == nil {
			file, err = f.s.svc.CaseFile(ctx, f.s.user, c.UID, social.PurposeCaseWork)
		}
		f.s.do(func() {
			f.save.Enable()
			if err != nil {
				f.showProblem(err)
				return
			}
			f.s.showCase(file)
			f.s.file.say(lang.L("Case {{.Number}} opened: print the receipt for the person", map[string]any{"Number": c.Number.String()}))
		})
	}()
}

func (f *intakeForm) showProblem(err error) {
	socialSay(f.problem, userMessage(err), f.content)
}

// parseISEEEuro reads an amount in euro as Italians write it ("7.345,12",
// "7345,12", "7345"), or with a decimal point ("7345.12"), into cents.
func parseISEEEuro(text string) (int64, error) {
	t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "€"))
	t = strings.ReplaceAll(t, " ", "")
	bad := fault.New(fault.Invalid, "Write the ISEE value in euro, e.g. 7.345,12", nil)
	if t == "" {
		return 0, bad
	}
	whole, frac := t, ""
	if i := strings.LastIndexByte(t, ','); i >= 0 {
		whole, frac = strings.ReplaceAll(t[:i], ".", ""), t[i+1:]
	} else if i := strings.LastIndexByte(t, '.'); i >= 0 && len(t)-i-1 <= 2 && strings.Count(t, ".") == 1 {
		whole, frac = t[:i], t[i+1:]
	} else {
		whole = strings.ReplaceAll(t, ".", "")
	}
	if len(frac) > 2 || whole == "" {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	euros, err1 := strconv.ParseInt(whole, 10, 64)
	cents, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || euros < 0 || euros > social.MaxISEECents/100 {
		return 0, bad
	}
	return euros*100 + cents, nil
}
