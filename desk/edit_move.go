package desk

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/fault"
	"sportello/registry"
)

// moveForm moves a resident into another family of the register, named by
// its householder's codice fiscale, from a date.
type moveForm struct {
	*editForm
	rec registry.Record

	householderCF *fieldEntry
	relationship  *fieldSelect
	from          *fieldEntry
}

func newMoveForm(deps editDeps, rec registry.Record, onSaved func()) *moveForm {
	f := &moveForm{editForm: newEditForm(deps, lang.L("Join another family"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *moveForm) buildUI() {
	f.householderCF = newTextField("")
	f.relationship = relationshipSelect(f.rec.Person.Sex)
	f.from = newDateField(registry.Date{})
	f.require(f.householderCF, f.relationship, f.from)
	f.show(
		&widget.FormItem{Text: lang.L("Codice fiscale of the new householder"), Widget: f.householderCF,
			HintText: lang.L("The person joins that family, at its address.")},
		widget.NewFormItem(lang.L("Relationship to the new householder"), f.relationship),
		widget.NewFormItem(lang.L("From"), f.from),
	)
}

func (f *moveForm) onCollect() (func(context.Context) error, error) {
	from, err := parseDateField(&f.from.Entry, lang.L("From"), false)
	if err != nil {
		return nil, err
	}
	cf := strings.ToUpper(strings.TrimSpace(f.householderCF.Text))
	if cf == "" {
		return nil, fault.New(fault.Invalid, "The codice fiscale is required", nil)
	}
	if err := registry.ValidateCF(cf); err != nil {
		return nil, err
	}
	m := registry.FamilyMove{PersonID: f.rec.Person.ID, BaseVersion: f.rec.Person.Version, HouseholderCF: cf,
		Relationship: selectedRelationship(f.relationship), From: from}
	user, editor := f.deps.user, f.deps.editor
	return func(ctx context.Context) error { return editor.MoveToFamily(ctx, user, m) }, nil
}
