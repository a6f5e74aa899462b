package desk

import (
	"context"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// householderForm makes another member the householder; the former one
// gets a relationship to the new one. The family keeps one householder.
type householderForm struct {
	*editForm
	rec        registry.Record
	candidates []registry.Person

	next   *widget.Select
	former *widget.Select
}

func newHouseholderForm(deps editDeps, rec registry.Record, onSaved func()) *householderForm {
	f := &householderForm{editForm: newEditForm(deps, lang.L("Change of householder"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *householderForm) buildUI() {
	var names []string
	var formerSex registry.Sex = registry.Male
	for _, m := range f.rec.Members {
		if m.Person.ID == f.rec.Family.HouseholderID {
			formerSex = m.Person.Sex
			continue
		}
		if m.Person.Status != registry.Resident {
			continue
		}
		f.candidates = append(f.candidates, m.Person)
		names = append(names, fullName(m.Person.Surname, m.Person.Name))
	}
	f.next = newSelect(names, nil)
	f.next.PlaceHolder = lang.L("Choose")
	f.former = relationshipSelect(formerSex)
	f.show(
		widget.NewFormItem(lang.L("New householder"), f.next),
		widget.NewFormItem(lang.L("Former householder, now"), f.former),
	)
}

func (f *householderForm) onCollect() (func(context.Context) error, error) {
	var id int64
	if i := f.next.SelectedIndex(); i >= 0 {
		id = f.candidates[i].ID
	}
	c := registry.HouseholderChange{FamilyID: f.rec.Family.ID, FamilyVersion: f.rec.Family.Version,
		NewHouseholderID: id, FormerRelationship: selectedRelationship(f.former)}
	return func(ctx context.Context) error { return f.deps.editor.ChangeHouseholder(ctx, f.deps.user, c) }, nil
}
