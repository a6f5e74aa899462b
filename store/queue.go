package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// The queue's writes take the one write path: each transition is an
// immediate transaction that checks the ticket's state and version
// (compare-and-set), appends a queue_event row (the sequence boards follow)
// and logs the change to the outbox and the audit log.

// metaQueueDay is the last queue day the store rolled over to: tickets of
// earlier days still open were closed when it was set.
const metaQueueDay = "queue.day"

// Status limits: next tickets per service, last calls shown.
const (
	statusNextPerService = 5
	statusLastCalls      = 8
)

const ticketColumns = `id, uid, day, label, service, number, priority, state, arrived_at, appointment_at,
first_called_at, called_at, started_at, ended_at, counter, clerk, recalls, outcome, coalesce(parent_id, 0), version`

// timeCol scans a timestamp column (text or NULL).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column holds %T", src)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	*c.t = t
	return err
}

// timeArg is the column value of an instant: NULL when zero.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timestamp(t)
}

func scanTicket(sc interface{ Scan(...any) error }) (queue.Ticket, error) {
	var t queue.Ticket
	var state string
	err := sc.Scan(&t.ID, &t.UID, dateCol{&t.Day}, &t.Label, &t.Service, &t.Number, &t.Priority, &state,
		timeCol{&t.ArrivedAt}, timeCol{&t.AppointmentAt}, timeCol{&t.FirstCalledAt}, timeCol{&t.CalledAt},
		timeCol{&t.StartedAt}, timeCol{&t.EndedAt}, &t.Counter, &t.Clerk, &t.Recalls, &t.Outcome, &t.ParentID, &t.Version)
	t.State = queue.State(state)
	return t, err
}

func queryTickets(ctx context.Context, q querier, query string, args ...any) ([]queue.Ticket, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queue.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func readTicket(ctx context.Context, q querier, id int64) (queue.Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM queue_ticket WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fault.New(fault.NotFound, "The ticket was not found", nil)
	}
	return t, err
}

// QueueOffice returns the services (in kiosk order) and the counters.
func (s *Store) QueueOffice(ctx context.Context) (queue.Office, error) {
	o, err := readOffice(ctx, s.r)
	if err != nil {
		return o, fmt.Errorf("read office: %w", err)
	}
	return o, nil
}

func readOffice(ctx context.Context, q querier) (queue.Office, error) {
	var o queue.Office
	rows, err := q.QueryContext(ctx, `SELECT id, code, name, daily_cap, open, position FROM queue_service ORDER BY position, code`)
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var sv queue.Service
		if err := rows.Scan(&sv.ID, &sv.Code, &sv.Name, &sv.DailyCap, &sv.Open, &sv.Position); err != nil {
			rows.Close()
			return o, err
		}
		o.Services = append(o.Services, sv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	rows, err = q.QueryContext(ctx, `SELECT c.id, c.code, c.name, coalesce(group_concat(cs.service), '')
FROM queue_counter c LEFT JOIN queue_counter_service cs ON cs.counter = c.code GROUP BY c.id ORDER BY c.code`)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		var c queue.Counter
		var services string
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &services); err != nil {
			return o, err
		}
		if services != "" {
			c.Services = strings.Split(services, ",")
		}
		o.Counters = append(o.Counters, c)
	}
	return o, rows.Err()
}

// SaveService adds a service or changes the one with the same code.
func (s *Store) SaveService(ctx context.Context, operator string, sv queue.Service) (queue.Service, error) {
	if err := sv.Validate(); err != nil {
		return sv, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return sv, err
	}
	defer tx.Rollback()
	var uid string
	var version int64
	err = tx.QueryRowContext(ctx, `INSERT INTO queue_service(uid, code, name, daily_cap, open, position) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(code) DO UPDATE SET name = excluded.name, daily_cap = excluded.daily_cap, open = excluded.open,
position = excluded.position, version = version + 1
RETURNING id, uid, version`, newUID(), sv.Code, sv.Name, sv.DailyCap, sv.Open, sv.Position).Scan(&sv.ID, &uid, &version)
	if err != nil {
		return sv, fmt.Errorf("save service: %w", err)
	}
	c := change{Entity: "queue_service", EntityUID: uid, Op: "set", BaseVersion: version - 1, Payload: sv,
		Action: "queue.service.set", Detail: fmt.Sprintf(`{"service":%q}`, sv.Code)}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return sv, err
	}
	if err := tx.Commit(); err != nil {
		return sv, fmt.Errorf("save service: %w", err)
	}
	return sv, nil
}

// SaveCounter adds a counter or changes the one with the same code, with
// the services it serves.
func (s *Store) SaveCounter(ctx context.Context, operator string, c queue.Counter) (queue.Counter, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	var uid string
	var version int64
	err = tx.QueryRowContext(ctx, `INSERT INTO queue_counter(uid, code, name) VALUES (?, ?, ?)
ON CONFLICT(code) DO UPDATE SET name = excluded.name, version = version + 1 RETURNING id, uid, version`,
		newUID(), c.Code, c.Name).Scan(&c.ID, &uid, &version)
	if err != nil {
		return c, fmt.Errorf("save counter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_counter_service WHERE counter = ?`, c.Code); err != nil {
		return c, fmt.Errorf("save counter: %w", err)
	}
	for _, sv := range c.Services {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_service WHERE code = ?`, sv).Scan(&n); err != nil {
			return c, fmt.Errorf("save counter: %w", err)
		}
		if n == 0 {
			return c, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": sv})
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO queue_counter_service(counter, service) VALUES (?, ?)`, c.Code, sv); err != nil {
			return c, fmt.Errorf("save counter: %w", err)
		}
	}
	ch := change{Entity: "queue_counter", EntityUID: uid, Op: "set", BaseVersion: version - 1, Payload: c,
		Action: "queue.counter.set", Detail: fmt.Sprintf(`{"counter":%q}`, c.Code)}
	if err := s.logChange(ctx, tx, operator, ch); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("save counter: %w", err)
	}
	return c, nil
}

// ticketPayload is a ticket as its outbox mutation carries it.
type ticketPayload struct {
	UID       string `json:"uid"`
	Day       string `json:"day"`
	Label     string `json:"label"`
	Service   string `json:"service"`
	Number    int    `json:"number"`
	Priority  bool   `json:"priority"`
	State     string `json:"state"`
	At        string `json:"at"`
	Counter   string `json:"counter,omitempty"`
	Clerk     string `json:"clerk,omitempty"`
	Recalls   int    `json:"recalls,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	ParentUID string `json:"parent_uid,omitempty"`
	Version   int64  `json:"version"`
}

// insertEventSQL appends a queue event: its sequence number follows the
// last one, and after a restore the floor above what the lost server gave
// (metaEventFloor).
const insertEventSQL = `INSERT INTO queue_event(seq, at, action, ticket_id, label, service, counter, state, priority)
VALUES ((SELECT max(coalesce(max(seq), 0), coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '` + metaEventFloor + `'), 0)) + 1 FROM queue_event),
?, ?, ?, ?, ?, ?, ?, ?)`

// record appends the event of a new ticket and logs the change, within tx.
func (s *Store) record(ctx context.Context, tx *sql.Tx, operator string, t queue.Ticket, action queue.Action, parentUID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, insertEventSQL,
		timestamp(now), string(action), t.ID, t.Label, t.Service, t.Counter, string(t.State), t.Priority)
	if err != nil {
		return fmt.Errorf("queue event: %w", err)
	}
	return s.logTicket(ctx, tx, operator, t, action, parentUID, now)
}

// logTicket logs a ticket's change to the outbox and the audit log.
func (s *Store) logTicket(ctx context.Context, tx *sql.Tx, operator string, t queue.Ticket, action queue.Action, parentUID string, now time.Time) error {
	op := "update"
	if t.Version == 1 {
		op = "create"
	}
	c := change{
		Entity: "queue_ticket", EntityUID: t.UID, Op: op, BaseVersion: t.Version - 1,
		Payload: ticketPayload{UID: t.UID, Day: t.Day.String(), Label: t.Label, Service: t.Service, Number: t.Number,
			Priority: t.Priority, State: string(t.State), At: timestamp(now), Counter: t.Counter, Clerk: t.Clerk,
			Recalls: t.Recalls, Outcome: t.Outcome, ParentUID: parentUID, Version: t.Version},
		Action: "queue." + string(action),
		Detail: fmt.Sprintf(`{"ticket":%q,"day":%q,"state":%q}`, t.Label, t.Day.String(), t.State),
		NoDocs: true, // tickets are no registry document
	}
	return s.logChange(ctx, tx, operator, c)
}

// rollover closes, once per day, the tickets of earlier days still open:
// the daily reset at midnight Europe/Rome. Numbering restarts by itself, as
// numbers are kept per day.
func (s *Store) rollover(ctx context.Context, tx *sql.Tx, operator string, now time.Time) error {
	today := queue.DayOf(now).String()
	var last string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaQueueDay).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("queue day: %w", err)
	}
	if last == today {
		return nil
	}
	open, err := queryTickets(ctx, tx, `SELECT `+ticketColumns+` FROM queue_ticket
WHERE state IN ('waiting', 'called', 'serving', 'on_hold', 'remote') AND day < ? ORDER BY id`, today)
	if err != nil {
		return fmt.Errorf("queue day: %w", err)
	}
	for _, t := range open {
		if _, err := s.apply(ctx, tx, operator, t, queue.ActClose, now, func(t *queue.Ticket) { t.EndedAt = now }); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, setMetaSQL, metaQueueDay, today); err != nil {
		return fmt.Errorf("queue day: %w", err)
	}
	return nil
}

// apply moves t by action within tx: it checks the state machine, lets edit
// change the ticket's fields, records the event, and writes the row only if
// nobody changed it since it was read (compare-and-set on state and
// version); a failed compare-and-set is queue.ErrState, and the caller's
// rollback drops the event. It returns the ticket as written.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, operator string, t queue.Ticket, action queue.Action, now time.Time, edit func(*queue.Ticket)) (queue.Ticket, error) {
	to, err := queue.Next(t.State, action)
	if err != nil {
		return t, err
	}
	from, version := t.State, t.Version
	if edit != nil {
		edit(&t)
	}
	t.State, t.Version = to, version+1
	res, err := tx.ExecContext(ctx, insertEventSQL,
		timestamp(now), string(action), t.ID, t.Label, t.Service, t.Counter, string(t.State), t.Priority)
	if err != nil {
		return t, fmt.Errorf("queue event: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return t, fmt.Errorf("queue event: %w", err)
	}
	// A call (or a resume) is the latest call of the ticket: call_seq
	// orders the counter's calls for "K in a row" and the board.
	called := action == queue.ActCall || action == queue.ActResume
	res, err = tx.ExecContext(ctx, `UPDATE queue_ticket SET state = ?, first_called_at = ?, called_at = ?, started_at = ?, ended_at = ?,
counter = ?, clerk = ?, recalls = ?, outcome = ?, version = ?, call_seq = CASE WHEN ? THEN ? ELSE call_seq END WHERE id = ? AND state = ? AND version = ?`,
		string(t.State), timeArg(t.FirstCalledAt), timeArg(t.CalledAt), timeArg(t.StartedAt), timeArg(t.EndedAt),
		t.Counter, t.Clerk, t.Recalls, t.Outcome, t.Version, called, seq, t.ID, string(from), version)
	if err != nil {
		return t, fmt.Errorf("queue %s: %w", action, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return t, fmt.Errorf("queue %s: %w", action, err)
		}
		return t, queue.ErrState
	}
	return t, s.logTicket(ctx, tx, operator, t, action, "", now)
}

// beginDay begins a queue transaction at the time it returns, after the
// daily reset when the day has turned since the last one.
func (s *Store) beginDay(ctx context.Context, operator string) (*sql.Tx, time.Time, error) {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := s.now()
	if err := s.rollover(ctx, tx, operator, now); err != nil {
		tx.Rollback()
		return nil, time.Time{}, err
	}
	return tx, now, nil
}

// transition runs one action on ticket id in its own transaction.
func (s *Store) transition(ctx context.Context, operator string, id int64, action queue.Action, check func(tx *sql.Tx, t queue.Ticket) error, edit func(*queue.Ticket, time.Time)) (queue.Ticket, error) {
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Ticket{}, err
	}
	defer tx.Rollback()
	t, err := readTicket(ctx, tx, id)
	if err != nil {
		return t, err
	}
	if check != nil {
		if err := check(tx, t); err != nil {
			return t, err
		}
	}
	moved, err := s.apply(ctx, tx, operator, t, action, now, func(t *queue.Ticket) {
		if edit != nil {
			edit(t, now)
		}
	})
	if err != nil {
		return t, err
	}
	t = moved
	if err := tx.Commit(); err != nil {
		return t, fmt.Errorf("queue %s: %w", action, err)
	}
	s.committed(ctx, true)
	return t, nil
}

// IssueTicket gives a new ticket of the service, numbered from 1 each day,
// with how many wait before it and the estimated wait.
func (s *Store) IssueTicket(ctx context.Context, operator string, service string, priority bool) (queue.Issued, error) {
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Issued{}, err
	}
	defer tx.Rollback()
	var out queue.Issued
	day := queue.DayOf(now)
	sv, number, err := issueNumber(ctx, tx, service, day)
	if err != nil {
		return out, err
	}
	out.Service = sv
	t := queue.Ticket{UID: newUID(), Day: day, Label: queue.Label(sv.Code, number), Service: sv.Code, Number: number,
		Priority: priority, State: queue.Waiting, ArrivedAt: now, Version: 1}
	if t.ID, err = insertTicket(ctx, tx, t, 0); err != nil {
		return out, err
	}
	if err := s.record(ctx, tx, operator, t, queue.ActIssue, "", now); err != nil {
		return out, err
	}
	if out.Ahead, out.Wait, err = estimate(ctx, tx, t); err != nil {
		return out, fmt.Errorf("issue ticket: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("issue ticket: %w", err)
	}
	s.committed(ctx, false)
	out.Ticket = t
	return out, nil
}

// issueNumber reads an open service and gives its next number of the day
// within its daily cap and its last number.
func issueNumber(ctx context.Context, tx *sql.Tx, service string, day registry.Date) (queue.Service, int, error) {
	var sv queue.Service
	var first, last int
	err := tx.QueryRowContext(ctx, `SELECT id, code, name, daily_cap, open, position, first_number, last_number FROM queue_service WHERE code = ?`, service).
		Scan(&sv.ID, &sv.Code, &sv.Name, &sv.DailyCap, &sv.Open, &sv.Position, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return sv, 0, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": service})
	}
	if err != nil {
		return sv, 0, fmt.Errorf("issue ticket: %w", err)
	}
	if !sv.Open {
		return sv, 0, fault.New(fault.Conflict, "The service {{.Name}} is closed now", map[string]any{"Name": sv.Name})
	}
	number, skipped, err := nextNumber(ctx, tx, sv.Code, day, first)
	if err != nil {
		return sv, 0, fmt.Errorf("issue ticket: %w", err)
	}
	if number-first+1-skipped > sv.DailyCap || number > last {
		return sv, 0, fault.New(fault.Conflict, "The service {{.Name}} has given all its tickets for today", map[string]any{"Name": sv.Name})
	}
	return sv, number, nil
}

// nextNumber gives the service's next number of the day, first for the
// day's first ticket, and how many numbers of the day a restore jumped
// over (they were never given).
func nextNumber(ctx context.Context, tx *sql.Tx, service string, day registry.Date, first int) (number, skipped int, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO queue_number(service, day, last_number) VALUES (?, ?, ?)
ON CONFLICT(service, day) DO UPDATE SET last_number = last_number + 1 RETURNING last_number, skipped`, service, day.String(), first).Scan(&number, &skipped)
	return number, skipped, err
}

func insertTicket(ctx context.Context, tx *sql.Tx, t queue.Ticket, parent int64) (int64, error) {
	var parentArg any
	if parent != 0 {
		parentArg = parent
	}
	// After a restore, ids start above the floor (metaTicketFloor), past
	// the ids the lost server gave.
	res, err := tx.ExecContext(ctx, `INSERT INTO queue_ticket(id, uid, day, label, service, number, priority, state, arrived_at, appointment_at, parent_id, version)
VALUES ((SELECT max(coalesce(max(id), 0), coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0)) + 1 FROM queue_ticket),
?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, metaTicketFloor, t.UID, t.Day.String(), t.Label, t.Service, t.Number, t.Priority, string(t.State),
		timestamp(t.ArrivedAt), timeArg(t.AppointmentAt), parentArg, t.Version)
	if err != nil {
		return 0, fmt.Errorf("insert ticket: %w", err)
	}
	return res.LastInsertId()
}

// estimate counts the tickets waiting before t in its service, estimates
// its wait from the last hour's service times and the counters open
// (liveEstimate), and keeps the estimate for its error in the statistics.
func estimate(ctx context.Context, tx *sql.Tx, t queue.Ticket) (int, time.Duration, error) {
	var ahead int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_ticket WHERE day = ? AND state = 'waiting' AND service = ? AND id < ?`,
		t.Day.String(), t.Service, t.ID).Scan(&ahead); err != nil {
		return 0, 0, err
	}
	wait, err := liveEstimate(ctx, tx, t.Service, ahead, t.ArrivedAt)
	if err != nil {
		return 0, 0, err
	}
	return ahead, wait, keepEstimate(ctx, tx, t.ID, wait)
}

// CallNext calls the next ticket for the counter by the calling policy.
// The same callID always returns the same ticket, so a retried call never
// calls a second one; no two calls get the same ticket. When nobody waits
// it is a fault.NotFound error.
func (s *Store) CallNext(ctx context.Context, operator, counter, callID string) (queue.Ticket, error) {
	if callID == "" {
		return queue.Ticket{}, fault.New(fault.Invalid, "The call has no identifier", nil)
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return queue.Ticket{}, err
	}
	defer tx.Rollback()
	now := s.now()
	if err := s.rollover(ctx, tx, operator, now); err != nil {
		return queue.Ticket{}, err
	}
	t, fresh, err := s.callNext(ctx, tx, operator, counter, callID, now)
	if err != nil || !fresh {
		return t, err
	}
	if err := tx.Commit(); err != nil {
		return t, fmt.Errorf("call next: %w", err)
	}
	s.committed(ctx, false)
	return t, nil
}

// CallRequest is one call-next of a batch.
type CallRequest struct {
	Operator, Counter, CallID string
}

// CallResult is what one call of a batch got: the ticket, or why not.
type CallResult struct {
	Ticket queue.Ticket
	Err    error
}

// CallNextBatch runs several counters' call-nexts in one transaction, each
// as CallNext would (its own savepoint: a refusal undoes only itself), and
// commits once: when many counters call at the same moment, they share one
// write to the disk instead of queueing for one each. A failure to commit
// fails every call of the batch, and none is applied.
func (s *Store) CallNextBatch(ctx context.Context, calls []CallRequest) []CallResult {
	out := make([]CallResult, len(calls))
	fail := func(err error) []CallResult {
		for i := range out {
			out[i] = CallResult{Err: err}
		}
		return out
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	now := s.now()
	if err := s.rollover(ctx, tx, "sportellod", now); err != nil {
		return fail(err)
	}
	for i, c := range calls {
		if c.CallID == "" || strings.TrimSpace(c.Operator) == "" {
			out[i].Err = fault.New(fault.Invalid, "The call has no identifier", nil)
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT call`); err != nil {
			return fail(fmt.Errorf("call next: %w", err))
		}
		out[i].Ticket, _, out[i].Err = s.callNext(ctx, tx, c.Operator, c.Counter, c.CallID, now)
		undo := `RELEASE call`
		if out[i].Err != nil {
			undo = `ROLLBACK TO call`
		}
		if _, err := tx.ExecContext(ctx, undo); err != nil {
			return fail(fmt.Errorf("call next: %w", err))
		}
		if out[i].Err != nil {
			if _, err := tx.ExecContext(ctx, `RELEASE call`); err != nil {
				return fail(fmt.Errorf("call next: %w", err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("call next: %w", err))
	}
	s.committed(ctx, false)
	return out
}

// callNext is a call-next within tx, after the daily rollover: a call id
// already used returns its ticket (fresh false, nothing written), else the
// policy's pick is called.
func (s *Store) callNext(ctx context.Context, tx *sql.Tx, operator, counter, callID string, now time.Time) (t queue.Ticket, fresh bool, err error) {
	var prev int64
	err = tx.QueryRowContext(ctx, `SELECT ticket_id FROM queue_call WHERE call_id = ?`, callID).Scan(&prev)
	switch {
	case err == nil:
		t, err = readTicket(ctx, tx, prev)
		return t, false, err
	case !errors.Is(err, sql.ErrNoRows):
		return t, false, fmt.Errorf("call next: %w", err)
	}
	day := queue.DayOf(now).String()
	if err := counterFree(ctx, tx, day, counter); err != nil {
		return t, false, err
	}
	policy, err := s.settings(ctx, tx)
	if err != nil {
		return t, false, fmt.Errorf("call next: %w", err)
	}
	waiting, err := candidates(ctx, tx, day, counter)
	if err != nil {
		return t, false, fmt.Errorf("call next: %w", err)
	}
	// The run of priority calls matters only when priority tickets and
	// others wait together.
	var recent []bool
	if slices.ContainsFunc(waiting, func(t queue.Ticket) bool { return t.Priority }) &&
		slices.ContainsFunc(waiting, func(t queue.Ticket) bool { return !t.Priority }) {
		if recent, err = recentPriority(ctx, tx, day, counter, policy.PriorityRun); err != nil {
			return t, false, fmt.Errorf("call next: %w", err)
		}
	}
	i := policy.Pick(waiting, now, queue.PriorityRun(recent))
	if i < 0 {
		return t, false, fault.New(fault.NotFound, "Nobody is waiting for the services of this counter", nil)
	}
	if t, err = readTicket(ctx, tx, waiting[i].ID); err != nil {
		return t, false, err
	}
	if t, err = s.apply(ctx, tx, operator, t, queue.ActCall, now, func(t *queue.Ticket) { callAt(t, counter, operator, now) }); err != nil {
		return queue.Ticket{}, false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_call(call_id, ticket_id, counter) VALUES (?, ?, ?)`, callID, t.ID, counter); err != nil {
		return queue.Ticket{}, false, fmt.Errorf("call next: %w", err)
	}
	return t, true, nil
}

// candidatesSQL selects what the policy looks at of the tickets it may
// pick for a counter: in each of its services the oldest walk-in and the
// oldest priority ticket (one index probe each along queue_ticket_line),
// and every appointment waiting. Few columns: each costs a driver call.
const candidatesSQL = `SELECT t.id, t.priority, t.arrived_at, t.appointment_at
FROM queue_counter_service cs, (SELECT 0 AS priority UNION ALL SELECT 1) p
JOIN queue_ticket t ON t.id = (SELECT h.id FROM queue_ticket h WHERE h.day = ?1 AND h.state = 'waiting' AND h.service = cs.service
    AND h.priority = p.priority AND h.appointment_at IS NULL ORDER BY h.arrived_at, h.id LIMIT 1)
WHERE cs.counter = ?2
UNION ALL
SELECT t.id, t.priority, t.arrived_at, t.appointment_at FROM queue_counter_service cs JOIN queue_ticket t INDEXED BY queue_ticket_appointment
    ON t.day = ?1 AND t.service = cs.service AND t.state = 'waiting' AND t.appointment_at IS NOT NULL
WHERE cs.counter = ?2`

// candidates returns the tickets the policy may pick for the counter, with
// their id, priority, arrival and appointment only, in one statement. The
// policy picks among these exactly as among the whole line, since the rules
// look only at the oldest of each kind and at appointments, and it costs a
// few index probes however long the line.
func candidates(ctx context.Context, tx *sql.Tx, day, counter string) ([]queue.Ticket, error) {
	rows, err := tx.QueryContext(ctx, candidatesSQL, day, counter)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queue.Ticket
	for rows.Next() {
		var t queue.Ticket
		if err := rows.Scan(&t.ID, &t.Priority, timeCol{&t.ArrivedAt}, timeCol{&t.AppointmentAt}); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func callAt(t *queue.Ticket, counter, clerk string, now time.Time) {
	if t.FirstCalledAt.IsZero() {
		t.FirstCalledAt = now
	}
	t.CalledAt, t.Counter, t.Clerk = now, counter, clerk
}

// counterFreeSQL reads in one statement whether the counter exists and
// the label of a ticket it still has called or being served today.
const counterFreeSQL = `SELECT (SELECT count(*) FROM queue_counter WHERE code = ?2),
coalesce((SELECT label FROM queue_ticket WHERE day = ?1 AND state IN ('called', 'serving') AND counter = ?2 LIMIT 1), '')`

// counterFree refuses a call at a counter that does not exist or that
// still has a ticket called or being served.
func counterFree(ctx context.Context, tx *sql.Tx, day, counter string) error {
	var n int
	var label string
	// Open tickets of earlier days were closed by rollover.
	if err := tx.QueryRowContext(ctx, counterFreeSQL, day, counter).Scan(&n, &label); err != nil {
		return fmt.Errorf("call: %w", err)
	}
	if n == 0 {
		return fault.New(fault.NotFound, "The counter {{.Code}} does not exist", map[string]any{"Code": counter})
	}
	if label != "" {
		return fault.New(fault.Conflict, "The counter is still on ticket {{.Label}}: finish it or mark it as not shown first", map[string]any{"Label": label})
	}
	return nil
}

// recentPriority returns the priority flags of the last k calls today of
// the counter's services, most recent first.
func recentPriority(ctx context.Context, tx *sql.Tx, day, counter string, k int) ([]bool, error) {
	if k <= 0 {
		return nil, nil
	}
	// Today's calls, newest first, along the call index.
	rows, err := tx.QueryContext(ctx, `SELECT priority FROM queue_ticket INDEXED BY queue_ticket_calls WHERE call_seq IS NOT NULL AND day = ?
AND service IN (SELECT service FROM queue_counter_service WHERE counter = ?) ORDER BY call_seq DESC LIMIT ?`, day, counter, k)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bool
	for rows.Next() {
		var p bool
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RecallTicket calls a called ticket again (the board shows it again) and
// counts the recall.
func (s *Store) RecallTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActRecall, nil, func(t *queue.Ticket, now time.Time) {
		t.Recalls++
		t.CalledAt = now
	})
}

// StartTicket records that the person reached the counter.
func (s *Store) StartTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActStart, nil, func(t *queue.Ticket, now time.Time) { t.StartedAt = now })
}

// FinishTicket ends the service, with what was done.
func (s *Store) FinishTicket(ctx context.Context, operator string, id int64, outcome string) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActFinish, nil, func(t *queue.Ticket, now time.Time) {
		t.EndedAt, t.Outcome = now, strings.TrimSpace(outcome)
	})
}

// NoShowTicket records that the person called did not come.
func (s *Store) NoShowTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActNoShow, nil, func(t *queue.Ticket, now time.Time) { t.EndedAt = now })
}

// ReactivateTicket puts a no-show back in its line, keeping its arrival.
func (s *Store) ReactivateTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActReactivate, sameDay(s.now()), func(t *queue.Ticket, _ time.Time) {
		t.EndedAt, t.Counter = time.Time{}, ""
	})
}

// sameDay refuses to touch a ticket of an earlier day.
func sameDay(now time.Time) func(*sql.Tx, queue.Ticket) error {
	return func(_ *sql.Tx, t queue.Ticket) error {
		if t.Day != queue.DayOf(now) {
			return fault.New(fault.Conflict, "The ticket belongs to an earlier day", nil)
		}
		return nil
	}
}

// HoldTicket parks the ticket being served (the person fetches a
// document); the counter may call others meanwhile.
func (s *Store) HoldTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActHold, nil, nil)
}

// ResumeTicket calls a ticket on hold again, at counter.
func (s *Store) ResumeTicket(ctx context.Context, operator string, id int64, counter string) (queue.Ticket, error) {
	check := func(tx *sql.Tx, t queue.Ticket) error { return counterFree(ctx, tx, t.Day.String(), counter) }
	return s.transition(ctx, operator, id, queue.ActResume, check, func(t *queue.Ticket, now time.Time) {
		callAt(t, counter, operator, now)
	})
}

// CancelTicket withdraws a waiting ticket.
func (s *Store) CancelTicket(ctx context.Context, operator string, id int64) (queue.Ticket, error) {
	return s.transition(ctx, operator, id, queue.ActCancel, nil, func(t *queue.Ticket, now time.Time) { t.EndedAt = now })
}

// TransferTicket ends the service of a ticket and puts a new waiting
// ticket with the same label in another service's line; it returns the new
// ticket.
func (s *Store) TransferTicket(ctx context.Context, operator string, id int64, service string) (queue.Ticket, error) {
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Ticket{}, err
	}
	defer tx.Rollback()
	t, err := readTicket(ctx, tx, id)
	if err != nil {
		return t, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_service WHERE code = ?`, service).Scan(&n); err != nil {
		return t, fmt.Errorf("transfer: %w", err)
	}
	if n == 0 {
		return t, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": service})
	}
	if service == t.Service {
		return t, fault.New(fault.Invalid, "Choose another service to transfer the ticket to", nil)
	}
	if _, err := s.apply(ctx, tx, operator, t, queue.ActTransfer, now, func(t *queue.Ticket) { t.EndedAt = now }); err != nil {
		return t, err
	}
	child := queue.Ticket{UID: newUID(), Day: t.Day, Label: t.Label, Service: service, Number: t.Number,
		Priority: t.Priority, State: queue.Waiting, ArrivedAt: now, Version: 1, ParentID: t.ID}
	if child.ID, err = insertTicket(ctx, tx, child, t.ID); err != nil {
		return t, err
	}
	if err := s.record(ctx, tx, operator, child, queue.ActTransfer, t.UID, now); err != nil {
		return t, err
	}
	if err := tx.Commit(); err != nil {
		return t, fmt.Errorf("transfer: %w", err)
	}
	s.committed(ctx, true)
	return child, nil
}

// QueueStatus is a snapshot of today's queue.
func (s *Store) QueueStatus(ctx context.Context) (queue.Status, error) {
	st, err := s.queueStatus(ctx)
	if err != nil {
		return st, fmt.Errorf("queue status: %w", err)
	}
	return st, nil
}

func (s *Store) queueStatus(ctx context.Context) (queue.Status, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return queue.Status{}, err
	}
	defer tx.Rollback()
	st := queue.Status{Day: queue.DayOf(s.now()), Current: map[string]queue.Ticket{}, Held: map[string][]queue.Ticket{}}
	day := st.Day.String()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM queue_event`).Scan(&st.Seq); err != nil {
		return st, err
	}
	office, err := readOffice(ctx, tx)
	if err != nil {
		return st, err
	}
	waiting, err := queryTickets(ctx, tx, `SELECT `+ticketColumns+` FROM queue_ticket WHERE day = ? AND state = 'waiting' ORDER BY arrived_at, id`, day)
	if err != nil {
		return st, err
	}
	for _, sv := range office.Services {
		line := queue.ServiceLine{Service: sv}
		for _, t := range waiting {
			if t.Service != sv.Code {
				continue
			}
			line.Waiting++
			if len(line.Next) < statusNextPerService {
				line.Next = append(line.Next, t)
			}
		}
		st.Lines = append(st.Lines, line)
	}
	open, err := queryTickets(ctx, tx, `SELECT `+ticketColumns+` FROM queue_ticket WHERE day = ? AND state IN ('called', 'serving', 'on_hold') ORDER BY id`, day)
	if err != nil {
		return st, err
	}
	for _, t := range open {
		if t.State == queue.OnHold {
			st.Held[t.Counter] = append(st.Held[t.Counter], t)
		} else {
			st.Current[t.Counter] = t
		}
	}
	st.LastCall, err = queryTickets(ctx, tx, `SELECT `+ticketColumns+` FROM queue_ticket INDEXED BY queue_ticket_calls WHERE call_seq IS NOT NULL AND day = ?
ORDER BY call_seq DESC LIMIT ?`, day, statusLastCalls)
	if err != nil {
		return st, err
	}
	if st.Remote, err = queryTickets(ctx, tx, `SELECT `+ticketColumns+` FROM queue_ticket WHERE day = ? AND state = 'remote' ORDER BY id`, day); err != nil {
		return st, err
	}
	if err := markRemote(ctx, tx, &st); err != nil {
		return st, err
	}
	return st, tx.Commit()
}

// markRemote sets Remote on the status's tickets taken from home, so the
// counter panel marks them.
func markRemote(ctx context.Context, q querier, st *queue.Status) error {
	rows, err := q.QueryContext(ctx, `SELECT r.ticket_id FROM queue_remote r JOIN queue_ticket t ON t.id = r.ticket_id WHERE t.day = ?`, st.Day.String())
	if err != nil {
		return err
	}
	defer rows.Close()
	remote := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		remote[id] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	mark := func(ts []queue.Ticket) {
		for i := range ts {
			ts[i].Remote = remote[ts[i].ID]
		}
	}
	for i := range st.Lines {
		mark(st.Lines[i].Next)
	}
	for k, t := range st.Current {
		t.Remote = remote[t.ID]
		st.Current[k] = t
	}
	for _, h := range st.Held {
		mark(h)
	}
	mark(st.LastCall)
	mark(st.Remote)
	return nil
}

// QueueSeq is the sequence number of the last queue event, 0 if none: a
// cheap check of whether anything changed.
func (s *Store) QueueSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM queue_event`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("queue seq: %w", err)
	}
	return seq, nil
}

// QueueEvents returns up to limit events after seq after, in order: a board
// that missed some catches up from the last one it saw.
func (s *Store) QueueEvents(ctx context.Context, after int64, limit int) ([]queue.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, action, ticket_id, label, service, counter, state, priority
FROM queue_event WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("queue events: %w", err)
	}
	defer rows.Close()
	var out []queue.Event
	for rows.Next() {
		var e queue.Event
		var action, state string
		if err := rows.Scan(&e.Seq, timeCol{&e.At}, &action, &e.TicketID, &e.Label, &e.Service, &e.Counter, &state, &e.Priority); err != nil {
			return nil, fmt.Errorf("queue events: %w", err)
		}
		e.Action, e.State = queue.Action(action), queue.State(state)
		out = append(out, e)
	}
	return out, rows.Err()
}

var _ queue.Engine = (*Store)(nil)

// QueueTickets returns the tickets of the days from..to (inclusive), in
// order of arrival, for the statistics.
func (s *Store) QueueTickets(ctx context.Context, from, to registry.Date) ([]queue.Ticket, error) {
	ts, err := queryTickets(ctx, s.r, `SELECT `+ticketColumns+` FROM queue_ticket WHERE day BETWEEN ? AND ? ORDER BY id`, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("queue tickets: %w", err)
	}
	return ts, nil
}
