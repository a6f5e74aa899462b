package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"sportello/fault"
)

// The social desk's data reaches only the desks the server enabled for it
// (sportellod desk set D03 --social): the others' pulls and snapshots never
// carry it, their pushes of it are refused, and a desk that loses the
// setting drops what it held (DropSocial) when its status says so.

// isSocialEntity reports whether an entity or a table is the social desk's.
func isSocialEntity(entity string) bool { return strings.HasPrefix(entity, "social_") }

// SetDeskSocial enables (on) or disables the desk with code deskCode for
// the social desk. A desk enabled anew gets the social desk's records with
// its next pull: they are put in the change log again.
func (s *Store) SetDeskSocial(ctx context.Context, operator, deskCode string, on bool) error {
	deskCode = strings.ToUpper(strings.TrimSpace(deskCode))
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var was bool
	err = tx.QueryRowContext(ctx, `SELECT social FROM sync_desk WHERE desk_code = ?`, deskCode).Scan(&was)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.NotFound, "No desk is enrolled with the code {{.Code}}", map[string]any{"Code": deskCode})
	}
	if err != nil {
		return fmt.Errorf("desk setting: %w", err)
	}
	if was == on {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_desk SET social = ? WHERE desk_code = ?`, on, deskCode); err != nil {
		return fmt.Errorf("desk setting: %w", err)
	}
	now := s.now()
	if on {
		for _, t := range socialTables {
			// t.entity and t.table come from the constant descriptions.
			if _, err := tx.ExecContext(ctx, `INSERT INTO change_log(entity, entity_uid, at) SELECT ?, uid, ? FROM `+t.table+` ORDER BY id`,
				t.entity, timestamp(now)); err != nil {
				return fmt.Errorf("desk setting: %w", err)
			}
		}
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "desk.social", Entity: "desk", EntityUID: deskCode,
		Detail: fmt.Sprintf(`{"social":%t}`, on)}); err != nil {
		return err
	}
	return tx.Commit()
}

// DeskSocial reports whether the desk deskID is enabled for the social
// desk ("" is the server itself, which holds everything).
func (s *Store) DeskSocial(ctx context.Context, deskID string) (bool, error) {
	return deskSocial(ctx, s.r, deskID)
}

func deskSocial(ctx context.Context, q querier, deskID string) (bool, error) {
	if deskID == "" {
		return true, nil
	}
	var on bool
	err := q.QueryRowContext(ctx, `SELECT social FROM sync_desk WHERE desk_id = ?`, deskID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("desk setting: %w", err)
	}
	return on, nil
}

// CheckSocialDesk refuses a pushed document of the social desk from a desk
// not enabled for it: the push's authorisation calls it for every
// document a mutation writes.
func CheckSocialDesk(ctx context.Context, tx *sql.Tx, deskID, entity string) error {
	if !isSocialEntity(entity) {
		return nil
	}
	on, err := deskSocial(ctx, tx, deskID)
	if err != nil {
		return err
	}
	if !on {
		return fault.New(fault.Forbidden, "This desk is not enabled for the social desk: ask the administrator", nil)
	}
	return nil
}

// socialPurgeOrder lists the social desk's tables, children first. The
// case-view log stays: it is the record of who read what.
var socialPurgeOrder = []string{"social_household", "social_appointment", "social_referral", "social_note",
	"social_document", "social_consent", "social_case", "social_visitor"}

// DropSocial deletes, in one transaction, every social-desk record the desk
// holds, once the server said the desk is not enabled for the social desk.
// Records of changes not yet confirmed by the server wait for the answer
// (the server refuses them, and the desk shows why). dropped reports
// whether anything was deleted.
func (s *Store) DropSocial(ctx context.Context) (dropped bool, err error) {
	var held, pending int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM social_case) + (SELECT count(*) FROM social_visitor),
(SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent') AND substr(entity, 1, 7) = 'social_')`).Scan(&held, &pending); err != nil {
		return false, fmt.Errorf("drop social desk: %w", err)
	}
	if held == 0 || pending > 0 {
		return false, nil
	}
	tx, err := s.begin(ctx, "sportello")
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Notes are never deleted but here: the guard goes and comes back
	// within the transaction.
	var guard string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'social_note_no_delete'`).Scan(&guard); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("drop social desk: %w", err)
	}
	if guard != "" {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER social_note_no_delete`); err != nil {
			return false, fmt.Errorf("drop social desk: %w", err)
		}
	}
	for _, t := range socialPurgeOrder {
		// t is one of the constant table names above.
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return false, fmt.Errorf("drop social desk %s: %w", t, err)
		}
	}
	if guard != "" {
		if _, err := tx.ExecContext(ctx, guard); err != nil {
			return false, fmt.Errorf("drop social desk: %w", err)
		}
	}
	for _, q := range []string{`DELETE FROM sync_touched`, `DELETE FROM sync_conflict WHERE substr(entity, 1, 7) = 'social_'`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, fmt.Errorf("drop social desk: %w", err)
		}
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(s.now()), Operator: "sportello", Action: "social.dropped", Entity: "desk",
		EntityUID: s.deskCode}); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
