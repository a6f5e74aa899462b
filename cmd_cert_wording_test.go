package main

import (
	"path/filepath"
	"strings"
	"testing"

	"sportello/registry"
)

// setVirtualBollo configures the municipality's authorisation of the
// virtual bollo through the environment, as a deployment would.
func setVirtualBollo(tb testing.TB) {
	tb.Helper()
	if t, ok := tb.(*testing.T); ok {
		t.Setenv("SPORTELLO_BOLLO_VIRTUAL_AUTHORISATION", "12345/2019")
		t.Setenv("SPORTELLO_BOLLO_VIRTUAL_AUTHORISATION_DATE", "2019-05-20")
	}
}

// TestCertificateVirtualBolloSetting checks that the command refuses a
// virtual bollo while the authorisation is not configured, saying in
// Italian what to set, and takes a marca da bollo once.
func TestCertificateVirtualBolloSetting(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := seededDB(t, 500)
	cf := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && r.Address.Street != ""
	})
	addOperators(t, db)
	out := filepath.Join(t.TempDir(), "c.pdf")
	base := []string{"certificate", "--db", db, "--operator", cliClerk, "--cf", cf, "--type", "residenza", "--out", out}
	code, stdout, stderr := runAs(t, cliPassword, base...)
	if code == 0 || !strings.Contains(stderr, "bollo_virtual_authorisation") || !strings.Contains(stderr, "autorizzazione") {
		t.Fatalf("virtual bollo without the setting: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runAs(t, cliPassword, append(base, "--marca", "0123 4567 8901 23")...)
	if code != 0 {
		t.Fatalf("with a marca: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runAs(t, cliPassword, append(base, "--marca", "01234567890123")...)
	if code == 0 || !strings.Contains(stderr, "D01-") || !strings.Contains(stderr, "marca") {
		t.Fatalf("the same marca again: exit %d: %s %s", code, stdout, stderr)
	}
}
