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
