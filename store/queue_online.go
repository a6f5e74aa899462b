package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// The office opened to citizens at home: its online rules, the live
// estimate every ticket is told, and the statistics of the channels.

// OnlineSettings returns the office's online rules.
func (s *Store) OnlineSettings(ctx context.Context) (queue.OnlineSettings, error) {
	o, err := readOnlineSettings(ctx, s.r)
	if err != nil {
		return o, fmt.Errorf("online settings: %w", err)
	}
	return o, nil
}

func readOnlineSettings(ctx context.Context, q querier) (queue.OnlineSettings, error) {
	var o queue.OnlineSettings
	var hold int
	err := q.QueryRowContext(ctx, `SELECT days_ahead, near_ahead, hold_minutes FROM queue_online_settings WHERE id = 1`).Scan(&o.DaysAhead, &o.NearAhead, &hold)
	o.Hold = time.Duration(hold) * time.Minute
	return o, err
}

// SaveOnlineSettings changes the office's online rules.
func (s *Store) SaveOnlineSettings(ctx context.Context, operator string, o queue.OnlineSettings) (queue.OnlineSettings, error) {
	if err := o.Validate(); err != nil {
		return o, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return o, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE queue_online_settings SET days_ahead = ?, near_ahead = ?, hold_minutes = ?, version = version + 1 WHERE id = 1`,
		o.DaysAhead, o.NearAhead, int(o.Hold/time.Minute)); err != nil {
		return o, fmt.Errorf("online settings: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(s.now()), Operator: operator, Action: "queue.online.settings", Entity: "queue_online_settings",
		EntityUID: "1", Detail: fmt.Sprintf(`{"days_ahead":%d,"near_ahead":%d,"hold_minutes":%d}`, o.DaysAhead, o.NearAhead, int(o.Hold/time.Minute))}); err != nil {
		return o, err
	}
	if err := tx.Commit(); err != nil {
		return o, fmt.Errorf("online settings: %w", err)
	}
	return o, nil
}

const onlineServiceColumns = `service, bookable, guests, booking_limit, remote, remote_max_wait_minutes, remote_max_waiting, bring`

func scanOnlineService(sc interface{ Scan(...any) error }) (queue.OnlineService, error) {
	var o queue.OnlineService
	var wait int
	err := sc.Scan(&o.Service, &o.Bookable, &o.Guests, &o.BookingLimit, &o.Remote, &wait, &o.RemoteMaxWaiting, &o.Bring)
	o.RemoteMaxWait = time.Duration(wait) * time.Minute
	return o, err
}

// OnlineServices returns what each service offers online; a service
// missing from the list offers nothing.
func (s *Store) OnlineServices(ctx context.Context) ([]queue.OnlineService, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+onlineServiceColumns+` FROM queue_online_service o JOIN queue_service s ON s.code = o.service ORDER BY s.position, s.code`)
	if err != nil {
		return nil, fmt.Errorf("online services: %w", err)
	}
	defer rows.Close()
	var out []queue.OnlineService
	for rows.Next() {
		o, err := scanOnlineService(rows)
		if err != nil {
			return nil, fmt.Errorf("online services: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OnlineService returns what one service offers online: the zero set-up
// (nothing) when it has none, fault.NotFound when the service does not
// exist.
func (s *Store) OnlineService(ctx context.Context, service string) (queue.OnlineService, error) {
	return onlineService(ctx, s.r, service)
}

func onlineService(ctx context.Context, q querier, service string) (queue.OnlineService, error) {
	o, err := scanOnlineService(q.QueryRowContext(ctx, `SELECT `+onlineServiceColumns+` FROM queue_online_service WHERE service = ?`, service))
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM queue_service WHERE code = ?`, service).Scan(&n); err != nil {
			return o, fmt.Errorf("online service: %w", err)
		}
		if n == 0 {
			return o, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": service})
		}
		return queue.OnlineService{Service: service}, nil
	}
	if err != nil {
		return o, fmt.Errorf("online service: %w", err)
	}
	return o, nil
}

// SaveOnlineService sets what a service offers online.
func (s *Store) SaveOnlineService(ctx context.Context, operator string, o queue.OnlineService) (queue.OnlineService, error) {
	if err := o.Validate(); err != nil {
		return o, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return o, err
	}
	defer tx.Rollback()
	if _, err := onlineService(ctx, tx, o.Service); err != nil {
		return o, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_online_service(`+onlineServiceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(service) DO UPDATE SET bookable = excluded.bookable, guests = excluded.guests, booking_limit = excluded.booking_limit, remote = excluded.remote,
remote_max_wait_minutes = excluded.remote_max_wait_minutes, remote_max_waiting = excluded.remote_max_waiting, bring = excluded.bring, version = version + 1`,
		o.Service, o.Bookable, o.Guests, o.BookingLimit, o.Remote, int(o.RemoteMaxWait/time.Minute), o.RemoteMaxWaiting, o.Bring); err != nil {
		return o, fmt.Errorf("online service: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(s.now()), Operator: operator, Action: "queue.online.service", Entity: "queue_online_service",
		EntityUID: o.Service, Detail: fmt.Sprintf(`{"service":%q,"bookable":%t,"guests":%t,"remote":%t}`, o.Service, o.Bookable, o.Guests, o.Remote)}); err != nil {
		return o, err
	}
	if err := tx.Commit(); err != nil {
		return o, fmt.Errorf("online service: %w", err)
	}
	return o, nil
}

// estimateWindow is how far back the estimate looks at service times and
// counters at work.
const estimateWindow = time.Hour

// liveEstimateSQL reads, for one service at one instant, the counters open
// (those serving it that called a ticket in the last hour and are not in a
// pause; all its counters when none did) and its service times of the last
// hour.
const (
	openCountersSQL = `SELECT count(DISTINCT t.counter) FROM queue_ticket t JOIN queue_counter_service cs ON cs.counter = t.counter AND cs.service = ?1
WHERE t.day = ?2 AND t.called_at >= ?3 AND NOT EXISTS (SELECT 1 FROM queue_counter_pause p WHERE p.counter = t.counter AND p.day = ?2 AND p.ended_at IS NULL)`
	serviceTimesSQL = `SELECT started_at, ended_at FROM queue_ticket WHERE day = ? AND service = ? AND state = 'done' AND ended_at >= ? AND started_at IS NOT NULL`
)

// liveEstimate is the wait of a ticket with ahead tickets before it in the
// service at now: the median service time of the last hour (the default
// without any) times the tickets ahead, shared by the counters open.
func liveEstimate(ctx context.Context, q querier, service string, ahead int, now time.Time) (time.Duration, error) {
	if ahead <= 0 {
		return 0, nil
	}
	day, since := queue.DayOf(now).String(), timestamp(now.Add(-estimateWindow))
	var counters int
	if err := q.QueryRowContext(ctx, openCountersSQL, service, day, since).Scan(&counters); err != nil {
		return 0, fmt.Errorf("estimate: %w", err)
	}
	if counters == 0 {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM queue_counter_service WHERE service = ?`, service).Scan(&counters); err != nil {
			return 0, fmt.Errorf("estimate: %w", err)
		}
	}
	rows, err := q.QueryContext(ctx, serviceTimesSQL, day, service, since)
	if err != nil {
		return 0, fmt.Errorf("estimate: %w", err)
	}
	defer rows.Close()
	var recent []time.Duration
	for rows.Next() {
		var start, end time.Time
		if err := rows.Scan(timeCol{&start}, timeCol{&end}); err != nil {
			return 0, fmt.Errorf("estimate: %w", err)
		}
		if end.After(start) {
			recent = append(recent, end.Sub(start))
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("estimate: %w", err)
	}
	return queue.EstimateWait(ahead, recent, counters), nil
}

// keepEstimate records the wait a new ticket was told.
func keepEstimate(ctx context.Context, tx *sql.Tx, ticketID int64, wait time.Duration) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO queue_estimate(ticket_id, wait_seconds) VALUES (?, ?) ON CONFLICT(ticket_id) DO NOTHING`, ticketID, int64(wait/time.Second))
	if err != nil {
		return fmt.Errorf("keep estimate: %w", err)
	}
	return nil
}

// ServiceWait is a service's line as the citizens' page shows it.
type ServiceWait struct {
	Service queue.Service
	Online  queue.OnlineService
	Waiting int           // tickets waiting, those from home not yet checked in included
	Wait    time.Duration // the estimated wait of a ticket taken now
	Open    bool          // within its opening hours and open at the kiosk
}

// ServiceWaits returns every service's live line, in kiosk order.
func (s *Store) ServiceWaits(ctx context.Context) ([]ServiceWait, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("service waits: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	office, err := readOffice(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("service waits: %w", err)
	}
	var out []ServiceWait
	for _, sv := range office.Services {
		w := ServiceWait{Service: sv}
		if w.Online, err = onlineService(ctx, tx, sv.Code); err != nil {
			return nil, err
		}
		hours, _, err := serviceHours(ctx, tx, sv.Code)
		if err != nil {
			return nil, err
		}
		w.Open = sv.Open && queue.OpenAt(hours, now)
		if w.Waiting, err = lineLength(ctx, tx, sv.Code, queue.DayOf(now)); err != nil {
			return nil, err
		}
		if w.Wait, err = liveEstimate(ctx, tx, sv.Code, w.Waiting, now); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// lineLength counts the tickets of a service waiting today, remote ones
// not yet checked in included (they keep their place).
func lineLength(ctx context.Context, q querier, service string, day registry.Date) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM queue_ticket WHERE day = ? AND service = ? AND state IN ('waiting', 'remote')`,
		day.String(), service).Scan(&n); err != nil {
		return 0, fmt.Errorf("line length: %w", err)
	}
	return n, nil
}

// ChannelStats and ChannelReport are the queue's (queue.ChannelReport).
type (
	ChannelStats  = queue.ChannelStats
	ChannelReport = queue.ChannelReport
)

// QueueChannels returns the statistics of the channels over the days
// from..to.
func (s *Store) QueueChannels(ctx context.Context, from, to registry.Date) (ChannelReport, error) {
	var rep ChannelReport
	by := map[queue.Channel]*ChannelStats{}
	for _, c := range queue.Channels {
		rep.Channels = append(rep.Channels, ChannelStats{Channel: c})
	}
	for i := range rep.Channels {
		by[rep.Channels[i].Channel] = &rep.Channels[i]
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("channels: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT t.state, t.appointment_at IS NOT NULL, r.ticket_id IS NOT NULL, r.present_at IS NOT NULL,
t.arrived_at, t.first_called_at, e.wait_seconds
FROM queue_ticket t LEFT JOIN queue_remote r ON r.ticket_id = t.id LEFT JOIN queue_estimate e ON e.ticket_id = t.id
WHERE t.day BETWEEN ? AND ? AND t.parent_id IS NULL`, from.String(), to.String())
	if err != nil {
		return rep, fmt.Errorf("channels: %w", err)
	}
	defer rows.Close()
	var estimates, waits []time.Duration
	for rows.Next() {
		var state string
		var appointment, remote, present bool
		var arrived, called time.Time
		var est sql.NullInt64
		if err := rows.Scan(&state, &appointment, &remote, &present, timeCol{&arrived}, timeCol{&called}, &est); err != nil {
			return rep, fmt.Errorf("channels: %w", err)
		}
		c := by[queue.ChannelKiosk]
		switch {
		case remote:
			c = by[queue.ChannelRemote]
		case appointment:
			c = by[queue.ChannelAppointment]
		}
		c.Tickets++
		if queue.State(state) == queue.NoShow || remote && !present && queue.State(state) == queue.Closed {
			c.NoShows++
		}
		if est.Valid && !called.IsZero() {
			estimates = append(estimates, time.Duration(est.Int64)*time.Second)
			waits = append(waits, called.Sub(arrived))
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("channels: %w", err)
	}
	rep.EstimateError, rep.Estimates = queue.EstimateError(estimates, waits), len(estimates)
	arows, err := tx.QueryContext(ctx, `SELECT `+appointmentColumns+`, b.appointment_id IS NOT NULL FROM queue_appointment
LEFT JOIN queue_booking b ON b.appointment_id = queue_appointment.id WHERE day BETWEEN ? AND ? AND state <> 'cancelled'`, from.String(), to.String())
	if err != nil {
		return rep, fmt.Errorf("channels: %w", err)
	}
	defer arows.Close()
	now, c := s.now(), by[queue.ChannelAppointment]
	for arows.Next() {
		var online bool
		a, err := scanAppointmentWith(arows, &online)
		if err != nil {
			return rep, fmt.Errorf("channels: %w", err)
		}
		c.Bookings++
		if online {
			c.Online++
		}
		if a.NoShow(now) {
			c.NoShows++
		}
	}
	return rep, arows.Err()
}

// newSecret is 256 random bits in hex: a token only its holder knows (the
// store keeps its hash, tokenHash).
func newSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	return hex.EncodeToString(raw), nil
}

// validSecret tells a token newSecret could have made from anything else,
// before any query.
func validSecret(token string) bool {
	if len(token) != 64 {
		return false
	}
	_, err := hex.DecodeString(token)
	return err == nil
}
