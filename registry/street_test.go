package registry

import "testing"

func TestStreetValidate(t *testing.T) {
	cases := []struct {
		name string
		s    Street
		ok   bool
	}{
		{"complete", Street{Code: "1234", Toponym: "VIA", Name: "GIUSEPPE GARIBALDI"}, true},
		{"no code", Street{Toponym: "VIA", Name: "ROMA"}, false},
		{"no toponym", Street{Code: "1", Name: "ROMA"}, false},
		{"blank name", Street{Code: "1", Toponym: "VIA", Name: "  "}, false},
		{"control character", Street{Code: "1", Toponym: "VIA", Name: "RO\nMA"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.s.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate(%+v) = %v, want ok=%t", c.s, err, c.ok)
			}
		})
	}
}

func TestStreetNormalized(t *testing.T) {
	got := Street{Code: " 7 ", Toponym: "via", Name: " giuseppe   garibaldi "}.Normalized()
	if got != (Street{Code: "7", Toponym: "VIA", Name: "GIUSEPPE GARIBALDI"}) || got.Label() != "VIA GIUSEPPE GARIBALDI" {
		t.Fatalf("Normalized = %+v", got)
	}
}
