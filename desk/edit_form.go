package desk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
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
	editor  registry.Editor
	streets registry.Stradario // the stradario the address forms complete from; nil offers nothing
	dir     registry.Directory // to find a spouse by codice fiscale
	user    access.User
	win     fyne.Window
	do      func(func())
	now     func() time.Time
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
	content *fyne.Container
	dlg     dialog.Dialog

	// Each item's field and the line under it that says what is wrong with
	// it; required lists the fields that cannot be left empty, marked
	// before anything is typed.
	inputs   []fyne.CanvasObject
	labels   []string
	errs     []*widget.Label
	required []fyne.CanvasObject
	busy     bool
	saved    bool
	onSaved  func() // reopens the record; runs on the UI goroutine

	// collect reads the fields and returns the write to run, or the
	// fault that says which field to fix.
	collect func() (func(ctx context.Context) error, error)
}

func newEditForm(deps editDeps, title string, onSaved func()) *editForm {
	return &editForm{deps: deps, title: title, onSaved: onSaved}
}

// require marks fields the form cannot be saved without; call it before
// show.
func (f *editForm) require(fields ...fyne.CanvasObject) { f.required = append(f.required, fields...) }

// show opens the dialog with items: the required ones marked, each with
// the line, reserved, that says what is wrong with it.
func (f *editForm) show(items ...*widget.FormItem) {
	first := firstField(items)
	f.inputs, f.labels, f.errs = make([]fyne.CanvasObject, len(items)), make([]string, len(items)), make([]*widget.Label, len(items))
	for i, it := range items {
		f.inputs[i], f.labels[i], f.errs[i] = it.Widget, it.Text, errorLine()
		if slices.Contains(f.required, it.Widget) {
			it.Text = requiredLabel(it.Text)
		}
		it.Widget = container.NewVBox(it.Widget, f.errs[i])
	}
	f.problem = errorLine()
	f.problem.TextStyle = fyne.TextStyle{Bold: true}
	f.problem.SizeName = ""
	f.form = &widget.Form{Items: items, SubmitText: lang.L("Save"), CancelText: lang.L("Cancel"), OnSubmit: f.onSave, OnCancel: f.onCancel}
	f.content = container.NewVBox(f.form, f.problem)
	f.dlg = dialog.NewCustomWithoutButtons(f.title, f.content, f.deps.win)
	showDialog(f.deps.win, f.dlg, f.content, first, f.onSave, f.onCancel)
	f.fit()
}

// messages is what the form says is wrong, beside its fields and under it.
func (f *editForm) messages() string {
	var all []string
	for _, e := range append(slices.Clone(f.errs), f.problem) {
		if e.Text != "" {
			all = append(all, e.Text)
		}
	}
	return strings.Join(all, "\n")
}

// fieldOf is the field of the item labelled label ("" when none).
func (f *editForm) fieldOf(label string) fyne.CanvasObject {
	if i := slices.Index(f.labels, label); i >= 0 {
		return f.inputs[i]
	}
	return nil
}

// checkFields says beside each field what is wrong with it, all at once:
// a required field left empty, a date that is not one. It reports whether
// all are right.
func (f *editForm) checkFields() bool {
	ok := true
	for i, w := range f.inputs {
		msg := ""
		switch e := w.(type) {
		case *fieldEntry:
			switch {
			case strings.TrimSpace(e.Text) == "" && slices.Contains(f.required, w):
				msg = lang.L("This field is required")
			case e.date && strings.TrimSpace(e.Text) != "":
				if _, err := parseDateField(&e.Entry, f.labels[i], true); err != nil {
					msg = userMessage(err)
				}
			}
		case *fieldSelect:
			if e.SelectedIndex() < 0 && slices.Contains(f.required, w) {
				msg = lang.L("Choose one")
			}
		case *widget.RadioGroup:
			if e.Selected == "" && slices.Contains(f.required, w) {
				msg = lang.L("Choose one")
			}
		}
		f.errs[i].SetText(msg)
		ok = ok && msg == ""
	}
	return ok
}

// firstField is the first field of items that takes the focus.
func firstField(items []*widget.FormItem) fyne.Focusable {
	for _, it := range items {
		if w, ok := it.Widget.(fyne.Focusable); ok {
			if d, ok := it.Widget.(fyne.Disableable); !ok || !d.Disabled() {
				return w
			}
		}
	}
	return nil
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
	f.problem.SetText("")
	if !f.checkFields() {
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

// showProblem says what the edit's refusal is: beside the field it names,
// else under the form.
func (f *editForm) showProblem(err error) {
	var fe *fault.Error
	if errors.As(err, &fe) {
		if label, ok := fe.Args["Field"].(string); ok {
			if i := slices.Index(f.labels, label); i >= 0 {
				f.errs[i].SetText(userMessage(err))
				return
			}
		}
	}
	f.problem.SetText(userMessage(err))
}

// fit sizes the dialog to its content, which grows with a message.
func (f *editForm) fit() {
	f.dlg.Resize(fyne.NewSize(formWidth, 0))
}

// Field helpers.

// requiredLabel marks a field the form cannot be saved without, before
// anything is typed.
func requiredLabel(text string) string { return text + " *" }

// errorLine is the line under a field that says what is wrong with it. It
// is never hidden, so the form does not move when a message appears.
func errorLine() *widget.Label {
	return &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText}
}

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

// newTextField and newDateField are newEntry and newDateEntry for a
// dialog's form (Escape cancels it).
func newTextField(text string) *fieldEntry {
	e := newFieldEntry()
	e.SetText(text)
	return e
}

func newDateField(d registry.Date) *fieldEntry {
	e := newFieldEntry()
	e.date = true
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

func relationshipSelect(sex registry.Sex) *fieldSelect {
	names := make([]string, len(relationships))
	for i, r := range relationships {
		names[i] = relationshipName(r, sex)
	}
	s := newFieldSelect(names, nil)
	s.PlaceHolder = lang.L("Choose")
	return s
}

func selectedRelationship(s *fieldSelect) registry.Relationship {
	if i := s.SelectedIndex(); i >= 0 {
		return relationships[i]
	}
	return 0
}
