package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportello/registry"
	"sportello/store"
)

// Every subcommand reads the desk's database and code from its config
// file, as the desk does: no flag needed.
func TestSubcommandsReadTheDeskFromTheConfig(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := seededDB(t, 300)
	cfgFile := filepath.Join(t.TempDir(), "sportello.yaml")
	if err := os.WriteFile(cfgFile, []byte("db: "+db+"\ndesk_code: D07\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("user add", func(t *testing.T) {
		if code, out, errOut := runAs(t, "una-password-lunga", "user", "add", "--config", cfgFile, "--username", "lneri", "--name", "Lucia Neri", "--role", "registrar"); code != 0 {
			t.Fatalf("user add: exit %d: %s %s", code, out, errOut)
		}
		st, err := store.Open(db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Login(context.Background(), "lneri", "una-password-lunga"); err != nil {
			t.Errorf("the clerk is not in the config's database: %v", err)
		}
	})
	t.Run("certificate", func(t *testing.T) {
		cf := findPerson(t, db, func(r registry.Record) bool { return r.Person.Status == registry.Resident && r.Address.Street != "" })
		code, out, errOut := runAs(t, "una-password-lunga", "certificate", "--config", cfgFile, "--operator", "lneri", "--cf", cf, "--type", "residenza",
			"--use", "court", "--exempt", "3", "--out", filepath.Join(t.TempDir(), "c.pdf"))
		if code != 0 {
			t.Fatalf("certificate: exit %d: %s %s", code, out, errOut)
		}
		if !strings.HasPrefix(out, "D07-") {
			t.Errorf("the certificate is not numbered as desk D07: %q", out)
		}
	})
}
