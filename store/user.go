package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"sportello/access"
	"sportello/fault"
)

// Password rules.
const (
	MinPasswordLength = 8  // characters
	maxPasswordBytes  = 72 // bcrypt reads no further
	maxUsernameLength = 64
)

var errWrongCredentials = fault.New(fault.Forbidden, "Wrong username or password", nil)

// passwordCost is the bcrypt cost of new password hashes (tests lower it:
// each hash at the default cost takes tens of milliseconds, seconds under
// the race detector).
var passwordCost = bcrypt.DefaultCost

// dummyHash is compared against when the username is unknown, so that a
// wrong username takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("sportello: no such user"), passwordCost)
	if err != nil {
		panic(err)
	}
	return h
})

// Login returns the user for a right username (any case) and password; a
// wrong username or password is the same fault.Forbidden error.
func (s *Store) Login(ctx context.Context, username, password string) (access.User, error) {
	var u access.User
	var role, hash string
	err := s.r.QueryRowContext(ctx, `SELECT id, username, full_name, role, password_hash FROM users WHERE username = ?`,
		strings.TrimSpace(username)).Scan(&u.ID, &u.Username, &u.FullName, &role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return access.User{}, errWrongCredentials
	}
	if err != nil {
		return access.User{}, fmt.Errorf("login: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return access.User{}, errWrongCredentials
	}
	u.Role = access.Role(role)
	return u, nil
}

// validateUser checks a new user and its password.
func validateUser(u access.User, password string) error {
	switch {
	case u.Username == "":
		return fault.New(fault.Invalid, "The username is required", nil)
	case utf8.RuneCountInString(u.Username) > maxUsernameLength || strings.IndexFunc(u.Username, unicode.IsSpace) >= 0:
		return fault.New(fault.Invalid, "The username must be one word of at most 64 characters", nil)
	case strings.TrimSpace(u.FullName) == "":
		return fault.New(fault.Invalid, "The full name is required", nil)
	case !u.Role.Valid():
		return fault.New(fault.Invalid, "The role is not valid", nil)
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return fault.New(fault.Invalid, "The password must be at least {{.Min}} characters long", map[string]any{"Min": MinPasswordLength})
	case len(password) > maxPasswordBytes:
		return fault.New(fault.Invalid, "The password is too long", nil)
	}
	return nil
}

// userPayload is a user as a mutation carries it. The password travels only
// as its bcrypt hash, so the server can let the clerk in at any desk.
type userPayload struct {
	UID          string `json:"uid"`
	Username     string `json:"username"`
	FullName     string `json:"full_name"`
	Role         string `json:"role"`
	PasswordHash string `json:"password_hash"`
	Version      int64  `json:"version"`
}

// CreateUser adds a clerk who can log in with password, through the
// mutation path (outbox and audit). A username already taken, in any case,
// is a fault.Conflict.
func (s *Store) CreateUser(ctx context.Context, operator string, u access.User, password string) (access.User, error) {
	u, hash, err := newUser(u, password)
	if err != nil {
		return access.User{}, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return access.User{}, err
	}
	defer tx.Rollback()
	uid := newUID()
	if u.ID, err = insertUser(ctx, tx, uid, u, string(hash), timestamp(s.now())); err != nil {
		return access.User{}, err
	}
	// A name already taken says so first (the demo's clerks, made again at
	// each start).
	if err := s.ClerkChangesAllowed(ctx, operator); err != nil {
		return access.User{}, err
	}
	c := change{
		Entity: "user", EntityUID: uid, Op: "create",
		Payload: userPayload{UID: uid, Username: u.Username, FullName: u.FullName, Role: string(u.Role), PasswordHash: string(hash), Version: 1},
		Action:  "user.create",
		Detail:  fmt.Sprintf(`{"role":%q}`, u.Role),
	}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return access.User{}, err
	}
	if err := tx.Commit(); err != nil {
		return access.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// newUser trims the user's names, checks them and the password, and hashes
// the password.
func newUser(u access.User, password string) (access.User, []byte, error) {
	u.Username = strings.TrimSpace(u.Username)
	u.FullName = strings.TrimSpace(u.FullName)
	if err := validateUser(u, password); err != nil {
		return access.User{}, nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return access.User{}, nil, fmt.Errorf("hash password: %w", err)
	}
	return u, hash, nil
}

// AddServerUser adds a clerk at the server (sportellod user add: the first
// clerk of a server, and any other an operator adds there): desks pull it
// with the change log, as they pull the register.
func (s *Store) AddServerUser(ctx context.Context, operator string, u access.User, password string) (access.User, error) {
	u, hash, err := newUser(u, password)
	if err != nil {
		return access.User{}, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return access.User{}, err
	}
	defer tx.Rollback()
	uid, now := newUID(), s.now()
	if u.ID, err = insertUser(ctx, tx, uid, u, string(hash), timestamp(now)); err != nil {
		return access.User{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_touched`); err != nil {
		return access.User{}, fmt.Errorf("add user: %w", err)
	}
	if err := logServerChange(ctx, tx, DocKey{docUser, uid}, now); err != nil {
		return access.User{}, err
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "user.create", Entity: docUser, EntityUID: uid,
		Detail: fmt.Sprintf(`{"role":%q}`, u.Role)}); err != nil {
		return access.User{}, err
	}
	if err := tx.Commit(); err != nil {
		return access.User{}, fmt.Errorf("add user: %w", err)
	}
	return u, nil
}

func insertUser(ctx context.Context, tx *sql.Tx, uid string, u access.User, hash, createdAt string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users(uid, username, full_name, role, password_hash, version, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)`,
		uid, u.Username, u.FullName, string(u.Role), hash, createdAt)
	if isUniqueViolation(err) {
		return 0, fault.New(fault.Conflict, "The username {{.Username}} is already taken", map[string]any{"Username": u.Username})
	}
	if err != nil {
		return 0, fmt.Errorf("create user: %w", err)
	}
	return res.LastInsertId()
}

// Users returns every user, by username.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, username, full_name, role FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	defer rows.Close()
	var out []access.User
	for rows.Next() {
		var u access.User
		var role string
		if err := rows.Scan(&u.ID, &u.Username, &u.FullName, &role); err != nil {
			return nil, fmt.Errorf("read users: %w", err)
		}
		u.Role = access.Role(role)
		out = append(out, u)
	}
	return out, rows.Err()
}
