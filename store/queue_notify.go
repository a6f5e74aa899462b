package store

import (
	"context"
	"fmt"

	"sportello/queue"
	"sportello/registry"
)

// What the notifications read and mark: reminders the day before a
// booking, and "your turn is near" to the holders of remote tickets who
// asked for it.

// DueReminders returns the online bookings of day still booked, with an
// email or a mobile number, not yet reminded.
func (s *Store) DueReminders(ctx context.Context, day registry.Date) ([]Booking, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+appointmentColumns+`, b.email, b.mobile, b.lang FROM queue_booking b
JOIN queue_appointment ON queue_appointment.id = b.appointment_id
WHERE day = ? AND state = 'booked' AND b.reminded_at IS NULL AND (b.email <> '' OR b.mobile <> '') ORDER BY slot, id`, day.String())
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	defer rows.Close()
	var out []Booking
	for rows.Next() {
		var b Booking
		if b.Appointment, err = scanAppointmentWith(rows, &b.Email, &b.Mobile, &b.Lang); err != nil {
			return nil, fmt.Errorf("due reminders: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// MarkReminded records that the booking's reminder was sent.
func (s *Store) MarkReminded(ctx context.Context, appointmentID int64) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE queue_booking SET reminded_at = ? WHERE appointment_id = ?`, timestamp(s.now()), appointmentID); err != nil {
		return fmt.Errorf("mark reminded: %w", err)
	}
	return nil
}

// NearTickets returns today's remote tickets whose holders asked to be
// told and have at most the office's NearAhead tickets ahead, not yet told.
func (s *Store) NearTickets(ctx context.Context) ([]RemoteTicket, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("near tickets: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	settings, err := readOnlineSettings(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("near tickets: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.ticket_id, `+remoteColumns+` FROM queue_remote r JOIN queue_ticket t ON t.id = r.ticket_id
WHERE r.day = ? AND r.notify AND r.near_sent_at IS NULL AND t.state IN ('remote', 'waiting') ORDER BY r.ticket_id`, queue.DayOf(now).String())
	if err != nil {
		return nil, fmt.Errorf("near tickets: %w", err)
	}
	var found []RemoteTicket
	for rows.Next() {
		var rt RemoteTicket
		if err := rows.Scan(&rt.Ticket.ID, &rt.Code, &rt.Notify, &rt.Email, &rt.Mobile, &rt.Lang); err != nil {
			rows.Close()
			return nil, fmt.Errorf("near tickets: %w", err)
		}
		found = append(found, rt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("near tickets: %w", err)
	}
	var out []RemoteTicket
	for _, rt := range found {
		if rt.Ticket, err = readTicket(ctx, tx, rt.Ticket.ID); err != nil {
			return nil, err
		}
		if rt.Ahead, rt.Wait, err = progress(ctx, tx, rt.Ticket, now); err != nil {
			return nil, err
		}
		if rt.Ahead <= settings.NearAhead {
			out = append(out, rt)
		}
	}
	return out, nil
}

// MarkNearSent records that the ticket's holder was told the turn is near.
func (s *Store) MarkNearSent(ctx context.Context, ticketID int64) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE queue_remote SET near_sent_at = ? WHERE ticket_id = ?`, timestamp(s.now()), ticketID); err != nil {
		return fmt.Errorf("mark near: %w", err)
	}
	return nil
}
