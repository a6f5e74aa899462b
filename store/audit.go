package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sportello/fault"
)

// AuditEntry is one line of the append-only audit log. Each entry's hash
// covers the previous entry's hash and its own fields, so changing, removing
// or inserting an entry breaks the chain after it.
type AuditEntry struct {
	ID         int64
	At         string // UTC
	Operator   string
	Action     string // person.create, user.create, meta.set, load ...
	Entity     string
	EntityUID  string
	MutationID string // the outbox mutation it records, "" for a bulk load
	Detail     string // ids and codes only, never personal data
	PrevHash   string
	Hash       string
}

// genesisHash is the prev_hash of the first entry.
var genesisHash = strings.Repeat("0", sha256.Size*2)

// entryHash is SHA-256 over the previous hash and the entry's fields,
// JSON-encoded so no two different entries read alike.
func entryHash(e AuditEntry) string {
	fields, _ := json.Marshal([]any{e.ID, e.At, e.Operator, e.Action, e.Entity, e.EntityUID, e.MutationID, e.Detail})
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(fields)
	return hex.EncodeToString(h.Sum(nil))
}

// appendAudit adds an entry at the end of the chain, within tx.
func appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	var lastID int64
	prev := genesisHash
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: %w", err)
	}
	e.ID, e.PrevHash = lastID+1, prev
	e.Hash = entryHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log(id, at, operator, action, entity, entity_uid, mutation_id, detail, prev_hash, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At, e.Operator, e.Action, e.Entity, e.EntityUID, e.MutationID, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

const selectAuditSQL = `SELECT id, at, operator, action, entity, entity_uid, mutation_id, detail, prev_hash, hash
FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`

// AuditLog returns the entries after the given id, in order, at most limit
// of them (all when limit <= 0).
func (s *Store) AuditLog(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	var out []AuditEntry
	err := s.eachAudit(ctx, after, limit, func(e AuditEntry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

func (s *Store) eachAudit(ctx context.Context, after int64, limit int, fn func(AuditEntry) error) error {
	rows, err := s.r.QueryContext(ctx, selectAuditSQL, after, limit)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Operator, &e.Action, &e.Entity, &e.EntityUID, &e.MutationID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	return nil
}

// VerifyAudit walks the whole audit log and checks that every entry links to
// the one before and that its hash matches its content. It returns the
// number of entries checked, or a fault.Conflict naming the first entry that
// does not hold.
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	n := 0
	prev := genesisHash
	err := s.eachAudit(ctx, 0, -1, func(e AuditEntry) error {
		n++
		if e.ID != int64(n) || e.PrevHash != prev || entryHash(e) != e.Hash {
			return fault.New(fault.Conflict, "The audit log has been altered at entry {{.ID}}", map[string]any{"ID": e.ID})
		}
		prev = e.Hash
		return nil
	})
	return n, err
}
