package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"sportello/desk"
	"sportello/registry"
)

// runCmd runs a command line and returns its exit code, stdout and stderr.
func runCmd(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	var out, errOut strings.Builder
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCFCheck(t *testing.T) {
	omocode := registry.OmocodeVariant("CCCFBA85D03L219P", 1)
	tests := []struct {
		name     string
		code     string
		exit     int
		contains []string
	}{
		{"valid", "CCCFBA85D03L219P", 0, []string{"M", "03/04/1985", "TORINO"}},
		{"lower case", "mrtmra83t56a269b", 0, []string{"F", "16/12/1983", "ANAGNI"}},
		{"omocode", omocode, 0, []string{"CCCFBA85D03L219P", "03/04/1985", "TORINO"}},
		{"wrong check character", "CCCFBA85D03L219X", 1, nil},
		{"too short", "CCCFBA85", 1, nil},
		{"garbage", "'; DROP TABLE person; --", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "cf", "check", tt.code)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tt.exit, out, errOut)
			}
			if tt.exit != 0 && strings.TrimSpace(errOut) == "" {
				t.Error("a refused code gave no reason")
			}
			for _, w := range tt.contains {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

func TestCFCompute(t *testing.T) {
	tests := []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"by name", []string{"--surname", "Martini", "--name", "Maria", "--sex", "F", "--born", "1983-12-16", "--place", "Anagni"}, 0, "MRTMRA83T56A269B"},
		{"by code", []string{"--surname", "Caccamo", "--name", "Fabio", "--sex", "M", "--born", "1985-04-03", "--place", "L219"}, 0, "CCCFBA85D03L219P"},
		{"by lower-case name", []string{"--surname", "Caccamo", "--name", "Fabio", "--sex", "m", "--born", "1985-04-03", "--place", "torino"}, 0, "CCCFBA85D03L219P"},
		{"bad date", []string{"--surname", "Rossi", "--name", "Mario", "--sex", "M", "--born", "1985-02-30", "--place", "L219"}, 1, ""},
		{"bad sex", []string{"--surname", "Rossi", "--name", "Mario", "--sex", "X", "--born", "1985-02-03", "--place", "L219"}, 2, ""},
		{"unknown place", []string{"--surname", "Rossi", "--name", "Mario", "--sex", "M", "--born", "1985-02-03", "--place", "Atlantide"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, append([]string{"cf", "compute"}, tt.args...)...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tt.exit, out, errOut)
			}
			if strings.TrimSpace(out) != tt.want {
				t.Errorf("printed %q, want %q", out, tt.want)
			}
		})
	}
}

func seededDB(tb testing.TB, people int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "comune.db")
	code, out, errOut := runCmd(tb, "seed", "--db", path, "--people", strconv.Itoa(people), "--seed", "7")
	if code != 0 {
		tb.Fatalf("seed: exit %d: %s %s", code, out, errOut)
	}
	return path
}

func TestSearchCommand(t *testing.T) {
	db := seededDB(t, 2000)
	code, out, _ := runCmd(t, "search", "--db", db, "--limit", "5", "b")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 5 {
		t.Fatalf("exit %d, %d lines: %q", code, len(lines), out)
	}
	fields := strings.Split(lines[0], "\t")
	if len(fields) != 4 {
		t.Fatalf("line %q is not CF<TAB>SURNAME<TAB>NAME<TAB>DATE", lines[0])
	}
	if !strings.HasPrefix(registry.Fold(fields[1]), "b") {
		t.Errorf("first match %q does not start with b", fields[1])
	}
	if _, err := registry.ParseDate(fields[3]); err != nil {
		t.Errorf("birth date %q is not YYYY-MM-DD", fields[3])
	}

	t.Run("by codice fiscale", func(t *testing.T) {
		code, out, _ := runCmd(t, "search", "--db", db, strings.ToLower(fields[0]))
		if code != 0 || !strings.HasPrefix(out, lines[0]+"\n") {
			t.Errorf("exit %d, got %q, want the person %q first", code, out, lines[0])
		}
	})
	t.Run("by surname and name", func(t *testing.T) {
		code, out, _ := runCmd(t, "search", "--db", db, fields[1], fields[2])
		if code != 0 || !strings.Contains(out, lines[0]) {
			t.Errorf("exit %d, %q not found by %s %s: %q", code, lines[0], fields[1], fields[2], out)
		}
	})
	t.Run("fts syntax is harmless", func(t *testing.T) {
		for _, q := range []string{`"b" OR *`, `NEAR(a b)`, `b*`, `'; DROP TABLE person; --`, `-`} {
			if code, _, errOut := runCmd(t, "search", "--db", db, q); code != 0 {
				t.Errorf("%q: exit %d: %s", q, code, errOut)
			}
		}
		if code, out, _ := runCmd(t, "search", "--db", db, "--limit", "5", "b"); code != 0 || strings.TrimSpace(out) != strings.Join(lines, "\n") {
			t.Error("the register changed after odd queries")
		}
	})
	t.Run("huge query", func(t *testing.T) {
		code, _, errOut := runCmd(t, "search", "--db", db, strings.Repeat("rossi ", 1000))
		if code != 1 || errOut == "" {
			t.Errorf("exit %d, stderr %q: want a refusal with a reason", code, errOut)
		}
	})
	t.Run("read-only file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores file permissions")
		}
		if err := os.Chmod(db, 0o444); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(db, 0o644)
		if code, _, errOut := runCmd(t, "search", "--db", db, "b"); code != 0 {
			t.Errorf("exit %d on a read-only file: %s", code, errOut)
		}
	})
}

func TestSearchMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	code, _, errOut := runCmd(t, "search", "--db", path, "rossi")
	if code != 1 || !strings.Contains(errOut, "missing.db") {
		t.Errorf("exit %d, stderr %q: want a message naming the file", code, errOut)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("search created the missing database")
	}
}

func TestSeedRefusesAFullDatabase(t *testing.T) {
	db := seededDB(t, 2000)
	before, _, _ := runCmd(t, "search", "--db", db, "--limit", "500", "a")
	code, _, errOut := runCmd(t, "seed", "--db", db, "--people", "10")
	if code != 1 || errOut == "" {
		t.Errorf("exit %d, stderr %q: want a refusal", code, errOut)
	}
	if after, _, _ := runCmd(t, "search", "--db", db, "--limit", "500", "a"); after != before {
		t.Error("a refused seed changed the register")
	}
}

// TestDemoDeskOpens wires the desk as main does, on a test app.
func TestDemoDeskOpens(t *testing.T) {
	cfg := config{DB: filepath.Join(t.TempDir(), "demo.db"), Demo: true, DeskCode: "D01", Municipality: "A269", Office: "Sportello unico", Language: "it"}
	st, deps, err := openDesk(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountPersons(context.Background())
	if err != nil || n < demoPeople*9/10 {
		t.Fatalf("demo register has %d people (%v), want about %d", n, err, demoPeople)
	}
	if len(deps.Demo) == 0 || deps.Office.Municipality != "Comune di Anagni" {
		t.Fatalf("deps = %+v", deps)
	}
	// A second start reuses the register and the demo clerks.
	st.Close()
	st, deps, err = openDesk(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := st.CountPersons(context.Background()); m != n {
		t.Errorf("second start changed the register: %d -> %d people", n, m)
	}
	a := test.NewTempApp(t)
	w := a.NewWindow("Sportello")
	desk.New(a, w, deps)
	if w.Content() == nil {
		t.Fatal("the desk showed nothing")
	}
	if _, err := deps.Auth.Login(context.Background(), deps.Demo[0].Username, deps.Demo[0].Password); err != nil {
		t.Errorf("demo login %s refused: %v", deps.Demo[0].Username, err)
	}
}

func TestDeskWithoutUsersSaysHowToCreateOne(t *testing.T) {
	cfg := config{DB: filepath.Join(t.TempDir(), "nuovo.db"), DeskCode: "D01", Municipality: "A269", Language: "it"}
	_, _, err := openDesk(cfg)
	if err == nil || !strings.Contains(err.Error(), "user add") {
		t.Fatalf("err = %v, want the command that creates the first user", err)
	}
	code, _, _ := runCmd(t, "user", "add", "--db", cfg.DB, "--username", "mrossi", "--name", "Maria Rossi", "--role", "admin")
	if code != 1 {
		t.Fatalf("user add with no password on stdin: exit %d, want 1", code)
	}
}

func TestHeadlessMessagesInItalian(t *testing.T) {
	t.Setenv("SPORTELLO_LANGUAGE", "")
	_, _, errOut := runCmd(t, "cf", "check", "CCCFBA85D03L219X")
	if !strings.Contains(errOut, "carattere di controllo") {
		t.Errorf("stderr %q: want the Italian reason", errOut)
	}
	t.Setenv("SPORTELLO_LANGUAGE", "en")
	_, _, errOut = runCmd(t, "cf", "check", "CCCFBA85D03L219X")
	if !strings.Contains(errOut, "check character") {
		t.Errorf("stderr %q: want the English reason", errOut)
	}
	t.Setenv("SPORTELLO_LANGUAGE", "it")
}
