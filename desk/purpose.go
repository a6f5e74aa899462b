package desk

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// RegistryDesk is what the registry in depth needs beyond search: the full
// record, the edits, the access log of record views and the audit log. The
// store implements it.
type RegistryDesk interface {
	registry.Editor
	registry.Stradario
	access.Logs
	UserAdmin
	FullRecord(ctx context.Context, personID int64) (registry.Record, error)
	RecordAsAt(ctx context.Context, personID int64, d registry.Date) (registry.Record, error)
	LogAccess(ctx context.Context, operator string, personID int64, purpose access.Purpose) error
}

// purposeDirectory is the register as a clerk's session reads it: opening a
// record asks once per session why (the purpose), and every view is logged
// with the clerk, the time, the person and the purpose before the record is
// read.
type purposeDirectory struct {
	reg  RegistryDesk
	dir  registry.Directory
	user access.User
	win  fyne.Window
	do   func(func())

	mu      sync.Mutex // held while the purpose is asked, so one dialog serves every open waiting
	purpose access.Purpose

	// The dialog while it is shown; touched on the UI goroutine only.
	dialog  *dialog.FormDialog
	choice  *fieldSelect
	answer  chan access.Purpose
	changed func(access.Purpose) // tells the person view the purpose in force; may be nil
}

func newPurposeDirectory(reg RegistryDesk, dir registry.Directory, u access.User, win fyne.Window, do func(func())) *purposeDirectory {
	return &purposeDirectory{reg: reg, dir: dir, user: u, win: win, do: do}
}

func (d *purposeDirectory) Search(ctx context.Context, q registry.Query, limit int) ([]registry.Match, error) {
	return d.dir.Search(ctx, q, limit)
}

// Record asks for the purpose if the session has none yet, logs the view
// and reads the full record. It runs off the UI goroutine.
func (d *purposeDirectory) Record(ctx context.Context, personID int64) (registry.Record, error) {
	purpose, err := d.sessionPurpose()
	if err != nil {
		return registry.Record{}, err
	}
	// The clerk may have taken longer than the read's time to choose.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	defer cancel()
	if err := d.reg.LogAccess(ctx, d.user.Username, personID, purpose); err != nil {
		return registry.Record{}, err
	}
	return d.reg.FullRecord(ctx, personID)
}

// RecordAsAt is Record as it stood at the end of day d, logged as a view.
func (d *purposeDirectory) RecordAsAt(ctx context.Context, personID int64, on registry.Date) (registry.Record, error) {
	purpose, err := d.sessionPurpose()
	if err != nil {
		return registry.Record{}, err
	}
	if err := d.reg.LogAccess(ctx, d.user.Username, personID, purpose); err != nil {
		return registry.Record{}, err
	}
	return d.reg.RecordAsAt(ctx, personID, on)
}

// sessionPurpose returns the purpose of the session, asking the clerk
// first when there is none.
func (d *purposeDirectory) sessionPurpose() (access.Purpose, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.purpose != "" {
		return d.purpose, nil
	}
	answer := make(chan access.Purpose, 1)
	d.do(func() { d.ask(answer) })
	p := <-answer
	if p == "" {
		return "", fault.New(fault.Invalid, "A record opens only for a stated purpose: open it again and choose one", nil)
	}
	d.purpose = p
	if d.changed != nil {
		d.do(func() { d.changed(p) })
	}
	return p, nil
}

// current is the purpose in force, "" if none yet.
func (d *purposeDirectory) current() access.Purpose {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.purpose
}

// forget drops the purpose: the next record opened asks again (a new
// citizen at the counter, a different task).
func (d *purposeDirectory) forget() {
	d.mu.Lock()
	d.purpose = ""
	d.mu.Unlock()
}

// ask shows the purpose dialog; the answer ("" when cancelled) goes to answer.
func (d *purposeDirectory) ask(answer chan access.Purpose) {
	names := make([]string, len(access.Purposes))
	for i, p := range access.Purposes {
		names[i] = purposeName(p)
	}
	d.answer = answer
	d.choice = newFieldSelect(names, nil)
	d.choice.PlaceHolder = lang.L("Choose the purpose")
	items := []*widget.FormItem{{Text: lang.L("Purpose"), Widget: d.choice,
		HintText: lang.L("Every view of a record is logged with its purpose; the desk asks again after a logout or a change of purpose.")}}
	d.dialog = dialog.NewForm(lang.L("Why are you opening this record?"), lang.L("Open the record"), lang.L("Cancel"), items, d.onAnswer, d.win)
	d.dialog.Resize(fyne.NewSize(520, 260))
	dlg := d.dialog
	choice := d.choice
	confirm := func() { // Enter with nothing chosen is no answer yet
		if choice.SelectedIndex() >= 0 {
			dlg.Submit()
		}
	}
	showDialog(d.win, dlg, choice, choice, confirm, dlg.Hide)
}

func (d *purposeDirectory) onAnswer(ok bool) {
	var p access.Purpose
	if i := d.choice.SelectedIndex(); ok && i >= 0 {
		p = access.Purposes[i]
	}
	d.dialog = nil
	d.answer <- p
}

// purposeName is a purpose as the clerk reads it.
func purposeName(p access.Purpose) string {
	switch p {
	case access.PurposeCounter:
		return lang.X("purpose.counter", "Request of the person at the counter")
	case access.PurposeCertificate:
		return lang.X("purpose.certificate", "Issuing a certificate")
	case access.PurposeUpdate:
		return lang.X("purpose.update", "Recording a change in the register")
	case access.PurposeOffice:
		return lang.X("purpose.office", "Check asked by another public office")
	case access.PurposeElectoral:
		return lang.X("purpose.electoral", "Electoral office duties")
	case access.PurposeOnline:
		return lang.X("purpose.online", "Online, the person themselves")
	}
	return string(p)
}

// registryDepth is the register as the session of u reads it: with the
// registry in depth configured, through the purpose and the access log, and
// with the edits the role allows; else the plain directory and no edits.
func registryDepth(d *Desk, u access.User) (registry.Directory, *personEdits) {
	if d.deps.Registry == nil {
		return d.deps.Directory, nil
	}
	purposes := newPurposeDirectory(d.deps.Registry, d.deps.Directory, u, d.win, d.do)
	edits := &personEdits{
		deps:         editDeps{dir: d.deps.Directory, user: u, win: d.win, do: d.do, now: d.now},
		purposes:     purposes,
		municipality: d.deps.Office.Municipality,
	}
	if u.Role.CanEditRegistry() || u.Role.CanCorrectPersonalData() {
		edits.deps.editor, edits.deps.streets = d.deps.Registry, d.deps.Registry
	}
	return purposes, edits
}

// closeEdits closes what the session's registry depth left open (the
// purpose dialog, an edit form) when the clerk logs out: a purpose asked
// and never answered counts as refused.
func (v *personView) closeEdits() {
	e := v.edits
	if e == nil {
		return
	}
	if d := e.purposes; d != nil && d.dialog != nil {
		d.dialog.Hide()
		if d.dialog != nil { // Hide did not answer
			d.onAnswer(false)
		}
	}
	if e.form != nil && e.form.dlg != nil {
		e.form.dlg.Hide()
	}
}
