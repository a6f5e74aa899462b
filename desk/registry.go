package desk

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

const (
	// searchDebounce is how long the box waits after the last key before it
	// searches: long enough to skip the letters of a word typed at speed,
	// short enough to feel immediate.
	searchDebounce = 180 * time.Millisecond
	// searchLimit is how many people a search shows at most.
	searchLimit = 50
	// readTimeout bounds a search or a record read.
	readTimeout = 5 * time.Second
)

// registryScreen is the register: a search box that searches as the clerk
// types, the people found, and the record of the one opened.
type registryScreen struct {
	dir      registry.Directory
	win      fyne.Window
	do       func(func())
	now      func() time.Time
	debounce time.Duration

	search  *searchEntry
	hint    *widget.Label // what can be typed
	problem *widget.Label // why the text typed cannot be searched; hidden when fine
	summary *widget.Label // how many people were found
	list    *widget.List
	person  *personView

	matches  []registry.Match // the people found, as listed
	selected int              // the row selected in the list, -1 for none
	moving   bool             // the selection is moving by keyboard: do not open

	// Everything below is touched on the UI goroutine only.
	query      int                // generation of the text in the box, one per change
	shown      int                // generation of the results listed
	openOnShow int                // generation whose first result Enter asked to open
	timer      *time.Timer        // the debounce of the pending search
	cancel     context.CancelFunc // cancels the pending or running search
	opening    int                // generation of the record being read
	back       []int64            // the records the one shown was opened from (a family member's), the last on top
	closed     bool
}

func newRegistryScreen(dir registry.Directory, win fyne.Window, do func(func()), now func() time.Time) *registryScreen {
	s := &registryScreen{dir: dir, win: win, do: do, now: now, debounce: searchDebounce, selected: -1}
	s.person = newPersonView(now, s.onOpenPerson, s.onEscape)
	return s
}

func (s *registryScreen) buildUI() fyne.CanvasObject {
	s.search = newSearchEntry()
	s.search.PlaceHolder = lang.L("Search the register")
	s.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.search.OnChanged = s.onSearch
	s.search.OnSubmitted = func(string) { s.onEnter() }
	s.search.onDown = func() { s.onMove(+1) }
	s.search.onUp = func() { s.onMove(-1) }
	s.search.onEscape = s.onEscape

	s.hint = &widget.Label{
		Text:       lang.L("Type surname and name (rossi mario), a codice fiscale, or a birth date as dd/mm/yyyy; they can be combined. Arrows choose, Enter opens, Esc goes back, Ctrl+F comes back here."),
		Wrapping:   fyne.TextWrapWord,
		Importance: widget.LowImportance,
	}
	s.problem = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	s.problem.Hide()
	s.summary = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}

	s.list = widget.NewList(
		func() int { return len(s.matches) },
		func() fyne.CanvasObject { return newMatchRow(s.onTapRow) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*matchRow).set(id, s.matches[id], s.today()) },
	)
	s.list.OnSelected = s.onSelect

	top := container.NewVBox(s.search, s.hint, s.problem)
	results := container.NewBorder(s.summary, nil, nil, nil, s.list)
	split := container.NewHSplit(results, s.person.buildUI())
	split.Offset = 0.30
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
}

// focusSearch puts the cursor in the search box with what it holds selected,
// ready to be typed over.
func (s *registryScreen) focusSearch() {
	s.win.Canvas().Focus(s.search)
	s.search.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// onSearch runs on every change of the box: it waits for a pause in the
// typing, then searches off the UI goroutine. Results of an older text are
// dropped when they arrive.
func (s *registryScreen) onSearch(text string) {
	s.query++
	s.stopPending()
	if strings.TrimSpace(text) == "" {
		s.showResults(s.query, nil)
		s.summary.SetText("")
		s.showProblem("")
		return
	}
	gen := s.query
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.timer = time.AfterFunc(s.debounce, func() { s.runSearch(ctx, gen, text) })
}

// runSearch parses and searches; it runs on the debounce timer's goroutine.
func (s *registryScreen) runSearch(ctx context.Context, gen int, text string) {
	q, err := registry.ParseQuery(text)
	var matches []registry.Match
	if err == nil && !q.IsEmpty() {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		// One more than shown tells "more than 50" from exactly 50.
		matches, err = s.dir.Search(ctx, q, searchLimit+1)
		cancel()
	}
	if ctx.Err() == context.Canceled {
		return // a newer text took over
	}
	s.do(func() { s.onResults(gen, q, matches, err) })
}

// onResults shows the outcome of the search of generation gen, unless the
// box has changed since.
func (s *registryScreen) onResults(gen int, q registry.Query, matches []registry.Match, err error) {
	if s.closed || gen != s.query {
		return
	}
	if err != nil {
		s.showProblem(userMessage(err))
		s.showResults(gen, nil)
		s.summary.SetText("")
		return
	}
	s.showProblem("")
	more := len(matches) > searchLimit
	if more {
		matches = matches[:searchLimit]
	}
	s.showResults(gen, matches)
	switch {
	case q.IsEmpty() && strings.TrimSpace(s.search.Text) == "":
		s.summary.SetText("")
	case len(matches) == 0:
		// Also for a text with nothing searchable in it (only signs).
		s.summary.SetText(lang.L("No one found"))
	case more:
		s.summary.SetText(lang.L("More than {{.Count}} people found: the first {{.Count}} are listed; add the name or the birth date to narrow the search", map[string]any{"Count": searchLimit}))
	default:
		s.summary.SetText(lang.L("People found: {{.Count}}", map[string]any{"Count": len(matches)}))
	}
	if s.openOnShow == gen && len(matches) > 0 {
		s.openRow(0)
	}
}

// showProblem says under the box why the text cannot be searched, in place
// of the hint; "" brings the hint back.
func (s *registryScreen) showProblem(text string) {
	if text == "" {
		s.problem.Hide()
		s.hint.Show()
		return
	}
	s.problem.SetText(text)
	s.problem.Show()
	s.hint.Hide()
}

// showResults lists matches, with nothing selected.
func (s *registryScreen) showResults(gen int, matches []registry.Match) {
	s.shown = gen
	s.matches = matches
	s.selected = -1
	s.moving = true
	s.list.UnselectAll()
	s.moving = false
	s.list.Refresh()
	s.list.ScrollToTop()
}

// stopPending cancels the search waiting for the pause or running.
func (s *registryScreen) stopPending() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// onMove moves the selection by delta rows, without opening.
func (s *registryScreen) onMove(delta int) {
	if len(s.matches) == 0 {
		return
	}
	i := s.selected + delta
	if s.selected < 0 {
		i = 0
	}
	i = max(0, min(i, len(s.matches)-1))
	s.selectRow(i)
}

// onEnter opens the selected person, or the first found. When the results of
// the text typed are not there yet, it opens the first as soon as they come.
func (s *registryScreen) onEnter() {
	if s.shown != s.query {
		s.openOnShow = s.query
		if s.timer != nil && s.timer.Stop() {
			s.timer.Reset(0) // search now rather than after the pause
		}
		return
	}
	if len(s.matches) == 0 {
		return
	}
	s.openRow(max(s.selected, 0))
}

// onEscape closes the person view, or clears the box when none is open.
func (s *registryScreen) onEscape() {
	if n := len(s.back); n > 0 && s.person.shown() {
		id, back := s.back[n-1], s.back[:n-1]
		s.openNamed(id)
		s.back = back
		return
	}
	if s.person.shown() {
		s.opening++
		s.person.clear()
		s.focusSearch()
		return
	}
	s.search.clear()
	s.win.Canvas().Focus(s.search)
}

// onWindowKey handles the keys typed while nothing has the focus.
func (s *registryScreen) onWindowKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		s.onEscape()
	case fyne.KeyDown:
		s.onMove(+1)
	case fyne.KeyUp:
		s.onMove(-1)
	}
}

// onSelect opens the row the list selected (a click, or Enter on the list).
func (s *registryScreen) onSelect(id widget.ListItemID) {
	if s.moving {
		return
	}
	s.selected = id
	s.openPerson(s.matches[id].ID)
}

// onTapRow opens the row clicked, also when it is already selected.
func (s *registryScreen) onTapRow(id int) {
	if id >= 0 && id < len(s.matches) {
		s.openRow(id)
	}
}

func (s *registryScreen) selectRow(i int) {
	s.selected = i
	s.moving = true
	s.list.Select(i)
	s.moving = false
}

func (s *registryScreen) openRow(i int) {
	s.back = nil // a record of the results starts afresh
	s.selectRow(i)
	s.openPerson(s.matches[i].ID)
}

// onOpenPerson opens a person named in the record shown (a family member, a
// spouse), selecting them in the list when they are there; Escape comes
// back to the record shown.
func (s *registryScreen) onOpenPerson(id int64) {
	back := s.back
	if s.person.shown() {
		back = append(back, s.person.record.Person.ID)
	}
	s.openNamed(id)
	s.back = back
}

// openNamed opens a person named in a record.
func (s *registryScreen) openNamed(id int64) {
	for i, m := range s.matches {
		if m.ID == id {
			s.openRow(i)
			return
		}
	}
	s.selected = -1
	s.moving = true
	s.list.UnselectAll()
	s.moving = false
	s.openPerson(id)
}

// openPerson reads the record off the UI goroutine and shows it, unless
// another was asked for meanwhile.
func (s *registryScreen) openPerson(id int64) {
	s.opening++
	gen := s.opening
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		rec, err := s.dir.Record(ctx, id)
		s.do(func() {
			if s.closed || gen != s.opening {
				return
			}
			if err != nil {
				s.person.showProblem(userMessage(err))
				return
			}
			s.person.show(rec)
		})
	}()
}

// close stops the work in flight; the screen is going away.
func (s *registryScreen) close() {
	s.closed = true
	s.stopPending()
}

func (s *registryScreen) today() registry.Date {
	return registry.DateOf(s.now().In(registry.Rome))
}

// matchRow is one person in the results: name and status, birth date, codice
// fiscale and address.
type matchRow struct {
	widget.BaseWidget

	name    *widget.Label
	badge   *widget.Label
	details *widget.Label

	id    int
	onTap func(int)
}

func newMatchRow(onTap func(int)) *matchRow {
	r := &matchRow{
		name:    &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis},
		badge:   &widget.Label{Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}},
		details: &widget.Label{Truncation: fyne.TextTruncateEllipsis, SizeName: theme.SizeNameCaptionText},
		onTap:   onTap,
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *matchRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(
		container.NewBorder(nil, nil, nil, r.badge, r.name),
		r.details,
	))
}

// Tapped opens the person, also when the row is already selected.
func (r *matchRow) Tapped(*fyne.PointEvent) {
	r.onTap(r.id)
}

func (r *matchRow) set(id int, m registry.Match, today registry.Date) {
	r.id = id
	r.name.SetText(fullName(m.Surname, m.Name))
	sex := registry.Male
	if info, err := registry.DecodeCF(m.CF, today); err == nil {
		sex = info.Sex
	}
	r.badge.SetText(statusName(m.Status, sex))
	parts := []string{lang.L("b. {{.Date}}", map[string]any{"Date": m.BirthDate.Italian()}), m.CF}
	if m.Address != "" {
		parts = append(parts, m.Address)
	}
	r.details.SetText(strings.Join(parts, " · "))
}
