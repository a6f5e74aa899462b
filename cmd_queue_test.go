package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestQueueCommandsRefuseBadLines(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"kiosk with an unknown flag", []string{"kiosk", "--no-such-flag"}},
		{"kiosk with an argument", []string{"kiosk", "extra"}},
		{"board with an argument", []string{"board", "extra"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "sportello kiosk") {
				t.Errorf("usage does not list the kiosk:\n%s", errOut.String())
			}
		})
	}
}
