package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFoldersFor(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cases := []struct {
		name string
		goos string
		vars map[string]string
		home string
		want folders
	}{
		{"windows", "windows", map[string]string{
			"APPDATA": `C:\Users\mrossi\AppData\Roaming`, "LOCALAPPDATA": `C:\Users\mrossi\AppData\Local\`, "ProgramData": `D:\ProgramData`,
		}, `C:\Users\mrossi`, folders{
			Config:  `C:\Users\mrossi\AppData\Roaming\Sportello\config.yaml`,
			Machine: `D:\ProgramData\Sportello\config.yaml`,
			Data:    `C:\Users\mrossi\AppData\Local\Sportello`,
		}},
		{"windows without the variables", "windows", nil, `C:\Users\mrossi`, folders{
			Config:  `C:\Users\mrossi\AppData\Roaming\Sportello\config.yaml`,
			Machine: `C:\ProgramData\Sportello\config.yaml`,
			Data:    `C:\Users\mrossi\AppData\Local\Sportello`,
		}},
		{"linux", "linux", map[string]string{"XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "/data"}, "/home/mrossi", folders{
			Config: "/cfg/sportello/config.yaml", Machine: "/etc/sportello/config.yaml", Data: "/data/sportello",
		}},
		{"linux without the variables", "linux", nil, "/home/mrossi", folders{
			Config: "/home/mrossi/.config/sportello/config.yaml", Machine: "/etc/sportello/config.yaml", Data: "/home/mrossi/.local/share/sportello",
		}},
		{"macos", "darwin", map[string]string{"XDG_CONFIG_HOME": "/ignored"}, "/Users/mrossi", folders{
			Config:  "/Users/mrossi/Library/Application Support/Sportello/config.yaml",
			Machine: "/Library/Application Support/Sportello/config.yaml",
			Data:    "/Users/mrossi/Library/Application Support/Sportello",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := foldersFor(c.goos, env(c.vars), c.home); got != c.want {
				t.Fatalf("foldersFor:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestMachineConfig: a desk whose user has no config.yaml reads the one IT
// pushed to the machine; the user's own wins when there is one.
func TestMachineConfig(t *testing.T) {
	machine := writeConfig(t, "desk_code: d12\noffice: Ufficio di IT\n")
	old := machineConfigFile
	t.Cleanup(func() { machineConfigFile = old })
	machineConfigFile = func() string { return machine }

	t.Run("no user file", func(t *testing.T) {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		c, err := configFrom(t)
		if err != nil {
			t.Fatal(err)
		}
		if c.File != machine || c.DeskCode != "D12" || c.Office != "Ufficio di IT" {
			t.Fatalf("got file %q desk %q office %q, want the machine's", c.File, c.DeskCode, c.Office)
		}
	})
	t.Run("user file", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", dir)
		user := filepath.Join(dir, "sportello", "config.yaml")
		if err := os.MkdirAll(filepath.Dir(user), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(user, []byte("desk_code: d03\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := configFrom(t)
		if err != nil {
			t.Fatal(err)
		}
		if c.File != user || c.DeskCode != "D03" || c.Office != "Sportello unico" {
			t.Fatalf("got file %q desk %q office %q, want the user's alone", c.File, c.DeskCode, c.Office)
		}
	})
	t.Run("neither", func(t *testing.T) {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		machineConfigFile = func() string { return filepath.Join(t.TempDir(), "absent.yaml") }
		c, err := configFrom(t)
		if err != nil {
			t.Fatal(err)
		}
		if c.File != "" || c.DeskCode != "D01" {
			t.Fatalf("got file %q desk %q, want the defaults", c.File, c.DeskCode)
		}
	})
}
