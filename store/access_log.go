package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// LogAccess records that operator opened the record of person personID for
// purpose. It is written at once, outside any edit: a view is logged even if
// nothing follows.
func (s *Store) LogAccess(ctx context.Context, operator string, personID int64, purpose access.Purpose) error {
	if !purpose.Valid() {
		return fault.New(fault.Invalid, "Choose the purpose of the access", nil)
	}
	if s.w == nil {
		return fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if strings.TrimSpace(operator) == "" {
		return fault.New(fault.Invalid, "The operator is required", nil)
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var uid string
	err = tx.QueryRowContext(ctx, `SELECT uid FROM person WHERE id = ?`, personID).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.NotFound, "The person was not found", nil)
	}
	if err != nil {
		return fmt.Errorf("log access: %w", err)
	}
	// The view reaches the server with sync (access_sync.go).
	if err := s.logView(ctx, tx, operator, opViewPerson, uid, string(purpose)); err != nil {
		return err
	}
	if err := s.accessStep(ctx, tx, operator, uid, purpose); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("log access: %w", err)
	}
	return nil
}

// logBounds gives the filter's time range and limit as query arguments.
func logBounds(f access.LogFilter) (from, to string, limit int) {
	from, to = "", "9999"
	if !f.From.IsZero() {
		from = timestamp(f.From)
	}
	if !f.To.IsZero() {
		to = timestamp(f.To)
	}
	limit = f.Limit
	if limit <= 0 {
		limit = 1000
	}
	return from, to, limit
}

// AccessLog returns the record views that pass f, newest first.
func (s *Store) AccessLog(ctx context.Context, f access.LogFilter) ([]access.AccessEntry, error) {
	from, to, limit := logBounds(f)
	rows, err := s.r.QueryContext(ctx, `SELECT l.id, l.at, l.operator, l.person_uid, coalesce(p.surname || ' ' || p.name, ''), l.purpose
FROM access_log l LEFT JOIN person p ON p.uid = l.person_uid
WHERE l.at >= ? AND l.at < ? AND (? = '' OR l.operator = ?) AND (? = '' OR l.person_uid = ?)
ORDER BY l.id DESC LIMIT ?`, from, to, f.Operator, f.Operator, f.Subject, f.Subject, limit)
	if err != nil {
		return nil, fmt.Errorf("read access log: %w", err)
	}
	defer rows.Close()
	var out []access.AccessEntry
	for rows.Next() {
		var e access.AccessEntry
		var purpose, at string
		if err := rows.Scan(&e.ID, &at, &e.Operator, &e.PersonUID, &e.PersonName, &purpose); err != nil {
			return nil, fmt.Errorf("read access log: %w", err)
		}
		e.Purpose = access.Purpose(purpose)
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read access log: %w", err)
	}
	return out, nil
}

// FindAudit returns the audit entries that pass f, newest first; Subject
// matches an entity UID or an action prefix ("person." ...).
func (s *Store) FindAudit(ctx context.Context, f access.LogFilter) ([]access.AuditLine, error) {
	from, to, limit := logBounds(f)
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, operator, action, entity, entity_uid, detail
FROM audit_log WHERE at >= ? AND at < ? AND (? = '' OR operator = ?)
AND (? = '' OR entity_uid = ? OR substr(action, 1, length(?)) = ?)
ORDER BY id DESC LIMIT ?`, from, to, f.Operator, f.Operator, f.Subject, f.Subject, f.Subject, f.Subject, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []access.AuditLine
	for rows.Next() {
		var e access.AuditLine
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Operator, &e.Action, &e.Entity, &e.EntityUID, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

var _ access.Logs = (*Store)(nil)

// LockoutAuth logs clerks in as the store's Login does, and locks a
// username for access.LockoutDuration after access.MaxFailedLogins wrong
// passwords in a row; a right password resets the count. The lock is in
// the database, so restarting the desk does not lift it.
type LockoutAuth struct{ s *Store }

var _ access.Authenticator = LockoutAuth{}

// WithLockout is the store's Authenticator with the lockout rules.
func (s *Store) WithLockout() LockoutAuth { return LockoutAuth{s} }

// Login checks the lock, then the credentials.
func (a LockoutAuth) Login(ctx context.Context, username, password string) (access.User, error) {
	s := a.s
	name := strings.ToLower(strings.TrimSpace(username))
	now := s.now()
	var lockedUntil sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT locked_until FROM login_failure WHERE username = ?`, name).Scan(&lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return access.User{}, fmt.Errorf("login: %w", err)
	}
	if lockedUntil.Valid && lockedUntil.String > timestamp(now) {
		until, _ := time.Parse(time.RFC3339Nano, lockedUntil.String)
		return access.User{}, errLocked(until)
	}
	u, err := s.Login(ctx, username, password)
	if fault.Code(err) == fault.Forbidden {
		failures, lerr := a.failed(ctx, name, now)
		if lerr != nil {
			return access.User{}, lerr
		}
		if failures >= access.MaxFailedLogins {
			return u, errLocked(now.Add(access.LockoutDuration))
		}
		return u, attemptsLeft(err, failures)
	}
	if err != nil {
		return u, err
	}
	if s.w != nil {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM login_failure WHERE username = ?`, name); err != nil {
			return access.User{}, fmt.Errorf("login: %w", err)
		}
	}
	return u, nil
}

// errLocked says until when the account is locked.
func errLocked(until time.Time) error {
	return fault.New(fault.Forbidden, "Too many wrong passwords: the account is locked until {{.Time}}. Ask the administrator if you need it sooner",
		map[string]any{"Time": until.In(registry.Rome).Format("15:04")})
}

// attemptsLeft is the wrong-credentials error with the tries left before
// the lock (the count is per username typed, so it says nothing of whether
// the username exists).
func attemptsLeft(err error, failures int) error {
	switch left := access.MaxFailedLogins - failures; {
	case failures == 0 || left <= 0: // a read-only store counts nothing
		return err
	case left == 1:
		return fault.New(fault.Forbidden, "Wrong username or password: last try before the lock", nil)
	default:
		return fault.New(fault.Forbidden, "Wrong username or password: {{.Count}} tries left before the lock", map[string]any{"Count": left})
	}
}

// failed counts a wrong password and locks the username at the limit,
// with an audit entry; it returns the failures counted so far, 0 once
// locked.
func (a LockoutAuth) failed(ctx context.Context, name string, now time.Time) (int, error) {
	s := a.s
	if s.w == nil {
		return 0, nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("login: %w", err)
	}
	defer tx.Rollback()
	var failures int
	err = tx.QueryRowContext(ctx, `INSERT INTO login_failure(username, failures, locked_until) VALUES (?, 1, NULL)
ON CONFLICT(username) DO UPDATE SET failures = failures + 1 RETURNING failures`, name).Scan(&failures)
	if err != nil {
		return 0, fmt.Errorf("login: %w", err)
	}
	if failures >= access.MaxFailedLogins {
		if _, err := tx.ExecContext(ctx, `UPDATE login_failure SET failures = 0, locked_until = ? WHERE username = ?`,
			timestamp(now.Add(access.LockoutDuration)), name); err != nil {
			return 0, fmt.Errorf("login: %w", err)
		}
		if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: name, Action: "user.locked", Entity: "user", EntityUID: name,
			Detail: fmt.Sprintf(`{"failures":%d,"minutes":%d}`, failures, int(access.LockoutDuration/time.Minute))}); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("login: %w", err)
	}
	return failures, nil
}

// Users administration (the admin's screen), through the mutation path.

// userUID returns the uid and version of a user.
func userUID(ctx context.Context, tx *sql.Tx, username string) (string, int64, error) {
	var uid string
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT uid, version FROM users WHERE username = ?`, username).Scan(&uid, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fault.New(fault.NotFound, "The user {{.Username}} does not exist", map[string]any{"Username": username})
	}
	if err != nil {
		return "", 0, fmt.Errorf("user: %w", err)
	}
	return uid, version, nil
}

// SetRole gives username another role. An administrator cannot change
// their own role, so the desk always keeps one.
func (s *Store) SetRole(ctx context.Context, operator, username string, role access.Role) error {
	if !role.Valid() {
		return fault.New(fault.Invalid, "The role is not valid", nil)
	}
	if strings.EqualFold(operator, username) {
		return fault.New(fault.Forbidden, "You cannot change your own role", nil)
	}
	if err := s.ClerkChangesAllowed(ctx, operator); err != nil {
		return err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	uid, version, err := userUID(ctx, tx, username)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, version = version + 1 WHERE uid = ?`, string(role), uid); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	if err := s.logChange(ctx, tx, operator, change{
		Entity: "user", EntityUID: uid, Op: "set_role", BaseVersion: version,
		Payload: map[string]any{"uid": uid, "role": string(role), "version": version + 1},
		Action:  "user.set_role", Detail: fmt.Sprintf(`{"role":%q}`, role),
	}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	return nil
}

// SetPassword gives username a new password (the administrator's reset).
func (s *Store) SetPassword(ctx context.Context, operator, username, password string) error {
	if err := validateUser(access.User{Username: "x", FullName: "x", Role: access.Clerk}, password); err != nil {
		return err
	}
	if err := s.ClerkChangesAllowed(ctx, operator); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	uid, version, err := userUID(ctx, tx, username)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, version = version + 1 WHERE uid = ?`, string(hash), uid); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failure WHERE username = ?`, strings.ToLower(username)); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := s.logChange(ctx, tx, operator, change{
		Entity: "user", EntityUID: uid, Op: "set_password", BaseVersion: version,
		Payload: map[string]any{"uid": uid, "password_hash": string(hash), "version": version + 1},
		Action:  "user.set_password",
	}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// Unlock lifts the lock of username at once.
func (s *Store) Unlock(ctx context.Context, operator, username string) error {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	uid, _, err := userUID(ctx, tx, username)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failure WHERE username = ?`, strings.ToLower(username)); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(s.now()), Operator: operator, Action: "user.unlock", Entity: "user", EntityUID: uid}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	return nil
}

// LockedUsers returns the usernames locked now, with the end of their lock.
func (s *Store) LockedUsers(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT username, locked_until FROM login_failure WHERE locked_until > ?`, timestamp(s.now()))
	if err != nil {
		return nil, fmt.Errorf("read locks: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name, until string
		if err := rows.Scan(&name, &until); err != nil {
			return nil, fmt.Errorf("read locks: %w", err)
		}
		out[name], _ = time.Parse(time.RFC3339Nano, until)
	}
	return out, rows.Err()
}
