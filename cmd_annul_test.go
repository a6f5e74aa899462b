package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sportello/access"
	"sportello/registry"
	"sportello/store"
)

// TestVerifyAnnulled checks that verify says a certificate a registrar
// annulled was annulled, on which day and why, and exits 1.
func TestVerifyAnnulled(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := seededDB(t, 300)
	addOperators(t, db)
	cf := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && r.Address.Street != ""
	})
	out := filepath.Join(t.TempDir(), "r.pdf")
	code, stdout, stderr := runAs(t, cliPassword, "certificate", "--db", db, "--operator", "uneri", "--cf", cf, "--type", "residenza", "--bollo", "marca", "--marca", "01201234567890", "--out", out)
	if code != 0 {
		t.Fatalf("certificate: exit %d: %s %s", code, stdout, stderr)
	}
	m := numberLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("output %q", stdout)
	}
	number := m[1]
	if code, _, stderr := runCmd(t, "verify", "--db", db, number); code != 0 {
		t.Fatalf("verify before the annulment: exit %d: %s", code, stderr)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AnnulCertificate(context.Background(), access.User{Username: "uneri", FullName: "Ugo Neri", Role: access.Registrar}, number, "dati errati"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	day := registry.Today().Italian()
	for _, input := range []string{number, out} {
		code, stdout, stderr := runCmd(t, "verify", "--db", db, input)
		if code != 1 || !strings.Contains(stdout+stderr, "Certificato annullato il "+day+" (dati errati)") {
			t.Errorf("verify %s: exit %d: %s %s", filepath.Base(input), code, stdout, stderr)
		}
	}
}
