package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
