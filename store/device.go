package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/fault"
)

// The office's browser devices: a kiosk page or a board page that the
// server trusts because an administrator enrolled it with a one-time code.

// Device kinds.
const (
	DeviceKiosk = "kiosk"
	DeviceBoard = "board"
)

// Device is an enrolled (or about to be enrolled) browser device.
type Device struct {
	ID         string
	Kind       string
	Name       string
	CreatedAt  time.Time
	EnrolledAt time.Time // zero until its code is used
	RevokedAt  time.Time // zero while trusted
}

// NewDeviceCode makes a one-time code with which one browser becomes the
// device name of the kind given. Only the code's hash is kept.
func (s *Store) NewDeviceCode(ctx context.Context, operator, kind, name string) (Device, string, error) {
	name = strings.TrimSpace(name)
	if kind != DeviceKiosk && kind != DeviceBoard {
		return Device{}, "", fault.New(fault.Invalid, "A device is a kiosk or a board", nil)
	}
	if name == "" || len(name) > 80 {
		return Device{}, "", fault.New(fault.Invalid, "Give the device a name of at most 80 characters", nil)
	}
	code, err := oneTimeCode()
	if err != nil {
		return Device{}, "", err
	}
	now := s.now()
	d := Device{ID: newUID(), Kind: kind, Name: name, CreatedAt: now}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return Device{}, "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO web_device(device_id, kind, name, code_hash, code_expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		d.ID, kind, name, codeHash(code), timestamp(now.Add(EnrolCodeTTL)), timestamp(now)); err != nil {
		return Device{}, "", fmt.Errorf("device code: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "device.enrol_code", Entity: "device", EntityUID: d.ID,
		Detail: fmt.Sprintf(`{"kind":%q}`, kind)}); err != nil {
		return Device{}, "", err
	}
	return d, code, tx.Commit()
}

// oneTimeCode is 80 random bits as four groups of base32 letters.
func oneTimeCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("one-time code: %w", err)
	}
	raw := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return raw[:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16], nil
}

// errDeviceCode is every refusal of a device code: it tells a guesser
// nothing.
var errDeviceCode = fault.New(fault.Forbidden, "The enrolment code is not valid: ask the administrator for a new one", nil)

// EnrolDevice uses a device's one-time code: the device gets a token (a
// secret the browser keeps as a cookie), of which only the hash is kept.
func (s *Store) EnrolDevice(ctx context.Context, code string) (Device, string, error) {
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return Device{}, "", err
	}
	defer tx.Rollback()
	now := s.now()
	var d Device
	var expires string
	err = tx.QueryRowContext(ctx, `SELECT device_id, kind, name, code_expires_at FROM web_device WHERE code_hash = ? AND revoked_at IS NULL`, codeHash(code)).
		Scan(&d.ID, &d.Kind, &d.Name, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && expires < timestamp(now):
		return Device{}, "", errDeviceCode
	case err != nil:
		return Device{}, "", fmt.Errorf("enrol device: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Device{}, "", fmt.Errorf("enrol device: %w", err)
	}
	token := hex.EncodeToString(raw)
	if _, err := tx.ExecContext(ctx, `UPDATE web_device SET code_hash = NULL, token_hash = ?, enrolled_at = ? WHERE device_id = ?`,
		tokenHash(token), timestamp(now), d.ID); err != nil {
		return Device{}, "", fmt.Errorf("enrol device: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: "device.enrol", Entity: "device", EntityUID: d.ID,
		Detail: fmt.Sprintf(`{"kind":%q}`, d.Kind)}); err != nil {
		return Device{}, "", err
	}
	if err := tx.Commit(); err != nil {
		return Device{}, "", fmt.Errorf("enrol device: %w", err)
	}
	d.EnrolledAt = now
	return d, token, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// DeviceByToken is the trusted device holding token; fault.Forbidden for
// an unknown or revoked one.
func (s *Store) DeviceByToken(ctx context.Context, token string) (Device, error) {
	var d Device
	var enrolled string
	err := s.r.QueryRowContext(ctx, `SELECT device_id, kind, name, enrolled_at FROM web_device WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash(token)).
		Scan(&d.ID, &d.Kind, &d.Name, &enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, fault.New(fault.Forbidden, "This screen is not enrolled at the server", nil)
	}
	if err != nil {
		return Device{}, fmt.Errorf("device: %w", err)
	}
	d.EnrolledAt, _ = time.Parse(time.RFC3339Nano, enrolled)
	return d, nil
}

// Devices lists the browser devices, the newest first.
func (s *Store) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT device_id, kind, name, created_at, COALESCE(enrolled_at, ''), COALESCE(revoked_at, '') FROM web_device ORDER BY created_at DESC, device_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		var created, enrolled, revoked string
		if err := rows.Scan(&d.ID, &d.Kind, &d.Name, &created, &enrolled, &revoked); err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		d.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		d.EnrolledAt, _ = time.Parse(time.RFC3339Nano, enrolled)
		d.RevokedAt, _ = time.Parse(time.RFC3339Nano, revoked)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RevokeDevice stops trusting a device (and its unused code).
func (s *Store) RevokeDevice(ctx context.Context, operator, id string) error {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE web_device SET revoked_at = ?, code_hash = NULL WHERE device_id = ? AND revoked_at IS NULL`, timestamp(now), id)
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.New(fault.NotFound, "No trusted device has the id {{.ID}}", map[string]any{"ID": id})
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "device.revoke", Entity: "device", EntityUID: id}); err != nil {
		return err
	}
	return tx.Commit()
}
