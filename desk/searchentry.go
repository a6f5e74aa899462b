package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// searchEntry is the register's search box. It passes the keys that move
// through the results to the screen instead of moving its own cursor: Down
// and Up move the selection, Escape closes the person view; Enter is the
// Entry's OnSubmitted. Ctrl+F while it has the focus selects what was typed.
// Keys the box has no use for (the counter panel's F2-F6) go to onOther, so
// the clerk calls the next ticket without leaving the search.
type searchEntry struct {
	widget.Entry

	onDown, onUp, onEscape func()
	onOther                func(*fyne.KeyEvent) bool // reports whether it used the key; may be nil
}

func newSearchEntry() *searchEntry {
	e := &searchEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles the keys of the results list and passes the others on.
func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	var f func()
	switch ev.Name {
	case fyne.KeyDown:
		f = e.onDown
	case fyne.KeyUp:
		f = e.onUp
	case fyne.KeyEscape:
		f = e.onEscape
	}
	if f != nil {
		f()
		return
	}
	if e.onOther != nil && e.onOther(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut selects the text on the focus-search shortcut, which the
// window would not see while the box has the focus.
func (e *searchEntry) TypedShortcut(s fyne.Shortcut) {
	if s.ShortcutName() == focusSearchShortcut.ShortcutName() {
		e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
		return
	}
	e.Entry.TypedShortcut(s)
}

// clear empties the box as a clerk would, selecting all and deleting, so that
// OnChanged runs. (Entry.SetText keeps a selection made before, and the next
// letter typed would then be lost: Fyne 2.8.)
func (e *searchEntry) clear() {
	e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
	e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
}
