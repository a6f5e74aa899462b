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
	// Docs, when set, are the registry documents the change carries in
	// place of those its writes touched (a conflict's resolution says
	// which value it saw).
	Docs *EditDocs
	// NoDocs says the change's writes touch no document (queue tickets):
	// the write path skips looking for them.
	NoDocs bool
}

// Mutation is one row of the outbox.
type Mutation struct {
	Seq         int64           `json:"seq"`
	MutationID  string          `json:"mutation_id"`
	DeskID      string          `json:"desk_id"`
	Operator    string          `json:"operator"`
	Entity      string          `json:"entity"`
	EntityUID   string          `json:"entity_uid"`
	Op          string          `json:"op"`
	BaseVersion int64           `json:"base_version"`
	Payload     json.RawMessage `json:"payload"`
	State       string          `json:"state,omitempty"` // pending, sent, confirmed, rejected
	CreatedAt   string          `json:"created_at"`      // UTC
	Error       string          `json:"error,omitempty"`
	Docs        json.RawMessage `json:"docs,omitempty"` // the registry documents it touched (EditDocs), nil when none
	// Auth is, for a change to the clerks, the server's signed proof that
	// it checked the operator's password at this desk (ServerLogin.Token).
	// It is not part of what the mutation says: a replay with another
	// proof is the same mutation.
	Auth string `json:"auth,omitempty"`
}

// logChange is the write path every change takes: within the caller's
// transaction it appends the mutation to the outbox with the next gap-free
// sequence number and an entry to the audit log.
func (s *Store) logChange(ctx context.Context, tx *sql.Tx, operator string, c change) error {
	payload, err := json.Marshal(c.Payload)
	if err != nil {
		return fmt.Errorf("outbox payload: %w", err)
	}
	var docs EditDocs
	var keys []DocKey
	if !c.NoDocs {
		if docs, keys, err = s.editDocs(ctx, tx); err != nil {
			return err
		}
	}
	if c.Docs != nil {
		docs, keys = *c.Docs, nil
		for _, d := range docs.After {
			keys = append(keys, d.key())
		}
	}
	var docsJSON json.RawMessage
	if len(keys) > 0 {
		if docsJSON, err = json.Marshal(docs); err != nil {
			return fmt.Errorf("outbox documents: %w", err)
		}
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
		Docs:        docsJSON,
		Auth:        s.clerkChangeAuth(c.Entity, operator),
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_entity(seq, entity, uid) SELECT seq, ?, ? FROM outbox WHERE mutation_id = ?`,
			k.Entity, k.UID, mutationID); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	if err := appendAudit(ctx, tx, AuditEntry{
		At:         timestamp(now),
		Operator:   operator,
		Action:     c.Action,
		Entity:     c.Entity,
		EntityUID:  c.EntityUID,
		MutationID: mutationID,
		Detail:     c.Detail,
	}); err != nil {
		return err
	}
	if kind, detail, person, ok := visitStepOf(c); ok {
		return s.addVisitStep(ctx, tx, operator, kind, detail, person) // the operator's visit, if one is open
	}
	return nil
}

// The next seq is one past the highest: the writer is the only one and its
// transactions are immediate, so numbers are never skipped or repeated.
const insertMutationSQL = `INSERT INTO outbox(seq, mutation_id, desk_id, operator, entity, entity_uid, op, base_version, payload, state, created_at, docs, auth)
VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`

func insertMutation(ctx context.Context, tx *sql.Tx, m Mutation) error {
	_, err := tx.ExecContext(ctx, insertMutationSQL,
		m.MutationID, m.DeskID, m.Operator, m.Entity, m.EntityUID, m.Op, m.BaseVersion, string(m.Payload), m.CreatedAt, string(m.Docs), m.Auth)
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
	rows, err := s.r.QueryContext(ctx, `SELECT seq, mutation_id, desk_id, operator, entity, entity_uid, op, base_version, payload, state, created_at, error, docs, auth
FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Mutation
	for rows.Next() {
		var m Mutation
		var payload, docs string
		if err := rows.Scan(&m.Seq, &m.MutationID, &m.DeskID, &m.Operator, &m.Entity, &m.EntityUID, &m.Op,
			&m.BaseVersion, &payload, &m.State, &m.CreatedAt, &m.Error, &docs, &m.Auth); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		m.Payload = json.RawMessage(payload)
		if docs != "" {
			m.Docs = json.RawMessage(docs)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}
