package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndMessage(t *testing.T) {
	domain := New(Invalid, "The date {{.Date}} is not valid", map[string]any{"Date": "31/02"})
	wrapped := fmt.Errorf("save person: %w", domain)
	tests := []struct {
		name     string
		err      error
		code     string
		message  string
		withArgs bool
	}{
		{"nil", nil, "", GenericMessage, false},
		{"domain", domain, Invalid, "The date {{.Date}} is not valid", true},
		{"wrapped domain", wrapped, Invalid, "The date {{.Date}} is not valid", true},
		{"raw error", errors.New("disk I/O error"), Internal, GenericMessage, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
			msg, args := Message(tt.err)
			if msg != tt.message || (args != nil) != tt.withArgs {
				t.Errorf("Message = %q %v, want %q", msg, args, tt.message)
			}
		})
	}
}
