package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// TestEncode reads the icon back: its directory names each size, and each
// entry is a PNG of that size where the directory says.
func TestEncode(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 512, 512))
	for i := range src.Pix {
		src.Pix[i] = 0xff
	}
	src.Set(0, 0, color.NRGBA{0, 0x66, 0xcc, 0xff})
	ico, err := encode(src)
	if err != nil {
		t.Fatal(err)
	}
	var head [3]uint16
	if err := binary.Read(bytes.NewReader(ico), binary.LittleEndian, &head); err != nil {
		t.Fatal(err)
	}
	if head != [3]uint16{0, 1, uint16(len(sizes))} {
		t.Fatalf("header %v", head)
	}
	for i, n := range sizes {
		t.Run("", func(t *testing.T) {
			e := ico[6+16*i : 6+16*(i+1)]
			if w := int(e[0]); w != n%256 || int(e[1]) != n%256 {
				t.Errorf("entry %d: %dx%d, want %d", i, e[0], e[1], n)
			}
			size := binary.LittleEndian.Uint32(e[8:])
			off := binary.LittleEndian.Uint32(e[12:])
			img, err := png.Decode(bytes.NewReader(ico[off : off+size]))
			if err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if b := img.Bounds(); b.Dx() != n || b.Dy() != n {
				t.Errorf("entry %d is %v, want %d pixels", i, b, n)
			}
		})
	}
}
