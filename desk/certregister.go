package desk

import (
	"bytes"
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/registry"
)

// certificateArea is the rail's "Certificates" area for the roles that
// issue them: today's register, duplicates and the daily cash close.
func certificateArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Certificates == nil || !d.deps.Certificates.Policy().MayIssue(u.Role) {
		return area{}, false
	}
	s := newCertRegisterScreen(d.deps.Certificates, d.win, d.do, u, d.now)
	return area{name: lang.L("Certificates"), icon: theme.DocumentIcon(), content: s.buildUI(), onShow: s.onShow}, true
}

// certRegisterScreen lists the certificates issued today; the one selected
// prints or saves again as a duplicate; the day's cash register closes as a
// PDF report or a CSV file, and locks so the day takes no more amounts.
type certRegisterScreen struct {
	svc  CertificateDesk
	win  fyne.Window
	do   func(func())
	user access.User
	now  func() time.Time

	day      registry.Date
	entries  []certificate.Entry
	selected int

	title    *widget.Label
	totals   *widget.Label
	list     *widget.List
	printDup *widget.Button
	saveDup  *widget.Button
	closePDF *widget.Button
	closeCSV *widget.Button
	lockDay  *widget.Button
	annulBtn *widget.Button // for registrars only
	problem  *widget.Label

	// The annulment's dialog, while it is open.
	annulDlg    dialog.Dialog
	annulReason *fieldEntry
	annulError  *widget.Label
}

func newCertRegisterScreen(svc CertificateDesk, win fyne.Window, do func(func()), u access.User, now func() time.Time) *certRegisterScreen {
	return &certRegisterScreen{svc: svc, win: win, do: do, user: u, now: now, selected: -1}
}

func (s *certRegisterScreen) buildUI() fyne.CanvasObject {
	s.title = &widget.Label{SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}
	s.totals = &widget.Label{}
	s.list = widget.NewList(
		func() int { return len(s.entries) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(entryLine(s.entries[i])) },
	)
	s.list.OnSelected = s.onSelect
	s.printDup = &widget.Button{Text: lang.L("Print a duplicate"), Icon: theme.DocumentPrintIcon(), OnTapped: s.onPrintDuplicate}
	s.saveDup = widget.NewButtonWithIcon(lang.L("Save a duplicate"), theme.DocumentSaveIcon(), s.onSaveDuplicate)
	s.closePDF = widget.NewButtonWithIcon(lang.L("Cash close (PDF)"), theme.FileTextIcon(), func() { s.onCashClose(false) })
	s.closeCSV = widget.NewButtonWithIcon(lang.L("Cash close (CSV)"), theme.FileIcon(), func() { s.onCashClose(true) })
	s.lockDay = widget.NewButtonWithIcon(lang.L("Close the day"), theme.ConfirmIcon(), s.onLockDay)
	s.lockDay.Disable() // until onShow knows the day is open
	s.problem = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.annulBtn = &widget.Button{Text: lang.L("Annul the certificate"), Icon: theme.CancelIcon(), Importance: widget.DangerImportance, OnTapped: s.onAnnul}
	showIf(s.annulBtn, s.user.Role == access.Registrar)
	s.printDup.Disable()
	s.saveDup.Disable()
	s.annulBtn.Disable()
	top := container.NewVBox(
		container.NewHBox(s.title, layout.NewSpacer(), s.closePDF, s.closeCSV, s.lockDay),
		s.totals,
		container.NewHBox(s.printDup, s.saveDup, layout.NewSpacer(), s.annulBtn),
	)
	return container.NewBorder(container.NewPadded(top), container.NewPadded(s.problem), nil, nil, s.list)
}

// entryLine is one certificate as listed.
func entryLine(e certificate.Entry) string {
	at := e.IssuedAt
	if t, err := time.Parse("2006-01-02T15:04:05.000000Z", e.IssuedAt); err == nil {
		at = t.In(registry.Rome).Format("15:04")
	}
	parts := []string{at, e.Number, e.Title(), fullName(strings.ToUpper(e.Surname), strings.ToUpper(e.Name)), e.Operator, euro(e.BolloCents + e.FeeCents)}
	if e.AnnulledAt != "" {
		parts = append(parts, lang.L("ANNULLED"))
	}
	return strings.Join(parts, " · ")
}

// onShow reloads today's register.
func (s *certRegisterScreen) onShow() {
	s.day = registry.DateOf(s.now().In(registry.Rome))
	s.title.SetText(lang.L("Certificates issued on {{.Date}}", map[string]any{"Date": s.day.Italian()}))
	day := s.day
	go func() {
		entries, err := s.svc.Register(context.Background(), day)
		locked, lockErr := s.svc.CashLocked(context.Background(), day)
		s.do(func() {
			s.showEntries(entries, err)
			if err == nil && lockErr != nil {
				s.setProblem(userMessage(lockErr), widget.DangerImportance)
			}
			s.showLocked(locked && lockErr == nil, lockErr == nil)
		})
	}()
}

// showLocked offers the close while the day is open and says when it is not.
func (s *certRegisterScreen) showLocked(locked, known bool) {
	if !known || locked {
		s.lockDay.Disable()
	} else {
		s.lockDay.Enable()
	}
	if locked {
		s.totals.SetText(s.totals.Text + " · " + lang.L("cash register closed"))
	}
}

// onLockDay asks before closing the day: it cannot be undone.
func (s *certRegisterScreen) onLockDay() {
	msg := lang.L("Close the cash register of {{.Date}}? That day will take no more amounts; certificates with bollo or fees can be issued again from tomorrow.", map[string]any{"Date": s.day.Italian()})
	d := dialog.NewConfirm(lang.L("Close the day"), msg, func(ok bool) {
		if ok {
			s.lockCash()
		}
	}, s.win)
	d.SetConfirmText(lang.L("Close the day"))
	d.SetDismissText(lang.L("Cancel"))
	showDialog(s.win, d, nil, nil, d.Confirm, d.Hide)
}

func (s *certRegisterScreen) lockCash() {
	day := s.day
	s.lockDay.Disable()
	go func() {
		c, err := s.svc.LockCash(context.Background(), s.user.Username, day)
		s.do(func() {
			if err != nil {
				s.lockDay.Enable()
				s.setProblem(userMessage(err), widget.DangerImportance)
				return
			}
			s.showLocked(true, true)
			s.setProblem(lang.L("The cash register of {{.Date}} is closed: {{.Total}} taken.", map[string]any{"Date": day.Italian(), "Total": euro(c.Cents)}), widget.SuccessImportance)
		})
	}()
}

func (s *certRegisterScreen) showEntries(entries []certificate.Entry, err error) {
	if err != nil {
		s.setProblem(userMessage(err), widget.DangerImportance)
		return
	}
	s.entries = entries
	s.selected = -1
	s.list.UnselectAll()
	s.list.Refresh()
	s.printDup.Disable()
	s.saveDup.Disable()
	s.annulBtn.Disable()
	var bollo, fees int64
	for _, e := range entries {
		bollo += e.BolloCents
		fees += e.FeeCents
	}
	s.totals.SetText(lang.L("{{.Count}} certificates · bollo {{.Bollo}} · secretarial fees {{.Fee}}",
		map[string]any{"Count": len(entries), "Bollo": euro(bollo), "Fee": euro(fees)}))
	s.setProblem("", widget.MediumImportance)
}

func (s *certRegisterScreen) onSelect(id widget.ListItemID) {
	s.selected = id
	s.printDup.Enable()
	s.saveDup.Enable()
	showEnabled(s.annulBtn, s.entries[id].AnnulledAt == "")
}

// onAnnul asks the registrar why the selected certificate is annulled.
func (s *certRegisterScreen) onAnnul() {
	if s.selected < 0 || s.selected >= len(s.entries) {
		return
	}
	number := s.entries[s.selected].Number
	s.annulReason = newFieldEntry()
	s.annulReason.SetPlaceHolder(lang.L("Why the certificate is annulled"))
	s.annulError = errorLine()
	form := widget.NewForm(&widget.FormItem{Text: requiredLabel(lang.L("Reason")), Widget: container.NewVBox(s.annulReason, s.annulError),
		HintText: lang.L("The annulment is logged and sent to the server; verifying the certificate will say it was annulled.")})
	cancel := func() { s.annulDlg.Hide() }
	confirm := func() { s.annul(number) }
	buttons := container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Cancel"), cancel),
		&widget.Button{Text: lang.L("Annul the certificate"), Importance: widget.DangerImportance, OnTapped: confirm})
	content := container.NewVBox(form, buttons)
	s.annulDlg = dialog.NewCustomWithoutButtons(lang.L("Annul certificate {{.Number}}", map[string]any{"Number": number}), content, s.win)
	s.annulDlg.Resize(fyne.NewSize(560, 0))
	showDialog(s.win, s.annulDlg, content, s.annulReason, confirm, cancel)
}

// annul records the annulment off the UI goroutine and reloads the day.
func (s *certRegisterScreen) annul(number string) {
	reason := strings.TrimSpace(s.annulReason.Text)
	if reason == "" {
		s.annulError.SetText(lang.L("Annulling a certificate needs the reason"))
		return
	}
	s.annulError.SetText("")
	dlg := s.annulDlg
	go func() {
		err := s.svc.Annul(context.Background(), s.user, number, reason)
		s.do(func() {
			if err != nil {
				s.annulError.SetText(userMessage(err))
				return
			}
			dlg.Hide()
			s.onShow()
		})
	}()
}

func (s *certRegisterScreen) setProblem(text string, imp widget.Importance) {
	s.problem.Importance = imp
	s.problem.SetText(text)
}

// reprint fetches the selected certificate's duplicate off the UI
// goroutine and hands it to then on the UI goroutine.
func (s *certRegisterScreen) reprint(then func(number string, pdf []byte)) {
	if s.selected < 0 || s.selected >= len(s.entries) {
		return
	}
	number := s.entries[s.selected].Number
	go func() {
		pdf, err := s.svc.Reprint(context.Background(), s.user.Username, number)
		s.do(func() {
			if err != nil {
				s.setProblem(userMessage(err), widget.DangerImportance)
				return
			}
			then(number, pdf)
		})
	}()
}

func (s *certRegisterScreen) onPrintDuplicate() {
	s.reprint(func(number string, pdf []byte) {
		go func() {
			err := s.svc.Print(context.Background(), pdf)
			s.do(func() {
				if err != nil {
					s.setProblem(userMessage(err), widget.DangerImportance)
					return
				}
				s.setProblem(lang.L("Duplicate of {{.Number}} sent to the printer.", map[string]any{"Number": number}), widget.SuccessImportance)
			})
		}()
	})
}

func (s *certRegisterScreen) onSaveDuplicate() {
	s.reprint(func(number string, pdf []byte) {
		saveFile(s.win, number+"-"+lang.X("certificate.duplicate.file", "duplicate")+".pdf", pdf, s.problem)
	})
}

// onCashClose makes the day's cash close and asks where to save it.
func (s *certRegisterScreen) onCashClose(csv bool) {
	day := s.day
	go func() {
		c, pdf, err := s.svc.CashClose(context.Background(), day)
		var data []byte
		if err == nil && csv {
			var b bytes.Buffer
			err = c.WriteCSV(&b)
			data = b.Bytes()
		} else {
			data = pdf
		}
		s.do(func() {
			if err != nil {
				s.setProblem(userMessage(err), widget.DangerImportance)
				return
			}
			name := lang.X("certificate.cashclose.file", "cash-close") + "-" + day.String()
			if csv {
				saveFile(s.win, name+".csv", data, s.problem)
				return
			}
			saveFile(s.win, name+".pdf", data, s.problem)
		})
	}()
}
