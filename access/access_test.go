package access

import "testing"

func TestRoles(t *testing.T) {
	tests := []struct {
		role     Role
		valid    bool
		registry bool
	}{
		{Clerk, true, true},
		{Registrar, true, true},
		{Supervisor, true, true},
		{Admin, true, true},
		{SocialWorker, true, false},
		{"", false, false},
		{"root", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			if got := tt.role.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if got := tt.role.CanUseRegistry(); got != tt.registry {
				t.Errorf("CanUseRegistry() = %v, want %v", got, tt.registry)
			}
		})
	}
}
