package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/registry"
)

// SyncDesk is the desk's link with the central server, as the screens see
// it: the state for the top bar, the conflicts a clerk resolves and the
// changes the server refused.
type SyncDesk interface {
	View() SyncView
	Conflicts(ctx context.Context) ([]ConflictView, error)
	Resolve(ctx context.Context, u access.User, id int64, keepMine bool) error
	Rejected(ctx context.Context) ([]RejectedView, error)
	SyncNow() // asks for a sync at once; returns without waiting
}

// ConflictView is a field two desks changed two ways.
type ConflictView struct {
	ID     int64
	Record string // whose record: "ROSSI MARIO", an address...
	Field  string // the document field: surname, documents, residences...
	Base   json.RawMessage
	Mine   json.RawMessage // this desk's value
	Theirs json.RawMessage // the server's value
	At     time.Time
}

// RejectedView is a change of this desk the server refused, with why.
type RejectedView struct {
	Seq     int64
	What    string // entity and operation: person change_address...
	Message string // the reason, a translation key
	Args    map[string]any
	At      time.Time
}

// syncScreen shows the sync state, the conflicts with the three values of
// the one selected and the two choices, and the refused changes.
type syncScreen struct {
	sync SyncDesk
	me   access.User
	do   func(func())

	state    *widget.Label
	list     *widget.List
	detail   *widget.Label
	values   [3]*widget.Label // base, mine, theirs
	keepMine *widget.Button
	keepThem *widget.Button
	message  *widget.Label
	rejected *widget.Label

	conflicts []ConflictView
	selected  int
}

func syncArea(d *Desk, u access.User) (area, *syncScreen, bool) {
	if d.deps.Sync == nil || !u.Role.CanUseRegistry() {
		return area{}, nil, false
	}
	s := &syncScreen{sync: d.deps.Sync, me: u, do: d.do, selected: -1}
	return area{name: lang.L("Synchronisation"), icon: theme.ViewRefreshIcon(), content: s.buildUI(), onShow: s.refresh}, s, true
}

func (s *syncScreen) buildUI() fyne.CanvasObject {
	s.state = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}
	now := widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), func() {
		s.sync.SyncNow()
		s.message.SetText(lang.L("Sync asked: the state updates in a few seconds"))
	})
	s.list = widget.NewList(
		func() int { return len(s.conflicts) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := s.conflicts[id]
			o.(*widget.Label).SetText(c.Record + " · " + fieldLabel(c.Field))
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) { s.selected = id; s.showSelected() }
	s.detail = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	titles := []string{lang.L("Before both changes"), lang.L("This desk"), lang.L("Server")}
	cols := make([]fyne.CanvasObject, 3)
	for i := range s.values {
		s.values[i] = &widget.Label{Wrapping: fyne.TextWrapWord}
		cols[i] = container.NewVBox(&widget.Label{Text: titles[i], TextStyle: fyne.TextStyle{Bold: true}}, s.values[i])
	}
	s.keepMine = widget.NewButton(lang.L("Keep this desk's value"), func() { s.resolve(true) })
	s.keepThem = widget.NewButton(lang.L("Keep the server's value"), func() { s.resolve(false) })
	s.keepMine.Importance = widget.HighImportance
	s.message = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.rejected = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.showSelected()
	detail := container.NewVBox(s.detail, container.NewGridWithColumns(3, cols...), container.NewHBox(s.keepMine, s.keepThem), s.message)
	top := container.NewVBox(container.NewHBox(s.state, now),
		&widget.Label{Text: lang.L("Conflicts: fields changed in two ways on two desks. Choose the value that is right."), Wrapping: fyne.TextWrapWord})
	bottom := container.NewVBox(widget.NewSeparator(), &widget.Label{Text: lang.L("Changes refused by the server"), TextStyle: fyne.TextStyle{Bold: true}}, s.rejected)
	split := container.NewHSplit(s.list, container.NewVScroll(detail))
	split.Offset = 0.35
	return container.NewBorder(top, bottom, nil, nil, split)
}

// refresh reads the state, the conflicts and the refused changes off the
// UI goroutine.
func (s *syncScreen) refresh() {
	go func() {
		ctx := context.Background()
		view := s.sync.View()
		conflicts, err1 := s.sync.Conflicts(ctx)
		rejected, err2 := s.sync.Rejected(ctx)
		s.do(func() {
			s.state.SetText(view.Text())
			if err := firstErr(err1, err2); err != nil {
				s.message.SetText(userMessage(err))
				return
			}
			s.conflicts = conflicts
			s.selected = -1
			s.list.UnselectAll()
			s.list.Refresh()
			s.showSelected()
			s.rejected.SetText(rejectedText(rejected))
		})
	}()
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *syncScreen) showSelected() {
	canResolve := s.selected >= 0 && s.me.Role.CanEditRegistry()
	if s.selected < 0 || s.selected >= len(s.conflicts) {
		if len(s.conflicts) == 0 {
			s.detail.SetText(lang.L("No conflict to resolve"))
		} else {
			s.detail.SetText(lang.L("Choose a conflict from the list"))
		}
		for _, v := range s.values {
			v.SetText("")
		}
		s.keepMine.Disable()
		s.keepThem.Disable()
		return
	}
	c := s.conflicts[s.selected]
	s.detail.SetText(c.Record + " · " + fieldLabel(c.Field))
	s.values[0].SetText(valueText(c.Base))
	s.values[1].SetText(valueText(c.Mine))
	s.values[2].SetText(valueText(c.Theirs))
	if canResolve {
		s.keepMine.Enable()
		s.keepThem.Enable()
	} else {
		s.keepMine.Disable()
		s.keepThem.Disable()
		s.message.SetText(lang.L("Only a clerk or a registrar may resolve a conflict"))
	}
}

func (s *syncScreen) resolve(keepMine bool) {
	if s.selected < 0 {
		return
	}
	id := s.conflicts[s.selected].ID
	s.keepMine.Disable()
	s.keepThem.Disable()
	go func() {
		err := s.sync.Resolve(context.Background(), s.me, id, keepMine)
		s.do(func() {
			if err != nil {
				s.message.SetText(userMessage(err))
				s.showSelected()
				return
			}
			s.message.SetText(lang.L("Resolved: the choice goes to the server with the next sync"))
			s.sync.SyncNow()
			s.refresh()
		})
	}()
}

// fieldLabel names a record's field for the clerk.
func fieldLabel(field string) string {
	switch field {
	case "surname":
		return lang.L("Surname")
	case "name":
		return lang.L("Name")
	case "sex":
		return lang.L("Sex")
	case "birth_date":
		return lang.L("Date of birth")
	case "birth_place":
		return lang.L("Place of birth")
	case "cf":
		return lang.L("Codice fiscale")
	case "civil_status":
		return lang.L("Civil status")
	case "citizenship":
		return lang.L("Citizenship")
	case "family":
		return lang.L("Family")
	case "documents":
		return lang.L("Identity documents")
	case "electoral":
		return lang.L("Electoral lists")
	case "residences":
		return lang.L("Residence history")
	case "address":
		return lang.L("Address")
	case "status":
		return lang.L("Registry status")
	case "relationship":
		return lang.L("Relationship to the householder")
	case "civil_events":
		return lang.L("Civil-status events")
	case "householder":
		return lang.L("Householder")
	}
	return field
}

// valueText shows a field's JSON value: a list one item per line, an item
// as its fields, identifiers left out.
func valueText(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return "—"
	}
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return "—"
		}
		lines := make([]string, len(x))
		for i, item := range x {
			lines[i] = "• " + itemText(item)
		}
		return strings.Join(lines, "\n")
	default:
		return itemText(x)
	}
}

func itemText(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if d, err := registry.ParseDate(x); err == nil {
			return d.Italian()
		}
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k != "uid" && !strings.HasSuffix(k, "_uid") && x[k] != nil {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + itemText(x[k])
		}
		return strings.Join(parts, ", ")
	default:
		return fmt.Sprint(x)
	}
}

func rejectedText(rs []RejectedView) string {
	if len(rs) == 0 {
		return lang.L("None")
	}
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = fmt.Sprintf("n. %d · %s · %s · %s", r.Seq, r.At.In(registry.Rome).Format("02/01 15:04"), r.What, translated(r.Message, r.Args))
	}
	return strings.Join(lines, "\n")
}
