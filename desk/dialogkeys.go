package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Every dialog of the desk is keyboard-first: its first field has the focus
// when it opens, Enter confirms and Escape cancels wherever the focus is
// among its fields. showDialog does it for any dialog; the fields that
// would keep those keys to themselves (a Select ignores Enter and Escape, an
// Entry ignores Escape) are the field types below.

// showDialog shows d with the focus on first (nil: none), Enter running
// confirm and Escape running cancel, from its fields (those of content:
// fieldEntry, fieldSelect, single-line Entry) or with no field focused. The
// window's own key handler comes back when the dialog closes.
func showDialog(win fyne.Window, d dialog.Dialog, content fyne.CanvasObject, first fyne.Focusable, confirm, cancel func()) {
	c := win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			cancel()
		case fyne.KeyReturn, fyne.KeyEnter:
			confirm()
		default:
			if prev != nil {
				prev(ev)
			}
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
	wireKeys(content, confirm, cancel)
	d.Show()
	if first != nil {
		c.Focus(first)
	} else {
		c.Unfocus() // a widget behind the dialog would keep the keys
	}
}

// wireKeys gives the fields in o Enter (confirm) and Escape (cancel).
func wireKeys(o fyne.CanvasObject, confirm, cancel func()) {
	switch w := o.(type) {
	case *fyne.Container:
		for _, child := range w.Objects {
			wireKeys(child, confirm, cancel)
		}
	case *container.Scroll:
		wireKeys(w.Content, confirm, cancel)
	case *widget.Form:
		for _, item := range w.Items {
			wireKeys(item.Widget, confirm, cancel)
		}
	case *fieldEntry:
		w.onEscape = cancel
		if !w.MultiLine && w.OnSubmitted == nil {
			w.OnSubmitted = func(string) { confirm() }
		}
	case *fieldSelect:
		w.onEscape, w.onEnter = cancel, confirm
	case *widget.Entry:
		if !w.MultiLine && w.OnSubmitted == nil {
			w.OnSubmitted = func(string) { confirm() }
		}
	}
}

// fieldEntry is an entry of a dialog's form: Escape cancels the dialog;
// Enter is the Entry's OnSubmitted.
type fieldEntry struct {
	widget.Entry
	onEscape func()
	onDown   func() // opens the field's list of completions; nil when it has none
	date     bool   // a date typed as dd/mm/yyyy
}

func newFieldEntry() *fieldEntry {
	e := &fieldEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *fieldEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	if ev.Name == fyne.KeyDown && e.onDown != nil && !e.MultiLine {
		e.onDown()
		return
	}
	e.Entry.TypedKey(ev)
}

// fieldSelect is a choice of a dialog's form: Enter confirms the dialog and
// Escape cancels it; the arrows and space choose as in a Select.
type fieldSelect struct {
	widget.Select
	onEscape, onEnter func()
}

func newFieldSelect(options []string, changed func(string)) *fieldSelect {
	s := &fieldSelect{}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, lang.L("Choose")
	s.ExtendBaseWidget(s)
	return s
}

func (s *fieldSelect) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyEscape && s.onEscape != nil:
		s.onEscape()
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && s.onEnter != nil:
		s.onEnter()
	default:
		s.Select.TypedKey(ev)
	}
}
