package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// Appointments take the one write path too: each booking, cancellation and
// check-in is one transaction that logs the change to the outbox and the
// audit log (logChange). The audit detail names the booking code and the
// service, never the person.

const appointmentColumns = `id, uid, code, service, day, slot, minutes, person, state, coalesce(ticket_id, 0), version`

type appointmentPayload struct {
	UID     string `json:"uid"`
	Code    string `json:"code"`
	Service string `json:"service"`
	Day     string `json:"day"`
	Slot    string `json:"slot"`
	Minutes int    `json:"minutes"`
	Person  string `json:"person"`
	State   string `json:"state"`
	Version int64  `json:"version"`
}

func scanAppointment(sc interface{ Scan(...any) error }) (queue.Appointment, error) {
	return scanAppointmentWith(sc)
}

// scanAppointmentWith scans appointmentColumns and then the extra columns
// a query selects after them.
func scanAppointmentWith(sc interface{ Scan(...any) error }, extra ...any) (queue.Appointment, error) {
	var a queue.Appointment
	var slot, state string
	err := sc.Scan(append([]any{&a.ID, &a.UID, &a.Code, &a.Service, dateCol{&a.Day}, &slot, &a.Minutes, &a.Person, &state, &a.TicketID, &a.Version}, extra...)...)
	if err != nil {
		return a, err
	}
	a.State = queue.AppointmentState(state)
	a.Slot, err = queue.ParseClock(slot)
	return a, err
}

func (s *Store) logAppointment(ctx context.Context, tx *sql.Tx, operator string, a queue.Appointment, op, action string) error {
	return s.logChange(ctx, tx, operator, change{
		Entity: "queue_appointment", EntityUID: a.UID, Op: op, BaseVersion: a.Version - 1,
		Payload: appointmentPayload{UID: a.UID, Code: a.Code, Service: a.Service, Day: a.Day.String(), Slot: a.Slot.String(),
			Minutes: a.Minutes, Person: a.Person, State: string(a.State), Version: a.Version},
		Action: "queue.appointment." + action,
		Detail: fmt.Sprintf(`{"code":%q,"service":%q,"day":%q}`, a.Code, a.Service, a.Day.String()),
	})
}

// ServiceHours returns the opening hours of a service and its slot length.
func (s *Store) ServiceHours(ctx context.Context, service string) ([]queue.Hours, int, error) {
	return serviceHours(ctx, s.r, service)
}

func serviceHours(ctx context.Context, q querier, service string) ([]queue.Hours, int, error) {
	var minutes int
	err := q.QueryRowContext(ctx, `SELECT slot_minutes FROM queue_service WHERE code = ?`, service).Scan(&minutes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": service})
	}
	if err != nil {
		return nil, 0, fmt.Errorf("service hours: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT weekday, opens, closes FROM queue_service_hours WHERE service = ? ORDER BY weekday, opens`, service)
	if err != nil {
		return nil, 0, fmt.Errorf("service hours: %w", err)
	}
	defer rows.Close()
	var out []queue.Hours
	for rows.Next() {
		var wd int
		var opens, closes string
		if err := rows.Scan(&wd, &opens, &closes); err != nil {
			return nil, 0, fmt.Errorf("service hours: %w", err)
		}
		h := queue.Hours{Weekday: time.Weekday(wd % 7)}
		if h.Opens, err = queue.ParseClock(opens); err != nil {
			return nil, 0, fmt.Errorf("service hours: %w", err)
		}
		if h.Closes, err = queue.ParseClock(closes); err != nil {
			return nil, 0, fmt.Errorf("service hours: %w", err)
		}
		out = append(out, h)
	}
	return out, minutes, rows.Err()
}

// FreeSlots returns the slots of the service on day not booked yet.
// Slots already begun are not free.
func (s *Store) FreeSlots(ctx context.Context, service string, day registry.Date) ([]queue.Clock, error) {
	return freeSlots(ctx, s.r, service, day, s.now())
}

func freeSlots(ctx context.Context, q querier, service string, day registry.Date, now time.Time) ([]queue.Clock, error) {
	hours, minutes, err := serviceHours(ctx, q, service)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT slot FROM queue_appointment WHERE service = ? AND day = ? AND state <> 'cancelled'`, service, day.String())
	if err != nil {
		return nil, fmt.Errorf("free slots: %w", err)
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var slot string
		if err := rows.Scan(&slot); err != nil {
			return nil, fmt.Errorf("free slots: %w", err)
		}
		taken[slot] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("free slots: %w", err)
	}
	var out []queue.Clock
	for _, c := range queue.Slots(hours, day, minutes) {
		if !taken[c.String()] && !c.At(day).Before(now) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Appointments returns the bookings of a day, by slot.
func (s *Store) Appointments(ctx context.Context, day registry.Date) ([]queue.Appointment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+appointmentColumns+` FROM queue_appointment WHERE day = ? ORDER BY slot, service`, day.String())
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	defer rows.Close()
	var out []queue.Appointment
	for rows.Next() {
		a, err := scanAppointment(rows)
		if err != nil {
			return nil, fmt.Errorf("appointments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// BookAppointment books a free slot of the service for a person, with a
// new booking code; Minutes zero takes the service's slot length.
func (s *Store) BookAppointment(ctx context.Context, operator string, a queue.Appointment) (queue.Appointment, error) {
	a.Person = strings.TrimSpace(a.Person)
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return a, err
	}
	defer tx.Rollback()
	a, err = s.book(ctx, tx, operator, a)
	if err != nil {
		return a, err
	}
	if err := tx.Commit(); err != nil {
		return a, fmt.Errorf("book appointment: %w", err)
	}
	return a, nil
}

// book inserts one booking within tx: the slot must be one of the
// service's free slots that day.
func (s *Store) book(ctx context.Context, tx *sql.Tx, operator string, a queue.Appointment) (queue.Appointment, error) {
	if a.Minutes == 0 && a.Service != "" {
		if err := tx.QueryRowContext(ctx, `SELECT slot_minutes FROM queue_service WHERE code = ?`, a.Service).Scan(&a.Minutes); errors.Is(err, sql.ErrNoRows) {
			return a, fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": a.Service})
		} else if err != nil {
			return a, fmt.Errorf("book appointment: %w", err)
		}
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	free, err := freeSlots(ctx, tx, a.Service, a.Day, s.now())
	if err != nil {
		return a, err
	}
	ok := false
	for _, c := range free {
		ok = ok || c == a.Slot
	}
	if !ok {
		return a, fault.New(fault.Conflict, "The slot {{.Time}} of {{.Day}} is not free", map[string]any{"Time": a.Slot.String(), "Day": a.Day.Italian()})
	}
	a.UID, a.State, a.Version = newUID(), queue.BookingBooked, 1
	for range 5 { // a clash of random codes is very rare: draw again
		a.Code = queue.NewBookingCode()
		err = tx.QueryRowContext(ctx, `INSERT INTO queue_appointment(uid, code, service, day, slot, minutes, person, state, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING RETURNING id`, a.UID, a.Code, a.Service, a.Day.String(), a.Slot.String(),
			a.Minutes, a.Person, string(a.State), timestamp(s.now()), operator).Scan(&a.ID)
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return a, fmt.Errorf("book appointment: %w", err)
	}
	return a, s.logAppointment(ctx, tx, operator, a, "create", "book")
}

// CancelAppointment cancels a booking not yet checked in; its slot is free
// again.
func (s *Store) CancelAppointment(ctx context.Context, operator, code string) (queue.Appointment, error) {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return queue.Appointment{}, err
	}
	defer tx.Rollback()
	a, err := readAppointment(ctx, tx, code)
	if err != nil {
		return a, err
	}
	if a, err = s.cancelAppointment(ctx, tx, operator, a); err != nil {
		return a, err
	}
	if err := tx.Commit(); err != nil {
		return a, fmt.Errorf("cancel appointment: %w", err)
	}
	return a, nil
}

// cancelAppointment cancels a within tx.
func (s *Store) cancelAppointment(ctx context.Context, tx *sql.Tx, operator string, a queue.Appointment) (queue.Appointment, error) {
	if a.State != queue.BookingBooked {
		return a, fault.New(fault.Conflict, "Only a booking not yet used can be cancelled", nil)
	}
	a.State, a.Version = queue.BookingCancelled, a.Version+1
	if _, err := tx.ExecContext(ctx, `UPDATE queue_appointment SET state = ?, version = ? WHERE id = ?`, string(a.State), a.Version, a.ID); err != nil {
		return a, fmt.Errorf("cancel appointment: %w", err)
	}
	return a, s.logAppointment(ctx, tx, operator, a, "update", "cancel")
}

func readAppointment(ctx context.Context, q querier, code string) (queue.Appointment, error) {
	norm, ok := queue.NormalizeCode(code)
	if !ok {
		return queue.Appointment{}, fault.New(fault.NotFound, "This booking code does not exist: check it and try again", nil)
	}
	a, err := scanAppointment(q.QueryRowContext(ctx, `SELECT `+appointmentColumns+` FROM queue_appointment WHERE code = ?`, norm))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fault.New(fault.NotFound, "This booking code does not exist: check it and try again", nil)
	}
	if err != nil {
		return a, fmt.Errorf("read appointment: %w", err)
	}
	return a, nil
}

// CheckInAppointment (a code that is no booking: CheckInRemote) turns a booking into a ticket of its service flagged
// with the slot time, so the calling policy calls it within its window
// (a late arrival waits with the walk-ins). Wrong, used or expired codes
// are refused with a message for the person at the kiosk.
func (s *Store) CheckInAppointment(ctx context.Context, code string) (queue.Issued, error) {
	const operator = "kiosk"
	tx, now, err := s.beginDay(ctx, operator)
	if err != nil {
		return queue.Issued{}, err
	}
	defer tx.Rollback()
	var out queue.Issued
	a, err := readAppointment(ctx, tx, code)
	if fault.Code(err) == fault.NotFound {
		// Not a booking: perhaps a ticket taken from home, checked in by
		// the same code entry (or QR) of the kiosk.
		tx.Rollback()
		if is, rerr := s.CheckInRemote(ctx, code); fault.Code(rerr) != fault.NotFound {
			return is, rerr
		}
		return out, err
	}
	if err != nil {
		return out, err
	}
	if err := a.CheckIn(now); err != nil {
		return out, err
	}
	sv := &out.Service
	var first int
	if err := tx.QueryRowContext(ctx, `SELECT id, code, name, daily_cap, open, position, first_number FROM queue_service WHERE code = ?`, a.Service).
		Scan(&sv.ID, &sv.Code, &sv.Name, &sv.DailyCap, &sv.Open, &sv.Position, &first); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	day := queue.DayOf(now)
	// A booking has its place: the daily cap and the last number limit
	// walk-ins only.
	number, _, err := nextNumber(ctx, tx, sv.Code, day, first)
	if err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	t := queue.Ticket{UID: newUID(), Day: day, Label: queue.Label(sv.Code, number), Service: sv.Code, Number: number,
		State: queue.Waiting, ArrivedAt: now, AppointmentAt: a.At(), Version: 1}
	if t.ID, err = insertTicket(ctx, tx, t, 0); err != nil {
		return out, err
	}
	if err := s.record(ctx, tx, operator, t, queue.ActIssue, "", now); err != nil {
		return out, err
	}
	a.State, a.TicketID, a.Version = queue.BookingCheckedIn, t.ID, a.Version+1
	if _, err := tx.ExecContext(ctx, `UPDATE queue_appointment SET state = ?, ticket_id = ?, version = ? WHERE id = ?`,
		string(a.State), t.ID, a.Version, a.ID); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	if err := s.logAppointment(ctx, tx, operator, a, "update", "check_in"); err != nil {
		return out, err
	}
	if out.Ahead, out.Wait, err = estimate(ctx, tx, t); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("check in: %w", err)
	}
	out.Ticket = t
	return out, nil
}

// SetServiceHours replaces the opening hours of a service and its slot
// length in minutes.
func (s *Store) SetServiceHours(ctx context.Context, operator, service string, hours []queue.Hours, minutes int) error {
	if minutes < 5 || minutes > 240 {
		return fault.New(fault.Invalid, "The duration must be between 5 and 240 minutes", nil)
	}
	for _, h := range hours {
		if h.Closes <= h.Opens || h.Opens < 0 || h.Closes >= 24*60 {
			return fault.New(fault.Invalid, "Each opening range must close after it opens", nil)
		}
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var uid string
	var version int64
	err = tx.QueryRowContext(ctx, `UPDATE queue_service SET slot_minutes = ?, version = version + 1 WHERE code = ? RETURNING uid, version`,
		minutes, service).Scan(&uid, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.NotFound, "The service {{.Code}} does not exist", map[string]any{"Code": service})
	}
	if err != nil {
		return fmt.Errorf("service hours: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_service_hours WHERE service = ?`, service); err != nil {
		return fmt.Errorf("service hours: %w", err)
	}
	type rangePayload struct {
		Weekday int    `json:"weekday"`
		Opens   string `json:"opens"`
		Closes  string `json:"closes"`
	}
	var ranges []rangePayload
	for _, h := range hours {
		wd := int(h.Weekday)
		if wd == 0 {
			wd = 7 // Sunday
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_service_hours(service, weekday, opens, closes) VALUES (?, ?, ?, ?)`,
			service, wd, h.Opens.String(), h.Closes.String()); err != nil {
			return fmt.Errorf("service hours: %w", err)
		}
		ranges = append(ranges, rangePayload{wd, h.Opens.String(), h.Closes.String()})
	}
	c := change{Entity: "queue_service", EntityUID: uid, Op: "update", BaseVersion: version - 1,
		Payload: map[string]any{"code": service, "slot_minutes": minutes, "hours": ranges, "version": version},
		Action:  "queue.service.hours", Detail: fmt.Sprintf(`{"service":%q}`, service)}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("service hours: %w", err)
	}
	return nil
}

// appointmentColumns of an appointments CSV file, in any order; the header
// names them. The date is dd/mm/yyyy or yyyy-mm-dd, the time hh:mm; the
// duration is the service's slot length.
var appointmentImportColumns = []string{"service", "date", "time", "person"}

// AppointmentImport says what an appointments import read and did.
type AppointmentImport struct {
	Rows     int
	Problems []ImportProblem     // bad rows with their line numbers (1 is the header)
	Booked   []queue.Appointment // the bookings made, in file order; none when a row is bad
}

// ImportAppointments books the appointments of a CSV file in one
// transaction: every row is checked (a free slot of an existing service
// within its hours, not in the past, a person) and a file with any bad row
// books nothing. Each booking gets a new code, like one made at the desk.
func (s *Store) ImportAppointments(ctx context.Context, operator string, r io.Reader) (AppointmentImport, error) {
	var rep AppointmentImport
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return rep, fault.New(fault.Invalid, "The file is empty or not a CSV file", nil)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idx := make([]int, len(appointmentImportColumns))
	for i, c := range appointmentImportColumns {
		j, ok := cols[c]
		if !ok {
			return rep, fault.New(fault.Invalid, "The header lacks the column {{.Column}}", map[string]any{"Column": c})
		}
		idx[i] = j
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return rep, err
	}
	defer tx.Rollback()
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			rep.Problems = append(rep.Problems, importProblem(pe.StartLine, fault.New(fault.Invalid, "The row is not valid CSV", nil)))
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("import appointments: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rep.Rows++
		field := func(i int) string {
			if idx[i] < len(rec) {
				return strings.TrimSpace(rec[idx[i]])
			}
			return ""
		}
		a, err := parseAppointmentRow(field(0), field(1), field(2), field(3))
		if err == nil {
			a, err = s.book(ctx, tx, operator, a)
		}
		if err != nil {
			if fault.Code(err) == fault.Internal {
				return rep, err
			}
			if len(rep.Problems) < maxReportedProblems {
				rep.Problems = append(rep.Problems, importProblem(line, err))
			}
			continue
		}
		rep.Booked = append(rep.Booked, a)
	}
	if len(rep.Problems) > 0 {
		rep.Booked = nil
		return rep, fault.New(fault.Invalid, "The file has rows with errors: nothing was imported", nil)
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("import appointments: %w", err)
	}
	return rep, nil
}

func parseAppointmentRow(service, date, clock, person string) (queue.Appointment, error) {
	a := queue.Appointment{Service: strings.ToUpper(service), Person: person}
	d, err := registry.ParseItalianDate(date)
	if err != nil {
		if d, err = registry.ParseDate(date); err != nil {
			return a, fault.New(fault.Invalid, "The date {{.Date}} is not valid (dd/mm/yyyy)", map[string]any{"Date": date})
		}
	}
	a.Day = d
	if a.Slot, err = queue.ParseClock(clock); err != nil {
		return a, err
	}
	return a, nil
}
