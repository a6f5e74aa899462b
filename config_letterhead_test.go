package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigLetterhead reads the municipality's letterhead settings: the
// coat of arms must be a PNG file, the verification address a web address.
func TestConfigLetterhead(t *testing.T) {
	dir := t.TempDir()
	arms := filepath.Join(dir, "stemma.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 10))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(arms, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	notPNG := filepath.Join(dir, "stemma.jpg")
	if err := os.WriteFile(notPNG, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := "coat_of_arms: " + arms + "\nprovince: Provincia di Frosinone\noffice_address: Piazza Innocenzo III 1, 03012 Anagni (FR)\n" +
		"pec: protocollo@pec.comune.anagni.fr.it\nverify_url: https://anagrafe.comune.anagni.fr.it/verify\n"
	c, err := configFrom(t, "--config", writeConfig(t, good))
	if err != nil {
		t.Fatal(err)
	}
	lh := c.Letterhead
	if !bytes.Equal(lh.CoatOfArms, buf.Bytes()) || lh.Province != "Provincia di Frosinone" || lh.Address != "Piazza Innocenzo III 1, 03012 Anagni (FR)" ||
		lh.PEC != "protocollo@pec.comune.anagni.fr.it" || lh.VerifyURL != "https://anagrafe.comune.anagni.fr.it/verify" {
		t.Errorf("letterhead = %+v", lh)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"coat of arms not a PNG", "coat_of_arms: " + notPNG + "\n", "non è un'immagine PNG"},
		{"coat of arms missing", "coat_of_arms: " + filepath.Join(dir, "none.png") + "\n", "impossibile leggere"},
		{"verification address not a web address", "verify_url: anagrafe/verify\n", "non è un indirizzo web"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := configFrom(t, "--config", writeConfig(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
