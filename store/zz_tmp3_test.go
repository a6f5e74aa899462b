package store

import (
	"context"
	"database/sql/driver"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTmpMulti(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TMPM"))
	if n == 0 {
		t.Skip()
	}
	per, _ := strconv.Atoi(os.Getenv("TMPPER"))
	path := filepath.Join(os.TempDir(), "tmp-multi.db")
	os.Remove(path); os.Remove(path + "-wal"); os.Remove(path + "-shm")
	s, err := Open(path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	conn, _ := s.w.Conn(ctx)
	defer conn.Close()
	restore, _ := relaxPragmas(ctx, conn)
	defer restore()
	dropDeferred(ctx, conn)
	q := "INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, ?, ?, 1)" + strings.Repeat(", (?, ?, ?, ?, ?, 1)", per-1)
	start := time.Now()
	err = conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		b := bulkStmt{st: st, q: st.(driver.StmtQueryContext)}
		tx, _ := dc.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
		vals := make([]any, 0, 5*per)
		for i := 1; i <= n; i++ {
			vals = append(vals, int64(i), int64(i/3+1), "2000-01-01", nil, int64(1))
			if len(vals) == cap(vals) {
				if err := b.run(vals); err != nil {
					return err
				}
				vals = vals[:0]
			}
		}
		return tx.Commit()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per %d: %d rows in %v: %.2fus/row", per, n, time.Since(start), float64(time.Since(start).Microseconds())/float64(n))
}
