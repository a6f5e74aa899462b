package demo

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestStradarioHoldsEveryAddress: every address the demo gives in the
// municipality (the families' and the residences') is in its stradario.
func TestStradarioHoldsEveryAddress(t *testing.T) {
	cfg := Config{People: 3000, Seed: 5}
	var buf bytes.Buffer
	if err := Stradario(cfg, &buf); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("stradario: %d rows, %v", len(rows), err)
	}
	civici := map[string]bool{}
	codes := map[string]string{}
	for _, row := range rows[1:] {
		n := row[4]
		if row[5] != "" {
			n += "/" + row[5]
		}
		civici[row[2]+" "+row[3]+" "+n] = true
		if prev, ok := codes[row[1]]; ok && prev != row[2]+" "+row[3] {
			t.Fatalf("code %s names %s and %s %s", row[1], prev, row[2], row[3])
		}
		codes[row[1]] = row[2] + " " + row[3]
	}
	checked := 0
	for h, err := range Generate(cfg) {
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range append([]string{h.Address.Place + "|" + h.Address.Toponym + " " + h.Address.Street + " " + h.Address.HouseNumber}, func() []string {
			var out []string
			for _, r := range h.Residences {
				out = append(out, r.Address.Place+"|"+r.Address.Toponym+" "+r.Address.Street+" "+r.Address.HouseNumber)
			}
			return out
		}()...) {
			if a[:4] != DefaultMunicipality {
				continue
			}
			checked++
			if !civici[a[5:]] {
				t.Fatalf("%s is not in the stradario", a[5:])
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d addresses checked", checked)
	}
}
