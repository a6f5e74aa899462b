package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/queue"
)

// The visit at the counter: the panel opens the visit of the ticket it has
// on hand in the store (queue.Visits), the screens' writes become its steps
// there, and the panel shows them and sums them up as the ticket's outcome.

// visitShown is how many of a visit's steps the counter panel lists, the
// latest; the count of the others comes first.
const visitShown = 6

// prefAskOutcome is the Fyne preference that makes the counter ask for a
// note when a ticket ends; by default the outcome is what the visit did.
const prefAskOutcome = "queue.ask_outcome"

// socialQueue is what tells the social desk's service in the queue.
type socialQueue interface {
	SocialQueueService(ctx context.Context) (string, error)
}

// clerkServices is the services the role serves at a counter: the social
// desk's for a social worker, the others for everyone else; nil when the
// desk does not know which service is the social desk's.
func clerkServices(ctx context.Context, sq socialQueue, role access.Role, o queue.Office) []string {
	if sq == nil {
		return nil
	}
	social, err := sq.SocialQueueService(ctx)
	if err != nil {
		fyne.LogError("social queue service", err)
		return nil
	}
	var out []string
	for _, s := range o.Services {
		if (s.Code == social) == (role == access.SocialWorker) {
			out = append(out, s.Code)
		}
	}
	return out
}

// servingCounters is the counters that serve any of services, all of them
// when services is nil or none does.
func servingCounters(o queue.Office, services []string) []queue.Counter {
	if services == nil {
		return o.Counters
	}
	var out []queue.Counter
	for _, c := range o.Counters {
		for _, s := range c.Services {
			if slices.Contains(services, s) {
				out = append(out, c)
				break
			}
		}
	}
	if len(out) == 0 {
		return o.Counters
	}
	return out
}

// stepText is a step of a visit as the clerk reads it.
func stepText(st queue.VisitStep) string {
	switch st.Kind {
	case queue.StepRecord:
		return lang.L("Record of {{.Person}}: {{.Purpose}}", map[string]any{"Person": st.Person, "Purpose": purposeName(access.Purpose(st.Detail))})
	case queue.StepCertificate:
		types, number, _ := strings.Cut(st.Detail, " ")
		return lang.L("Certificate {{.Number}}: {{.Types}}", map[string]any{"Number": number, "Types": typeTitles(types)})
	case queue.StepSelfDeclaration:
		return lang.L("Self-declaration printed: {{.Types}}", map[string]any{"Types": typeTitles(st.Detail)})
	case queue.StepEdit:
		return lang.L("Change to the register: {{.What}}", map[string]any{"What": editName(st.Detail)}) + personOf(st)
	case queue.StepSocial:
		if st.Detail == "open" {
			return lang.L("Social-desk case opened")
		}
		return lang.L("Social-desk case worked on")
	}
	return string(st.Kind)
}

func personOf(st queue.VisitStep) string {
	if st.Person == "" {
		return ""
	}
	return " (" + st.Person + ")"
}

// typeTitles is a list of certificate type numbers ("1,3") as their titles.
func typeTitles(types string) string {
	var out []string
	for _, f := range strings.Split(types, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if t := certificate.Type(n); err == nil && t.Valid() {
			out = append(out, t.Title())
		}
	}
	return strings.Join(out, ", ")
}

// editName is a registry edit's action as the clerk reads it.
func editName(action string) string {
	switch action {
	case "person.change_address":
		return lang.X("visit.edit.change_address", "change of address")
	case "family.add_member":
		return lang.X("visit.edit.add_member", "new member of the family")
	case "family.change_householder":
		return lang.X("visit.edit.change_householder", "new householder")
	case "person.civil_event":
		return lang.X("visit.edit.civil_event", "civil status event")
	case "person.add_document":
		return lang.X("visit.edit.add_document", "identity document")
	case "person.correct":
		return lang.X("visit.edit.correct", "correction of the personal data")
	case "family.move_member":
		return lang.X("visit.edit.move_member", "move to another family")
	}
	return lang.X("visit.edit.other", "other change")
}

// kindName is a kind of outcome as the statistics name it.
func kindName(k queue.StepKind) string {
	switch k {
	case queue.StepRecord:
		return lang.X("visit.kind.record", "Records opened")
	case queue.StepCertificate:
		return lang.X("visit.kind.certificate", "Certificates")
	case queue.StepSelfDeclaration:
		return lang.X("visit.kind.self_declaration", "Self-declarations")
	case queue.StepEdit:
		return lang.X("visit.kind.edit", "Changes to the register")
	case queue.StepSocial:
		return lang.X("visit.kind.social", "Social-desk cases")
	}
	return string(k)
}

// visitLines is what a visit did, one line a step; the steps of earlier
// tickets of the visit (another service, before a transfer) say where.
func visitLines(steps []queue.VisitStep, ticketUID string, serviceName func(string) string) []string {
	var out []string
	last, times := "", 0
	for _, st := range steps {
		line := "• " + stepText(st)
		if st.TicketUID != ticketUID {
			line = "• " + lang.L("{{.Service}}, {{.Clerk}}: {{.Step}}", map[string]any{"Service": serviceName(st.Service), "Clerk": st.ClerkName, "Step": stepText(st)})
		}
		if line == last { // the same record opened again: once, with the count
			times++
			out[len(out)-1] = line + " (×" + strconv.Itoa(times) + ")"
			continue
		}
		last, times = line, 1
		out = append(out, line)
	}
	return out
}

// outcomeOf is the outcome recorded when a ticket ends: how many things of
// each kind its part of the visit did (no names: the outcome travels with
// the queue), then the clerk's note, if any.
func outcomeOf(steps []queue.VisitStep, ticketUID, note string) string {
	var mine []queue.VisitStep
	for _, st := range steps {
		if st.TicketUID == ticketUID {
			mine = append(mine, st)
		}
	}
	n := queue.Counts(mine)
	var parts []string
	for _, k := range queue.StepKinds {
		if n[k] > 0 {
			parts = append(parts, kindName(k)+": "+strconv.Itoa(n[k]))
		}
	}
	if note = strings.TrimSpace(note); note != "" {
		parts = append(parts, note)
	}
	return strings.Join(parts, "; ")
}

// visitRecorder is how a screen records a step that has no write of its
// own (a self-declaration printed) in the visit its clerk has open; nil
// when the desk keeps no visits.
func (d *Desk) visitRecorder(u access.User) func(kind queue.StepKind, detail string) {
	v := d.deps.Visits
	if v == nil {
		return nil
	}
	return func(kind queue.StepKind, detail string) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
			defer cancel()
			if err := v.RecordVisitStep(ctx, u.Username, kind, detail); err != nil {
				fyne.LogError("visit step", err)
			}
		}()
	}
}

// joinTypeNumbers is a certificate's types as the visit's steps keep them.
func joinTypeNumbers(types []certificate.Type) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = strconv.Itoa(int(t))
	}
	return strings.Join(parts, ",")
}

// followVisit keeps the store's open visit on the ticket on hand, called
// or being served: what the clerk does from the call on is the visit's.
// On the UI goroutine.
func (p *counterPanel) followVisit(t queue.Ticket, ok bool) {
	if p.visits == nil {
		return
	}
	var ref queue.VisitRef
	if ok && (t.State == queue.Called || t.State == queue.Serving) {
		ref = t.Visit()
		ref.Counter, ref.Clerk = p.counterCode(), p.clerk
	}
	p.vmu.Lock()
	changed := ref != p.vref
	p.vref = ref
	p.vmu.Unlock()
	if !changed {
		return
	}
	if ref.Valid() {
		p.visits.OpenVisit(p.clerk, ref)
		go p.refreshVisit(context.Background())
	} else {
		p.visits.CloseVisit(p.clerk)
		p.visit.SetText("")
		p.visit.Hide()
		if p.frame != nil {
			p.frame.Refresh()
		}
	}
}

// refreshVisit reads what the visit on hand did and shows it when it
// changed, off the UI goroutine.
func (p *counterPanel) refreshVisit(ctx context.Context) {
	if p.visits == nil {
		return
	}
	p.vmu.Lock()
	ref := p.vref
	p.vmu.Unlock()
	if !ref.Valid() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	steps, err := p.visits.VisitSteps(ctx, ref.Day, ref.Label)
	if err != nil {
		fyne.LogError("visit steps", err)
		return
	}
	seen := ref.TicketUID + ":" + strconv.Itoa(len(steps))
	p.vmu.Lock()
	if p.vref != ref || p.vseen == seen {
		p.vmu.Unlock()
		return
	}
	p.vseen = seen
	p.vmu.Unlock()
	p.do(func() { p.showVisit(ref, steps) })
}

func (p *counterPanel) showVisit(ref queue.VisitRef, steps []queue.VisitStep) {
	p.vmu.Lock()
	current := p.vref == ref
	p.vmu.Unlock()
	if !current {
		return
	}
	if len(steps) == 0 {
		p.visit.SetText(lang.L("This visit: nothing recorded yet"))
	} else {
		lines := visitLines(steps, ref.TicketUID, p.serviceName)
		if n := len(lines) - visitShown; n > 0 {
			lines = append([]string{lang.L("… and {{.Count}} earlier", map[string]any{"Count": n})}, lines[n:]...)
		}
		p.visit.SetText(lang.L("This visit:") + "\n" + strings.Join(lines, "\n"))
	}
	p.visit.Show()
	p.frame.Refresh()
}

// endTicket ends t, called or being served, with the outcome its visit
// recorded (and the clerk's note when the setting asks for one), then runs
// then, if any, in the same action: calling the next is one key.
func (p *counterPanel) endTicket(t queue.Ticket, then func(ctx context.Context) (queue.Ticket, error)) {
	run := func(note string) {
		p.act(func(ctx context.Context) (queue.Ticket, error) {
			cur := t
			if cur.State == queue.Called {
				var err error
				if cur, err = p.eng().StartTicket(ctx, p.clerk, cur.ID); err != nil {
					return cur, err
				}
			}
			var steps []queue.VisitStep
			if p.visits != nil {
				var err error
				if steps, err = p.visits.VisitSteps(ctx, cur.Day, cur.Label); err != nil {
					return cur, err
				}
			}
			done, err := p.eng().FinishTicket(ctx, p.clerk, cur.ID, outcomeOf(steps, cur.UID, note))
			if err != nil {
				return done, err
			}
			if p.visits != nil {
				p.visits.CloseVisit(p.clerk) // at once: nothing done from now on is the ended ticket's
			}
			if then == nil {
				return done, nil
			}
			return then(ctx)
		}, nil)
	}
	if !p.prefs.Bool(prefAskOutcome) {
		run("")
		return
	}
	note := widget.NewEntry()
	note.SetPlaceHolder(lang.L("What was done (optional)"))
	d := dialog.NewForm(lang.L("Ticket {{.Label}} ends", map[string]any{"Label": t.Label}), lang.L("Confirm"), lang.L("Cancel"),
		[]*widget.FormItem{{Text: lang.L("Note"), Widget: note}},
		func(ok bool) {
			if ok {
				run(note.Text)
			}
		}, p.win)
	note.OnSubmitted = func(string) { d.Submit() }
	d.Show()
	p.win.Canvas().Focus(note)
}
