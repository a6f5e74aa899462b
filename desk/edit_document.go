package desk

import (
	"context"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// documentForm records an identity document: type, number, issue, expiry.
type documentForm struct {
	*editForm
	rec registry.Record

	kind     *widget.Select
	number   *widget.Entry
	issuedOn *widget.Entry
	expires  *widget.Entry
	issuedBy *widget.Entry
}

func newDocumentForm(deps editDeps, rec registry.Record, municipality string, onSaved func()) *documentForm {
	f := &documentForm{editForm: newEditForm(deps, lang.L("Identity document"), onSaved), rec: rec}
	f.collect = f.onCollect
	f.issuedBy = newEntry(municipality)
	return f
}

func (f *documentForm) buildUI() {
	names := make([]string, len(registry.DocumentKinds))
	for i, k := range registry.DocumentKinds {
		names[i] = documentKindName(k)
	}
	f.kind = newSelect(names, nil)
	f.kind.SetSelectedIndex(0)
	f.number = newEntry("")
	f.issuedOn = newDateEntry(f.deps.today())
	f.expires = newDateEntry(registry.Date{})
	f.show(
		widget.NewFormItem(lang.L("Type of document"), f.kind),
		widget.NewFormItem(lang.L("Number"), f.number),
		widget.NewFormItem(lang.L("Issued on"), f.issuedOn),
		widget.NewFormItem(lang.L("Expires on"), f.expires),
		widget.NewFormItem(lang.L("Issued by"), f.issuedBy),
	)
	f.deps.win.Canvas().Focus(f.number)
}

func (f *documentForm) onCollect() (func(context.Context) error, error) {
	issued, err := parseDateField(f.issuedOn, lang.L("Issued on"), true)
	if err != nil {
		return nil, err
	}
	expires, err := parseDateField(f.expires, lang.L("Expires on"), false)
	if err != nil {
		return nil, err
	}
	var kind registry.DocumentKind
	if i := f.kind.SelectedIndex(); i >= 0 {
		kind = registry.DocumentKinds[i]
	}
	d := registry.DocumentEdit{PersonID: f.rec.Person.ID, BaseVersion: f.rec.Person.Version,
		Document: registry.Document{Kind: kind, Number: f.number.Text, IssuedOn: issued, Expires: expires, IssuedBy: f.issuedBy.Text}}
	return func(ctx context.Context) error { return f.deps.editor.AddDocument(ctx, f.deps.user, d) }, nil
}

// documentKindName is a document type as the clerk reads it.
func documentKindName(k registry.DocumentKind) string {
	switch k {
	case registry.DocCIE:
		return lang.X("document.cie", "Electronic identity card")
	case registry.DocPaperID:
		return lang.X("document.paper_id", "Paper identity card")
	case registry.DocPassport:
		return lang.X("document.passport", "Passport")
	case registry.DocDrivingLicence:
		return lang.X("document.driving_licence", "Driving licence")
	}
	return string(k)
}
