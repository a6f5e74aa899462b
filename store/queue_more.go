package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// CallTicket calls one chosen waiting ticket at counter, out of the
// policy's order (the clerk picked it from the next tickets). The counter
// must be free and serve the ticket's service; a ticket someone else called
// meanwhile is refused by the compare-and-set.
func (s *Store) CallTicket(ctx context.Context, operator, counter string, id int64) (queue.Ticket, error) {
	now := s.now()
	check := func(tx *sql.Tx, t queue.Ticket) error {
		if err := sameDay(now)(tx, t); err != nil {
			return err
		}
		if err := counterFree(ctx, tx, t.Day.String(), counter); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_counter_service WHERE counter = ? AND service = ?`, counter, t.Service).Scan(&n); err != nil {
			return fmt.Errorf("call ticket: %w", err)
		}
		if n == 0 {
			return fault.New(fault.Conflict, "The counter does not serve the service of ticket {{.Label}}", map[string]any{"Label": t.Label})
		}
		return nil
	}
	return s.transition(ctx, operator, id, queue.ActCall, check, func(t *queue.Ticket, now time.Time) {
		callAt(t, counter, operator, now)
	})
}

// QueueNoShows returns today's tickets marked as not shown, the most
// recent first, for the clerk to reactivate one.
func (s *Store) QueueNoShows(ctx context.Context) ([]queue.Ticket, error) {
	day := queue.DayOf(s.now()).String()
	ts, err := queryTickets(ctx, s.r, `SELECT `+ticketColumns+` FROM queue_ticket WHERE day = ? AND state = 'no_show' ORDER BY ended_at DESC, id DESC LIMIT 50`, day)
	if err != nil {
		return nil, fmt.Errorf("queue no-shows: %w", err)
	}
	return ts, nil
}

const pauseColumns = `uid, counter, day, kind, clerk, started_at, ended_at`

func scanPause(sc interface{ Scan(...any) error }) (queue.Pause, error) {
	var p queue.Pause
	var day, kind string
	if err := sc.Scan(&p.UID, &p.Counter, &day, &kind, &p.Clerk, timeCol{&p.Start}, timeCol{&p.End}); err != nil {
		return p, err
	}
	p.Kind = queue.PauseKind(kind)
	d, err := registry.ParseDate(day)
	p.Day = d
	return p, err
}

// PauseCounter starts a pause or back-office time at counter. The counter
// must have no ticket called or being served, and not be paused already.
func (s *Store) PauseCounter(ctx context.Context, operator, counter string, kind queue.PauseKind) (queue.Pause, error) {
	if kind != queue.Break && kind != queue.BackOffice {
		return queue.Pause{}, fault.New(fault.Invalid, "Unknown kind of pause", nil)
	}
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Pause{}, err
	}
	defer tx.Rollback()
	day := queue.DayOf(now)
	if err := counterFree(ctx, tx, day.String(), counter); err != nil {
		return queue.Pause{}, err
	}
	p := queue.Pause{UID: newUID(), Counter: counter, Day: day, Kind: kind, Clerk: operator, Start: now}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_counter_pause WHERE counter = ? AND day = ? AND ended_at IS NULL`, counter, day.String()).Scan(&open); err != nil {
		return p, fmt.Errorf("pause: %w", err)
	}
	if open > 0 {
		return p, fault.New(fault.Conflict, "The counter is paused already", nil)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_counter_pause(uid, counter, day, kind, clerk, started_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.UID, counter, day.String(), string(kind), operator, timestamp(now)); err != nil {
		return p, fmt.Errorf("pause: %w", err)
	}
	if err := s.logPause(ctx, tx, operator, p, 1); err != nil {
		return p, err
	}
	if err := tx.Commit(); err != nil {
		return p, fmt.Errorf("pause: %w", err)
	}
	s.committed(ctx, true)
	return p, nil
}

// EndPause ends today's running pause at counter.
func (s *Store) EndPause(ctx context.Context, operator, counter string) (queue.Pause, error) {
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Pause{}, err
	}
	defer tx.Rollback()
	p, err := scanPause(tx.QueryRowContext(ctx, `SELECT `+pauseColumns+` FROM queue_counter_pause WHERE counter = ? AND day = ? AND ended_at IS NULL`,
		counter, queue.DayOf(now).String()))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.New(fault.Conflict, "The counter is not paused", nil)
	}
	if err != nil {
		return p, fmt.Errorf("end pause: %w", err)
	}
	p.End = now
	if _, err := tx.ExecContext(ctx, `UPDATE queue_counter_pause SET ended_at = ?, version = version + 1 WHERE uid = ? AND ended_at IS NULL`, timestamp(now), p.UID); err != nil {
		return p, fmt.Errorf("end pause: %w", err)
	}
	if err := s.logPause(ctx, tx, operator, p, 2); err != nil {
		return p, err
	}
	if err := tx.Commit(); err != nil {
		return p, fmt.Errorf("end pause: %w", err)
	}
	s.committed(ctx, true)
	return p, nil
}

// OpenPauses returns today's running pauses by counter code.
func (s *Store) OpenPauses(ctx context.Context) (map[string]queue.Pause, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pauseColumns+` FROM queue_counter_pause WHERE day = ? AND ended_at IS NULL`, queue.DayOf(s.now()).String())
	if err != nil {
		return nil, fmt.Errorf("open pauses: %w", err)
	}
	defer rows.Close()
	out := map[string]queue.Pause{}
	for rows.Next() {
		p, err := scanPause(rows)
		if err != nil {
			return nil, fmt.Errorf("open pauses: %w", err)
		}
		out[p.Counter] = p
	}
	return out, rows.Err()
}

type pausePayload struct {
	UID     string `json:"uid"`
	Counter string `json:"counter"`
	Day     string `json:"day"`
	Kind    string `json:"kind"`
	Clerk   string `json:"clerk"`
	Start   string `json:"started_at"`
	End     string `json:"ended_at,omitempty"`
	Version int64  `json:"version"`
}

// logPause records the start (version 1) or end (version 2) of a pause in
// the outbox and the audit log.
func (s *Store) logPause(ctx context.Context, tx *sql.Tx, operator string, p queue.Pause, version int64) error {
	op, action, end := "create", "queue.pause", ""
	if version > 1 {
		op, action, end = "update", "queue.pause_end", timestamp(p.End)
	}
	return s.logChange(ctx, tx, operator, change{
		Entity: "queue_counter_pause", EntityUID: p.UID, Op: op, BaseVersion: version - 1,
		Payload: pausePayload{UID: p.UID, Counter: p.Counter, Day: p.Day.String(), Kind: string(p.Kind), Clerk: p.Clerk,
			Start: timestamp(p.Start), End: end, Version: version},
		Action: action,
		Detail: fmt.Sprintf(`{"counter":%q,"kind":%q}`, p.Counter, p.Kind),
	})
}

// settingsTTL bounds how long call-next uses its cached copy of the queue
// settings: a save through this store refreshes the copy at once, a save by
// another program sharing the file is seen within settingsTTL.
const settingsTTL = 30 * time.Second

// queueLocal is what the queue keeps in memory for one store: the settings
// call-next uses, and the commits since the queue last checkpointed the WAL.
type queueLocal struct {
	mu       sync.Mutex
	settings queue.Settings
	read     time.Time // wall-clock time settings were read; zero: never
	commits  atomic.Int64
}

// queueLocals holds each store's queueLocal (*Store -> *queueLocal). It
// lives beside the Store rather than in it; an entry stays for the life of
// the program, which opens one store (tests open many, each a few bytes).
var queueLocals sync.Map

func (s *Store) local() *queueLocal {
	if l, ok := queueLocals.Load(s); ok {
		return l.(*queueLocal)
	}
	l, _ := queueLocals.LoadOrStore(s, &queueLocal{})
	return l.(*queueLocal)
}

func (l *queueLocal) keep(qs queue.Settings) {
	l.mu.Lock()
	l.settings, l.read = qs, time.Now()
	l.mu.Unlock()
}

// QueueSettings returns the office's queue settings: calling policy,
// service-level threshold, board chime.
func (s *Store) QueueSettings(ctx context.Context) (queue.Settings, error) {
	qs, err := readSettings(ctx, s.r)
	if err != nil {
		return qs, fmt.Errorf("queue settings: %w", err)
	}
	s.local().keep(qs)
	return qs, nil
}

// settings returns the cached settings, read again within tx when the copy
// is missing or older than settingsTTL.
func (s *Store) settings(ctx context.Context, tx *sql.Tx) (queue.Settings, error) {
	l := s.local()
	l.mu.Lock()
	qs, read := l.settings, l.read
	l.mu.Unlock()
	if !read.IsZero() && time.Since(read) < settingsTTL {
		return qs, nil
	}
	qs, err := readSettings(ctx, tx)
	if err != nil {
		return qs, err
	}
	l.keep(qs)
	return qs, nil
}

// checkpointEvery is how many queue commits (ten-odd WAL pages each) may
// pass before a transition other than a call checkpoints the WAL: well
// before SQLite's automatic checkpoint, which runs inside whichever commit
// brings the WAL to 1,000 pages and would otherwise land on a call every
// forty or so, adding milliseconds to it.
const checkpointEvery = 40

// committed counts a queue commit. After a transition that is not a call
// (housekeeping), when checkpointEvery commits have passed, it checkpoints
// the WAL without blocking readers; one that fails or cannot finish is
// left to SQLite's automatic one.
func (s *Store) committed(ctx context.Context, housekeeping bool) {
	l := s.local()
	if n := l.commits.Add(1); !housekeeping || n < checkpointEvery {
		return
	}
	l.commits.Store(0)
	s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
}

func readSettings(ctx context.Context, q querier) (queue.Settings, error) {
	var qs queue.Settings
	var maxWait, window, within int
	err := q.QueryRowContext(ctx, `SELECT priority_run, max_wait_minutes, appointment_window_minutes, within_minutes, chime FROM queue_settings WHERE id = 1`).
		Scan(&qs.PriorityRun, &maxWait, &window, &within, &qs.Chime)
	if errors.Is(err, sql.ErrNoRows) {
		return queue.DefaultSettings, nil
	}
	qs.MaxWait, qs.AppointmentWindow, qs.Within = time.Duration(maxWait)*time.Minute, time.Duration(window)*time.Minute, time.Duration(within)*time.Minute
	return qs, err
}

type settingsPayload struct {
	PriorityRun    int   `json:"priority_run"`
	MaxWaitMinutes int   `json:"max_wait_minutes"`
	WindowMinutes  int   `json:"appointment_window_minutes"`
	WithinMinutes  int   `json:"within_minutes"`
	Chime          bool  `json:"chime"`
	Version        int64 `json:"version"`
}

// SaveQueueSettings changes the office's queue settings; bad values are
// refused with a message that says which are allowed, and nothing changes.
func (s *Store) SaveQueueSettings(ctx context.Context, operator string, qs queue.Settings) (queue.Settings, error) {
	if err := qs.Validate(); err != nil {
		return qs, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return qs, err
	}
	defer tx.Rollback()
	p := settingsPayload{PriorityRun: qs.PriorityRun, MaxWaitMinutes: int(qs.MaxWait / time.Minute), WindowMinutes: int(qs.AppointmentWindow / time.Minute),
		WithinMinutes: int(qs.Within / time.Minute), Chime: qs.Chime}
	var uid string
	err = tx.QueryRowContext(ctx, `UPDATE queue_settings SET priority_run = ?, max_wait_minutes = ?, appointment_window_minutes = ?, within_minutes = ?,
chime = ?, version = version + 1 WHERE id = 1 RETURNING uid, version`, p.PriorityRun, p.MaxWaitMinutes, p.WindowMinutes, p.WithinMinutes, p.Chime).Scan(&uid, &p.Version)
	if err != nil {
		return qs, fmt.Errorf("save queue settings: %w", err)
	}
	c := change{Entity: "queue_settings", EntityUID: uid, Op: "update", BaseVersion: p.Version - 1, Payload: p,
		Action: "queue.settings.set", Detail: fmt.Sprintf(`{"priority_run":%d,"max_wait":%d,"window":%d,"within":%d,"chime":%t}`,
			p.PriorityRun, p.MaxWaitMinutes, p.WindowMinutes, p.WithinMinutes, p.Chime)}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return qs, err
	}
	if err := tx.Commit(); err != nil {
		return qs, fmt.Errorf("save queue settings: %w", err)
	}
	s.local().keep(qs)
	return qs, nil
}

// ServiceSetups returns every service as the supervisor edits it: numbers,
// opening hours, slot length and the counters that call it, in kiosk order.
func (s *Store) ServiceSetups(ctx context.Context) ([]queue.ServiceSetup, error) {
	out, err := serviceSetups(ctx, s.r)
	if err != nil {
		return nil, fmt.Errorf("service set-up: %w", err)
	}
	return out, nil
}

func serviceSetups(ctx context.Context, q querier) ([]queue.ServiceSetup, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, name, daily_cap, open, position, first_number, last_number FROM queue_service ORDER BY position, code`)
	if err != nil {
		return nil, err
	}
	var out []queue.ServiceSetup
	for rows.Next() {
		var ss queue.ServiceSetup
		sv := &ss.Service
		if err := rows.Scan(&sv.ID, &sv.Code, &sv.Name, &sv.DailyCap, &sv.Open, &sv.Position, &ss.First, &ss.Last); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ss)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		ss := &out[i]
		if ss.Hours, ss.SlotMinutes, err = serviceHours(ctx, q, ss.Service.Code); err != nil {
			return nil, err
		}
		if ss.Counters, err = serviceCounters(ctx, q, ss.Service.Code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func serviceCounters(ctx context.Context, q querier, service string) ([]string, error) {
	return queryStrings(ctx, q, `SELECT counter FROM queue_counter_service WHERE service = ? ORDER BY counter`, service)
}

type hoursPayload struct {
	Weekday int    `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

type serviceSetupPayload struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	DailyCap    int            `json:"daily_cap"`
	Open        bool           `json:"open"`
	Position    int            `json:"position"`
	First       int            `json:"first_number"`
	Last        int            `json:"last_number"`
	SlotMinutes int            `json:"slot_minutes"`
	Hours       []hoursPayload `json:"hours"`
	Counters    []string       `json:"counters"`
	Version     int64          `json:"version"`
}

// SaveServiceSetup adds a service or changes the one with the same code,
// with its numbers, opening hours, slot length and the counters that call
// it, in one transaction. A counter left with no service to call is
// refused, and nothing changes.
func (s *Store) SaveServiceSetup(ctx context.Context, operator string, ss queue.ServiceSetup) (queue.ServiceSetup, error) {
	if err := ss.Validate(); err != nil {
		return ss, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return ss, err
	}
	defer tx.Rollback()
	sv := &ss.Service
	p := serviceSetupPayload{Code: sv.Code, Name: sv.Name, DailyCap: sv.DailyCap, Open: sv.Open, Position: sv.Position,
		First: ss.First, Last: ss.Last, SlotMinutes: ss.SlotMinutes, Counters: ss.Counters}
	var uid string
	err = tx.QueryRowContext(ctx, `INSERT INTO queue_service(uid, code, name, daily_cap, open, position, first_number, last_number, slot_minutes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(code) DO UPDATE SET name = excluded.name, daily_cap = excluded.daily_cap, open = excluded.open, position = excluded.position,
first_number = excluded.first_number, last_number = excluded.last_number, slot_minutes = excluded.slot_minutes, version = version + 1
RETURNING id, uid, version`, newUID(), sv.Code, sv.Name, sv.DailyCap, sv.Open, sv.Position, ss.First, ss.Last, ss.SlotMinutes).Scan(&sv.ID, &uid, &p.Version)
	if err != nil {
		return ss, fmt.Errorf("save service: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_service_hours WHERE service = ?`, sv.Code); err != nil {
		return ss, fmt.Errorf("save service: %w", err)
	}
	for _, h := range ss.Hours {
		wd := int(h.Weekday)
		if wd == 0 {
			wd = 7 // Sunday
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO queue_service_hours(service, weekday, opens, closes) VALUES (?, ?, ?, ?)`,
			sv.Code, wd, h.Opens.String(), h.Closes.String()); err != nil {
			return ss, fmt.Errorf("save service: %w", err)
		}
		p.Hours = append(p.Hours, hoursPayload{wd, h.Opens.String(), h.Closes.String()})
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_counter_service WHERE service = ?`, sv.Code); err != nil {
		return ss, fmt.Errorf("save service: %w", err)
	}
	for _, c := range ss.Counters {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_counter WHERE code = ?`, c).Scan(&n); err != nil {
			return ss, fmt.Errorf("save service: %w", err)
		}
		if n == 0 {
			return ss, fault.New(fault.NotFound, "The counter {{.Code}} does not exist", map[string]any{"Code": c})
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO queue_counter_service(counter, service) VALUES (?, ?)`, c, sv.Code); err != nil {
			return ss, fmt.Errorf("save service: %w", err)
		}
	}
	var idle string
	err = tx.QueryRowContext(ctx, `SELECT name FROM queue_counter c WHERE NOT EXISTS (SELECT 1 FROM queue_counter_service cs WHERE cs.counter = c.code) ORDER BY code LIMIT 1`).Scan(&idle)
	if err == nil {
		return ss, fault.New(fault.Conflict, "{{.Name}} would call no service: give it another service first", map[string]any{"Name": idle})
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("save service: %w", err)
	}
	op := "update"
	if p.Version == 1 {
		op = "create"
	}
	c := change{Entity: "queue_service", EntityUID: uid, Op: op, BaseVersion: p.Version - 1, Payload: p,
		Action: "queue.service.setup", Detail: fmt.Sprintf(`{"service":%q}`, sv.Code)}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return ss, err
	}
	if err := tx.Commit(); err != nil {
		return ss, fmt.Errorf("save service: %w", err)
	}
	return ss, nil
}

// QueuePauses returns the pauses of the days from..to (inclusive), in
// order of start, for the statistics.
func (s *Store) QueuePauses(ctx context.Context, from, to registry.Date) ([]queue.Pause, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pauseColumns+` FROM queue_counter_pause WHERE day BETWEEN ? AND ? ORDER BY started_at, id`, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("queue pauses: %w", err)
	}
	defer rows.Close()
	var out []queue.Pause
	for rows.Next() {
		p, err := scanPause(rows)
		if err != nil {
			return nil, fmt.Errorf("queue pauses: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
