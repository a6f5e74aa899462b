package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
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
	// An interlaced PNG (Adam7), which fpdf cannot embed: the signature
	// and a header chunk are enough for both to read it.
	interlaced := filepath.Join(dir, "stemma-interlacciato.png")
	ihdr := []byte{'I', 'H', 'D', 'R', 0, 0, 0, 8, 0, 0, 0, 10, 8, 2, 0, 0, 1}
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)-4))
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(ihdr))
	if err := os.WriteFile(interlaced, append([]byte("\x89PNG\r\n\x1a\n"), chunk...), 0o644); err != nil {
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
		{"coat of arms an interlaced PNG", "coat_of_arms: " + interlaced + "\n", "non interlacciato"},
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
