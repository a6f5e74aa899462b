package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// A server restored from a backup runs on a file that lost what came after
// the copy: the tickets issued since, their numbers and events. The copy
// is marked as a backup, so the first time a file so marked is opened for
// writing the store knows it runs on a restored file, and:
//
//   - ticket ids and event sequence numbers resume RestoreIDJump above the
//     last ones the copy holds: an id or a sequence number a desk or a
//     board holds from the lost server is never given to something else;
//   - each service's numbering of the day resumes RestoreNumberJump above
//     the last number the copy holds (never above the highest number the
//     service could have given today, its cap or its last number), and the
//     numbers jumped over do not count against the daily cap;
//   - desks, kiosks and boards report what they saw (ReportQueue): the day's
//     numbering moves above every number reported, and the tickets reported
//     with their uid and id come back as they were.
//
// A ticket nobody reported is lost: LostInRestore tells its page so.

// Meta keys of backups and restores.
const (
	metaBackupAt      = "backup.taken_at"     // set in a backup copy only
	metaRestoredAt    = "restore.at"          // when the copy was first opened to write
	metaRestoreDay    = "restore.day"         // the queue day of the restore
	metaRestoreTicket = "restore.last_ticket" // the last ticket id the copy held
	metaRestoreEvent  = "restore.last_event"  // the last queue event the copy held
	metaTicketFloor   = "queue.ticket_floor"  // new ticket ids start above it
	metaEventFloor    = "queue.event_floor"   // new event sequence numbers start above it
)

// RestoreIDJump is how far ticket ids and event numbers jump after a
// restore: more than an office gives between two nightly backups.
const RestoreIDJump = 1_000_000

// RestoreNumberJump is how far a service's numbering of the day jumps after
// a restore, until the devices report what they saw.
const RestoreNumberJump = 50

// Restore says whether the store runs on a file restored from a backup.
type Restore struct {
	BackupAt   time.Time     // when the copy was taken
	RestoredAt time.Time     // zero: not a restored file
	Day        registry.Date // the queue day of the restore
	LastTicket int64         // the last ticket id the copy held
	LastEvent  int64         // the last queue event the copy held
}

// Restored reports whether the file was restored from a backup.
func (r Restore) Restored() bool { return !r.RestoredAt.IsZero() }

// RestoreInfo reads whether and when the file was restored.
func (s *Store) RestoreInfo(ctx context.Context) (Restore, error) {
	return readRestore(ctx, s.r)
}

func readRestore(ctx context.Context, q querier) (Restore, error) {
	var r Restore
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?, ?)`,
		metaBackupAt, metaRestoredAt, metaRestoreDay, metaRestoreTicket, metaRestoreEvent)
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
		switch k {
		case metaBackupAt:
			r.BackupAt, _ = time.Parse(time.RFC3339Nano, v)
		case metaRestoredAt:
			r.RestoredAt, _ = time.Parse(time.RFC3339Nano, v)
		case metaRestoreDay:
			r.Day, _ = registry.ParseDate(v)
		case metaRestoreTicket:
			r.LastTicket, _ = strconv.ParseInt(v, 10, 64)
		case metaRestoreEvent:
			r.LastEvent, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return r, rows.Err()
}

// resumeAfterRestore notices, once, that the file is a backup copy now in
// use, and moves ids, event numbers and today's numbering past what the
// lost server may have given.
func (s *Store) resumeAfterRestore(ctx context.Context) error {
	if r, err := readRestore(ctx, s.r); err != nil || r.BackupAt.IsZero() || r.Restored() {
		return err // the usual case: no write
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := readRestore(ctx, tx)
	if err != nil {
		return err
	}
	if r.BackupAt.IsZero() || r.Restored() {
		return nil
	}
	now := s.now()
	today := queue.DayOf(now)
	var lastTicket, lastEvent int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM queue_ticket`).Scan(&lastTicket); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM queue_event`).Scan(&lastEvent); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Today's numbering of each service: RestoreNumberJump above the copy's
	// last number, but never above what the service could have given.
	setups, err := serviceSetups(ctx, tx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, ss := range setups {
		held := ss.First - 1
		err := tx.QueryRowContext(ctx, `SELECT last_number FROM queue_number WHERE service = ? AND day = ?`, ss.Service.Code, today.String()).Scan(&held)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("restore: %w", err)
		}
		jump := max(0, min(RestoreNumberJump, highestNumber(ss)-held))
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_number(service, day, last_number, skipped) VALUES (?, ?, ?, ?)
ON CONFLICT(service, day) DO UPDATE SET last_number = excluded.last_number, skipped = skipped + excluded.skipped`,
			ss.Service.Code, today.String(), held+jump, jump); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	for _, kv := range [][2]string{
		{metaRestoredAt, timestamp(now)}, {metaRestoreDay, today.String()},
		{metaRestoreTicket, strconv.FormatInt(lastTicket, 10)}, {metaRestoreEvent, strconv.FormatInt(lastEvent, 10)},
		{metaTicketFloor, strconv.FormatInt(lastTicket+RestoreIDJump, 10)}, {metaEventFloor, strconv.FormatInt(lastEvent+RestoreIDJump, 10)},
	} {
		if _, err := tx.ExecContext(ctx, setMetaSQL, kv[0], kv[1]); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: "store.restored", Entity: "store",
		Detail: fmt.Sprintf(`{"backup_at":%q,"last_ticket":%d,"last_event":%d}`, timestamp(r.BackupAt), lastTicket, lastEvent)}); err != nil {
		return err
	}
	return tx.Commit()
}

// LostInRestore reports whether a ticket uid the store does not hold was
// given by the server before it was restored, after the backup it was
// restored from: its ULID was made between the backup and the restore.
func (s *Store) LostInRestore(ctx context.Context, uid string) (bool, error) {
	r, err := s.RestoreInfo(ctx)
	if err != nil || !r.Restored() {
		return false, err
	}
	id, err := ulid.ParseStrict(uid)
	if err != nil {
		return false, nil
	}
	made := ulid.Time(id.Time())
	// A ticket made in the last moments before the copy may have missed it.
	return made.After(r.BackupAt.Add(-time.Minute)) && made.Before(r.RestoredAt), nil
}

// QueueReport is what a desk, a kiosk or a board saw of today's queue,
// sent to a restored server: the highest number it saw per service, and
// the tickets it holds.
type QueueReport struct {
	Day     registry.Date
	Numbers map[string]int
	Tickets []queue.Ticket
}

// QueueReportResult counts what a report gave back.
type QueueReportResult struct {
	Restored int `json:"restored"` // tickets given back
	Known    int `json:"known"`    // tickets the store holds already
	Refused  int `json:"refused"`  // tickets that cannot be the lost server's
}

// MaxReportTickets is the most tickets one report may carry.
const MaxReportTickets = 5000

// ReportQueue takes what a device saw of the queue before the server was
// restored, the day of the restore only: the day's numbering moves above
// every number reported (within what the service could have given), and
// each ticket the store lost comes back with its uid, id and state. A ticket
// of another day, with an id the copy held or beyond the lost range, a
// label that does not match its service and number, a number another
// ticket of the day has, or an unknown service or counter, is refused.
func (s *Store) ReportQueue(ctx context.Context, operator string, rep QueueReport) (QueueReportResult, error) {
	var res QueueReportResult
	if len(rep.Tickets) > MaxReportTickets {
		return res, fault.New(fault.Invalid, "The report holds too many tickets", nil)
	}
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	r, err := readRestore(ctx, tx)
	if err != nil {
		return res, err
	}
	today := queue.DayOf(now)
	if !r.Restored() || r.Day != today || rep.Day != today {
		return res, fault.New(fault.Conflict, "The server was not restored from a backup today: there is nothing to report", nil)
	}
	office, err := readOffice(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("report: %w", err)
	}
	setups, err := serviceSetups(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("report: %w", err)
	}
	// The numbers a service may have given today.
	highest := map[string][2]int{}
	for _, ss := range setups {
		highest[ss.Service.Code] = [2]int{ss.First, highestNumber(ss)}
	}
	raise := func(service string, n int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO queue_number(service, day, last_number) VALUES (?, ?, ?)
ON CONFLICT(service, day) DO UPDATE SET last_number = max(last_number, excluded.last_number)`, service, today.String(), n)
		return err
	}
	for _, code := range slices.Sorted(maps.Keys(rep.Numbers)) {
		n := rep.Numbers[code]
		if h, ok := highest[code]; ok && n >= h[0] && n <= h[1] {
			if err := raise(code, n); err != nil {
				return res, fmt.Errorf("report: %w", err)
			}
		}
	}
	tickets := slices.Clone(rep.Tickets)
	slices.SortFunc(tickets, func(a, b queue.Ticket) int { return int(a.ID - b.ID) })
	for _, t := range tickets {
		held, err := scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM queue_ticket WHERE uid = ?`, t.UID))
		switch {
		case err == nil:
			// A ticket a report gave back moves on when another device
			// saw it later in its life (a kiosk gave it, a desk called it).
			if held.ID != t.ID || held.ID <= r.LastTicket || held.ID > r.LastTicket+RestoreIDJump || t.Version <= held.Version {
				res.Known++
				continue
			}
		case !errors.Is(err, sql.ErrNoRows):
			return res, fmt.Errorf("report: %w", err)
		}
		given := err == nil
		ok, err := lostTicket(ctx, tx, t, r, today, office, highest, given)
		if err != nil {
			return res, err
		}
		if !ok {
			res.Refused++
			continue
		}
		if err := s.giveBack(ctx, tx, operator, t, given, now); err != nil {
			return res, err
		}
		if err := raise(t.Service, t.Number); err != nil {
			return res, fmt.Errorf("report: %w", err)
		}
		res.Restored++
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "queue.report", Entity: "queue",
		Detail: fmt.Sprintf(`{"restored":%d,"known":%d,"refused":%d}`, res.Restored, res.Known, res.Refused)}); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("report: %w", err)
	}
	s.committed(ctx, true)
	return res, nil
}

// lostTicket checks that t can be a ticket the lost server gave today;
// given is true when a report already gave it back (its id is its own).
func lostTicket(ctx context.Context, tx *sql.Tx, t queue.Ticket, r Restore, today registry.Date, office queue.Office, highest map[string][2]int, given bool) (bool, error) {
	if _, err := ulid.ParseStrict(t.UID); err != nil || t.Day != today || t.ID <= r.LastTicket || t.ID > r.LastTicket+RestoreIDJump {
		return false, nil
	}
	h, ok := highest[t.Service]
	if !ok || t.Number < h[0] || t.Number > maxTicketNumber || t.Label != queue.Label(t.Service, t.Number) {
		return false, nil
	}
	switch t.State {
	case queue.Waiting, queue.Done, queue.NoShow, queue.Cancelled, queue.Transferred, queue.Closed:
	case queue.Called, queue.Serving, queue.OnHold:
		if !slices.ContainsFunc(office.Counters, func(c queue.Counter) bool { return c.Code == t.Counter }) {
			return false, nil
		}
	default:
		return false, nil
	}
	if t.Version < 1 || t.Recalls < 0 || len(t.Clerk) > 64 || len(t.Outcome) > 2000 || len(t.Counter) > 16 {
		return false, nil
	}
	if given {
		return true, nil
	}
	// Its id is free, and no other ticket of the day has its number (the
	// restored server gave it again when more were lost than it jumped
	// over): the number is never called twice, and that ticket's page
	// says it was lost.
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_ticket WHERE id = ? OR (? AND day = ? AND label = ? AND parent_id IS NULL)`,
		t.ID, t.ParentID == 0, t.Day.String(), t.Label).Scan(&taken); err != nil {
		return false, fmt.Errorf("report: %w", err)
	}
	return taken == 0, nil
}

// highestNumber is the highest number the service can give in a day: its
// last number, or fewer when its cap comes first.
func highestNumber(ss queue.ServiceSetup) int {
	return min(ss.First+ss.Service.DailyCap-1, ss.Last)
}

// maxTicketNumber is the highest number a label shows with three digits.
const maxTicketNumber = 999

// giveBack writes a ticket the lost server gave, with its id, uid and
// state (over the one a report gave back already when given), and an event
// that tells boards to read the status again.
func (s *Store) giveBack(ctx context.Context, tx *sql.Tx, operator string, t queue.Ticket, given bool, now time.Time) error {
	var parent any
	var parentUID string
	if t.ParentID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT uid FROM queue_ticket WHERE id = ?`, t.ParentID).Scan(&parentUID); err == nil {
			parent = t.ParentID
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: %w", err)
		}
	}
	if t.ArrivedAt.IsZero() {
		t.ArrivedAt = now
	}
	if given {
		if _, err := tx.ExecContext(ctx, `DELETE FROM queue_call WHERE ticket_id = ?`, t.ID); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE queue_ticket SET state = ?, first_called_at = ?, called_at = ?, started_at = ?, ended_at = ?,
counter = ?, clerk = ?, recalls = ?, outcome = ?, version = ? WHERE id = ? AND uid = ?`,
			string(t.State), timeArg(t.FirstCalledAt), timeArg(t.CalledAt), timeArg(t.StartedAt), timeArg(t.EndedAt),
			t.Counter, t.Clerk, t.Recalls, t.Outcome, t.Version, t.ID, t.UID); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO queue_ticket(id, uid, day, label, service, number, priority, state, arrived_at, appointment_at,
first_called_at, called_at, started_at, ended_at, counter, clerk, recalls, outcome, parent_id, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.UID, t.Day.String(), t.Label, t.Service, t.Number, t.Priority, string(t.State), timestamp(t.ArrivedAt), timeArg(t.AppointmentAt),
		timeArg(t.FirstCalledAt), timeArg(t.CalledAt), timeArg(t.StartedAt), timeArg(t.EndedAt), t.Counter, t.Clerk, t.Recalls, t.Outcome,
		parent, t.Version); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, insertEventSQL+` RETURNING seq`, timestamp(now), string(queue.ActRestore), t.ID, t.Label, t.Service,
		t.Counter, string(t.State), t.Priority).Scan(&seq); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if !t.CalledAt.IsZero() {
		if _, err := tx.ExecContext(ctx, `UPDATE queue_ticket SET call_seq = ? WHERE id = ?`, seq, t.ID); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return s.logTicket(ctx, tx, operator, t, queue.ActRestore, parentUID, now)
}
