package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/certificate"
	"sportello/fault"
)

// The server's register of certificates: a desk numbers its certificates
// with its own desk code, so the server takes from a desk only certificates
// numbered and sealed as that desk's, each number once, and a seal verifies
// at the server only when the register holds it as sealed.

// checkCertificate refuses a pushed certificate mutation that is not the
// pushing desk's own: a number of another desk code, a number already in
// the register, a seal of another number or not made with one of the
// desk's keys. An issue it accepts is written to the register
// (sync_certificate) within tx. Other mutations pass untouched.
func checkCertificate(ctx context.Context, tx *sql.Tx, deskID string, m Mutation) error {
	if m.Entity != "certificate" {
		return nil
	}
	var deskCode string
	if err := tx.QueryRowContext(ctx, `SELECT desk_code FROM sync_desk WHERE desk_id = ?`, deskID).Scan(&deskCode); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.Forbidden, "This desk is not enrolled at the server", nil)
		}
		return fmt.Errorf("push certificate: %w", err)
	}
	var p certificatePayload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		return errMalformedCertificate()
	}
	number := p.Number
	if m.Op == "reprint" && number == "" {
		number = m.EntityUID
	}
	n, err := certificate.ParseNumber(number)
	if err != nil {
		return errMalformedCertificate()
	}
	if !strings.EqualFold(n.Desk, deskCode) {
		return fault.New(fault.Forbidden, "Certificate {{.Number}} is numbered for desk {{.Desk}}: a desk registers only its own certificates",
			map[string]any{"Number": number, "Desk": n.Desk})
	}
	if m.Op == "annul" {
		return annulCertificate(ctx, tx, deskID, n, m.Payload)
	}
	if m.Op != "issue" {
		return nil
	}
	var held string
	err = tx.QueryRowContext(ctx, `SELECT mutation_id FROM sync_certificate WHERE number = ?`, n.String()).Scan(&held)
	switch {
	case err == nil:
		return fault.New(fault.Conflict, "Certificate {{.Number}} is already in the register", map[string]any{"Number": n.String()})
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("push certificate: %w", err)
	}
	keys, err := deskKeys(ctx, tx, deskID, deskCode)
	if err != nil {
		return err
	}
	seal, err := certificate.Verify(p.Seal, keys)
	if err != nil || seal.Number != n.String() {
		return fault.New(fault.Invalid, "The seal of certificate {{.Number}} is not the desk's seal of that number", map[string]any{"Number": n.String()})
	}
	issuedAt := p.IssuedAt
	if issuedAt == "" {
		issuedAt = m.CreatedAt
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_certificate(number, desk_id, mutation_id, seal, issued_at) VALUES (?, ?, ?, ?, ?)`,
		n.String(), deskID, m.MutationID, p.Seal, issuedAt); err != nil {
		return fmt.Errorf("push certificate: %w", err)
	}
	return nil
}

// annulCertificate records in the server's register that the desk annulled
// one of its own certificates (the caller checked the desk code), with the
// reason and when: only a certificate the desk registered, once.
func annulCertificate(ctx context.Context, tx *sql.Tx, deskID string, n certificate.Number, payload []byte) error {
	var p annulPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return errMalformedCertificate()
	}
	at, err := time.Parse(time.RFC3339Nano, p.AnnulledAt)
	if err != nil || strings.TrimSpace(p.Reason) == "" || len(p.Reason) > maxAnnulReason {
		return errMalformedCertificate()
	}
	var annulled string
	err = tx.QueryRowContext(ctx, `SELECT annulled_at FROM sync_certificate WHERE number = ? AND desk_id = ?`, n.String(), deskID).Scan(&annulled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fault.New(fault.NotFound, "Certificate {{.Number}} is not in the register", map[string]any{"Number": n.String()})
	case err != nil:
		return fmt.Errorf("push annulment: %w", err)
	case annulled != "":
		return fault.New(fault.Conflict, "Certificate {{.Number}} is already annulled", map[string]any{"Number": n.String()})
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_certificate SET annulled_at = ?, annul_reason = ? WHERE number = ?`,
		timestamp(at), strings.TrimSpace(p.Reason), n.String()); err != nil {
		return fmt.Errorf("push annulment: %w", err)
	}
	return nil
}

// maxAnnulReason bounds the reason of an annulment a desk sends, in bytes.
const maxAnnulReason = 1000

// Annulment says whether the register (the server's, or the desk's own)
// holds certificate number as annulled: when and why.
func (s *Store) Annulment(ctx context.Context, number string) (at time.Time, reason string, annulled bool, err error) {
	var ts string
	err = s.r.QueryRowContext(ctx, `SELECT annulled_at, annul_reason FROM sync_certificate WHERE number = ? AND annulled_at <> ''
UNION ALL SELECT annulled_at, annul_reason FROM certificate WHERE number = ? AND annulled_at <> '' LIMIT 1`, number, number).Scan(&ts, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("annulment: %w", err)
	}
	if at, err = time.Parse(time.RFC3339Nano, ts); err != nil {
		return time.Time{}, "", false, fmt.Errorf("annulment: %w", err)
	}
	return at, reason, true, nil
}

func errMalformedCertificate() error {
	return fault.New(fault.Invalid, "The sync data holds a malformed certificate", nil)
}

// deskKeys are the keys the server took from the desk deskID: the one it
// enrolled with and those it rotated to (a revoked desk pushes nothing).
func deskKeys(ctx context.Context, q querier, deskID, deskCode string) (certificate.Keys, error) {
	rows, err := q.QueryContext(ctx, `SELECT k.key_id, k.public_key FROM desk_key k JOIN sync_desk_key t ON t.key_id = k.key_id
WHERE t.desk_id = ? AND k.revoked_at IS NULL`, deskID)
	if err != nil {
		return nil, fmt.Errorf("desk keys: %w", err)
	}
	defer rows.Close()
	keys := certificate.Keys{}
	for rows.Next() {
		var id string
		var pub []byte
		if err := rows.Scan(&id, &pub); err != nil {
			return nil, fmt.Errorf("desk keys: %w", err)
		}
		keys[id] = certificate.TrustedKey{PublicKey: ed25519.PublicKey(pub), DeskCode: deskCode}
	}
	return keys, rows.Err()
}

// serverKeysSQL reads the keys the server took from its desks, and its own.
const serverKeysSQL = `SELECT key_id, public_key, desk_code, coalesce(revoked_at, '') FROM desk_key
WHERE private_key IS NOT NULL OR key_id IN (SELECT key_id FROM sync_desk_key)`

// VerifySeal is the server's verification of a seal: the signature with
// a key the server trusts, the number of that key's desk, the key not
// revoked (certificate.Verify), and the certificate in the register exactly
// as sealed. A seal the register does not know, or knows with other data,
// is not valid.
func (s *Store) VerifySeal(ctx context.Context, text string) (certificate.Seal, error) {
	keys, err := s.trustedKeys(ctx, serverKeysSQL)
	if err != nil {
		return certificate.Seal{}, err
	}
	seal, err := certificate.Verify(text, keys)
	if err != nil {
		return seal, err
	}
	canonical, _ := seal.Text()
	var held string
	err = s.r.QueryRowContext(ctx, `SELECT seal FROM sync_certificate WHERE number = ?`, seal.Number).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		// A certificate the server issued itself is in its own register.
		err = s.r.QueryRowContext(ctx, `SELECT seal FROM certificate WHERE number = ?`, seal.Number).Scan(&held)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return seal, fault.New(fault.Invalid, "The seal is not valid: certificate {{.Number}} is not in the register", map[string]any{"Number": seal.Number})
	case err != nil:
		return seal, fmt.Errorf("verify: %w", err)
	case held != canonical:
		return seal, fault.New(fault.Invalid, "The seal is not valid: the register holds other data for certificate {{.Number}}", map[string]any{"Number": seal.Number})
	}
	return seal, nil
}
