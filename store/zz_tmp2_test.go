package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestTmpRaw(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TMPR"))
	if n == 0 {
		t.Skip()
	}
	path := filepath.Join(os.TempDir(), "tmp-raw.db")
	os.Remove(path); os.Remove(path + "-wal"); os.Remove(path + "-shm")
	s, err := Open(path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m := os.Getenv("TMPMUTEX"); m != "" {
		s.w.Close()
		s.w, _ = sql.Open("sqlite3", dsn(path, [][2]string{{"_busy_timeout", "5000"}, {"_journal_mode", "WAL"}, {"_mutex", "no"}, {"_txlock", "immediate"}}))
		s.w.SetMaxOpenConns(1)
	}
	ctx := context.Background()
	conn, _ := s.w.Conn(ctx)
	defer conn.Close()
	restore, _ := relaxPragmas(ctx, conn)
	defer restore()
	if jm := os.Getenv("TMPJM"); jm != "" {
		var got string
		conn.QueryRowContext(ctx, "PRAGMA journal_mode="+jm).Scan(&got)
		t.Logf("journal mode %s", got)
	}
	dropDeferred(ctx, conn)
	start := time.Now()
	err = conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, insertPersonSQL)
		if err != nil {
			return err
		}
		b := bulkStmt{st: st, q: st.(driver.StmtQueryContext)}
		tx, _ := dc.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
		for i := 1; i <= n; i++ {
			vals := []any{int64(i), "01ARZ3NDEKTSV4RRFFQ69G5FAV" + strconv.Itoa(i), "RSSMRA70E10A269O", "RSSMRA70E10A269O", false, "Rossi", "Mario", "rossi", "mario", "rossi", "mario", "M", "1970-05-10", "A269", "", int64(1), "resident", nil, int64(i/3 + 1), int64(1), int64(1), "2026-01-01T00:00:00.000000Z"}
			if err := b.run(vals); err != nil {
				return err
			}
			if i%50000 == 0 {
				tx.Commit()
				tx, _ = dc.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
			}
		}
		return tx.Commit()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in %v: %.2fus/row", n, time.Since(start), float64(time.Since(start).Microseconds())/float64(n))
}
