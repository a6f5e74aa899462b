package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStradarioCommand(t *testing.T) {
	db := seededDB(t, 200)
	csv := filepath.Join(t.TempDir(), "stradario.csv")
	text := "CODICE_COMUNE;PROGR_NAZIONALE;DUG;DENOM_UFF;CIVICO;ESPONENTE\n" +
		"A269;1;VIA;ROMA;1;\nA269;1;VIA;ROMA;2;A\nA269;;VIA;SENZA CODICE;1;\nA269;1;VIA;CAVOUR;3;\n"
	if err := os.WriteFile(csv, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "stradario", "load", "--db", db, csv)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"riga 4: Il codice della strada è obbligatorio", "riga 5: Il codice strada 1 indica già VIA ROMA",
		"2 righe con errori", "Stradario caricato: 1 vie, 2 numeri civici"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, args := range [][]string{{"stradario"}, {"stradario", "show"}, {"stradario", "load", csv}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := runCmd(t, "stradario", "load", "--db", db, filepath.Join(t.TempDir(), "none.csv")); code == 0 {
		t.Errorf("a missing file loads: %s", errOut)
	}
}

// TestSeedLoadsStradario: the demo municipality has a stradario.
func TestSeedLoadsStradario(t *testing.T) {
	path := filepath.Join(t.TempDir(), "comune.db")
	code, out, errOut := runCmd(t, "seed", "--db", path, "--people", "300", "--seed", "3")
	if code != 0 || !strings.Contains(out, "Stradario: 96 vie") {
		t.Fatalf("seed: exit %d, %q %q", code, out, errOut)
	}
}
