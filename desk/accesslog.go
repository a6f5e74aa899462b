package desk

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/registry"
)

// logTimeLayout is how the log screen shows an instant, in Europe/Rome.
const logTimeLayout = "02/01/2006 15:04:05"

// Which log the screen shows.
const (
	showAccess = 0 // record views with their purpose
	showAudit  = 1 // changes (audit log)
)

// accessLogScreen is the supervisor's screen: the record views and the
// audit log, filtered by clerk, subject and dates, exported as CSV.
type accessLogScreen struct {
	logs access.Logs
	win  fyne.Window
	do   func(func())

	which    *widget.RadioGroup
	operator *widget.Entry
	subject  *widget.Entry
	from     *widget.Entry
	to       *widget.Entry
	search   *widget.Button
	export   *widget.Button
	summary  *widget.Label
	table    *widget.Table

	kind  int        // showAccess or showAudit: what rows holds
	rows  [][]string // the entries shown, formatted, newest first
	reads int        // generation of the read in flight
}

func newAccessLogScreen(logs access.Logs, win fyne.Window, do func(func())) *accessLogScreen {
	return &accessLogScreen{logs: logs, win: win, do: do}
}

func (s *accessLogScreen) buildUI() fyne.CanvasObject {
	s.which = widget.NewRadioGroup([]string{lang.L("Record views"), lang.L("Changes (audit log)")}, func(string) { s.onSearch() })
	s.which.Horizontal = true
	s.which.Required = true
	s.which.SetSelected(lang.L("Record views"))
	s.operator = widget.NewEntry()
	s.operator.PlaceHolder = lang.L("Username")
	s.subject = widget.NewEntry()
	s.subject.PlaceHolder = lang.L("Person or entity id, or action (person.)")
	s.from = newDateEntry(registry.Date{})
	s.to = newDateEntry(registry.Date{})
	for _, e := range []*widget.Entry{s.operator, s.subject, s.from, s.to} {
		e.OnSubmitted = func(string) { s.onSearch() }
	}
	s.search = widget.NewButtonWithIcon(lang.L("Filter"), theme.SearchIcon(), s.onSearch)
	s.search.Importance = widget.HighImportance
	s.export = widget.NewButtonWithIcon(lang.L("Export CSV"), theme.DownloadIcon(), s.onExport)
	s.summary = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}}

	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(s.header()) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rows[id.Row][id.Col]) },
	)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(s.header()) {
			o.(*widget.Label).SetText(s.header()[id.Col])
		}
	}
	for i, w := range []float32{170, 120, 260, 260, 360} {
		s.table.SetColumnWidth(i, w)
	}
	filters := container.NewGridWithColumns(4,
		labelled(lang.L("Clerk"), s.operator), labelled(lang.L("Subject"), s.subject),
		labelled(lang.L("From"), s.from), labelled(lang.L("To (included)"), s.to))
	top := container.NewVBox(s.which, filters, container.NewHBox(s.search, s.export, s.summary))
	s.onSearch()
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, s.table)
}

func labelled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(&widget.Label{Text: text, Importance: widget.LowImportance}, o)
}

// header is the column titles of the log shown.
func (s *accessLogScreen) header() []string {
	if s.kind == showAudit {
		return []string{lang.L("When"), lang.L("Clerk"), lang.L("Action"), lang.L("Entity"), lang.L("Detail")}
	}
	return []string{lang.L("When"), lang.L("Clerk"), lang.L("Person"), lang.L("Person id"), lang.L("Purpose")}
}

// filter reads the filter fields; the To date is included.
func (s *accessLogScreen) filter() (access.LogFilter, error) {
	f := access.LogFilter{Operator: strings.TrimSpace(s.operator.Text), Subject: strings.TrimSpace(s.subject.Text)}
	from, err := parseDateField(s.from, lang.L("From"), true)
	if err != nil {
		return f, err
	}
	to, err := parseDateField(s.to, lang.L("To (included)"), true)
	if err != nil {
		return f, err
	}
	if !from.IsZero() {
		f.From = time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, registry.Rome)
	}
	if !to.IsZero() {
		f.To = time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, registry.Rome).AddDate(0, 0, 1)
	}
	return f, nil
}

// onSearch reads the log chosen with the filter, off the UI goroutine.
func (s *accessLogScreen) onSearch() {
	if s.summary == nil {
		return // still building
	}
	f, err := s.filter()
	if err != nil {
		s.summary.SetText(userMessage(err))
		return
	}
	kind := showAccess
	if s.which.Selected == lang.L("Changes (audit log)") {
		kind = showAudit
	}
	s.reads++
	gen := s.reads
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		rows, err := s.read(ctx, kind, f)
		s.do(func() {
			if gen != s.reads {
				return
			}
			if err != nil {
				s.summary.SetText(userMessage(err))
				return
			}
			s.kind, s.rows = kind, rows
			s.summary.SetText(lang.L("Entries: {{.Count}}", map[string]any{"Count": len(rows)}))
			s.table.Refresh()
			s.table.ScrollToTop()
		})
	}()
}

func (s *accessLogScreen) read(ctx context.Context, kind int, f access.LogFilter) ([][]string, error) {
	when := func(t time.Time) string { return t.In(registry.Rome).Format(logTimeLayout) }
	var rows [][]string
	if kind == showAudit {
		entries, err := s.logs.FindAudit(ctx, f)
		for _, e := range entries {
			rows = append(rows, []string{when(e.At), e.Operator, e.Action, e.Entity + " " + e.EntityUID, e.Detail})
		}
		return rows, err
	}
	entries, err := s.logs.AccessLog(ctx, f)
	for _, e := range entries {
		rows = append(rows, []string{when(e.At), e.Operator, e.PersonName, e.PersonUID, purposeName(e.Purpose)})
	}
	return rows, err
}

// writeCSV writes the entries shown, with their header, as CSV.
func (s *accessLogScreen) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(s.header()); err != nil {
		return err
	}
	if err := cw.WriteAll(s.rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// onExport asks where to save the entries shown as CSV.
func (s *accessLogScreen) onExport() {
	name := "registro-accessi.csv"
	if s.kind == showAudit {
		name = "registro-operazioni.csv"
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := s.writeCSV(w); err != nil {
			dialog.ShowError(fmt.Errorf("%s", lang.L("The file could not be written")), s.win)
			return
		}
		s.summary.SetText(lang.L("Exported {{.Count}} entries to {{.File}}", map[string]any{"Count": len(s.rows), "File": w.URI().Name()}))
	}, s.win)
	d.SetFileName(name)
	d.Show()
}

// accessLogArea is the supervisor's log screen as an area of the rail, for
// the roles that may read the logs.
func accessLogArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Registry == nil || !u.Role.CanSeeAccessLog() {
		return area{}, false
	}
	s := newAccessLogScreen(d.deps.Registry, d.win, d.do)
	return area{name: lang.L("Access log"), icon: theme.VisibilityIcon(), content: container.NewScroll(s.buildUI()), onShow: s.onSearch}, true
}
