package desk

import (
	"context"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// toponyms are the kinds of street a form offers (ANPR specie, the common ones).
var toponyms = []string{"VIA", "PIAZZA", "VIALE", "CORSO", "VICOLO", "LARGO", "STRADA", "CONTRADA", "LOCALITA'", "PIAZZALE"}

// addressForm records a change of address within the municipality: the
// person moves with the family.
type addressForm struct {
	*editForm
	rec registry.Record

	toponym  *fieldSelect
	street   *fieldEntry
	number   *fieldEntry
	internal *fieldEntry
	postcode *fieldEntry
	from     *fieldEntry
	streets  *streetFields
	confirm  *widget.Check // record a street not in the stradario; registrars only, nil otherwise
}

func newAddressForm(deps editDeps, rec registry.Record, onSaved func()) *addressForm {
	f := &addressForm{editForm: newEditForm(deps, lang.L("Change of address"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *addressForm) buildUI() {
	f.toponym = newFieldSelect(toponyms, nil)
	f.toponym.SetSelected("VIA")
	f.street = newTextField("")
	f.number = newTextField("")
	f.internal = newTextField("")
	f.postcode = newTextField(f.rec.Address.Postcode)
	f.from = newDateField(f.deps.today())
	hint := lang.L("The whole family moves; the current residence ends the day before.")
	if f.rec.Person.FamilyID == 0 {
		hint = lang.L("The current residence ends the day before.")
	}
	f.street.PlaceHolder = lang.L("Type part of the name, then choose from the stradario")
	f.streets = completeStreets(f.deps.streets, f.deps.do, f.toponym, f.street, f.number)
	f.require(f.toponym, f.street, f.number, f.from)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Type of street"), f.toponym),
		widget.NewFormItem(lang.L("Street"), f.street),
		widget.NewFormItem(lang.L("House number"), f.number),
		widget.NewFormItem(lang.L("Internal"), f.internal),
		widget.NewFormItem(lang.L("Postcode"), f.postcode),
		&widget.FormItem{Text: lang.L("From"), Widget: f.from, HintText: hint},
	}
	if f.deps.user.Role.CanCorrectPersonalData() {
		f.confirm = widget.NewCheck(lang.L("Record the street even if it is not in the stradario"), nil)
		items = append(items, widget.NewFormItem("", f.confirm))
	}
	f.show(items...)
	f.deps.win.Canvas().Focus(f.street)
}

func (f *addressForm) onCollect() (func(context.Context) error, error) {
	from, err := parseDateField(&f.from.Entry, lang.L("From"), false)
	if err != nil {
		return nil, err
	}
	c := registry.AddressChange{
		PersonID: f.rec.Person.ID, BaseVersion: f.rec.Person.Version, From: from,
		Address: registry.Address{Toponym: f.toponym.Selected, Street: f.street.Text, HouseNumber: f.number.Text,
			Internal: f.internal.Text, Postcode: f.postcode.Text, Place: f.rec.Address.Place},
		ConfirmOffStradario: f.confirm != nil && f.confirm.Checked,
	}
	return func(ctx context.Context) error { return f.deps.editor.ChangeAddress(ctx, f.deps.user, c) }, nil
}
