package desk

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// personFields are the personal data a form asks for: the new family
// member's and the registrar's correction share them.
type personFields struct {
	surname, name *widget.Entry
	sex           *widget.RadioGroup
	born          *widget.Entry
	place         *widget.Entry
	cf            *widget.Entry
	compute       *widget.Button
	confirm       *widget.Check // keep a codice fiscale that does not match; registrars only, nil otherwise
}

func newPersonFields(p registry.Person, canConfirm bool) *personFields {
	f := &personFields{
		surname: newEntry(p.Surname), name: newEntry(p.Name),
		born: newDateEntry(p.BirthDate), place: newEntry(p.BirthPlace), cf: newEntry(p.CF),
	}
	f.sex = widget.NewRadioGroup([]string{sexName(registry.Male), sexName(registry.Female)}, nil)
	f.sex.Horizontal = true
	switch p.Sex {
	case registry.Male:
		f.sex.SetSelected(sexName(registry.Male))
	case registry.Female:
		f.sex.SetSelected(sexName(registry.Female))
	}
	f.place.PlaceHolder = lang.L("Municipality or state, or its code")
	f.compute = widget.NewButton(lang.L("Compute"), f.onCompute)
	if canConfirm {
		f.confirm = widget.NewCheck(lang.L("Keep this codice fiscale even if it does not match the data"), nil)
	}
	return f
}

func (f *personFields) items() []*widget.FormItem {
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Surname"), f.surname),
		widget.NewFormItem(lang.L("Name"), f.name),
		widget.NewFormItem(lang.L("Sex"), f.sex),
		widget.NewFormItem(lang.L("Date of birth"), f.born),
		widget.NewFormItem(lang.L("Place of birth"), f.place),
		widget.NewFormItem(lang.L("Codice fiscale"), container.NewBorder(nil, nil, nil, f.compute, f.cf)),
	}
	if f.confirm != nil {
		items = append(items, widget.NewFormItem("", f.confirm))
	}
	return items
}

func (f *personFields) selectedSex() registry.Sex {
	switch f.sex.Selected {
	case sexName(registry.Male):
		return registry.Male
	case sexName(registry.Female):
		return registry.Female
	}
	return ""
}

// person reads the fields into p's personal data.
func (f *personFields) person(p registry.Person) (registry.Person, error) {
	born, err := parseDateField(f.born, lang.L("Date of birth"), false)
	if err != nil {
		return p, err
	}
	code, name, err := placeCode(f.place.Text, born)
	if err != nil {
		return p, err
	}
	p.Surname, p.Name, p.Sex, p.BirthDate = strings.TrimSpace(f.surname.Text), strings.TrimSpace(f.name.Text), f.selectedSex(), born
	p.BirthPlace, p.BirthPlaceName = code, name
	p.CF = strings.ToUpper(strings.TrimSpace(f.cf.Text))
	return p, nil
}

func (f *personFields) confirmed() bool { return f.confirm != nil && f.confirm.Checked }

// onCompute fills the codice fiscale computed from the data: a help, the
// clerk checks it against the card the person shows.
func (f *personFields) onCompute() {
	p, err := f.person(registry.Person{})
	if err == nil {
		var cf string
		if cf, err = registry.ComputeCF(p.Surname, p.Name, p.Sex, p.BirthDate, p.BirthPlace); err == nil {
			f.cf.SetText(cf)
		}
	}
}

// memberForm registers a new member of the family: a birth or an arrival.
type memberForm struct {
	*editForm
	rec registry.Record

	fields       *personFields
	relationship *widget.Select
	reason       *widget.Select
	from         *widget.Entry
	italian      *widget.Check
}

// memberReasons are the reasons the form offers, in its order.
var memberReasons = []int{registry.ReasonBirth, registry.ReasonArrival, registry.ReasonAbroad}

func newMemberForm(deps editDeps, rec registry.Record, onSaved func()) *memberForm {
	f := &memberForm{editForm: newEditForm(deps, lang.L("New family member"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *memberForm) buildUI() {
	f.fields = newPersonFields(registry.Person{}, f.deps.user.Role.CanCorrectPersonalData())
	f.relationship = relationshipSelect(registry.Male)
	f.reason = newSelect([]string{lang.L("Birth"), lang.L("Arrival from another municipality"), lang.L("Arrival from abroad")}, nil)
	f.reason.SetSelectedIndex(0)
	f.from = newDateEntry(registry.Date{})
	f.from.PlaceHolder = lang.L("dd/mm/yyyy; for a birth, the birth date")
	f.italian = widget.NewCheck(lang.L("Italian citizen"), nil)
	f.italian.SetChecked(true)
	items := f.fields.items()
	items = append(items,
		widget.NewFormItem(lang.L("Citizenship"), f.italian),
		widget.NewFormItem(lang.L("Relationship to the householder"), f.relationship),
		widget.NewFormItem(lang.L("Reason"), f.reason),
		widget.NewFormItem(lang.L("Resident from"), f.from),
	)
	f.show(items...)
	f.deps.win.Canvas().Focus(f.fields.surname)
}

func (f *memberForm) onCollect() (func(context.Context) error, error) {
	p, err := f.fields.person(registry.Person{Status: registry.Resident, CivilStatus: registry.Single})
	if err != nil {
		return nil, err
	}
	from := p.BirthDate
	if strings.TrimSpace(f.from.Text) != "" {
		if from, err = parseDateField(f.from, lang.L("Resident from"), false); err != nil {
			return nil, err
		}
	}
	if f.italian.Checked {
		p.Citizenships = []string{registry.Italy}
	}
	reason := registry.ReasonBirth
	if i := f.reason.SelectedIndex(); i >= 0 {
		reason = memberReasons[i]
	}
	m := registry.NewMember{FamilyID: f.rec.Family.ID, FamilyVersion: f.rec.Family.Version, Person: p,
		Relationship: selectedRelationship(f.relationship), From: from, Reason: reason, ConfirmMismatch: f.fields.confirmed()}
	return func(ctx context.Context) error {
		_, err := f.deps.editor.AddMember(ctx, f.deps.user, m)
		return err
	}, nil
}
