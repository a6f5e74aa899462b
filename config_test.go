package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportello/certificate"
)

func writeConfig(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func configFrom(tb testing.TB, args ...string) (config, error) {
	tb.Helper()
	fs := newFlags("test")
	configFlags(fs)
	if err := fs.Parse(args); err != nil {
		tb.Fatal(err)
	}
	return loadConfig(fs)
}

func TestConfigPrecedence(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", "/data")
	file := writeConfig(t, "db: /from/file.db\noffice: Ufficio anagrafe\ndesk_code: d07\n")

	t.Run("file", func(t *testing.T) {
		c, err := configFrom(t, "--config", file)
		if err != nil {
			t.Fatal(err)
		}
		if c.DB != "/from/file.db" || c.Office != "Ufficio anagrafe" || c.DeskCode != "D07" {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("environment over file", func(t *testing.T) {
		t.Setenv("SPORTELLO_DB", "/from/env.db")
		c, err := configFrom(t, "--config", file)
		if err != nil {
			t.Fatal(err)
		}
		if c.DB != "/from/env.db" {
			t.Errorf("db = %q, want the environment's", c.DB)
		}
	})
	t.Run("flag over environment", func(t *testing.T) {
		t.Setenv("SPORTELLO_DB", "/from/env.db")
		c, err := configFrom(t, "--config", file, "--db", "/from/flag.db")
		if err != nil {
			t.Fatal(err)
		}
		if c.DB != "/from/flag.db" {
			t.Errorf("db = %q, want the flag's", c.DB)
		}
	})
	t.Run("printer and fees", func(t *testing.T) {
		t.Setenv("SPORTELLO_BOLLO_CENTS", "1700")
		f := writeConfig(t, "printer: ufficio-a4\nfee_with_bollo_cents: 60\nbollo_cents: 1600\n")
		c, err := configFrom(t, "--config", f, "--fee-exempt-cents", "31")
		if err != nil {
			t.Fatal(err)
		}
		want := certificate.Settings{BolloCents: 1700, FeeCents: 60, FeeExemptCents: 31}
		if c.Printer != "ufficio-a4" || c.Fees != want {
			t.Errorf("printer %q, fees %+v; want ufficio-a4, %+v", c.Printer, c.Fees, want)
		}
	})
	t.Run("defaults without a file", func(t *testing.T) {
		c, err := configFrom(t, "--demo")
		if err != nil {
			t.Fatal(err)
		}
		if c.File != "" || c.DB != "/data/sportello/demo.db" || c.Municipality != "A269" || c.Language != "it" ||
			c.Printer != "" || c.Fees != certificate.DefaultSettings {
			t.Errorf("got %+v", c)
		}
	})
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"not yaml", "db: /a.db\noffice: [unclosed\n", []string{"riga 2", "YAML"}},
		{"bad bool", "db: /a.db\n\ndemo: forse\n", []string{"riga 3", `chiave "demo"`, "true oppure false"}},
		{"unknown key", "db: /a.db\nstampante: lp0\n", []string{"riga 2", `chiave "stampante"`, "sconosciuta"}},
		{"fee not a number", "db: /a.db\nfee_with_bollo_cents: 0.52\n", []string{"riga 2", `chiave "fee_with_bollo_cents"`, "numero intero di centesimi"}},
		{"negative bollo", "bollo_cents: -1600\n", []string{"riga 1", `chiave "bollo_cents"`, "numero intero di centesimi"}},
		{"fee from the environment", "db: /a.db\n", []string{"fee_exempt_cents", "numero intero di centesimi"}},
		{"nested value", "office:\n  name: x\n", []string{"riga 2", `chiave "office"`}},
		{"repeated key", "db: /a.db\ndb: /b.db\n", []string{"riga 2", `chiave "db"`, "due volte"}},
		{"bad indentation", "db: /a.db\noffice: x\n  bad: y\n", []string{"riga 3", `chiave "bad"`}},
		{"bad language", "language: fr\n", []string{"language", "it oppure en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "fee from the environment" {
				t.Setenv("SPORTELLO_FEE_EXEMPT_CENTS", "zero")
			}
			file := writeConfig(t, tt.text)
			_, err := configFrom(t, "--config", file)
			if err == nil {
				t.Fatal("a malformed config was accepted")
			}
			msg := err.Error()
			if tt.name != "bad language" && tt.name != "fee from the environment" && !strings.Contains(msg, file) {
				t.Errorf("message %q does not name the file", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestConfigMissingExplicitFile(t *testing.T) {
	_, err := configFrom(t, "--config", filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v, want a message naming the missing file", err)
	}
}

func TestHelpListsSettings(t *testing.T) {
	var out strings.Builder
	if code := run([]string{"--help"}, &out, &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{"--db", "--demo", "--desk-code", "--config", "SPORTELLO_", "seed", "search", "cf check", "cf compute"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q", w)
		}
	}
}

func TestConfigServerAndQueue(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	file := writeConfig(t, "server: https://sportellod.comune.example/\nqueue: local\n")
	c, err := configFrom(t, "--config", file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "https://sportellod.comune.example" || !c.LocalQueue {
		t.Errorf("got server %q, local queue %v", c.Server, c.LocalQueue)
	}
	if c, err := configFrom(t, "--server", "http://127.0.0.1:8420"); err != nil || c.LocalQueue {
		t.Errorf("a desk with a server works the server's queue by default: %+v %v", c, err)
	}
	if _, err := configFrom(t, "--queue", "both"); err == nil || !strings.Contains(err.Error(), "server oppure local") {
		t.Errorf("queue both: %v", err)
	}
}
