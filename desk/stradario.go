package desk

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// completionLimit is how many entries of the stradario a field offers.
const completionLimit = 8

// completionTimeout bounds one lookup of the stradario.
const completionTimeout = 2 * time.Second

// completion makes a form's field offer, as the clerk types, the entries of
// the stradario that match. On each change query (on the UI goroutine)
// says what to look up, the lookup runs off it, and the field's drop-down
// button (or Down in the field) lists what it found, the list taking the
// arrows and Enter; picking one calls pick.
type completion[T any] struct {
	entry   *fieldEntry
	do      func(func())
	query   func(text string) func(context.Context) []T // nil: offer nothing
	label   func(T) string
	pick    func(T)
	changed func(text string) // runs first on each change; may be nil

	options []T
	button  *widget.Button
	menu    *widget.PopUpMenu
	seq     int // the lookup whose answer is still wanted
}

func newCompletion[T any](e *fieldEntry, do func(func()), query func(string) func(context.Context) []T, label func(T) string, pick func(T)) *completion[T] {
	c := &completion[T]{entry: e, do: do, query: query, label: label, pick: pick}
	c.button = widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), c.open)
	c.button.Importance = widget.LowImportance
	c.button.Disable()
	e.ActionItem = c.button
	e.OnChanged = c.onChanged
	e.onDown = c.open
	return c
}

func (c *completion[T]) onChanged(text string) {
	if c.changed != nil {
		c.changed(text)
	}
	c.refresh()
}

// refresh looks the field's text up again; an answer that comes after a
// newer change is dropped.
func (c *completion[T]) refresh() {
	c.seq++
	seq := c.seq
	lookup := c.query(c.entry.Text)
	if lookup == nil {
		c.setOptions(nil)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		found := lookup(ctx)
		c.do(func() {
			if seq == c.seq {
				c.setOptions(found)
			}
		})
	}()
}

func (c *completion[T]) setOptions(options []T) {
	c.options = options
	if len(options) == 0 {
		c.button.Disable()
	} else {
		c.button.Enable()
	}
}

// labels are the options as the list shows them.
func (c *completion[T]) labels() []string {
	out := make([]string, len(c.options))
	for i, o := range c.options {
		out[i] = c.label(o)
	}
	return out
}

// open lists the options under the field.
func (c *completion[T]) open() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.entry)
	if cv == nil || len(c.options) == 0 {
		return
	}
	items := make([]*fyne.MenuItem, len(c.options))
	for i, o := range c.options {
		items[i] = fyne.NewMenuItem(c.label(o), func() { c.pick(o) })
	}
	c.menu = widget.NewPopUpMenu(fyne.NewMenu("", items...), cv)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.entry)
	c.menu.ShowAtPosition(pos.AddXY(0, c.entry.Size().Height))
	c.menu.Resize(fyne.NewSize(c.entry.Size().Width, c.menu.MinSize().Height))
}

// streetFields are the street and house number of an address form,
// completed from the stradario: picking a street sets its toponym and
// name, and the house numbers offered are that street's.
type streetFields struct {
	toponym        *fieldSelect
	street, number *fieldEntry
	picked         *registry.Street // the street picked, while its name is in the field
	streets        *completion[registry.Street]
	numbers        *completion[string]
}

// completeStreets wires the fields to st; a nil st leaves them plain.
func completeStreets(st registry.Stradario, do func(func()), toponym *fieldSelect, street, number *fieldEntry) *streetFields {
	s := &streetFields{toponym: toponym, street: street, number: number}
	if st == nil {
		return s
	}
	s.streets = newCompletion(street, do, func(text string) func(context.Context) []registry.Street {
		if len([]rune(text)) < 2 {
			return nil
		}
		return func(ctx context.Context) []registry.Street {
			found, _ := st.Streets(ctx, text, completionLimit) // a failed lookup offers nothing
			return found
		}
	}, registry.Street.Label, s.pickStreet)
	s.streets.changed = func(text string) {
		if s.picked != nil && text != s.picked.Name {
			s.picked = nil
			s.numbers.refresh()
		}
	}
	s.numbers = newCompletion(number, do, func(text string) func(context.Context) []string {
		if s.picked == nil {
			return nil
		}
		code := s.picked.Code
		return func(ctx context.Context) []string {
			found, _ := st.StreetNumbers(ctx, code, text, completionLimit) // a failed lookup offers nothing
			return found
		}
	}, func(n string) string { return n }, number.SetText)
	return s
}

// pickStreet fills the fields with st and offers its house numbers.
func (s *streetFields) pickStreet(st registry.Street) {
	if !slices.Contains(s.toponym.Options, st.Toponym) {
		s.toponym.Options = append(s.toponym.Options, st.Toponym)
	}
	s.toponym.SetSelected(st.Toponym)
	s.picked = &st
	s.street.SetText(st.Name)
	s.numbers.refresh()
}

// offStradarioNote says on the record that the address's street is not in
// the stradario (a registrar recorded it).
func offStradarioNote() fyne.CanvasObject {
	return &widget.Label{Text: lang.L("Street not in the stradario (recorded by the registrar)"), Importance: widget.WarningImportance,
		Wrapping: fyne.TextWrapWord}
}
