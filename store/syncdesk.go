package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// The desk's side of sync: the outbox batches it pushes and what the
// server answered, the change pages it pulls, and the conflicts a clerk
// resolves.

// Meta keys of the desk's sync state.
const (
	metaSyncEpoch  = "sync_desk_epoch"  // the server epoch the desk last saw
	metaSyncCursor = "sync_cursor"      // the change-log seq applied so far
	metaSyncLast   = "sync_last_ok"     // UTC instant of the last complete sync
	metaSyncSince  = "sync_unreachable" // UTC instant the server stopped answering; '' when it answers
)

// SyncState is what the desk shows of its sync: the server's epoch and the
// cursor, what waits to be pushed, what the server refused, the conflicts
// to resolve, and since when the server does not answer.
type SyncState struct {
	Epoch        string
	Cursor       int64
	Pending      int
	Rejected     int
	Conflicts    int
	LastSync     time.Time // zero: never
	OfflineSince time.Time // zero: the last attempt reached the server
}

// SyncState reads the desk's sync state.
func (s *Store) SyncState(ctx context.Context) (SyncState, error) {
	var st SyncState
	var epoch, cursor, last, since sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT
 (SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?),
 (SELECT value FROM meta WHERE key = ?),
 (SELECT count(*) FROM outbox WHERE state = 'pending'), (SELECT count(*) FROM outbox WHERE state = 'rejected'),
 (SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL)`,
		metaSyncEpoch, metaSyncCursor, metaSyncLast, metaSyncSince).
		Scan(&epoch, &cursor, &last, &since, &st.Pending, &st.Rejected, &st.Conflicts)
	if err != nil {
		return st, fmt.Errorf("sync state: %w", err)
	}
	st.Epoch = epoch.String
	st.Cursor, _ = strconv.ParseInt(cursor.String, 10, 64)
	st.LastSync, _ = time.Parse(time.RFC3339Nano, last.String)
	st.OfflineSince, _ = time.Parse(time.RFC3339Nano, since.String)
	return st, nil
}

func setMeta(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, key, value string) error {
	if _, err := q.ExecContext(ctx, setMetaSQL, key, value); err != nil {
		return fmt.Errorf("sync state: %w", err)
	}
	return nil
}

// MarkReachable records the outcome of an attempt to reach the server: ok
// clears the offline mark and stamps the last sync; a failure stamps the
// first failure only, so the desk shows "offline since".
func (s *Store) MarkReachable(ctx context.Context, ok bool) error {
	if s.w == nil {
		return nil
	}
	now := timestamp(s.now())
	if ok {
		if err := setMeta(ctx, s.w, metaSyncLast, now); err != nil {
			return err
		}
		return setMeta(ctx, s.w, metaSyncSince, "")
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?)
ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value = ''`, metaSyncSince, now); err != nil {
		return fmt.Errorf("sync state: %w", err)
	}
	return nil
}

// PendingMutations returns at most limit mutations waiting to be pushed,
// in seq order.
func (s *Store) PendingMutations(ctx context.Context, limit int) ([]Mutation, error) {
	var first int64
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0) FROM outbox WHERE state = 'pending'`).Scan(&first)
	if err != nil || first == 0 {
		return nil, err
	}
	all, err := s.Outbox(ctx, first-1, limit)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if m.State != "pending" {
			break // a batch is contiguous
		}
		out = append(out, m)
	}
	return out, nil
}

// RecordPush stores what the server answered for pushed mutations: each
// becomes confirmed (applied, merged, or applied but for the conflicts it
// records) or rejected with the reason, never dropped.
func (s *Store) RecordPush(ctx context.Context, results []PushResult) error {
	tx, err := s.begin(ctx, "sync")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := timestamp(s.now())
	for _, r := range results {
		state, msg := "confirmed", ""
		if r.Status == PushRejected {
			state = "rejected"
			b, _ := json.Marshal(map[string]any{"message": r.Error, "args": r.ErrorArgs})
			msg = string(b)
		}
		result, _ := json.Marshal(r)
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, error = ?, result = ? WHERE mutation_id = ?`, state, msg, string(result), r.MutationID); err != nil {
			return fmt.Errorf("record push: %w", err)
		}
		for _, c := range r.Conflicts {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_conflict(mutation_id, entity, entity_uid, field, base, mine, theirs, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.MutationID, c.Entity, c.UID, c.Field, string(registry.CanonicalJSON(c.Base)),
				string(registry.CanonicalJSON(c.Mine)), string(registry.CanonicalJSON(c.Theirs)), now); err != nil {
				return fmt.Errorf("record push: %w", err)
			}
		}
	}
	return tx.Commit()
}

// RepushAfter marks every mutation after seq as waiting to be pushed again:
// the server holds up to seq (it said so after a gap, or it was restored).
func (s *Store) RepushAfter(ctx context.Context, seq int64) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE seq > ? AND state <> 'pending'`, seq); err != nil {
		return fmt.Errorf("repush: %w", err)
	}
	return nil
}

// SeeEpoch compares the server's epoch with the one the desk knew. A new
// epoch after another means the server was restored from a backup: every
// mutation is pushed again (the server recognises what it still has) and
// the register is pulled again from the start. It reports whether the
// epoch changed.
func (s *Store) SeeEpoch(ctx context.Context, epoch string) (bool, error) {
	known, err := s.Meta(ctx, metaSyncEpoch)
	if err != nil || known == epoch {
		return false, err
	}
	tx, err := s.begin(ctx, "sync")
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if known != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE state <> 'pending'`); err != nil {
			return false, fmt.Errorf("new epoch: %w", err)
		}
		if err := setMeta(ctx, tx, metaSyncCursor, "0"); err != nil {
			return false, err
		}
	}
	if err := setMeta(ctx, tx, metaSyncEpoch, epoch); err != nil {
		return false, err
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(s.now()), Operator: "sync", Action: "sync.epoch", Entity: "server", EntityUID: epoch,
		Detail: fmt.Sprintf(`{"previous":%q}`, known)}); err != nil {
		return false, err
	}
	return known != "", tx.Commit()
}

// ApplyChanges writes a pulled page and moves the cursor in one
// transaction. An entity with a mutation of this desk still waiting to be
// pushed keeps the desk's version: the server sends it again once it has
// applied the desk's change. It returns how many documents it wrote and
// how many it kept back.
func (s *Store) ApplyChanges(ctx context.Context, page ChangePage) (written, kept int, err error) {
	tx, err := s.begin(ctx, "sync")
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	var cursor string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '0')`, metaSyncCursor).Scan(&cursor); err != nil {
		return 0, 0, fmt.Errorf("apply changes: %w", err)
	}
	if c, _ := strconv.ParseInt(cursor, 10, 64); page.Cursor < c {
		return 0, 0, fault.New(fault.Conflict, "The server sent changes older than those already applied", nil)
	}
	var docs []Doc
	for _, d := range page.Docs {
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox_entity e JOIN outbox o ON o.seq = e.seq
WHERE e.entity = ? AND e.uid = ? AND o.state = 'pending'`, d.Entity, d.UID).Scan(&pending); err != nil {
			return 0, 0, fmt.Errorf("apply changes: %w", err)
		}
		if pending > 0 {
			kept++
			continue
		}
		docs = append(docs, d)
	}
	if err := writeDocs(ctx, tx, docs, timestamp(s.now())); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_touched`); err != nil {
		return 0, 0, fmt.Errorf("apply changes: %w", err)
	}
	if err := setMeta(ctx, tx, metaSyncCursor, strconv.FormatInt(page.Cursor, 10)); err != nil {
		return 0, 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("apply changes: %w", err)
	}
	return len(docs), kept, nil
}

// Conflict is a field changed two ways, as the desk shows it.
type Conflict struct {
	ID         int64
	MutationID string
	Entity     string
	EntityUID  string
	Field      string
	Base       json.RawMessage
	Mine       json.RawMessage
	Theirs     json.RawMessage
	CreatedAt  time.Time
}

// OpenConflicts lists the conflicts not yet resolved, oldest first.
func (s *Store) OpenConflicts(ctx context.Context) ([]Conflict, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, mutation_id, entity, entity_uid, field, base, mine, theirs, created_at
FROM sync_conflict WHERE resolved_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	defer rows.Close()
	var out []Conflict
	for rows.Next() {
		var c Conflict
		var base, mine, theirs, at string
		if err := rows.Scan(&c.ID, &c.MutationID, &c.Entity, &c.EntityUID, &c.Field, &base, &mine, &theirs, &at); err != nil {
			return nil, fmt.Errorf("conflicts: %w", err)
		}
		c.Base, c.Mine, c.Theirs = json.RawMessage(base), json.RawMessage(mine), json.RawMessage(theirs)
		c.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ResolveConflict settles conflict id with the value the clerk chose
// (keepMine: the desk's, else the server's): the entity's field is set to
// it locally, which is a mutation like any edit, pushed and merged at the
// server; the conflict is marked resolved in the same transaction.
func (s *Store) ResolveConflict(ctx context.Context, u access.User, id int64, keepMine bool) error {
	tx, err := s.beginEdit(ctx, u)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var c Conflict
	var mine, theirs string
	var resolved sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT mutation_id, entity, entity_uid, field, mine, theirs, resolved_at FROM sync_conflict WHERE id = ?`, id).
		Scan(&c.MutationID, &c.Entity, &c.EntityUID, &c.Field, &mine, &theirs, &resolved)
	if errors.Is(err, sql.ErrNoRows) || resolved.Valid {
		return fault.New(fault.NotFound, "The conflict was already resolved", nil)
	}
	if err != nil {
		return fmt.Errorf("resolve conflict: %w", err)
	}
	d, ok, err := readDoc(ctx, tx, DocKey{c.Entity, c.EntityUID})
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.NotFound, "The record of the conflict is no longer in the register", nil)
	}
	chosen, choice := theirs, "theirs"
	if keepMine {
		chosen, choice = mine, "mine"
	}
	// The resolution says: having seen the server's value, the field is to
	// be the chosen one.
	before := Doc{Entity: d.Entity, UID: d.UID, Version: d.Version, Fields: maps.Clone(d.Fields)}
	before.Fields[c.Field] = json.RawMessage(theirs)
	after := Doc{Entity: d.Entity, UID: d.UID, Version: d.Version, Fields: maps.Clone(d.Fields)}
	after.Fields[c.Field] = json.RawMessage(chosen)
	if !registry.SameJSON(d.Fields[c.Field], after.Fields[c.Field]) {
		after.Version++
		if err := writeDocs(ctx, tx, []Doc{after}, timestamp(s.now())); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?`,
		timestamp(s.now()), u.Username, choice, id); err != nil {
		return fmt.Errorf("resolve conflict: %w", err)
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: c.Entity, EntityUID: c.EntityUID, Op: "resolve_conflict", BaseVersion: d.Version,
		Docs:    &EditDocs{Before: []Doc{before}, After: []Doc{after}},
		Payload: map[string]any{"conflict_mutation": c.MutationID, "field": c.Field, "choice": choice},
		Action:  "sync.resolve_conflict",
		Detail:  fmt.Sprintf(`{"field":%q,"choice":%q}`, c.Field, choice),
	})
}

// RejectedMutations lists the changes of this desk the server refused,
// newest first; Error holds {"message": key, "args": {...}}.
func (s *Store) RejectedMutations(ctx context.Context) ([]Mutation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, entity, op, created_at, error FROM outbox WHERE state = 'rejected' ORDER BY seq DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("rejected changes: %w", err)
	}
	defer rows.Close()
	var out []Mutation
	for rows.Next() {
		var m Mutation
		if err := rows.Scan(&m.Seq, &m.Entity, &m.Op, &m.CreatedAt, &m.Error); err != nil {
			return nil, fmt.Errorf("rejected changes: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
