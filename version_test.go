package main

import (
	"bytes"
	"testing"

	"sportello/version"
)

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		t.Run(arg, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run([]string{arg}, &out, &errOut); code != 0 {
				t.Fatalf("sportello %s: exit %d: %s", arg, code, errOut.String())
			}
			if got := out.String(); got != "sportello "+version.String()+"\n" {
				t.Fatalf("sportello %s = %q", arg, got)
			}
		})
	}
}
