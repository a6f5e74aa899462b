package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sportello/version"
)

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		t.Run(arg, func(t *testing.T) {
			out := runOK(t, arg)
			if out != "sportellod "+version.String()+"\n" {
				t.Fatalf("sportellod %s = %q", arg, out)
			}
		})
	}
}

// TestVersionLdflags builds sportellod the way the Makefile stamps it and
// runs the binary: a wrong -X path would be ignored by the linker silently.
func TestVersionLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "sportellod")
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-ldflags", "-X sportello/version.Version=9.8.7+gtest", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("sportellod --version: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "sportellod 9.8.7+gtest" {
		t.Fatalf("sportellod --version = %q", got)
	}
}
