package desk

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// personEdits is what the person view offers beyond reading: the edit
// forms the clerk's role allows, the identity documents, and the purpose
// of access in force with a way to change it.
type personEdits struct {
	deps         editDeps // editor nil when the role may not edit
	purposes     *purposeDirectory
	municipality string

	purpose       *widget.Label
	changePurpose *widget.Button
	// The action buttons of the record shown; nil when not offered.
	address, member, householder, civil, document, correct, move *widget.Button
	// The "as at" date: the entry, its button, the date of the record
	// about to be shown as at a past date (zero for today's), and the way
	// back to today's record.
	asAt      *widget.Entry
	asAtShow  *widget.Button
	asAtBack  *widget.Button
	asAtTitle *widget.Label
	showing   registry.Date
	// The form opened last (an *addressForm, *memberForm ...), and its frame.
	opened any
	form   *editForm
}

// open shows a form.
func (e *personEdits) open(f interface{ buildUI() }, frame *editForm) {
	e.opened, e.form = f, frame
	f.buildUI()
}

// enableEdits gives the person view its actions; called once per session.
func (v *personView) enableEdits(e *personEdits) {
	v.edits = e
	if e.purposes != nil {
		e.purposes.changed = func(access.Purpose) { e.showPurpose() }
	}
}

func (e *personEdits) showPurpose() {
	if e.purpose == nil || e.purposes == nil {
		return
	}
	if p := e.purposes.current(); p != "" {
		e.purpose.SetText(lang.L("Purpose: {{.Purpose}}", map[string]any{"Purpose": purposeName(p)}))
	}
}

// actions is the row of buttons above the record.
func (v *personView) actions(rec registry.Record) fyne.CanvasObject {
	e := v.edits
	e.address, e.member, e.householder, e.civil, e.document, e.correct, e.move = nil, nil, nil, nil, nil, nil, nil
	reopen := func() { v.onOpen(rec.Person.ID) }
	if on := e.showing; !on.IsZero() {
		e.showing = registry.Date{}
		e.asAtTitle = &widget.Label{Text: lang.L("The record as it stood on {{.Date}}: history only, no changes from here", map[string]any{"Date": on.Italian()}),
			Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
		e.asAtBack = widget.NewButtonWithIcon(lang.L("Back to today"), theme.NavigateBackIcon(), reopen)
		return container.NewBorder(nil, nil, nil, e.asAtBack, e.asAtTitle)
	}
	e.asAtTitle, e.asAtBack = nil, nil
	// The buttons wrap on a narrow window rather than widen the record.
	row := container.New(layout.NewRowWrapLayout())
	add := func(text string, icon fyne.Resource, open func()) *widget.Button {
		b := widget.NewButtonWithIcon(text, icon, open)
		row.Add(b)
		return b
	}
	p := rec.Person
	if e.deps.editor != nil && e.deps.user.Role.CanEditRegistry() {
		if p.Status == registry.Resident {
			e.address = add(lang.L("Change of address"), theme.HomeIcon(), func() {
				f := newAddressForm(e.deps, rec, reopen)
				e.open(f, f.editForm)
			})
		}
		if p.Status == registry.Resident {
			e.move = add(lang.L("Join another family"), theme.MailForwardIcon(), func() {
				f := newMoveForm(e.deps, rec, reopen)
				e.open(f, f.editForm)
			})
		}
		if rec.Family.ID != 0 {
			e.member = add(lang.L("New family member"), theme.ContentAddIcon(), func() {
				f := newMemberForm(e.deps, rec, reopen)
				e.open(f, f.editForm)
			})
			e.householder = add(lang.L("Change of householder"), theme.AccountIcon(), func() {
				f := newHouseholderForm(e.deps, rec, reopen)
				e.open(f, f.editForm)
			})
		}
		if p.Status != registry.Deceased {
			e.civil = add(lang.L("Civil-status event"), theme.DocumentCreateIcon(), func() {
				f := newCivilEventForm(e.deps, rec, reopen)
				e.open(f, f.editForm)
			})
			e.document = add(lang.L("Identity document"), theme.FileIcon(), func() {
				f := newDocumentForm(e.deps, rec, e.municipality, reopen)
				e.open(f, f.editForm)
			})
		}
	}
	if e.deps.editor != nil && e.deps.user.Role.CanCorrectPersonalData() {
		e.correct = add(lang.L("Correct personal data"), theme.DocumentCreateIcon(), func() {
			f := newCorrectForm(e.deps, rec, reopen)
			e.open(f, f.editForm)
		})
	}
	if e.purposes == nil {
		return row
	}
	e.asAt = newDateEntry(registry.Date{})
	e.asAtShow = widget.NewButtonWithIcon(lang.L("As at"), theme.HistoryIcon(), func() { v.onAsAt(rec.Person.ID) })
	e.asAt.OnSubmitted = func(string) { v.onAsAt(rec.Person.ID) }
	row.Add(container.NewHBox(container.NewGridWrap(fyne.NewSize(130, e.asAt.MinSize().Height), e.asAt), e.asAtShow))
	e.purpose = &widget.Label{Importance: widget.LowImportance}
	e.showPurpose()
	e.changePurpose = &widget.Button{Text: lang.L("Change purpose"), Importance: widget.LowImportance, OnTapped: func() {
		e.purposes.forget()
		reopen()
	}}
	return container.NewVBox(row, container.NewHBox(e.purpose, e.changePurpose))
}

// documents lists the identity documents, an expired one marked.
func (v *personView) documents(rec registry.Record, today registry.Date) fyne.CanvasObject {
	if len(rec.Documents) == 0 {
		return note(lang.L("No identity document recorded"))
	}
	rows := container.New(layout.NewFormLayout())
	for _, d := range rec.Documents {
		rows.Add(&widget.Label{Text: documentKindName(d.Kind)})
		text := lang.L("no. {{.Number}}, expires {{.Date}}", map[string]any{"Number": d.Number, "Date": d.Expires.Italian()})
		l := &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
		if d.Expires.Before(today) {
			l.Text = lang.L("no. {{.Number}}, expired on {{.Date}}", map[string]any{"Number": d.Number, "Date": d.Expires.Italian()})
			l.Importance = widget.DangerImportance
		}
		rows.Add(l)
	}
	return rows
}

// onAsAt shows the record as it stood at the date typed.
func (v *personView) onAsAt(id int64) {
	e := v.edits
	on, err := parseDateField(e.asAt, lang.L("As at"), false)
	if err == nil && on.After(e.deps.today()) {
		err = fault.New(fault.Invalid, "The date is in the future", nil)
	}
	if err != nil {
		d := dialog.NewInformation(lang.L("As at"), userMessage(err), e.deps.win)
		showDialog(e.deps.win, d, nil, nil, d.Hide, d.Hide)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		rec, err := e.purposes.RecordAsAt(ctx, id, on)
		e.deps.do(func() {
			if err != nil {
				v.showProblem(userMessage(err))
				return
			}
			e.showing = on
			v.show(rec)
		})
	}()
}
