package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/access"
	"sportello/fault"
	"sportello/social"
)

// The desks' logs of record views travel to the server with sync, so the
// privacy officer reads one complete log there (sportellod access-log).
// Each view written to a desk's access_log or social_access_log is, in the
// same transaction, a mutation of entity "access_log": op "view" for a
// register record, "view_case" for a social case. The server appends it to
// its own log with the desk's code; a replay is the stored result again,
// so nothing is logged twice, and nothing ever changes or deletes an entry.

// Access-log mutations.
const (
	accessEntity = "access_log"
	opViewPerson = "view"
	opViewCase   = "view_case"
)

// accessView is an access-log mutation's payload.
type accessView struct {
	At      string `json:"at"`
	Subject string `json:"subject"` // the person's uid, or the case's
	Purpose string `json:"purpose"`
}

// logView writes a view to the desk's log and its mutation, within tx.
func (s *Store) logView(ctx context.Context, tx *sql.Tx, operator, op, subject, purpose string) error {
	at := timestamp(s.now())
	q := `INSERT INTO access_log(at, operator, person_uid, purpose) VALUES (?, ?, ?, ?)`
	if op == opViewCase {
		q = `INSERT INTO social_access_log(at, operator, case_uid, purpose) VALUES (?, ?, ?, ?)`
	}
	if _, err := tx.ExecContext(ctx, q, at, operator, subject, purpose); err != nil {
		return fmt.Errorf("log access: %w", err)
	}
	return s.logChange(ctx, tx, operator, change{Entity: accessEntity, EntityUID: newUID(), Op: op,
		Payload: accessView{At: at, Subject: subject, Purpose: purpose}, Action: "access." + op, NoDocs: true})
}

// logCaseView logs the view of a case, which must exist, with its purpose.
func (s *Store) logCaseView(ctx context.Context, operator, caseUID string, purpose social.Purpose) error {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM social_case WHERE uid = ?`, caseUID).Scan(&n); err != nil {
		return fmt.Errorf("case file: %w", err)
	}
	if n == 0 {
		return errCaseNotFound
	}
	if err := s.logView(ctx, tx, operator, opViewCase, caseUID, string(purpose)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("case file: %w", err)
	}
	return nil
}

// checkAccessView is the authorisation of an access-log mutation, before
// it is applied: a known op, a well-formed payload with a known purpose,
// an operator, and a case view only from a desk enabled for the social
// desk. The push's authorisation table calls it for entity "access_log".
func checkAccessView(ctx context.Context, tx *sql.Tx, m Mutation) (accessView, error) {
	var v accessView
	bad := fault.New(fault.Invalid, "The sync data holds a malformed record view", nil)
	if json.Unmarshal(m.Payload, &v) != nil || strings.TrimSpace(m.Operator) == "" || len(m.Operator) > 64 {
		return v, bad
	}
	if _, err := time.Parse(time.RFC3339Nano, v.At); err != nil {
		return v, bad
	}
	if _, err := ulid.ParseStrict(v.Subject); err != nil {
		return v, bad
	}
	switch m.Op {
	case opViewPerson:
		if !access.Purpose(v.Purpose).Valid() {
			return v, bad
		}
	case opViewCase:
		if !social.Purpose(v.Purpose).Valid() {
			return v, bad
		}
		if err := CheckSocialDesk(ctx, tx, m.DeskID, "social_access_log"); err != nil {
			return v, err
		}
	default:
		return v, bad
	}
	return v, nil
}

// applyAccessView appends a desk's record view to the server's log.
func applyAccessView(ctx context.Context, tx *sql.Tx, m Mutation) error {
	v, err := checkAccessView(ctx, tx, m)
	if err != nil {
		return err
	}
	var desk string
	if err := tx.QueryRowContext(ctx, `SELECT desk_code FROM sync_desk WHERE desk_id = ?`, m.DeskID).Scan(&desk); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	q := `INSERT INTO access_log(at, operator, person_uid, purpose, desk) VALUES (?, ?, ?, ?, ?)`
	if m.Op == opViewCase {
		q = `INSERT INTO social_access_log(at, operator, case_uid, purpose, desk) VALUES (?, ?, ?, ?, ?)`
	}
	if _, err := tx.ExecContext(ctx, q, v.At, m.Operator, v.Subject, v.Purpose, desk); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}

// ViewEntry is one record view in the complete log the privacy officer
// reads: where, who, whose record and why.
type ViewEntry struct {
	At       time.Time
	Desk     string // the desk's code; "" for a view made on this file
	Operator string
	Kind     string // "registry" or "social"
	CF       string // the person's codice fiscale, when known
	Name     string // the person's name, when known
	Case     string // the case number, for a social case
	Purpose  string
}

// ViewFilter narrows the complete log; zero fields match everything.
type ViewFilter struct {
	Operator string
	CF       string
	Desk     string
	From, To time.Time // To excluded
	Limit    int       // 0: 10000
}

// Views returns the record views of the register and of the social desk,
// from every desk, that pass f, newest first.
func (s *Store) Views(ctx context.Context, f ViewFilter) ([]ViewEntry, error) {
	from, to, _ := logBounds(access.LogFilter{From: f.From, To: f.To})
	limit := f.Limit
	if limit <= 0 {
		limit = 10000
	}
	cf := strings.ToUpper(strings.TrimSpace(f.CF))
	desk := strings.ToUpper(strings.TrimSpace(f.Desk))
	rows, err := s.r.QueryContext(ctx, `SELECT at, desk, operator, kind, cf, name, number, purpose FROM (
SELECT l.id, l.at, l.desk, l.operator, 'registry' AS kind, coalesce(p.cf, '') AS cf, coalesce(p.surname || ' ' || p.name, '') AS name,
  '' AS number, l.purpose
FROM access_log l LEFT JOIN person p ON p.uid = l.person_uid
UNION ALL
SELECT l.id, l.at, l.desk, l.operator, 'social', coalesce(p.cf, v.cf, ''), coalesce(c.person_name, ''), coalesce(c.number, ''), l.purpose
FROM social_access_log l LEFT JOIN social_case c ON c.uid = l.case_uid LEFT JOIN person p ON p.uid = c.person_uid
LEFT JOIN social_visitor v ON v.id = c.visitor_id)
WHERE at >= ? AND at < ? AND (? = '' OR operator = ?) AND (? = '' OR desk = ?) AND (? = '' OR cf = ?)
ORDER BY at DESC, kind, id DESC LIMIT ?`, from, to, f.Operator, f.Operator, desk, desk, cf, cf, limit)
	if err != nil {
		return nil, fmt.Errorf("read access log: %w", err)
	}
	defer rows.Close()
	var out []ViewEntry
	for rows.Next() {
		var e ViewEntry
		var at string
		if err := rows.Scan(&at, &e.Desk, &e.Operator, &e.Kind, &e.CF, &e.Name, &e.Case, &e.Purpose); err != nil {
			return nil, fmt.Errorf("read access log: %w", err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}
