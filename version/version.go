// Package version is the build's version, which the packages and the
// programs' --version print.
package version

import (
	"runtime/debug"
	"strings"
)

// Version is set at build time by the Makefile, from FyneApp.toml and git
// describe:
//
//	go build -ldflags "-X sportello/version.Version=0.1.0+g1234abc"
//
// A plain go build leaves it empty and String reads the build's VCS stamp.
var Version string

// String is the version to print: the one set at build time, else "dev"
// followed by the commit Go stamped into the binary (and "-dirty" for a
// build from a modified tree), else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return fromBuildInfo(info.Settings)
}

// fromBuildInfo is "dev" with the VCS revision and state of settings.
func fromBuildInfo(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev+" + rev[:min(len(rev), 12)]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}

// Line is the line --version prints for program: "sportellod 0.1.0+g1234abc".
func Line(program string) string {
	return program + " " + strings.TrimSpace(String()) + "\n"
}
