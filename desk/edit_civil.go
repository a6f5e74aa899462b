package desk

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/fault"
	"sportello/registry"
)

// civilEventKinds are the events the form offers, in its order.
var civilEventKinds = []registry.CivilEventKind{
	registry.EventMarriage, registry.EventCivilUnion, registry.EventDivorce, registry.EventUnionDissolved, registry.EventWidowhood,
}

// civilEventForm records a civil-status event. The spouse or partner in the
// register is named by codice fiscale (the event is then recorded for both);
// one who is not, by name. A divorce, an end of union or a widowhood left
// blank concerns the spouse of the last marriage or union.
type civilEventForm struct {
	*editForm
	rec registry.Record

	kind      *widget.Select
	date      *widget.Entry
	place     *widget.Entry
	otherCF   *widget.Entry
	otherName *widget.Entry
}

func newCivilEventForm(deps editDeps, rec registry.Record, onSaved func()) *civilEventForm {
	f := &civilEventForm{editForm: newEditForm(deps, lang.L("Civil-status event"), onSaved), rec: rec}
	f.collect = f.onCollect
	return f
}

func (f *civilEventForm) buildUI() {
	names := make([]string, len(civilEventKinds))
	for i, k := range civilEventKinds {
		names[i] = eventName(k)
	}
	f.kind = newSelect(names, nil)
	f.kind.PlaceHolder = lang.L("Choose")
	f.date = newDateEntry(registry.Date{})
	f.place = newEntry("")
	f.place.PlaceHolder = lang.L("Municipality or state, or its code")
	f.otherCF = newEntry("")
	f.otherName = newEntry("")
	f.show(
		widget.NewFormItem(lang.L("Event"), f.kind),
		widget.NewFormItem(lang.L("Date"), f.date),
		widget.NewFormItem(lang.L("Place"), f.place),
		&widget.FormItem{Text: lang.L("Codice fiscale of the spouse or partner"), Widget: f.otherCF,
			HintText: lang.L("If they are in the register: the event is recorded for both.")},
		&widget.FormItem{Text: lang.L("Spouse or partner, if not in the register"), Widget: f.otherName},
	)
}

func (f *civilEventForm) onCollect() (func(context.Context) error, error) {
	date, err := parseDateField(f.date, lang.L("Date"), false)
	if err != nil {
		return nil, err
	}
	place, _, err := placeCode(f.place.Text, date)
	if err != nil {
		return nil, err
	}
	e := registry.CivilStatusEvent{PersonID: f.rec.Person.ID, BaseVersion: f.rec.Person.Version, Date: date, Place: place,
		OtherName: strings.TrimSpace(f.otherName.Text)}
	if i := f.kind.SelectedIndex(); i >= 0 {
		e.Kind = civilEventKinds[i]
	}
	cf := strings.ToUpper(strings.TrimSpace(f.otherCF.Text))
	dir, user, editor := f.deps.dir, f.deps.user, f.deps.editor
	return func(ctx context.Context) error {
		if cf != "" {
			if err := registry.ValidateCF(cf); err != nil {
				return err
			}
			found, err := dir.Search(ctx, registry.Query{CF: cf}, 2)
			if err != nil {
				return err
			}
			if len(found) != 1 {
				return fault.New(fault.NotFound, "No one in the register has the codice fiscale {{.CF}}", map[string]any{"CF": cf})
			}
			e.OtherPersonID = found[0].ID
		}
		return editor.RecordCivilEvent(ctx, user, e)
	}, nil
}
