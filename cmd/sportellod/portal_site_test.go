package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/viper"

	"sportello/assets"
)

func TestPortalSiteSettings(t *testing.T) {
	dir := t.TempDir()
	arms, notPNG := filepath.Join(dir, "arms.png"), filepath.Join(dir, "arms.txt")
	os.WriteFile(arms, assets.CoatOfArms, 0o644)
	os.WriteFile(notPNG, []byte("not a picture"), 0o644)
	for _, c := range []struct {
		name string
		set  map[string]string
		ok   bool
	}{
		{"all", map[string]string{"portal_address": "Piazza Cavour 1", "portal_phone": "0775 7301", "portal_email": "urp@example.it",
			"portal_pec": "pec@example.it", "portal_coat_of_arms": arms, "portal_accessibility_date": "2026-11-30"}, true},
		{"a date that is not one", map[string]string{"portal_accessibility_date": "30/11/2026"}, false},
		{"arms that are not a PNG", map[string]string{"portal_coat_of_arms": notPNG}, false},
		{"arms missing", map[string]string{"portal_coat_of_arms": filepath.Join(dir, "none.png")}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := viper.New()
			for k, val := range c.set {
				v.Set(k, val)
			}
			pc, err := loadPortalConfig(v, true)
			if (err == nil) != c.ok {
				t.Fatalf("err %v", err)
			}
			if c.ok && (pc.Site.Address != "Piazza Cavour 1" || pc.Site.Phone != "0775 7301" || pc.Site.Email != "urp@example.it" ||
				pc.Site.PEC != "pec@example.it" || len(pc.Site.CoatOfArms) != len(assets.CoatOfArms) || pc.Site.AccessibilityDate != "2026-11-30") {
				t.Fatalf("site %+v", pc.Site)
			}
		})
	}
}

func TestPortalPagoPASettings(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]any
		ok   bool
	}{
		{"none: no payments", map[string]any{}, true},
		{"all", map[string]any{"pagopa_gpd_url": "https://api.platform.pagopa.it/gpd/debt-positions-service/v1", "pagopa_tax_code": "02438750586",
			"pagopa_api_key": "k", "pagopa_segregation_code": 1, "pagopa_poll_interval": "30s"}, true},
		{"a wrong tax code", map[string]any{"pagopa_gpd_url": "https://x.example/v1", "pagopa_tax_code": "02438750587"}, false},
		{"plain http", map[string]any{"pagopa_gpd_url": "http://x.example/v1", "pagopa_tax_code": "02438750586"}, false},
		{"segregation code out of range", map[string]any{"pagopa_gpd_url": "https://x.example/v1", "pagopa_tax_code": "02438750586", "pagopa_segregation_code": 100}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := viper.New()
			for k, val := range c.set {
				v.Set(k, val)
			}
			pc, err := loadPortalConfig(v, false)
			if (err == nil) != c.ok {
				t.Fatalf("err %v", err)
			}
			if c.ok && (pc.GPD != nil) != (c.set["pagopa_gpd_url"] != nil) {
				t.Fatalf("GPD %+v", pc.GPD)
			}
			if c.name == "all" && (pc.Segregation != 1 || pc.Poll.Seconds() != 30 || pc.GPD.APIKey != "k") {
				t.Fatalf("%+v", pc)
			}
		})
	}
}
