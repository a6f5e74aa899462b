package main

import (
	"os"
	"path"
	"runtime"
	"strings"
)

// folders are where the desk reads its configuration and keeps its data on
// one operating system.
type folders struct {
	Config  string // the user's config.yaml
	Machine string // the machine's config.yaml, which an administrator pushes; read when the user has none
	Data    string // the databases and the kiosk's saved tickets
}

// foldersFor follows each system's rules, as os.UserConfigDir and
// os.UserCacheDir do:
//   - Linux and the other Unixes: $XDG_CONFIG_HOME/sportello (~/.config),
//     /etc/sportello, $XDG_DATA_HOME/sportello (~/.local/share);
//   - Windows: %APPDATA%\Sportello (the roaming profile: settings follow the
//     clerk), %ProgramData%\Sportello, %LOCALAPPDATA%\Sportello (this PC's
//     own: a database must not roam);
//   - macOS: ~/Library/Application Support/Sportello, and the same folder
//     under /Library.
//
// A variable that is not set falls back to home, and home "" to the
// working directory.
func foldersFor(goos string, getenv func(string) string, home string) folders {
	or := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	switch goos {
	case "windows":
		join := func(parts ...string) string {
			for i := range parts[:len(parts)-1] {
				parts[i] = strings.TrimRight(parts[i], `\/`)
			}
			return strings.Join(parts, `\`)
		}
		base := home
		if base == "" {
			base = "."
		}
		return folders{
			Config:  join(or("APPDATA", join(base, "AppData", "Roaming")), "Sportello", "config.yaml"),
			Machine: join(or("ProgramData", `C:\ProgramData`), "Sportello", "config.yaml"),
			Data:    join(or("LOCALAPPDATA", join(base, "AppData", "Local")), "Sportello"),
		}
	case "darwin", "ios":
		support := path.Join(home, "Library", "Application Support", "Sportello")
		return folders{
			Config:  path.Join(support, "config.yaml"),
			Machine: "/Library/Application Support/Sportello/config.yaml",
			Data:    support,
		}
	}
	return folders{
		Config:  path.Join(or("XDG_CONFIG_HOME", path.Join(home, ".config")), "sportello", "config.yaml"),
		Machine: "/etc/sportello/config.yaml",
		Data:    path.Join(or("XDG_DATA_HOME", path.Join(home, ".local", "share")), "sportello"),
	}
}

// localFolders are this machine's folders.
func localFolders() folders {
	home, _ := os.UserHomeDir()
	return foldersFor(runtime.GOOS, os.Getenv, home)
}

// defaultConfigFile is config.yaml in the user's config folder.
func defaultConfigFile() string { return localFolders().Config }

// machineConfigFile is the machine-wide config.yaml; a variable for the tests.
var machineConfigFile = func() string { return localFolders().Machine }

// dataDir is where the databases live.
func dataDir() string { return localFolders().Data }
