// Package store keeps Sportello's data in SQLite: the register, its search
// index, users, and the outbox and audit log that sync relies on.
//
// One writer connection runs immediate transactions; a pool of read-only
// connections serves searches and record views. Every change goes through
// one write path that records it in the outbox and the audit log in the same
// transaction as its effect.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/oklog/ulid/v2"

	"sportello/fault"
	"sportello/registry"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// applicationID marks a SQLite file as Sportello's ('SPRT'); set by 0001_init.sql.
const applicationID = 1397772884

// Meta keys the store itself writes.
const (
	MetaDeskID    = "desk_id"    // ULID made when the file is created
	MetaDeskCode  = "desk_code"  // short code of the desk, from Options.DeskCode
	MetaCreatedAt = "created_at" // UTC instant the file was created
)

// Options says how to open a store.
type Options struct {
	DeskCode string // short code of this desk, e.g. "D01"; stored in meta at first open
	Create   bool   // create the file if missing; when false a missing file is a fault.NotFound error
	ReadOnly bool   // open for reading only (a read-only file still opens for search)
}

// Store is a Sportello database file.
type Store struct {
	path     string
	file     string  // path made absolute, for connections opened later
	w        *sql.DB // the one writer connection; nil when read-only
	r        *sql.DB // read-only pool
	deskID   string
	deskCode string
	now      func() time.Time // UTC clock, replaced by tests
	logins   serverLogins     // the server logins of its clerks (store/syncauth.go)
}

// Open opens the database file at path, creating it when opt.Create allows,
// and brings its schema up to date.
func Open(path string, opt Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !opt.Create || opt.ReadOnly {
			return nil, fault.New(fault.NotFound, "The database file {{.Path}} does not exist", map[string]any{"Path": path})
		}
	case err != nil:
		return nil, fmt.Errorf("open store: %w", err)
	case info.IsDir():
		return nil, fault.New(fault.Invalid, "The file {{.Path}} is not a Sportello database", map[string]any{"Path": path})
	}

	s := &Store{path: path, file: abs, now: func() time.Time { return time.Now().UTC() }}
	if err := s.open(abs, opt, err == nil); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open checks an existing file with a read-only connection before anything
// writes to it (even switching it to WAL is a write), then opens the writer
// and brings the schema up to date.
func (s *Store) open(path string, opt Options, exists bool) error {
	ctx := context.Background()
	if exists {
		if err := s.openReaders(path, opt.ReadOnly); err != nil {
			return err
		}
		if err := s.checkFile(ctx, !opt.ReadOnly); err != nil {
			return err
		}
	}
	if !opt.ReadOnly {
		if err := s.openWriter(path, opt.Create); err != nil {
			return err
		}
		if err := s.migrate(ctx, opt.DeskCode); err != nil {
			return s.openError(err)
		}
		if s.r == nil {
			if err := s.openReaders(path, false); err != nil {
				return err
			}
		}
	}
	if err := s.loadIdentity(ctx, opt.DeskCode); err != nil {
		return err
	}
	if opt.ReadOnly {
		return nil
	}
	return s.resumeAfterRestore(ctx)
}

// Close closes the connections.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path is the file the store was opened on, as given to Open.
func (s *Store) Path() string { return s.path }

// DeskID is this desk's identity (a ULID), the desk_id of its mutations.
func (s *Store) DeskID() string { return s.deskID }

// DeskCode is the short code of this desk, "" if none was set.
func (s *Store) DeskCode() string { return s.deskCode }

// dsn builds the URI for a connection; pragmas go in the order the style
// asks (busy_timeout first).
func dsn(path string, params [][2]string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	var q strings.Builder
	for i, p := range params {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(p[0] + "=" + url.QueryEscape(p[1]))
	}
	return u.String() + "?" + q.String()
}

// Connection settings. database/sql never shares a connection between
// goroutines, so SQLite's per-connection mutex (_mutex=no) is not needed.
const (
	busyTimeout   = "5000"
	stmtCacheSize = "48"
)

func (s *Store) openWriter(path string, create bool) error {
	mode := "rw"
	if create {
		mode = "rwc"
	}
	w, err := sql.Open("sqlite3", dsn(path, [][2]string{
		{"_busy_timeout", busyTimeout},
		{"_mutex", "no"},
		{"_journal_mode", "WAL"},
		{"_foreign_keys", "on"},
		{"_synchronous", "FULL"},
		{"_txlock", "immediate"},
		{"_stmt_cache_size", stmtCacheSize},
		{"mode", mode},
	}))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	return nil
}

// openReaders opens the read-only pool and checks that it can read the
// file. A file in WAL mode that cannot get its shared-memory file (a
// read-only copy in a folder we may not write) is read as immutable when
// readOnly allows it.
func (s *Store) openReaders(path string, readOnly bool) error {
	err := s.openPool(path, false)
	if err != nil && readOnly && !isNotADB(err) {
		s.r.Close()
		err = s.openPool(path, true)
	}
	if err != nil {
		return s.openError(err)
	}
	return nil
}

func (s *Store) openPool(path string, immutable bool) error {
	params := [][2]string{
		{"_busy_timeout", busyTimeout},
		{"_mutex", "no"},
		{"_foreign_keys", "on"},
		{"_query_only", "on"},
		{"_stmt_cache_size", stmtCacheSize},
		{"mode", "ro"},
	}
	if immutable {
		params = append(params, [2]string{"immutable", "1"})
	}
	r := sql.OpenDB(readerConnector{dsn(path, params)})
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	s.r = r
	var v int
	return r.QueryRow("PRAGMA user_version").Scan(&v)
}

// readerMmap is how much of the file readers map into memory: a search
// reads a few dozen rows from pages all over the file, and a mapped page
// costs no system call (SQLite caps it at its own maximum).
const readerMmap = 1 << 31

// readerConnector opens reader connections with memory-mapped I/O on.
type readerConnector struct{ dsn string }

var readerDriver = &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
	_, err := c.Exec("PRAGMA mmap_size = "+strconv.Itoa(readerMmap), nil)
	return err
}}

func (c readerConnector) Connect(context.Context) (driver.Conn, error) {
	return readerDriver.Open(c.dsn)
}
func (c readerConnector) Driver() driver.Driver { return readerDriver }

func isNotADB(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt)
}

// openError turns a driver error met while opening into a message the
// administrator can act on.
func (s *Store) openError(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			return fault.New(fault.Invalid, "The file {{.Path}} is not a Sportello database", map[string]any{"Path": s.path})
		case sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrReadonly:
			return fault.New(fault.Forbidden, "The database file {{.Path}} cannot be opened: check its permissions", map[string]any{"Path": s.path})
		}
	}
	if fault.Code(err) != fault.Internal {
		return err
	}
	return fmt.Errorf("open store: %w", err)
}

// migrations returns the embedded migrations in order; migration i+1 is in
// the file whose name starts with its zero-padded number.
func migrations() ([]string, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []string
	for i, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if n, err := strconv.Atoi(num); !ok || err != nil || n != i+1 {
			return nil, fmt.Errorf("migration %s out of sequence", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// SchemaVersion is the user_version a database has once every embedded
// migration is applied.
func SchemaVersion() int {
	m, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the build
	}
	return len(m)
}

// versionInfo reads user_version and application_id, and whether the file
// holds any table at all.
func versionInfo(ctx context.Context, q querier) (version, appID int, empty bool, err error) {
	if err = q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return
	}
	if err = q.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return
	}
	var n int
	err = q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n)
	return version, appID, n == 0, err
}

// checkFile refuses a file that is not Sportello's or whose schema this
// build cannot use; forWrite accepts an empty file or an older schema, which
// migrate then brings up to date.
func (s *Store) checkFile(ctx context.Context, forWrite bool) error {
	version, appID, empty, err := versionInfo(ctx, s.r)
	if err != nil {
		return s.openError(err)
	}
	args := map[string]any{"Path": s.path}
	switch {
	case version == 0 && empty && forWrite:
		return nil
	case version == 0 && empty:
		return fault.New(fault.Conflict, "The database file {{.Path}} is empty: open it once for writing to set it up", args)
	case appID != applicationID:
		return fault.New(fault.Invalid, "The file {{.Path}} is not a Sportello database", args)
	case version > SchemaVersion():
		return fault.New(fault.Conflict, "The database file {{.Path}} was made by a newer version of Sportello", args)
	case version < SchemaVersion() && !forWrite:
		return fault.New(fault.Conflict, "The database file {{.Path}} needs an upgrade: open it once for writing", args)
	}
	return nil
}

// migrate applies the missing migrations, each in one transaction; the
// first one also fills the municipality dataset and the desk identity.
func (s *Store) migrate(ctx context.Context, deskCode string) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	version, appID, empty, err := versionInfo(ctx, s.w)
	if err != nil {
		return err
	}
	if !(version == 0 && empty) && (appID != applicationID || version > len(all)) {
		return fault.New(fault.Invalid, "The file {{.Path}} is not a Sportello database", map[string]any{"Path": s.path})
	}
	for v := version; v < len(all); v++ {
		if err := s.applyMigration(ctx, v+1, all[v], deskCode); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, text, deskCode string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, text); err != nil {
		return err
	}
	if version == 1 {
		if err := fillPlaces(ctx, tx); err != nil {
			return err
		}
		if err := initIdentity(ctx, tx, deskCode, s.now()); err != nil {
			return err
		}
	}
	// PRAGMA takes no arguments: the version is a number we control.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(version)); err != nil {
		return err
	}
	return tx.Commit()
}

// fillPlaces copies the registry's municipality and foreign-state lists.
func fillPlaces(ctx context.Context, tx *sql.Tx) error {
	muni, err := tx.PrepareContext(ctx, `INSERT INTO municipality(code, name, province, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer muni.Close()
	for _, p := range registry.Municipalities() {
		if _, err := muni.ExecContext(ctx, p.Code, p.Name, p.Province, dateArg(p.From), dateArg(p.To)); err != nil {
			return err
		}
	}
	state, err := tx.PrepareContext(ctx, `INSERT INTO foreign_state(code, name, valid_from, valid_to) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer state.Close()
	for _, p := range registry.ForeignStates() {
		if _, err := state.ExecContext(ctx, p.Code, p.Name, dateArg(p.From), dateArg(p.To)); err != nil {
			return err
		}
	}
	return nil
}

const setMetaSQL = `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`

func initIdentity(ctx context.Context, tx *sql.Tx, deskCode string, now time.Time) error {
	for _, kv := range [][2]string{
		{MetaDeskID, newUID()},
		{MetaDeskCode, deskCode},
		{MetaCreatedAt, timestamp(now)},
	} {
		if _, err := tx.ExecContext(ctx, setMetaSQL, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// loadIdentity reads the desk identity; a desk code given now for a file
// that has none is stored, one that differs from the stored one is refused.
func (s *Store) loadIdentity(ctx context.Context, deskCode string) error {
	id, err := s.Meta(ctx, MetaDeskID)
	if err != nil {
		return err
	}
	code, err := s.Meta(ctx, MetaDeskCode)
	if err != nil {
		return err
	}
	if loading, err := s.Meta(ctx, metaLoading); err != nil || loading != "" {
		if err == nil {
			err = fault.New(fault.Conflict, "The database file {{.Path}} holds a load that did not finish: delete it and load again", map[string]any{"Path": s.path})
		}
		return err
	}
	if deskCode != "" && code != deskCode {
		if code != "" {
			return fault.New(fault.Conflict, "The database file belongs to desk {{.Stored}}, not to desk {{.Configured}}", map[string]any{"Stored": code, "Configured": deskCode})
		}
		if s.w != nil {
			if _, err := s.w.ExecContext(ctx, setMetaSQL, MetaDeskCode, deskCode); err != nil {
				return fmt.Errorf("store desk code: %w", err)
			}
			code = deskCode
		}
	}
	s.deskID, s.deskCode = id, code
	return nil
}

// Meta returns the value stored under key, "" if unset.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read meta: %w", err)
	}
	return v, nil
}

// SetMeta stores a value under key through the mutation path.
func (s *Store) SetMeta(ctx context.Context, operator, key, value string) error {
	if key == "" {
		return fault.New(fault.Invalid, "The setting name is required", nil)
	}
	if key == MetaDeskID || key == MetaCreatedAt {
		return fault.New(fault.Forbidden, "The desk identity cannot be changed", nil)
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, setMetaSQL, key, value); err != nil {
		return fmt.Errorf("set meta: %w", err)
	}
	c := change{
		Entity: "meta", EntityUID: key, Op: "set",
		Payload: map[string]string{"key": key, "value": value},
		Action:  "meta.set",
	}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set meta: %w", err)
	}
	if key == MetaDeskCode {
		s.deskCode = value
	}
	return nil
}

// begin starts a write transaction for operator.
func (s *Store) begin(ctx context.Context, operator string) (*sql.Tx, error) {
	if s.w == nil {
		return nil, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if strings.TrimSpace(operator) == "" {
		return nil, fault.New(fault.Invalid, "The operator is required", nil)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return tx, nil
}

// querier is what both *sql.DB and *sql.Tx offer for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// newUID makes a ULID for a new entity or mutation.
func newUID() string { return ulid.Make().String() }

// timestamp formats an instant the way every *_at column holds it: UTC,
// fixed width, so text order is time order.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// dateArg is the column value of a civil date: ISO text, NULL when unknown.
func dateArg(d registry.Date) any {
	if d.IsZero() {
		return nil
	}
	return isoDate(d)
}

// isoDate is d.String() without fmt, for the bulk load.
func isoDate(d registry.Date) string {
	if d.IsZero() || d.Year < 0 || d.Year > 9999 {
		return d.String()
	}
	m, day := int(d.Month), d.Day
	b := [10]byte{
		byte('0' + d.Year/1000), byte('0' + d.Year/100%10), byte('0' + d.Year/10%10), byte('0' + d.Year%10), '-',
		byte('0' + m/10%10), byte('0' + m%10), '-', byte('0' + day/10%10), byte('0' + day%10),
	}
	return string(b[:])
}

// dateCol scans a date column (ISO text or NULL).
type dateCol struct{ d *registry.Date }

func (c dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.d = registry.Date{}
		return nil
	case string:
		d, err := registry.ParseDate(v)
		*c.d = d
		return err
	case []byte:
		d, err := registry.ParseDate(string(v))
		*c.d = d
		return err
	}
	return fmt.Errorf("date column holds %T", src)
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}
