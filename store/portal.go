package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// The portal's side of the store: its keys, the sign-ins under way and the
// citizens' sessions (migration 11). The portal package decides what they
// mean (lifetimes, timeouts); the store keeps them.

// PortalKey is one of the portal's private keys, as a JWK in JSON.
type PortalKey struct {
	KID       string
	Use       string // "federation", "sig" or "enc"
	JWK       []byte
	CreatedAt time.Time
	RetiredAt time.Time // zero while in use
	ExpiresAt time.Time // zero while in use; a retired key is dropped after it
}

// PortalKeys returns the keys not yet expired, newest first.
func (s *Store) PortalKeys(ctx context.Context) ([]PortalKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kid, use, jwk, created_at, coalesce(retired_at, ''), coalesce(expires_at, '')
FROM portal_key WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC, kid`, timestamp(s.now()))
	if err != nil {
		return nil, fmt.Errorf("read portal keys: %w", err)
	}
	defer rows.Close()
	var out []PortalKey
	for rows.Next() {
		var k PortalKey
		var created, retired, expires string
		if err := rows.Scan(&k.KID, &k.Use, &k.JWK, &created, &retired, &expires); err != nil {
			return nil, fmt.Errorf("read portal keys: %w", err)
		}
		k.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		k.RetiredAt, _ = time.Parse(time.RFC3339Nano, retired)
		k.ExpiresAt, _ = time.Parse(time.RFC3339Nano, expires)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read portal keys: %w", err)
	}
	return out, nil
}

// AddPortalKeys stores fresh keys for the uses that have no key in use yet
// and ignores the others, so two starts racing on an empty table keep one
// key of each use. It reports whether it stored any.
func (s *Store) AddPortalKeys(ctx context.Context, fresh []PortalKey) (bool, error) {
	return s.portalKeys(ctx, fresh, false, 0)
}

// RotatePortalKeys puts fresh keys in use for their uses; the keys they
// replace are retired and stay published, and able to decrypt, for grace.
func (s *Store) RotatePortalKeys(ctx context.Context, fresh []PortalKey, grace time.Duration) error {
	_, err := s.portalKeys(ctx, fresh, true, grace)
	return err
}

func (s *Store) portalKeys(ctx context.Context, fresh []PortalKey, rotate bool, grace time.Duration) (bool, error) {
	if s.w == nil {
		return false, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store portal keys: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_key WHERE expires_at IS NOT NULL AND expires_at <= ?`, timestamp(now)); err != nil {
		return false, fmt.Errorf("store portal keys: %w", err)
	}
	added := false
	for _, k := range fresh {
		if rotate {
			if _, err := tx.ExecContext(ctx, `UPDATE portal_key SET retired_at = ?, expires_at = ? WHERE use = ? AND retired_at IS NULL`,
				timestamp(now), timestamp(now.Add(grace)), k.Use); err != nil {
				return false, fmt.Errorf("store portal keys: %w", err)
			}
		} else {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM portal_key WHERE use = ? AND retired_at IS NULL`, k.Use).Scan(&n); err != nil {
				return false, fmt.Errorf("store portal keys: %w", err)
			}
			if n > 0 {
				continue
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_key(kid, use, jwk, created_at) VALUES (?, ?, ?, ?)`,
			k.KID, k.Use, k.JWK, timestamp(now)); err != nil {
			return false, fmt.Errorf("store portal keys: %w", err)
		}
		added = true
	}
	return added, tx.Commit()
}

// PortalLogin is a sign-in under way: what the portal sent the provider and
// must find again in its answer.
type PortalLogin struct {
	StateHash   string // hash of the state sent to the provider
	BrowserHash string // hash of the cookie of the browser that started it
	Provider    string
	Nonce       string
	Verifier    string // the PKCE code verifier
	CreatedAt   time.Time
}

// AddPortalLogin records a sign-in under way and drops those older than
// maxAge.
func (s *Store) AddPortalLogin(ctx context.Context, l PortalLogin, maxAge time.Duration) error {
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("add portal login: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_login WHERE created_at < ?`, timestamp(now.Add(-maxAge))); err != nil {
		return fmt.Errorf("add portal login: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_login(state_hash, browser_hash, provider, nonce, verifier, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		l.StateHash, l.BrowserHash, l.Provider, l.Nonce, l.Verifier, timestamp(now)); err != nil {
		return fmt.Errorf("add portal login: %w", err)
	}
	return tx.Commit()
}

// errNoLogin is a state the portal did not send, sent already, or too old.
var errNoLogin = fault.New(fault.NotFound, "The sign-in has expired or was already used: please sign in again", nil)

// TakePortalLogin returns the sign-in with that state hash and removes it,
// so an answer is used once; one older than maxAge is not returned.
func (s *Store) TakePortalLogin(ctx context.Context, stateHash string, maxAge time.Duration) (PortalLogin, error) {
	if s.w == nil {
		return PortalLogin{}, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	var l PortalLogin
	var created string
	err := s.w.QueryRowContext(ctx, `DELETE FROM portal_login WHERE state_hash = ?
RETURNING state_hash, browser_hash, provider, nonce, verifier, created_at`, stateHash).Scan(
		&l.StateHash, &l.BrowserHash, &l.Provider, &l.Nonce, &l.Verifier, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return PortalLogin{}, errNoLogin
	}
	if err != nil {
		return PortalLogin{}, fmt.Errorf("take portal login: %w", err)
	}
	l.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	if s.now().Sub(l.CreatedAt) > maxAge {
		return PortalLogin{}, errNoLogin
	}
	return l, nil
}

// PortalSession is a citizen's session at the portal.
type PortalSession struct {
	IDHash    string // hash of the session cookie
	PersonUID string
	Provider  string
	CSRF      string // the token every form of the session carries
	CreatedAt time.Time
	SeenAt    time.Time
	EndedAt   time.Time // zero while open
	// The person as the register holds them now (read with the session;
	// PersonID 0 when the register no longer has them).
	PersonID      int64
	Surname, Name string
}

// NewPortalSession opens a session at ps.CreatedAt (now when zero): the
// portal's clock decides its timeouts.
func (s *Store) NewPortalSession(ctx context.Context, ps PortalSession) error {
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if ps.CreatedAt.IsZero() {
		ps.CreatedAt = s.now()
	}
	now := timestamp(ps.CreatedAt)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("new portal session: %w", err)
	}
	defer tx.Rollback()
	// Sessions unused for portalSessionKept go: an old cookie is refused
	// just the same, as unknown.
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_session WHERE seen_at < ?`, timestamp(ps.CreatedAt.Add(-portalSessionKept))); err != nil {
		return fmt.Errorf("new portal session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_session(id_hash, person_uid, provider, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ps.IDHash, ps.PersonUID, ps.Provider, ps.CSRF, now, now); err != nil {
		return fmt.Errorf("new portal session: %w", err)
	}
	return tx.Commit()
}

// portalSessionKept is how long a session row stays after its last use.
const portalSessionKept = 7 * 24 * time.Hour

// FindPortalSession returns the session with that cookie hash, ended or
// not, with its person as the register holds them; an unknown one is a
// fault.NotFound error.
func (s *Store) FindPortalSession(ctx context.Context, idHash string) (PortalSession, error) {
	var ps PortalSession
	var created, seen, ended string
	err := s.r.QueryRowContext(ctx, `SELECT s.id_hash, s.person_uid, s.provider, s.csrf, s.created_at, s.seen_at, coalesce(s.ended_at, ''),
coalesce(p.id, 0), coalesce(p.surname, ''), coalesce(p.name, '')
FROM portal_session s LEFT JOIN person p ON p.uid = s.person_uid WHERE s.id_hash = ?`, idHash).Scan(
		&ps.IDHash, &ps.PersonUID, &ps.Provider, &ps.CSRF, &created, &seen, &ended, &ps.PersonID, &ps.Surname, &ps.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return PortalSession{}, fault.New(fault.NotFound, "The session has ended: please sign in again", nil)
	}
	if err != nil {
		return PortalSession{}, fmt.Errorf("read portal session: %w", err)
	}
	ps.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	ps.SeenAt, _ = time.Parse(time.RFC3339Nano, seen)
	ps.EndedAt, _ = time.Parse(time.RFC3339Nano, ended)
	return ps, nil
}

// TouchPortalSession records that the open session was used at.
func (s *Store) TouchPortalSession(ctx context.Context, idHash string, at time.Time) error {
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE portal_session SET seen_at = ? WHERE id_hash = ? AND ended_at IS NULL`,
		timestamp(at), idHash); err != nil {
		return fmt.Errorf("touch portal session: %w", err)
	}
	return nil
}

// EndPortalSession ends a session: its cookie opens nothing any more.
func (s *Store) EndPortalSession(ctx context.Context, idHash string) error {
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE portal_session SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL`,
		timestamp(s.now()), idHash); err != nil {
		return fmt.Errorf("end portal session: %w", err)
	}
	return nil
}

// PersonByCF finds the person whose codice fiscale is exactly code (an
// identity provider's attribute is the code itself, never an omocode of
// it); none is a fault.NotFound error.
func (s *Store) PersonByCF(ctx context.Context, code string) (registry.Match, error) {
	var m registry.Match
	var status string
	err := s.r.QueryRowContext(ctx, `SELECT id, cf, surname, name, birth_date, status FROM person WHERE cf_base = ? AND cf = ? ORDER BY id LIMIT 1`,
		registry.OmocodeBase(code), code).Scan(&m.ID, &m.CF, &m.Surname, &m.Name, dateCol{&m.BirthDate}, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Match{}, fault.New(fault.NotFound, "The register of this municipality holds no person with your codice fiscale", nil)
	}
	if err != nil {
		return registry.Match{}, fmt.Errorf("find person by codice fiscale: %w", err)
	}
	m.Status = registry.Status(status)
	return m, nil
}

// PersonUID is the uid of the person with that id.
func (s *Store) PersonUID(ctx context.Context, personID int64) (string, error) {
	var uid string
	err := s.r.QueryRowContext(ctx, `SELECT uid FROM person WHERE id = ?`, personID).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.New(fault.NotFound, "The person was not found", nil)
	}
	if err != nil {
		return "", fmt.Errorf("read person uid: %w", err)
	}
	return uid, nil
}

// DemoCitizens lists up to n adult residents who live with their family,
// oldest records first: the people a demonstration signs in as.
func (s *Store) DemoCitizens(ctx context.Context, n int) ([]registry.Match, error) {
	adult := registry.DateOf(s.now().In(registry.Rome).AddDate(-18, 0, 0))
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.cf, p.surname, p.name, p.birth_date, p.status FROM person p
WHERE p.status = 'resident' AND p.birth_date <= ? AND p.family_id IS NOT NULL
AND (SELECT count(*) FROM person o WHERE o.family_id = p.family_id AND o.status = 'resident') > 1
ORDER BY p.id LIMIT ?`, isoDate(adult), n)
	if err != nil {
		return nil, fmt.Errorf("list demo citizens: %w", err)
	}
	defer rows.Close()
	var out []registry.Match
	for rows.Next() {
		var m registry.Match
		var status string
		if err := rows.Scan(&m.ID, &m.CF, &m.Surname, &m.Name, dateCol{&m.BirthDate}, &status); err != nil {
			return nil, fmt.Errorf("list demo citizens: %w", err)
		}
		m.Status = registry.Status(status)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list demo citizens: %w", err)
	}
	return out, nil
}

// OpenPortalSessions counts the sessions not ended (some may have timed
// out without a request since): for the operator, and the tests.
func (s *Store) OpenPortalSessions(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM portal_session WHERE ended_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count portal sessions: %w", err)
	}
	return n, nil
}

// AccessView is one view of a person's record, for LogAccesses.
type AccessView struct {
	Operator  string
	PersonUID string
	Purpose   access.Purpose
}

// Validate checks what the access log needs of a view.
func (v AccessView) Validate() error {
	if !v.Purpose.Valid() {
		return fault.New(fault.Invalid, "Choose the purpose of the access", nil)
	}
	if strings.TrimSpace(v.Operator) == "" || v.PersonUID == "" {
		return fault.New(fault.Invalid, "The operator is required", nil)
	}
	return nil
}

// LogAccesses writes views of records to the access log in one
// transaction: the portal gathers the views that arrive together, so a
// crowd of citizens costs one commit per batch, not one per page.
func (s *Store) LogAccesses(ctx context.Context, views []AccessView) error {
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	for _, v := range views {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("log accesses: %w", err)
	}
	defer tx.Rollback()
	at := timestamp(s.now())
	for _, v := range views {
		if _, err := tx.ExecContext(ctx, `INSERT INTO access_log(at, operator, person_uid, purpose) VALUES (?, ?, ?, ?)`,
			at, v.Operator, v.PersonUID, string(v.Purpose)); err != nil {
			return fmt.Errorf("log accesses: %w", err)
		}
	}
	return tx.Commit()
}
