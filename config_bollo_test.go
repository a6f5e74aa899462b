package main

import (
	"strings"
	"testing"

	"sportello/certificate"
	"sportello/registry"
)

func TestConfigVirtualBollo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	tests := []struct {
		name string
		text string
		want certificate.Authorisation
		err  string
	}{
		{"both", "bollo_virtual_authorisation: 12345/2019\nbollo_virtual_authorisation_date: 2019-05-20\n",
			certificate.Authorisation{Number: "12345/2019", Date: registry.NewDate(2019, 5, 20)}, ""},
		{"neither", "db: /a.db\n", certificate.Authorisation{}, ""},
		{"number without date", "bollo_virtual_authorisation: 12345/2019\n", certificate.Authorisation{}, "bollo_virtual_authorisation_date"},
		{"date without number", "bollo_virtual_authorisation_date: 2019-05-20\n", certificate.Authorisation{}, "manca il numero"},
		{"not a date", "bollo_virtual_authorisation: 1\nbollo_virtual_authorisation_date: 20/05/2019\n", certificate.Authorisation{}, "AAAA-MM-GG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := configFrom(t, "--config", writeConfig(t, tt.text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Fees.VirtualBollo != tt.want {
				t.Errorf("authorisation %+v, want %+v", c.Fees.VirtualBollo, tt.want)
			}
		})
	}
}
