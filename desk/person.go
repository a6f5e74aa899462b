package desk

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// personView shows one person's record: personal data, codice fiscale,
// address, family, civil-status and residence history. The people it names
// who are in the register open with a click or with Enter on their button.
type personView struct {
	now     func() time.Time
	onOpen  func(personID int64)
	onClose func()

	empty  *widget.Label     // shown while no record is open
	body   *fyne.Container   // the record, rebuilt for each person
	scroll *container.Scroll // holds body

	record  registry.Record
	open    bool
	title   *widget.Label
	cf      *widget.Label
	members []*personButton // one per family member, in the record's order; nil for the person shown
	others  []*personButton // the other person of each civil event, when in the register; nil otherwise
	edits   *personEdits    // the edit forms, documents and purpose; nil when the session offers none

	onCertificate func(registry.Record) // opens the issuing of a certificate; nil hides the button

	// socialCase says whether the person has a social-desk case, when the
	// desk's settings let the clerk know that much; nil never asks. It runs
	// off the UI goroutine; do brings its answer back.
	socialCase func(personUID string) bool
	do         func(func())
}

func newPersonView(now func() time.Time, onOpen func(int64), onClose func()) *personView {
	return &personView{now: now, onOpen: onOpen, onClose: onClose}
}

func (v *personView) buildUI() fyne.CanvasObject {
	v.empty = &widget.Label{Wrapping: fyne.TextWrapWord, Alignment: fyne.TextAlignCenter}
	v.body = container.NewVBox()
	v.scroll = container.NewScroll(container.NewPadded(v.body))
	v.clear()
	return container.NewStack(container.NewPadded(container.NewVBox(v.empty)), v.scroll)
}

func (v *personView) shown() bool { return v.open }

// clear closes the record.
func (v *personView) clear() {
	v.setEmpty(lang.L("Search for a person, then open the record with Enter or a click."), widget.LowImportance)
}

// showProblem says why the record asked for cannot be shown.
func (v *personView) showProblem(text string) {
	v.setEmpty(text, widget.DangerImportance)
}

func (v *personView) setEmpty(text string, importance widget.Importance) {
	v.open = false
	v.record = registry.Record{}
	v.members, v.others = nil, nil
	v.body.RemoveAll()
	v.scroll.Hide()
	v.empty.Text = text
	v.empty.Importance = importance
	v.empty.Refresh()
	v.empty.Show()
}

// show replaces the view with rec.
func (v *personView) show(rec registry.Record) {
	v.record = rec
	v.open = true
	today := registry.DateOf(v.now().In(registry.Rome))
	p := rec.Person

	v.title = &widget.Label{Text: fullName(p.Surname, p.Name), SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	header := container.NewBorder(nil, nil, nil, statusBadge(p.Status, p.Sex), v.title)

	v.cf = &widget.Label{Text: p.CF, TextStyle: fyne.TextStyle{Monospace: true, Bold: true}, Selectable: true}
	checked := &widget.Label{Text: lang.L("Not yet verified with the Revenue Agency"), Importance: widget.WarningImportance}
	if p.CFChecked {
		checked = &widget.Label{Text: lang.L("Verified with the Revenue Agency"), Importance: widget.SuccessImportance}
	}

	// Two columns on a desk screen: who the person is on the left, the
	// people and places around them on the right, so the family is in view
	// without scrolling.
	left := container.NewVBox(
		section(lang.L("Personal data"), v.personalData(p, today)),
		section(lang.L("Codice fiscale"), container.NewVBox(v.cf, checked)),
		section(lang.L("Address"), v.address(rec, today)),
	)
	if v.edits != nil {
		left.Add(section(lang.L("Identity documents"), v.documents(rec, today)))
		left.Add(section(lang.L("Electoral lists"), electoral(rec, today)))
	}
	right := container.NewVBox(
		section(familyTitle(rec.Family), v.family(rec)),
		section(lang.L("Civil-status history"), v.civilEvents(rec)),
		section(lang.L("Residence history"), v.residences(rec)),
	)
	v.body.Objects = []fyne.CanvasObject{header}
	if v.socialCase != nil {
		v.body.Add(v.socialCaseNote(p.UID))
	}
	if v.onCertificate != nil {
		v.body.Add(container.NewHBox(widget.NewButtonWithIcon(lang.L("Issue certificate"), theme.DocumentPrintIcon(), func() { v.onCertificate(v.record) })))
	}
	if v.edits != nil {
		v.body.Add(v.actions(rec))
	}
	v.body.Add(container.New(&recordColumns{}, left, right))
	v.body.Refresh()
	v.empty.Hide()
	v.scroll.Show()
	v.scroll.ScrollToTop()
}

func (v *personView) personalData(p registry.Person, today registry.Date) fyne.CanvasObject {
	born := p.BirthDate.Italian()
	switch {
	case p.Status == registry.Deceased && !p.StatusSince.IsZero():
		born = lang.L("{{.Date}}, age at death {{.Age}}", map[string]any{"Date": born, "Age": p.BirthDate.AgeOn(p.StatusSince)})
	case p.Status != registry.Deceased && p.BirthDate.Valid():
		born = lang.L("{{.Date}}, age {{.Age}}", map[string]any{"Date": born, "Age": p.BirthDate.AgeOn(today)})
	}
	citizenships := make([]string, len(p.Citizenships))
	for i, c := range p.Citizenships {
		citizenships[i] = citizenshipName(c, today)
	}
	status := statusLong(p.Status, p.Sex)
	if !p.StatusSince.IsZero() {
		status = lang.L("{{.Status}} since {{.Date}}", map[string]any{"Status": status, "Date": p.StatusSince.Italian()})
	}
	return fields(
		lang.L("Surname"), p.Surname,
		lang.L("Name"), p.Name,
		lang.L("Sex"), sexName(p.Sex),
		lang.L("Date of birth"), born,
		lang.L("Place of birth"), placeName(p.BirthPlace, p.BirthDate, p.BirthPlaceName),
		lang.L("Citizenship"), strings.Join(citizenships, ", "),
		lang.L("Civil status"), civilStatusName(p.CivilStatus, p.Sex),
		lang.L("Register status"), status,
	)
}

func (v *personView) address(rec registry.Record, today registry.Date) fyne.CanvasObject {
	a := rec.Address
	if a.Street == "" {
		return note(lang.L("No current address"))
	}
	where := strings.TrimSpace(a.Postcode + " " + placeName(a.Place, today, ""))
	box := container.NewVBox(
		&widget.Label{Text: a.Line(), TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
		&widget.Label{Text: where},
	)
	if a.OffStradario {
		box.Add(offStradarioNote())
	}
	return box
}

// family lists the members, householder first, each a button that opens
// their record; the person shown is a plain line.
func (v *personView) family(rec registry.Record) fyne.CanvasObject {
	v.members = make([]*personButton, len(rec.Members))
	if len(rec.Members) == 0 {
		return note(lang.L("Not in a family of the register"))
	}
	rows := container.New(layout.NewFormLayout())
	if rec.Family.IsConvivenza() {
		convivenzaRows(rows, rec.Family.Convivenza)
	}
	for i, m := range rec.Members {
		mp := m.Person
		about := memberRole(rec.Family, m) + " · " + lang.L("b. {{.Date}}", map[string]any{"Date": mp.BirthDate.Italian()})
		if st := statusName(mp.Status, mp.Sex); st != "" {
			about += " · " + st
		}
		var who fyne.CanvasObject
		if mp.ID == rec.Person.ID {
			who = &widget.Label{Text: lang.L("{{.Name}} (this record)", map[string]any{"Name": fullName(mp.Surname, mp.Name)}), TextStyle: fyne.TextStyle{Bold: true}}
		} else {
			id := mp.ID
			b := newPersonButton(fullName(mp.Surname, mp.Name), func() { v.onOpen(id) }, v.onClose)
			v.members[i] = b
			who = b
		}
		rows.Add(who)
		rows.Add(&widget.Label{Text: about, Wrapping: fyne.TextWrapWord})
	}
	return rows
}

// civilEvents lists marriages, unions, divorces and widowhoods, with the
// other person: a button when they are in the register.
func (v *personView) civilEvents(rec registry.Record) fyne.CanvasObject {
	v.others = make([]*personButton, len(rec.CivilEvents))
	if len(rec.CivilEvents) == 0 {
		return note(lang.L("No civil-status events recorded"))
	}
	rows := container.NewVBox()
	for i, e := range rec.CivilEvents {
		what := eventName(e.Kind) + " · " + e.Date.Italian()
		if e.Place != "" {
			what += " · " + placeName(e.Place, e.Date, "")
		}
		name := e.OtherName
		if name == "" {
			name = v.memberName(e.OtherPersonID)
		}
		var other fyne.CanvasObject
		switch {
		case e.OtherPersonID != 0:
			if name == "" {
				name = lang.L("Open the other person's record")
			}
			id := e.OtherPersonID
			b := newPersonButton(name, func() { v.onOpen(id) }, v.onClose)
			v.others[i] = b
			other = b
		default:
			other = &widget.Label{Text: name, Wrapping: fyne.TextWrapWord}
		}
		// The event above the person it joins, so a long place name never
		// pushes the button out of view.
		rows.Add(container.NewVBox(&widget.Label{Text: what, Wrapping: fyne.TextWrapWord}, container.NewHBox(other)))
	}
	return rows
}

// memberName is the name of a family member of the record shown, "" when id
// is not one of them.
func (v *personView) memberName(id int64) string {
	for _, m := range v.record.Members {
		if id != 0 && m.Person.ID == id {
			return fullName(m.Person.Surname, m.Person.Name)
		}
	}
	return ""
}

func (v *personView) residences(rec registry.Record) fyne.CanvasObject {
	if len(rec.Residences) == 0 {
		return note(lang.L("No residence recorded"))
	}
	rows := container.New(layout.NewFormLayout())
	for _, r := range rec.Residences {
		when := lang.L("from {{.From}}", map[string]any{"From": r.From.Italian()})
		if !r.To.IsZero() {
			when = lang.L("from {{.From}} to {{.To}}", map[string]any{"From": r.From.Italian(), "To": r.To.Italian()})
		}
		rows.Add(&widget.Label{Text: when})
		rows.Add(&widget.Label{Text: r.Address.Line(), Wrapping: fyne.TextWrapWord})
	}
	return rows
}

// section is a titled part of the record.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(
		widget.NewSeparator(),
		&widget.Label{Text: title, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		content,
	)
}

// fields lays out label, value pairs in two columns.
func fields(pairs ...string) fyne.CanvasObject {
	c := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(pairs); i += 2 {
		c.Add(&widget.Label{Text: pairs[i], Importance: widget.LowImportance})
		c.Add(&widget.Label{Text: pairs[i+1], Wrapping: fyne.TextWrapWord})
	}
	return c
}

func note(text string) fyne.CanvasObject {
	return &widget.Label{Text: text, Importance: widget.LowImportance, TextStyle: fyne.TextStyle{Italic: true}}
}

// statusBadge marks a person who is not a resident; nothing for residents.
func statusBadge(st registry.Status, sex registry.Sex) fyne.CanvasObject {
	return &widget.Label{Text: statusName(st, sex), Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}}
}

// personButton opens a person's record. Escape on it closes the record, as in
// the search box.
type personButton struct {
	widget.Button
	onEscape func()
}

func newPersonButton(text string, tapped, escape func()) *personButton {
	b := &personButton{onEscape: escape}
	b.Text = text
	b.Icon = theme.AccountIcon()
	b.Alignment = widget.ButtonAlignLeading
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *personButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && b.onEscape != nil {
		b.onEscape()
		return
	}
	b.Button.TypedKey(ev)
}

// socialCaseNote is a line, hidden until the answer comes, that says the
// person has a case at the social desk: nothing more about it.
func (v *personView) socialCaseNote(uid string) fyne.CanvasObject {
	note := &widget.Label{Text: lang.L("This person has a case at the social desk"), Importance: widget.WarningImportance}
	note.Hide()
	go func() {
		has := v.socialCase(uid)
		v.do(func() {
			if has && v.open && v.record.Person.UID == uid {
				note.Show()
			}
		})
	}()
	return note
}
