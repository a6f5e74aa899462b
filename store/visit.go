package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"sportello/access"
	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// The visits: while a clerk serves a ticket, the desk opens its visit here
// (OpenVisit) and the writes that clerk makes are steps of it, written by
// the write's own transaction: the access log's row (LogAccess), and the
// changes of logChange (certificates, registry edits, social-desk writes).
// The open visit is kept in memory per operator: after a restart the
// counter panel opens it again as soon as it shows the ticket in service.

var _ queue.Visits = (*Store)(nil)

// openVisits holds each store's visits in progress (*Store -> *visitsOpen),
// beside the Store as queueLocals does.
var openVisits sync.Map

type visitsOpen struct {
	mu   sync.Mutex
	refs map[string]queue.VisitRef // by operator
}

func (s *Store) visitsOpen() *visitsOpen {
	if v, ok := openVisits.Load(s); ok {
		return v.(*visitsOpen)
	}
	v, _ := openVisits.LoadOrStore(s, &visitsOpen{refs: map[string]queue.VisitRef{}})
	return v.(*visitsOpen)
}

// OpenVisit makes v the visit operator's writes belong to, until
// CloseVisit or another OpenVisit.
func (s *Store) OpenVisit(operator string, v queue.VisitRef) {
	o := s.visitsOpen()
	o.mu.Lock()
	defer o.mu.Unlock()
	if !v.Valid() {
		delete(o.refs, operator)
		return
	}
	o.refs[operator] = v
}

// CloseVisit ends operator's visit: their writes belong to none.
func (s *Store) CloseVisit(operator string) {
	o := s.visitsOpen()
	o.mu.Lock()
	delete(o.refs, operator)
	o.mu.Unlock()
}

// openVisit is operator's visit in progress, if any.
func (s *Store) openVisit(operator string) (queue.VisitRef, bool) {
	o := s.visitsOpen()
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.refs[operator]
	return v, ok
}

// addVisitStep writes a step of operator's open visit within tx; nothing
// when operator has none open.
func (s *Store) addVisitStep(ctx context.Context, tx *sql.Tx, operator string, kind queue.StepKind, detail, personUID string) error {
	v, ok := s.openVisit(operator)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO visit_step(day, label, ticket_uid, service, counter, clerk, at, kind, detail, person_uid)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.Day.String(), v.Label, v.TicketUID, v.Service, v.Counter, operator,
		timestamp(s.now()), string(kind), detail, personUID)
	if err != nil {
		return fmt.Errorf("visit step: %w", err)
	}
	return nil
}

// visitStepOf is the step a logged change stands for in a visit: the
// certificates issued, the register's edits, the social-desk writes; ok is
// false for the changes that are none of these (the queue's own, settings,
// sync).
func visitStepOf(c change) (kind queue.StepKind, detail, personUID string, ok bool) {
	switch {
	case strings.HasPrefix(c.Action, "certificate.issue"):
		p, _ := c.Payload.(certificatePayload)
		return queue.StepCertificate, p.Types + " " + p.Number, p.PersonUID, true
	case strings.HasPrefix(c.Action, "person.") || strings.HasPrefix(c.Action, "family."):
		if c.Entity == "person" {
			personUID = c.EntityUID
		}
		return queue.StepEdit, c.Action, personUID, true
	case c.Action == "social.case.open":
		return queue.StepSocial, "open", "", true
	case c.Action == "social.visitor.create" || c.Action == "social.document.add":
		return "", "", "", false // part of the case's opening or of a note, not a step of their own
	case strings.HasPrefix(c.Action, "social."):
		return queue.StepSocial, strings.TrimPrefix(c.Action, "social."), "", true
	}
	return "", "", "", false
}

// RecordVisitStep records a step with no write of its own (a
// self-declaration printed) in operator's open visit; nothing without one.
func (s *Store) RecordVisitStep(ctx context.Context, operator string, kind queue.StepKind, detail string) error {
	if !slices.Contains(queue.StepKinds, kind) {
		return fault.New(fault.Invalid, "Unknown kind of visit step", nil)
	}
	if _, ok := s.openVisit(operator); !ok {
		return nil
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.addVisitStep(ctx, tx, operator, kind, detail, ""); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("visit step: %w", err)
	}
	return nil
}

const visitStepColumns = `v.day, v.label, v.ticket_uid, v.service, v.counter, v.clerk, v.at, v.kind, v.detail, v.person_uid,
coalesce(p.surname || ' ' || p.name, ''), coalesce(u.full_name, v.clerk)`

func queryVisitSteps(ctx context.Context, q querier, where string, args ...any) ([]queue.VisitStep, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+visitStepColumns+` FROM visit_step v LEFT JOIN person p ON p.uid = v.person_uid AND v.person_uid != ''
LEFT JOIN users u ON u.username = v.clerk
`+where+` ORDER BY v.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("visit steps: %w", err)
	}
	defer rows.Close()
	var out []queue.VisitStep
	for rows.Next() {
		var st queue.VisitStep
		var kind string
		if err := rows.Scan(dateCol{&st.Day}, &st.Label, &st.TicketUID, &st.Service, &st.Counter, &st.Clerk, timeCol{&st.At},
			&kind, &st.Detail, &st.PersonUID, &st.Person, &st.ClerkName); err != nil {
			return nil, fmt.Errorf("visit steps: %w", err)
		}
		st.Kind = queue.StepKind(kind)
		out = append(out, st)
	}
	return out, rows.Err()
}

// VisitSteps is what the visit of day and label did so far, in order, in
// every service it went through.
func (s *Store) VisitSteps(ctx context.Context, day registry.Date, label string) ([]queue.VisitStep, error) {
	return queryVisitSteps(ctx, s.r, `WHERE v.day = ? AND v.label = ?`, day.String(), label)
}

// VisitStepsBetween is every step of the days from..to.
func (s *Store) VisitStepsBetween(ctx context.Context, from, to registry.Date) ([]queue.VisitStep, error) {
	return queryVisitSteps(ctx, s.r, `WHERE v.day >= ? AND v.day <= ?`, from.String(), to.String())
}

// accessStep records a record's view as a step of operator's visit, with
// its purpose.
func (s *Store) accessStep(ctx context.Context, tx *sql.Tx, operator, personUID string, purpose access.Purpose) error {
	return s.addVisitStep(ctx, tx, operator, queue.StepRecord, string(purpose), personUID)
}

// SocialQueueService is the code of the social desk's service in the
// queue: the line of those who come for it, and the one social workers
// serve at their counters.
func (s *Store) SocialQueueService(ctx context.Context) (string, error) {
	service, err := s.Meta(ctx, MetaSocialQueueService)
	if err != nil {
		return "", err
	}
	if service == "" {
		service = defaultSocialService
	}
	return service, nil
}
