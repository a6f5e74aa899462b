package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sportello/fault"
	"sportello/queue"
)

// Tickets taken from home. Such a ticket is numbered like any other but
// waits in state queue.Remote, which no counter calls, until its holder
// checks in at the kiosk with its code or a clerk marks them present; its
// place in line is its time of issue, kept by queue.HoldRule.

// RemoteTicket is a ticket taken from home, as its page shows it.
type RemoteTicket struct {
	Ticket  queue.Ticket
	Service queue.Service
	Code    string // typed (or read from the QR) at the kiosk to check in
	Token   string // the ticket page's secret: given once, when taken
	Ahead   int
	Wait    time.Duration
	Notify  bool // the holder asked for a message when the turn is near
	Email   string
	Mobile  string
	Lang    string
}

// TakeRemote gives a ticket from home of a service that allows them:
// during opening hours, while the estimated wait is under the service's
// limit and fewer remote tickets than its limit wait to check in; one a
// person, a service and a day.
func (s *Store) TakeRemote(ctx context.Context, c Citizen, service string, notify bool) (RemoteTicket, error) {
	o, err := s.OnlineService(ctx, service)
	if err != nil {
		return RemoteTicket{}, err
	}
	if !o.Remote {
		return RemoteTicket{}, o.RemoteAllowed(false, 0, 0)
	}
	if c, err = s.admit(ctx, o, c, false); err != nil {
		return RemoteTicket{}, err
	}
	if notify && c.Email == "" && c.Mobile == "" {
		return RemoteTicket{}, fault.New(fault.Invalid, "An email or a mobile number is required", nil)
	}
	tx, now, err := s.beginDay(ctx, operatorPortal)
	if err != nil {
		return RemoteTicket{}, err
	}
	defer tx.Rollback()
	day := queue.DayOf(now)
	hours, _, err := serviceHours(ctx, tx, service)
	if err != nil {
		return RemoteTicket{}, err
	}
	ahead, err := lineLength(ctx, tx, service, day)
	if err != nil {
		return RemoteTicket{}, err
	}
	wait, err := liveEstimate(ctx, tx, service, ahead, now)
	if err != nil {
		return RemoteTicket{}, err
	}
	var remote int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_ticket WHERE day = ? AND service = ? AND state = 'remote'`, day.String(), service).Scan(&remote); err != nil {
		return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
	}
	if err := o.RemoteAllowed(queue.OpenAt(hours, now), wait, remote); err != nil {
		return RemoteTicket{}, err
	}
	key := c.key()
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_remote WHERE day = ? AND service = ? AND person_key = ?`, day.String(), service, key).Scan(&taken); err != nil {
		return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
	}
	if taken > 0 {
		return RemoteTicket{}, fault.New(fault.Conflict, "You already took a ticket from home for this service today", nil)
	}
	if c.CF == "" {
		if err := useContact(ctx, tx, c.CheckID, now); err != nil {
			return RemoteTicket{}, err
		}
	}
	sv, number, err := issueNumber(ctx, tx, service, day)
	if err != nil {
		return RemoteTicket{}, err
	}
	t := queue.Ticket{UID: newUID(), Day: day, Label: queue.Label(sv.Code, number), Service: sv.Code, Number: number,
		State: queue.Remote, ArrivedAt: now, Version: 1}
	if t.ID, err = insertTicket(ctx, tx, t, 0); err != nil {
		return RemoteTicket{}, err
	}
	if err := s.record(ctx, tx, operatorPortal, t, queue.ActIssue, "", now); err != nil {
		return RemoteTicket{}, err
	}
	if err := keepEstimate(ctx, tx, t.ID, wait); err != nil {
		return RemoteTicket{}, err
	}
	rt := RemoteTicket{Ticket: t, Service: sv, Ahead: ahead, Wait: wait, Notify: notify, Email: c.Email, Mobile: c.Mobile, Lang: c.Lang}
	if rt.Token, err = newSecret(); err != nil {
		return RemoteTicket{}, err
	}
	for range 5 { // a code already given (to a booking or a ticket) is drawn again
		rt.Code = queue.NewBookingCode()
		var clash int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM queue_appointment WHERE code = ?1) + (SELECT count(*) FROM queue_remote WHERE code = ?1)`,
			rt.Code).Scan(&clash); err != nil {
			return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
		}
		if clash == 0 {
			break
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_remote(ticket_id, code, token_hash, day, service, person_key, email, mobile, notify, lang)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, rt.Code, tokenHash(rt.Token), day.String(), service, key, c.Email, c.Mobile, notify, c.Lang); err != nil {
		return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
	}
	s.committed(ctx, false)
	return rt, nil
}

// errRemoteToken is every refusal of a remote ticket's link.
var errRemoteToken = fault.New(fault.NotFound, "This ticket link is not valid", nil)

const remoteColumns = `r.code, r.notify, r.email, r.mobile, r.lang`

// RemoteByToken is the ticket of a remote ticket's page with the tickets
// ahead of it and its estimated wait now.
func (s *Store) RemoteByToken(ctx context.Context, token string) (RemoteTicket, error) {
	if !validSecret(token) {
		return RemoteTicket{}, errRemoteToken
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return RemoteTicket{}, fmt.Errorf("remote ticket: %w", err)
	}
	defer tx.Rollback()
	var rt RemoteTicket
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT r.ticket_id, `+remoteColumns+` FROM queue_remote r WHERE r.token_hash = ?`, tokenHash(token)).
		Scan(&id, &rt.Code, &rt.Notify, &rt.Email, &rt.Mobile, &rt.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return rt, errRemoteToken
	}
	if err != nil {
		return rt, fmt.Errorf("remote ticket: %w", err)
	}
	if rt.Ticket, err = readTicket(ctx, tx, id); err != nil {
		return rt, err
	}
	if rt.Ahead, rt.Wait, err = progress(ctx, tx, rt.Ticket, s.now()); err != nil {
		return rt, err
	}
	return rt, nil
}

// progress is how many tickets wait before t in its line (those from home
// not yet checked in included) and its estimated wait at now; zero for a
// ticket no longer waiting.
func progress(ctx context.Context, q querier, t queue.Ticket, now time.Time) (int, time.Duration, error) {
	if t.State != queue.Waiting && t.State != queue.Remote {
		return 0, 0, nil
	}
	var ahead int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM queue_ticket WHERE day = ?1 AND service = ?2 AND state IN ('waiting', 'remote')
AND (arrived_at < ?3 OR arrived_at = ?3 AND id < ?4)`, t.Day.String(), t.Service, timestamp(t.ArrivedAt), t.ID).Scan(&ahead); err != nil {
		return 0, 0, fmt.Errorf("progress: %w", err)
	}
	wait, err := liveEstimate(ctx, q, t.Service, ahead, now)
	return ahead, wait, err
}

// CheckInRemote checks in at the kiosk the remote ticket of code (typed or
// read from its QR): it waits from now on, in its place by queue.HoldRule.
func (s *Store) CheckInRemote(ctx context.Context, code string) (queue.Issued, error) {
	norm, ok := queue.NormalizeCode(code)
	if !ok {
		return queue.Issued{}, errRemoteCode
	}
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT ticket_id FROM queue_remote WHERE code = ?`, norm).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return queue.Issued{}, errRemoteCode
	}
	if err != nil {
		return queue.Issued{}, fmt.Errorf("check in: %w", err)
	}
	return s.present(ctx, "kiosk", id)
}

var errRemoteCode = fault.New(fault.NotFound, "This ticket code does not exist: check it and try again", nil)

// MarkPresent is the clerk's "present" for a remote ticket whose holder
// is at the office.
func (s *Store) MarkPresent(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	is, err := s.present(ctx, operator, ticketID)
	return is.Ticket, err
}

// present moves a remote ticket to the line. By queue.HoldRule it keeps
// its time of issue, so its place, unless its place was reached (a later
// ticket of its service called) longer ago than the office's hold: then it
// arrives now.
func (s *Store) present(ctx context.Context, operator string, id int64) (queue.Issued, error) {
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Issued{}, err
	}
	defer tx.Rollback()
	var out queue.Issued
	t, err := readTicket(ctx, tx, id)
	if err != nil {
		return out, err
	}
	if t.State != queue.Remote {
		return out, fault.New(fault.Conflict, "This ticket has already been checked in or is no longer valid", nil)
	}
	settings, err := readOnlineSettings(ctx, tx)
	if err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	var reached time.Time
	if err := tx.QueryRowContext(ctx, `SELECT min(first_called_at) FROM queue_ticket WHERE day = ? AND service = ? AND id > ? AND first_called_at IS NOT NULL AND priority = 0 AND appointment_at IS NULL`,
		t.Day.String(), t.Service, t.ID).Scan(timeCol{&reached}); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	if t, err = s.apply(ctx, tx, operator, t, queue.ActPresent, now, nil); err != nil {
		return out, err
	}
	if !queue.KeepsPlace(reached, now, settings.Hold) {
		t.ArrivedAt = now
		if _, err := tx.ExecContext(ctx, `UPDATE queue_ticket SET arrived_at = ? WHERE id = ?`, timestamp(now), t.ID); err != nil {
			return out, fmt.Errorf("check in: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE queue_remote SET present_at = ? WHERE ticket_id = ?`, timestamp(now), t.ID); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT id, code, name, daily_cap, open, position FROM queue_service WHERE code = ?`, t.Service).
		Scan(&out.Service.ID, &out.Service.Code, &out.Service.Name, &out.Service.DailyCap, &out.Service.Open, &out.Service.Position); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	if out.Ahead, out.Wait, err = progress(ctx, tx, t, now); err != nil {
		return out, err
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	s.committed(ctx, true)
	out.Ticket = t
	return out, nil
}

// CancelRemote is the holder's cancellation of a remote ticket from its
// page: only while it still waits.
func (s *Store) CancelRemote(ctx context.Context, token string) (queue.Ticket, error) {
	rt, err := s.RemoteByToken(ctx, token)
	if err != nil {
		return queue.Ticket{}, err
	}
	if rt.Ticket.State != queue.Remote && rt.Ticket.State != queue.Waiting {
		return rt.Ticket, queue.ErrState
	}
	return s.transition(ctx, operatorPortal, rt.Ticket.ID, queue.ActCancel, nil, nil)
}
