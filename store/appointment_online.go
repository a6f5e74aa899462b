package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// Bookings made by citizens on the portal and the codes that prove a
// guest's email or mobile number. The portal writes as operatorPortal; the
// person is the codice fiscale of the signed-in citizen or a guest's name,
// and the booking is found again only by its token (the confirmation's
// link), never by the booking code alone.

const operatorPortal = "portal"

// Contact checks: a code of six digits lives contactCheckLife, allows
// contactCheckAttempts tries, and at most contactChecksPerHour are sent to
// one contact in an hour.
const (
	contactCheckLife     = 15 * time.Minute
	contactCheckAttempts = 5
	contactChecksPerHour = 5
)

// ContactCheck is a code sent to a guest's email or mobile number.
type ContactCheck struct {
	ID      string
	Email   string // where to send the code: the email, else the mobile
	Mobile  string
	Expires time.Time
}

// StartContactCheck makes a code that proves email (or, without one,
// mobile): the caller sends the code there and the guest types it back
// with the check's ID. Only the code's hash is kept.
func (s *Store) StartContactCheck(ctx context.Context, email, mobile string) (ContactCheck, string, error) {
	email, mobile = strings.TrimSpace(email), strings.TrimSpace(mobile)
	if err := queue.ValidContact(email, mobile); err != nil {
		return ContactCheck{}, "", err
	}
	if email != "" {
		mobile = ""
	} else {
		mobile = queue.NormalizeMobile(mobile)
	}
	key := queue.PersonKey("", email, mobile)
	tx, err := s.begin(ctx, operatorPortal)
	if err != nil {
		return ContactCheck{}, "", err
	}
	defer tx.Rollback()
	now := s.now()
	var sent int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_contact_check WHERE contact = ? AND created_at >= ?`,
		key, timestamp(now.Add(-time.Hour))).Scan(&sent); err != nil {
		return ContactCheck{}, "", fmt.Errorf("contact check: %w", err)
	}
	if sent >= contactChecksPerHour {
		return ContactCheck{}, "", fault.New(fault.Conflict, "Too many codes were sent to this contact: try again in an hour", nil)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return ContactCheck{}, "", fmt.Errorf("contact check: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	c := ContactCheck{ID: newUID(), Email: email, Mobile: mobile, Expires: now.Add(contactCheckLife)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_contact_check(id, contact, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, key, tokenHash(c.ID+":"+code), timestamp(now), timestamp(c.Expires)); err != nil {
		return ContactCheck{}, "", fmt.Errorf("contact check: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return ContactCheck{}, "", fmt.Errorf("contact check: %w", err)
	}
	return c, code, nil
}

// errContactCode is every refusal of a contact code: it tells a guesser
// nothing.
var errContactCode = fault.New(fault.Invalid, "The confirmation code is not valid or has expired: ask for a new one", nil)

// proveContact checks, in its own transaction, that code is the one sent
// to the contact of key by check id; a wrong code spends an attempt. The
// code stays unused: useContact spends it within the caller's transaction,
// so a booking that fails leaves it for another try.
func (s *Store) proveContact(ctx context.Context, id, code, key string) error {
	code = strings.TrimSpace(code)
	if id == "" || len(code) != 6 {
		return errContactCode
	}
	tx, err := s.begin(ctx, operatorPortal)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var contact, hash, expires string
	var attempts int
	var used sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT contact, code_hash, expires_at, attempts, used_at FROM queue_contact_check WHERE id = ?`, id).
		Scan(&contact, &hash, &expires, &attempts, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errContactCode
	case err != nil:
		return fmt.Errorf("contact check: %w", err)
	case contact != key || used.Valid || expires < timestamp(s.now()) || attempts >= contactCheckAttempts:
		return errContactCode
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(tokenHash(id+":"+code))) == 1 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE queue_contact_check SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("contact check: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("contact check: %w", err)
	}
	return errContactCode
}

// useContact spends a proved code within tx: a code serves once.
func useContact(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE queue_contact_check SET used_at = ? WHERE id = ? AND used_at IS NULL`, timestamp(now), id)
	if err != nil {
		return fmt.Errorf("contact check: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errContactCode
	}
	return nil
}

// Citizen is who asks for a booking or a remote ticket on the portal: a
// signed-in citizen (CF from the session, never from the form) or a guest
// with a name and a contact proved by a code.
type Citizen struct {
	CF        string // codice fiscale of the session; empty for a guest
	Name      string // a guest's name
	Email     string
	Mobile    string
	CheckID   string // the contact check of a guest
	CheckCode string
	Lang      string // "it" or "en", for the messages sent
}

func (c Citizen) key() string { return queue.PersonKey(c.CF, c.Email, c.Mobile) }

// admit checks who the citizen is for a service whose set-up is o: a
// signed-in citizen always, a guest only where the service allows guests,
// with a name and the code sent to the contact. It returns the citizen
// with contact details normalized.
func (s *Store) admit(ctx context.Context, o queue.OnlineService, c Citizen, needName bool) (Citizen, error) {
	c.Email, c.Mobile, c.Name = strings.TrimSpace(c.Email), strings.TrimSpace(c.Mobile), strings.TrimSpace(c.Name)
	if c.Lang != "en" {
		c.Lang = "it"
	}
	if c.Mobile != "" {
		c.Mobile = queue.NormalizeMobile(c.Mobile)
	}
	if c.Email != "" || c.Mobile != "" {
		if err := queue.ValidContact(c.Email, c.Mobile); err != nil {
			return c, err
		}
	}
	if c.CF != "" {
		return c, nil
	}
	if !o.Guests {
		return c, fault.New(fault.Forbidden, "Sign in with SPID or CIE to use this service online", nil)
	}
	if needName && c.Name == "" {
		return c, fault.New(fault.Invalid, "The name of the person is required", nil)
	}
	if err := queue.ValidContact(c.Email, c.Mobile); err != nil {
		return c, err
	}
	return c, s.proveContact(ctx, c.CheckID, c.CheckCode, c.key())
}

// Booking is an appointment booked on the portal.
type Booking struct {
	queue.Appointment
	Token  string // the confirmation's secret: given once, when booked
	Email  string
	Mobile string
	Lang   string
}

// BookOnline books a free slot of a service that takes bookings online,
// for a signed-in citizen or a proved guest, within the days open to
// bookings and the limit of bookings per person. The booking's token is
// returned once: only its hash is kept.
func (s *Store) BookOnline(ctx context.Context, c Citizen, service string, day registry.Date, slot queue.Clock) (Booking, error) {
	o, err := s.OnlineService(ctx, service)
	if err != nil {
		return Booking{}, err
	}
	if !o.Bookable {
		return Booking{}, fault.New(fault.Forbidden, "This service cannot be booked online", nil)
	}
	if c, err = s.admit(ctx, o, c, true); err != nil {
		return Booking{}, err
	}
	tx, err := s.begin(ctx, operatorPortal)
	if err != nil {
		return Booking{}, err
	}
	defer tx.Rollback()
	now := s.now()
	settings, err := readOnlineSettings(ctx, tx)
	if err != nil {
		return Booking{}, fmt.Errorf("book online: %w", err)
	}
	if err := queue.BookableDay(day, now, settings.DaysAhead); err != nil {
		return Booking{}, err
	}
	key := c.key()
	var held int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM queue_booking b JOIN queue_appointment a ON a.id = b.appointment_id
WHERE b.person_key = ? AND a.service = ? AND a.state = 'booked' AND a.day >= ?`, key, service, queue.DayOf(now).String()).Scan(&held); err != nil {
		return Booking{}, fmt.Errorf("book online: %w", err)
	}
	if held >= o.BookingLimit {
		return Booking{}, fault.New(fault.Conflict, "You already hold {{.Limit}} bookings for this service: cancel one to book another", map[string]any{"Limit": o.BookingLimit})
	}
	if c.CF == "" {
		if err := useContact(ctx, tx, c.CheckID, now); err != nil {
			return Booking{}, err
		}
	}
	person := c.Name
	if c.CF != "" {
		person = strings.ToUpper(c.CF)
	}
	b := Booking{Email: c.Email, Mobile: c.Mobile, Lang: c.Lang}
	if b.Appointment, err = s.book(ctx, tx, operatorPortal, queue.Appointment{Service: service, Day: day, Slot: slot, Person: person}); err != nil {
		return Booking{}, err
	}
	if b.Token, err = newSecret(); err != nil {
		return Booking{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_booking(appointment_id, token_hash, person_key, email, mobile, lang) VALUES (?, ?, ?, ?, ?, ?)`,
		b.ID, tokenHash(b.Token), key, b.Email, b.Mobile, b.Lang); err != nil {
		return Booking{}, fmt.Errorf("book online: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Booking{}, fmt.Errorf("book online: %w", err)
	}
	return b, nil
}

// errBookingToken is every refusal of a booking link.
var errBookingToken = fault.New(fault.NotFound, "This booking link is not valid", nil)

func bookingByToken(ctx context.Context, q querier, token string) (Booking, error) {
	if !validSecret(token) {
		return Booking{}, errBookingToken
	}
	var b Booking
	a, err := scanAppointmentWith(q.QueryRowContext(ctx, `SELECT `+appointmentColumns+`, b.email, b.mobile, b.lang FROM queue_booking b
JOIN queue_appointment ON queue_appointment.id = b.appointment_id WHERE b.token_hash = ?`, tokenHash(token)), &b.Email, &b.Mobile, &b.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return Booking{}, errBookingToken
	}
	if err != nil {
		return Booking{}, fmt.Errorf("booking: %w", err)
	}
	b.Appointment = a
	return b, nil
}

// BookingByToken is the booking of a confirmation's link; the token is not
// returned.
func (s *Store) BookingByToken(ctx context.Context, token string) (Booking, error) {
	return bookingByToken(ctx, s.r, token)
}

// CancelBooking cancels the booking of a confirmation's link.
func (s *Store) CancelBooking(ctx context.Context, token string) (Booking, error) {
	tx, err := s.begin(ctx, operatorPortal)
	if err != nil {
		return Booking{}, err
	}
	defer tx.Rollback()
	b, err := bookingByToken(ctx, tx, token)
	if err != nil {
		return b, err
	}
	if b.Appointment, err = s.cancelAppointment(ctx, tx, operatorPortal, b.Appointment); err != nil {
		return b, err
	}
	if err := tx.Commit(); err != nil {
		return b, fmt.Errorf("cancel booking: %w", err)
	}
	return b, nil
}

// MoveBooking moves the booking of a confirmation's link to another free
// slot of its service, within the days open to bookings: the old booking
// is cancelled and a new one (a new booking code) takes the same link.
func (s *Store) MoveBooking(ctx context.Context, token string, day registry.Date, slot queue.Clock) (Booking, error) {
	tx, err := s.begin(ctx, operatorPortal)
	if err != nil {
		return Booking{}, err
	}
	defer tx.Rollback()
	b, err := bookingByToken(ctx, tx, token)
	if err != nil {
		return b, err
	}
	settings, err := readOnlineSettings(ctx, tx)
	if err != nil {
		return b, fmt.Errorf("move booking: %w", err)
	}
	if err := queue.BookableDay(day, s.now(), settings.DaysAhead); err != nil {
		return b, err
	}
	old, err := s.cancelAppointment(ctx, tx, operatorPortal, b.Appointment)
	if err != nil {
		return b, err
	}
	moved, err := s.book(ctx, tx, operatorPortal, queue.Appointment{Service: old.Service, Day: day, Slot: slot, Person: old.Person})
	if err != nil {
		return b, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE queue_booking SET appointment_id = ?, reminded_at = NULL WHERE appointment_id = ?`, moved.ID, old.ID); err != nil {
		return b, fmt.Errorf("move booking: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return b, fmt.Errorf("move booking: %w", err)
	}
	b.Appointment = moved
	return b, nil
}
