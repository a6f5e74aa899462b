package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	cases := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"no vcs", nil, "dev"},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: "a9a1e05c0ffee0123456789"}, {Key: "vcs.modified", Value: "false"}}, "dev+a9a1e05c0ffe"},
		{"dirty", []debug.BuildSetting{{Key: "vcs.revision", Value: "a9a1e05c0ffee0123456789"}, {Key: "vcs.modified", Value: "true"}}, "dev+a9a1e05c0ffe-dirty"},
		{"short revision", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "dev+abc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fromBuildInfo(c.settings); got != c.want {
				t.Fatalf("fromBuildInfo = %q, want %q", got, c.want)
			}
		})
	}
}

func TestStringPrefersBuildTimeVersion(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "0.1.0+g1234abc"
	if got := String(); got != "0.1.0+g1234abc" {
		t.Fatalf("String = %q", got)
	}
	if got := Line("sportellod"); got != "sportellod 0.1.0+g1234abc\n" {
		t.Fatalf("Line = %q", got)
	}
}
