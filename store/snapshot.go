package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"sportello/fault"
)

// A snapshot is a SQLite file with the register as the server holds it at
// one change-log seq: a new desk downloads it (resumably), loads it in bulk
// and pulls the changes after its cursor.

// snapshotTables are the register's tables and the social desk's, copied
// as they are (row ids included, so references hold), in the order a load
// inserts them.
var snapshotTables = []string{"address", "family", "person", "citizenship", "residence", "civil_event",
	"identity_document", "electoral_registration", "convivenza", "family_member",
	"social_visitor", "social_case", "social_household", "social_consent", "social_document", "social_note",
	"social_referral", "social_appointment"}

// SnapshotInfo describes a snapshot file.
type SnapshotInfo struct {
	Name    string    `json:"name"`
	Epoch   string    `json:"epoch"`
	Cursor  int64     `json:"cursor"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	People  int       `json:"people"`
	Created time.Time `json:"created"`
}

// BuildSnapshot writes the register to a new file at path, as of one
// moment: it reads in one transaction of its own connection, so the server
// keeps taking pushes meanwhile.
func (s *Store) BuildSnapshot(ctx context.Context, path string) (SnapshotInfo, error) {
	return s.BuildSnapshotFor(ctx, path, true)
}

// BuildSnapshotFor is BuildSnapshot for a desk enabled for the social desk
// (social) or not: then the social desk's tables are there, empty.
func (s *Store) BuildSnapshotFor(ctx context.Context, path string, social bool) (SnapshotInfo, error) {
	info := SnapshotInfo{Name: filepath.Base(path), Created: s.now()}
	epoch, err := s.Epoch(ctx)
	if err != nil {
		return info, err
	}
	info.Epoch = epoch
	os.Remove(path)
	db, err := sql.Open("sqlite3", dsn(s.file, [][2]string{{"_busy_timeout", busyTimeout}, {"mode", "rw"}}))
	if err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS snap`, path); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE snap`)
	for _, p := range []string{`PRAGMA snap.journal_mode = OFF`, `PRAGMA snap.synchronous = OFF`, `PRAGMA snap.page_size = 8192`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return info, fmt.Errorf("snapshot: %w", err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM main.change_log`).Scan(&info.Cursor); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	for _, t := range snapshotTables {
		// t is one of the constant table names above.
		q := `CREATE TABLE snap.` + t + ` AS SELECT * FROM main.` + t
		if !social && isSocialEntity(t) {
			q += ` WHERE false`
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return info, fmt.Errorf("snapshot %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE snap.desk_key AS SELECT key_id, desk_code, public_key, created_at, revoked_at FROM main.desk_key`); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE snap.users AS SELECT uid, username, full_name, role, password_hash, version, created_at FROM main.users`); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE snap.snapshot(epoch TEXT, cursor INTEGER, schema INTEGER)`); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO snap.snapshot VALUES (?, ?, ?)`, epoch, info.Cursor, SchemaVersion()); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM snap.person`).Scan(&info.People); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `DETACH DATABASE snap`); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	info.Size, info.SHA256, err = FileSHA256(path)
	return info, err
}

// FileSHA256 returns the size and hex SHA-256 of a file.
func FileSHA256(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// LoadSnapshot fills an empty desk's register from a snapshot file and
// sets the sync cursor and epoch to the snapshot's, so the next pull asks
// for what came after. Like Load, it drops the indexes and triggers while
// it copies and builds them again at the end.
func (s *Store) LoadSnapshot(ctx context.Context, path string) (int, error) {
	if s.w == nil {
		return 0, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if _, err := os.Stat(path); err != nil {
		return 0, fault.New(fault.NotFound, "The database file {{.Path}} does not exist", map[string]any{"Path": path})
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM person`).Scan(&n); err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	if n > 0 {
		return 0, fault.New(fault.Conflict, "The database already holds a register", nil)
	}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS snap`, path); err != nil {
		return 0, fault.New(fault.Invalid, "The register file from the server is damaged: it will be downloaded again", nil)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE snap`)
	var epoch string
	var cursor int64
	var schema int
	if err := conn.QueryRowContext(ctx, `SELECT epoch, cursor, schema FROM snap.snapshot`).Scan(&epoch, &cursor, &schema); err != nil {
		return 0, fault.New(fault.Invalid, "The register file from the server is damaged: it will be downloaded again", nil)
	}
	if schema != SchemaVersion() {
		return 0, fault.New(fault.Conflict, "The server runs another version of Sportello: update the desk", nil)
	}
	restore, err := relaxPragmas(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	defer restore()
	defs, err := dropDeferred(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	defer tx.Rollback()
	for _, t := range snapshotTables {
		// t is one of the constant table names above.
		if _, err := tx.ExecContext(ctx, `INSERT INTO main.`+t+` SELECT * FROM snap.`+t); err != nil {
			return 0, fmt.Errorf("load snapshot %s: %w", t, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO main.desk_key(key_id, desk_code, public_key, private_key, created_at, revoked_at) SELECT key_id, desk_code, public_key, NULL, created_at, revoked_at FROM snap.desk_key WHERE true
 ON CONFLICT(key_id) DO UPDATE SET revoked_at = coalesce(revoked_at, excluded.revoked_at)`,
		// The server's clerks replace a desk's own of the same name.
		`DELETE FROM main.users WHERE username IN (SELECT username FROM snap.users) AND uid NOT IN (SELECT uid FROM snap.users)`,
		`INSERT OR REPLACE INTO main.users(uid, username, full_name, role, password_hash, version, created_at)
 SELECT uid, username, full_name, role, password_hash, version, created_at FROM snap.users`,
		`DELETE FROM sync_touched`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("load snapshot: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM main.person`).Scan(&n); err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	if err := setMeta(ctx, tx, metaSyncEpoch, epoch); err != nil {
		return 0, err
	}
	if err := setMeta(ctx, tx, metaSyncCursor, strconv.FormatInt(cursor, 10)); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `DETACH DATABASE snap`); err != nil {
		return 0, fmt.Errorf("load snapshot: %w", err)
	}
	if err := s.finishLoad(ctx, conn, defs, n); err != nil {
		return n, fmt.Errorf("load snapshot: %w", err)
	}
	return n, nil
}
