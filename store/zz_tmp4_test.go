package store

import (
	"database/sql"
	"os"
	"testing"
	"time"
)

func TestTmpIdx(t *testing.T) {
	if os.Getenv("TMPIDX") == "" {
		t.Skip()
	}
	db, err := sql.Open("sqlite3", "file:/tmp/tmp-load.db?_busy_timeout=5000&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"pragma cache_size=-1048576", "pragma temp_store=2", "pragma synchronous=off", "pragma threads=2"} {
		db.Exec(p)
	}
	var n int
	db.QueryRow("select count(*) from person").Scan(&n)
	for _, q := range []string{"create index x1 on person(birth_date)", "create index x3 on person(surname_key, name_key, birth_date)", "create index x4 on person(uid)"} {
		tx, _ := db.Begin()
		s := time.Now()
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", q, time.Since(s))
		tx.Rollback()
	}
}
