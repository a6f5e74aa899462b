package desk

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// editTimeout bounds an edit's write.
const editTimeout = 10 * time.Second

// formWidth is the width of an edit form's dialog.
const formWidth = 640

// editDeps is what the edit forms of the person view need.
type editDeps struct {
	editor registry.Editor
	dir    registry.Directory // to find a spouse by codice fiscale
	user   access.User
	win    fyne.Window
	do     func(func())
	now    func() time.Time
}

func (e editDeps) today() registry.Date { return registry.DateOf(e.now().In(registry.Rome)) }

// editForm is the frame every edit form shares: a dialog with the form's
// fields, a line that says what is wrong, and Save / Cancel. Save reads the
// fields on the UI goroutine (collect), writes off it, and closes the dialog
// only when the store took the change; a refusal (bad data, someone else's
// change meanwhile) stays in the dialog and nothing is saved.
type editForm struct {
	deps    editDeps
	title   string
	form    *widget.Form
	problem *widget.Label
	dlg     dialog.Dialog
	busy    bool
	saved   bool
	onSaved func() // reopens the record; runs on the UI goroutine

	// collect reads the fields and returns the write to run, or the
	// fault that says which field to fix.
	collect func() (func(ctx context.Context) error, error)
}

func newEditForm(deps editDeps, title string, onSaved func()) *editForm {
	return &editForm{deps: deps, title: title, onSaved: onSaved}
}

// show opens the dialog with items.
func (f *editForm) show(items ...*widget.FormItem) {
	f.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	f.problem.Hide()
	f.form = &widget.Form{Items: items, SubmitText: lang.L("Save"), CancelText: lang.L("Cancel"), OnSubmit: f.onSave, OnCancel: f.onCancel}
	f.dlg = dialog.NewCustomWithoutButtons(f.title, container.NewVBox(f.form, f.problem), f.deps.win)
	f.dlg.Show()
	f.fit()
}

func (f *editForm) onCancel() {
	if !f.busy {
		f.dlg.Hide()
	}
}

// onSave runs the edit; it is the form's Submit.
func (f *editForm) onSave() {
	if f.busy {
		return
	}
	write, err := f.collect()
	if err != nil {
		f.showProblem(err)
		return
	}
	f.busy = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), editTimeout)
		defer cancel()
		err := write(ctx)
		f.deps.do(func() { f.onWritten(err) })
	}()
}

func (f *editForm) onWritten(err error) {
	f.busy = false
	if err != nil {
		f.showProblem(err)
		return
	}
	f.saved = true
	f.dlg.Hide()
	if f.onSaved != nil {
		f.onSaved()
	}
}

func (f *editForm) showProblem(err error) {
	f.problem.SetText(userMessage(err))
	f.problem.Show()
	f.fit()
}

// fit sizes the dialog to its content, which grows with a message.
func (f *editForm) fit() {
	f.dlg.Resize(fyne.NewSize(formWidth, 0))
}

// Field helpers.

func newEntry(text string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	return e
}

func newDateEntry(d registry.Date) *widget.Entry {
	e := widget.NewEntry()
	e.PlaceHolder = lang.L("dd/mm/yyyy")
	if !d.IsZero() {
		e.SetText(d.Italian())
	}
	return e
}

// parseDateField reads a date typed as dd/mm/yyyy; an empty field is the
// zero date when optional.
func parseDateField(e *widget.Entry, label string, optional bool) (registry.Date, error) {
	text := strings.TrimSpace(e.Text)
	if text == "" {
		if optional {
			return registry.Date{}, nil
		}
		return registry.Date{}, fault.New(fault.Invalid, "{{.Field}}: the date is required", map[string]any{"Field": label})
	}
	d, err := registry.ParseItalianDate(text)
	if err != nil {
		return registry.Date{}, fault.New(fault.Invalid, "{{.Field}}: write the date as dd/mm/yyyy", map[string]any{"Field": label})
	}
	return d, nil
}

// placeCode reads a birth or event place typed as a cadastral or Z code or
// as a name; "" with no error for an empty optional field.
func placeCode(text string, on registry.Date) (code, name string, err error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", "", nil
	}
	if p, ok := registry.LookupPlace(strings.ToUpper(text), on); ok {
		return p.Code, p.Name, nil
	}
	if found := registry.FindPlaces(text, on); len(found) > 0 {
		return found[0].Code, found[0].Name, nil
	}
	return "", "", fault.New(fault.Invalid, "The place {{.Place}} is not a municipality or a foreign state", map[string]any{"Place": text})
}

// relationships lists the relationships a form offers, householder aside.
var relationships = []registry.Relationship{
	registry.Spouse, registry.CivilPartner, registry.Child, registry.Grandchild, registry.Parent, registry.Grandparent,
	registry.Sibling, registry.ChildInLaw, registry.ParentInLaw, registry.SiblingInLaw, registry.Cohabitant, registry.OtherRelative,
}

func relationshipSelect(sex registry.Sex) *widget.Select {
	names := make([]string, len(relationships))
	for i, r := range relationships {
		names[i] = relationshipName(r, sex)
	}
	s := newSelect(names, nil)
	s.PlaceHolder = lang.L("Choose")
	return s
}

func selectedRelationship(s *widget.Select) registry.Relationship {
	if i := s.SelectedIndex(); i >= 0 {
		return relationships[i]
	}
	return 0
}
