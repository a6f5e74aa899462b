package desk

import (
	"context"

	"fyne.io/fyne/v2/lang"

	"sportello/registry"
)

// correctForm corrects a person's personal data: the registrar's power
// only. The codice fiscale must match the corrected data unless the
// registrar confirms the mismatch.
type correctForm struct {
	*editForm
	rec    registry.Record
	fields *personFields
}

func newCorrectForm(deps editDeps, rec registry.Record, onSaved func()) *correctForm {
	f := &correctForm{editForm: newEditForm(deps, lang.L("Correction of personal data"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *correctForm) buildUI() {
	f.fields = newPersonFields(f.rec.Person, true)
	f.require(f.fields.surname, f.fields.name, f.fields.sex, f.fields.born)
	f.show(f.fields.items()...)
	f.deps.win.Canvas().Focus(f.fields.surname)
}

func (f *correctForm) onCollect() (func(context.Context) error, error) {
	p, err := f.fields.person(f.rec.Person)
	if err != nil {
		return nil, err
	}
	c := registry.Correction{PersonID: p.ID, BaseVersion: f.rec.Person.Version, Surname: p.Surname, Name: p.Name, Sex: p.Sex,
		BirthDate: p.BirthDate, BirthPlace: p.BirthPlace, BirthPlaceName: p.BirthPlaceName, CF: p.CF, ConfirmMismatch: f.fields.confirmed()}
	return func(ctx context.Context) error { return f.deps.editor.CorrectPerson(ctx, f.deps.user, c) }, nil
}
