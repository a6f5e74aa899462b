package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// change is one mutation a desk makes: what it touched, the payload sync
// sends, and how the audit log names it.
type change struct {
	Entity      string // person, user, meta ...
	EntityUID   string
	Op          string // create, update, set ...
	BaseVersion int64  // the version the change was made on; 0 for a create
	Payload     any    // marshalled to JSON; uids, never local row ids
	Action      string // audit action, e.g. person.create
	Detail      string // audit detail: ids and codes only, never personal data
}

// Mutation is one row of the outbox.
type Mutation struct {
	Seq         int64
	MutationID  string
	DeskID      string
	Operator    string
	Entity      string
	EntityUID   string
	Op          string
	BaseVersion int64
	Payload     json.RawMessage
	State       string // pending, sent, confirmed, rejected
	CreatedAt   string // UTC
	Error       string
}

// logChange is the write path every change takes: within the caller's
// transaction it appends the mutation to the outbox with the next gap-free
// sequence number and an entry to the audit log.
func (s *Store) logChange(ctx context.Context, tx *sql.Tx, operator string, c change) error {
	payload, err := json.Marshal(c.Payload)
	if err != nil {
		return fmt.Errorf("outbox payload: %w", err)
	}
	now := s.now()
	mutationID := newUID()
	if err := insertMutation(ctx, tx, Mutation{
		MutationID:  mutationID,
		DeskID:      s.deskID,
		Operator:    operator,
		Entity:      c.Entity,
		EntityUID:   c.EntityUID,
		Op:          c.Op,
		BaseVersion: c.BaseVersion,
		Payload:     payload,
		CreatedAt:   timestamp(now),
	}); err != nil {
		return err
	}
	return appendAudit(ctx, tx, AuditEntry{
		At:         timestamp(now),
		Operator:   operator,
		Action:     c.Action,
		Entity:     c.Entity,
		EntityUID:  c.EntityUID,
		MutationID: mutationID,
		Detail:     c.Detail,
	})
}

// The next seq is one past the highest: the writer is the only one and its
// transactions are immediate, so numbers are never skipped or repeated.
const insertMutationSQL = `INSERT INTO outbox(seq, mutation_id, desk_id, operator, entity, entity_uid, op, base_version, payload, state, created_at)
VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`

func insertMutation(ctx context.Context, tx *sql.Tx, m Mutation) error {
	_, err := tx.ExecContext(ctx, insertMutationSQL,
		m.MutationID, m.DeskID, m.Operator, m.Entity, m.EntityUID, m.Op, m.BaseVersion, string(m.Payload), m.CreatedAt)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Outbox returns the mutations with seq greater than after, in order, at
// most limit of them (all when limit <= 0).
func (s *Store) Outbox(ctx context.Context, after int64, limit int) ([]Mutation, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, mutation_id, desk_id, operator, entity, entity_uid, op, base_version, payload, state, created_at, error
FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Mutation
	for rows.Next() {
		var m Mutation
		var payload string
		if err := rows.Scan(&m.Seq, &m.MutationID, &m.DeskID, &m.Operator, &m.Entity, &m.EntityUID, &m.Op,
			&m.BaseVersion, &payload, &m.State, &m.CreatedAt, &m.Error); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		m.Payload = json.RawMessage(payload)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}
