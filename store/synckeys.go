package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/certificate"
	"sportello/fault"
)

// The keys the server trusts. A desk's only trusted key is the one it
// enrolled with, or one it rotated to through the server with its current
// key; the administrator revokes a desk, which refuses its requests and
// makes the seals of its keys verify as revoked, at the server and, once
// they pull the keys, at every desk.

// Desks lists the desks the server knows, revoked ones too, by desk code.
func (s *Store) Desks(ctx context.Context) ([]EnrolledDesk, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT desk_id FROM sync_desk ORDER BY desk_code`)
	if err != nil {
		return nil, fmt.Errorf("desks: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("desks: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("desks: %w", err)
	}
	out := make([]EnrolledDesk, 0, len(ids))
	for _, id := range ids {
		d, err := s.desk(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// EnrolCode is a one-time enrolment code as the administrator lists it
// (the code itself is not kept).
type EnrolCode struct {
	DeskCode  string
	CreatedAt string
	ExpiresAt string
	UsedAt    string // "" while unused
	UsedBy    string // the desk id that used it
}

// EnrolCodes lists the enrolment codes made, newest first.
func (s *Store) EnrolCodes(ctx context.Context) ([]EnrolCode, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT desk_code, created_at, expires_at, coalesce(used_at, ''), coalesce(used_by, '') FROM sync_enrol_code ORDER BY created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("enrolment codes: %w", err)
	}
	defer rows.Close()
	var out []EnrolCode
	for rows.Next() {
		var c EnrolCode
		if err := rows.Scan(&c.DeskCode, &c.CreatedAt, &c.ExpiresAt, &c.UsedAt, &c.UsedBy); err != nil {
			return nil, fmt.Errorf("enrolment codes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeDesk revokes the desk enrolled as deskCode: its requests are
// refused from now on, its unused enrolment codes are void, and every key
// it had is marked revoked and goes to the desks again, so their seals
// verify as revoked everywhere. Revoking is final.
func (s *Store) RevokeDesk(ctx context.Context, operator, deskCode string) (EnrolledDesk, error) {
	deskCode = strings.ToUpper(strings.TrimSpace(deskCode))
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return EnrolledDesk{}, err
	}
	defer tx.Rollback()
	var deskID string
	var revoked sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT desk_id, revoked_at FROM sync_desk WHERE desk_code = ?`, deskCode).Scan(&deskID, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return EnrolledDesk{}, fault.New(fault.NotFound, "No desk is enrolled with the code {{.Code}}", map[string]any{"Code": deskCode})
	case err != nil:
		return EnrolledDesk{}, fmt.Errorf("revoke desk: %w", err)
	case revoked.Valid:
		return EnrolledDesk{}, errRevokedDesk(deskCode, revoked.String)
	}
	now := s.now()
	at := timestamp(now)
	for _, q := range []string{
		`UPDATE sync_desk SET revoked_at = ? WHERE desk_code = ?`,
		`UPDATE desk_key SET revoked_at = ? WHERE desk_code = ? AND revoked_at IS NULL`,
		`UPDATE sync_enrol_code SET expires_at = ? WHERE desk_code = ? AND used_at IS NULL AND expires_at > ?`,
	} {
		args := []any{at, deskCode}
		if strings.Contains(q, "expires_at >") {
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return EnrolledDesk{}, fmt.Errorf("revoke desk: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT key_id FROM desk_key WHERE desk_code = ?`, deskCode)
	if err != nil {
		return EnrolledDesk{}, fmt.Errorf("revoke desk: %w", err)
	}
	var keys []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return EnrolledDesk{}, fmt.Errorf("revoke desk: %w", err)
		}
		keys = append(keys, id)
	}
	rows.Close()
	for _, id := range keys {
		if err := logServerChange(ctx, tx, DocKey{docDeskKey, id}, now); err != nil {
			return EnrolledDesk{}, err
		}
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: at, Operator: operator, Action: "desk.revoke", Entity: "desk", EntityUID: deskID,
		Detail: fmt.Sprintf(`{"desk_code":%q,"keys":%d}`, deskCode, len(keys))}); err != nil {
		return EnrolledDesk{}, err
	}
	if err := tx.Commit(); err != nil {
		return EnrolledDesk{}, fmt.Errorf("revoke desk: %w", err)
	}
	return s.desk(ctx, deskID)
}

// RotationMessage is what a desk's new key signs to show the desk holds
// it: the desk, the key it replaces and the new public key.
func RotationMessage(deskID, oldKeyID string, newKey ed25519.PublicKey) []byte {
	return []byte("sportello-rotate-key\n" + deskID + "\n" + oldKeyID + "\n" + hex.EncodeToString(newKey))
}

// RotateKey replaces the key of the enrolled desk deskID, whose request
// the caller authenticated with its current key, by newKey; proof is
// newKey's signature of RotationMessage. The old key keeps verifying the
// seals it made; only newKey signs the desk's requests from now on. A
// rotation to the key the desk already has (a retry whose answer was
// lost) changes nothing.
func (s *Store) RotateKey(ctx context.Context, deskID string, newKey ed25519.PublicKey, proof []byte) (EnrolledDesk, error) {
	if len(newKey) != ed25519.PublicKeySize {
		return EnrolledDesk{}, fault.New(fault.Invalid, "The new key is not an Ed25519 public key", nil)
	}
	d, err := s.Desk(ctx, deskID)
	if err != nil {
		return d, err
	}
	newID := certificate.KeyID(newKey)
	if newID == d.KeyID {
		return d, nil
	}
	if !ed25519.Verify(newKey, RotationMessage(deskID, d.KeyID, newKey), proof) {
		return d, fault.New(fault.Invalid, "The new key did not sign the rotation: the desk must hold the key it rotates to", nil)
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	if err := keyIsNew(ctx, tx, newID, d.DeskCode); err != nil {
		return d, err
	}
	now := s.now()
	// Only from the key the desk holds now: a rotation racing another
	// changes nothing.
	res, err := tx.ExecContext(ctx, `UPDATE sync_desk SET key_id = ?, public_key = ? WHERE desk_id = ? AND key_id = ? AND revoked_at IS NULL`,
		newID, []byte(newKey), deskID, d.KeyID)
	if err != nil {
		return d, fmt.Errorf("rotate key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return d, fault.New(fault.Conflict, "The desk's key changed meanwhile: try again", nil)
	}
	if err := trustDeskKey(ctx, tx, deskID, d.DeskCode, newKey, now); err != nil {
		return d, err
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: "desk.rotate_key", Entity: "desk", EntityUID: deskID,
		Detail: fmt.Sprintf(`{"desk_code":%q,"old_key_id":%q,"key_id":%q}`, d.DeskCode, d.KeyID, newID)}); err != nil {
		return d, err
	}
	if err := tx.Commit(); err != nil {
		return d, fmt.Errorf("rotate key: %w", err)
	}
	return s.Desk(ctx, deskID)
}

// Receipt is what the server signs for an enrolled desk (with its own key,
// kept in its database and so in its backups): the desk, its code and the
// key it holds since a time. The desk keeps it; a server restored from a
// backup that does not know the desk, or knows an older key of it,
// recognises the desk from it (Recognise) instead of locking it out.
type Receipt struct {
	DeskID    string `json:"desk_id"`
	DeskCode  string `json:"desk_code"`
	PublicKey string `json:"public_key"` // hex
	Since     string `json:"since"`      // UTC timestamp: when the server took the key
	ServerKey string `json:"server_key"` // the signing key's id
	Signature string `json:"signature"`  // hex Ed25519
}

func (r Receipt) message() []byte {
	return []byte("sportello-enrolment\n" + r.DeskID + "\n" + r.DeskCode + "\n" + r.PublicKey + "\n" + r.Since)
}

// EnrolmentReceipt signs the receipt of an enrolled desk's current key.
func (s *Store) EnrolmentReceipt(ctx context.Context, d EnrolledDesk) (Receipt, error) {
	key, err := s.DeskKey(ctx)
	if err != nil {
		return Receipt{}, err
	}
	since := d.EnrolledAt
	err = s.r.QueryRowContext(ctx, `SELECT created_at FROM desk_key WHERE key_id = ?`, d.KeyID).Scan(&since)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, fmt.Errorf("enrolment receipt: %w", err)
	}
	r := Receipt{DeskID: d.DeskID, DeskCode: d.DeskCode, PublicKey: hex.EncodeToString(d.PublicKey), Since: since,
		ServerKey: certificate.KeyID(key.Public().(ed25519.PublicKey))}
	r.Signature = hex.EncodeToString(ed25519.Sign(key, r.message()))
	return r, nil
}

// Recognise enrols again, without a code, the desk a receipt of this
// server names: after a restore from a backup older than its enrolment
// (or its last key rotation) the desk keeps its id, key, seq and outbox
// and pushes again what the backup lost. The receipt must verify with
// this server's own key; the desk code must not be another desk's, nor
// the key another desk's or revoked. A desk the server knows with the
// same key is left as it is; one it knows with a key older than the
// receipt's takes the receipt's key.
func (s *Store) Recognise(ctx context.Context, r Receipt) (EnrolledDesk, error) {
	refused := fault.New(fault.Forbidden, "The enrolment receipt is not valid at this server: ask the administrator for an enrolment code", nil)
	key, err := s.ownKey(ctx, s.r)
	if err != nil {
		return EnrolledDesk{}, err
	}
	sig, err1 := hex.DecodeString(r.Signature)
	pub, err2 := hex.DecodeString(r.PublicKey)
	if key == nil || err1 != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || r.DeskID == "" || r.DeskCode == "" ||
		!ed25519.Verify(key.Public().(ed25519.PublicKey), r.message(), sig) {
		return EnrolledDesk{}, refused
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return EnrolledDesk{}, err
	}
	defer tx.Rollback()
	now := s.now()
	var heldKey, heldSince string
	err = tx.QueryRowContext(ctx, `SELECT d.key_id, k.created_at FROM sync_desk d JOIN desk_key k ON k.key_id = d.key_id
WHERE d.desk_id = ? AND d.desk_code = ? AND d.revoked_at IS NULL`, r.DeskID, r.DeskCode).Scan(&heldKey, &heldSince)
	switch {
	case err == nil && heldKey != certificate.KeyID(pub) && heldSince < r.Since:
		// The desk rotated its key after the backup.
		if err := keyIsNew(ctx, tx, certificate.KeyID(pub), r.DeskCode); err != nil {
			return EnrolledDesk{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync_desk SET key_id = ?, public_key = ? WHERE desk_id = ?`, certificate.KeyID(pub), pub, r.DeskID); err != nil {
			return EnrolledDesk{}, fmt.Errorf("recognise desk: %w", err)
		}
		if err := trustDeskKey(ctx, tx, r.DeskID, r.DeskCode, pub, now); err != nil {
			return EnrolledDesk{}, err
		}
		detail, _ := json.Marshal(map[string]string{"desk_code": r.DeskCode, "old_key_id": heldKey, "key_id": certificate.KeyID(pub)})
		if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: "desk.recognise_key", Entity: "desk",
			EntityUID: r.DeskID, Detail: string(detail)}); err != nil {
			return EnrolledDesk{}, err
		}
	case err == nil, errors.Is(err, sql.ErrNoRows):
		if err := s.enrolDesk(ctx, tx, r.DeskID, r.DeskCode, pub, now, "desk.recognise"); err != nil {
			return EnrolledDesk{}, err
		}
	default:
		return EnrolledDesk{}, fmt.Errorf("recognise desk: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return EnrolledDesk{}, fmt.Errorf("recognise desk: %w", err)
	}
	return s.Desk(ctx, r.DeskID)
}

// metaReceipt is, on a desk, the server's last receipt of its enrolment.
const metaReceipt = "sync_enrolment_receipt"

// KeepReceipt stores the server's receipt of this desk's enrolment, when
// it is not the one held already.
func (s *Store) KeepReceipt(ctx context.Context, r Receipt) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if held, err := s.Meta(ctx, metaReceipt); err != nil || held == string(b) {
		return err
	}
	if s.w == nil {
		return nil
	}
	return setMeta(ctx, s.w, metaReceipt, string(b))
}

// HeldReceipt returns the receipt the desk keeps; ok is false when it has
// none.
func (s *Store) HeldReceipt(ctx context.Context) (r Receipt, ok bool, err error) {
	v, err := s.Meta(ctx, metaReceipt)
	if err != nil || v == "" {
		return r, false, err
	}
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return r, false, fmt.Errorf("enrolment receipt: %w", err)
	}
	return r, true, nil
}

// metaNextKey is, on a desk, the seed (hex) of the key a rotation under
// way moves to: kept until the server has taken it, so a rotation whose
// answer was lost is finished, not started again.
const metaNextKey = "sync_next_key"

// NextKey returns the key this desk rotates to, making it the first time.
func (s *Store) NextKey(ctx context.Context) (ed25519.PrivateKey, error) {
	v, err := s.Meta(ctx, metaNextKey)
	if err != nil {
		return nil, err
	}
	if seed, err := hex.DecodeString(v); err == nil && len(seed) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(seed), nil
	}
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("next key: %w", err)
	}
	if s.w == nil {
		return nil, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if err := setMeta(ctx, s.w, metaNextKey, hex.EncodeToString(priv.Seed())); err != nil {
		return nil, err
	}
	return priv, nil
}

// UseNextKey makes the key NextKey returned this desk's signing key, once
// the server has taken it: the old key stays as a trusted public key, so
// the seals it made still verify here.
func (s *Store) UseNextKey(ctx context.Context, operator string) error {
	next, err := s.NextKey(ctx)
	if err != nil {
		return err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := s.ownKey(ctx, tx)
	if err != nil {
		return err
	}
	pub := next.Public().(ed25519.PublicKey)
	id := certificate.KeyID(pub)
	now := timestamp(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE desk_key SET private_key = NULL WHERE private_key IS NOT NULL AND desk_code <> ?`, certificate.OnlineDesk); err != nil {
		return fmt.Errorf("use next key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_key(key_id, desk_code, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(key_id) DO UPDATE SET private_key = excluded.private_key`, id, s.deskCode, []byte(pub), next.Seed(), now); err != nil {
		return fmt.Errorf("use next key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaNextKey); err != nil {
		return fmt.Errorf("use next key: %w", err)
	}
	oldID := ""
	if old != nil {
		oldID = certificate.KeyID(old.Public().(ed25519.PublicKey))
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: now, Operator: operator, Action: "desk_key.rotate", Entity: "desk_key", EntityUID: id,
		Detail: fmt.Sprintf(`{"old_key_id":%q,"key_id":%q}`, oldID, id)}); err != nil {
		return err
	}
	return tx.Commit()
}

// ParseTimestamp reads a UTC instant as the store writes it.
func ParseTimestamp(at string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, at)
}
