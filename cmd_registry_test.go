package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditVerify(t *testing.T) {
	path := seededDB(t, 50)
	code, out, errOut := runCmd(t, "audit", "verify", "--db", path)
	if code != 0 || !strings.Contains(out, "integro") {
		t.Fatalf("intact log: exit %d, %q %q", code, out, errOut)
	}

	// Tamper with entry 1 behind the store's back.
	db, err := sql.Open("sqlite3", "file:"+filepath.ToSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET operator = 'mallory' WHERE id = 1`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, out, errOut = runCmd(t, "audit", "verify", "--db", path)
	if code != 1 || !strings.Contains(errOut, "alterato alla voce 1") {
		t.Fatalf("tampered log: exit %d, %q %q", code, out, errOut)
	}

	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify"}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	good := "family,relationship,surname,name,sex,birth_date,birth_place,cf,citizenship,civil_status,toponym,street,house_number,internal,postcode,resident_since\n" +
		"F1,1,Caccamo,Fabio,M,1985-04-03,L219,CCCFBA85D03L219P,IT,1,VIA,ROMA,1,,03012,2010-01-01\n"
	bad := good + "F2,1,Martini,Maria,F,1983-12-16,A269,MRTMRA83T56A269X,IT,1,VIA,PO,2,,03012,\n"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	db := filepath.Join(dir, "a.db")
	code, out, errOut := runCmd(t, "import", "--db", db, write("bad.csv", bad))
	if code != 1 || !strings.Contains(out, "riga 3:") || !strings.Contains(errOut, "nulla è stato importato") {
		t.Fatalf("bad file: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "import", "--db", db, "--skip-bad", write("bad.csv", bad))
	if code != 0 || !strings.Contains(out, "Importate 1 persone") {
		t.Fatalf("skip bad: exit %d, %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "search", "--db", db, "caccamo")
	if code != 0 || !strings.Contains(out, "CCCFBA85D03L219P") {
		t.Errorf("search after import: %q", out)
	}
	if code, _, _ := runCmd(t, "import", "--db", db); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
}
