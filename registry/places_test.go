package registry

import (
	"testing"

	"sportello/assets"
)

func TestEmbeddedPlaces(t *testing.T) {
	if n := len(assets.Places); n == 0 || n > 1<<20 {
		t.Fatalf("embedded places are %d bytes, want some and under 1 MB", n)
	}
	munis, states := Municipalities(), ForeignStates()
	if len(munis) < 19000 {
		t.Errorf("%d municipality entries, want the whole ANPR archive (over 19,000)", len(munis))
	}
	if len(states) < 200 {
		t.Errorf("%d foreign state entries, want over 200", len(states))
	}
	inForce := 0
	for _, p := range munis {
		if p.Foreign || !placeCodeForm(p.Code) || p.Code[0] == 'Z' || p.Name == "" || p.Province == "" {
			t.Fatalf("bad municipality entry %+v", p)
		}
		if !p.From.Valid() || (!p.To.IsZero() && (!p.To.Valid() || p.To.Before(p.From))) {
			t.Fatalf("bad validity %+v", p)
		}
		if p.To.IsZero() {
			inForce++
		}
	}
	// Italy had 7,901 municipalities in October 2023, the date of the archive.
	if inForce < 7800 || inForce > 8000 {
		t.Errorf("%d municipalities in force, want about 7,900", inForce)
	}
	for _, p := range states {
		if !p.Foreign || p.Code[0] != 'Z' || !placeCodeForm(p.Code) || p.Name == "" || p.Province != "" {
			t.Fatalf("bad foreign state entry %+v", p)
		}
	}
	munis[0].Name = "CHANGED"
	if Municipalities()[0].Name == "CHANGED" {
		t.Error("Municipalities returns the shared slice")
	}
}

func TestLookupPlace(t *testing.T) {
	tests := []struct {
		name       string
		code       string
		on         Date
		wantOK     bool
		wantName   string
		wantProv   string
		wantCeased bool
	}{
		{"in force", "L219", NewDate(1985, 4, 3), true, "TORINO", "TO", false},
		{"lower case code", "l219", NewDate(1985, 4, 3), true, "TORINO", "TO", false},
		{"zero date gives the latest", "A269", Date{}, true, "ANAGNI", "FR", false},
		{"older province", "A269", NewDate(1926, 5, 1), true, "ANAGNI", "RM", true},
		{"last day of the older entry", "A269", NewDate(1927, 1, 11), true, "ANAGNI", "RM", true},
		{"first day of the newer entry", "A269", NewDate(1927, 1, 12), true, "ANAGNI", "FR", false},
		{"old name", "A001", NewDate(1900, 1, 1), true, "ABANO", "PD", true},
		{"suppressed municipality before suppression", "A003", NewDate(1920, 6, 2), true, "ABBADIA ALPINA", "TO", true},
		{"suppressed municipality after suppression", "A003", NewDate(1950, 1, 1), false, "", "", false},
		{"suppressed municipality, zero date", "A003", Date{}, true, "ABBADIA ALPINA", "TO", true},
		{"before the first entry", "L219", NewDate(1850, 1, 1), false, "", "", false},
		{"foreign state", "Z330", NewDate(1990, 1, 1), true, "MAROCCO", "", false},
		{"ceased state while it existed", "Z135", NewDate(1970, 1, 1), true, "UNIONE SOVIETICA", "", true},
		{"ceased state after it ceased", "Z135", NewDate(1995, 1, 1), false, "", "", false},
		{"Czechoslovakia", "Z105", NewDate(1980, 1, 1), true, "CECOSLOVACCHIA", "", true},
		{"East Germany", "Z111", NewDate(1980, 1, 1), true, "REPUBBLICA DEMOCRATICA TEDESCA", "", true},
		{"Yugoslavia", "Z118", NewDate(1980, 1, 1), true, "REPUBBLICA SOCIALISTA FEDERALE DI JUGOSLAVIA", "", true},
		{"unknown code", "Z999", Date{}, false, "", "", false},
		{"not a code", "ROMA", Date{}, false, "", "", false},
		{"empty", "", Date{}, false, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := LookupPlace(tt.code, tt.on)
			if ok != tt.wantOK {
				t.Fatalf("LookupPlace(%q, %s) ok = %v, want %v (%+v)", tt.code, tt.on, ok, tt.wantOK, p)
			}
			if !ok {
				if p != (Place{}) {
					t.Errorf("place %+v with ok false", p)
				}
				return
			}
			if p.Name != tt.wantName || p.Province != tt.wantProv || p.To.IsZero() == tt.wantCeased {
				t.Errorf("LookupPlace(%q, %s) = %+v, want %s %s ceased %v", tt.code, tt.on, p, tt.wantName, tt.wantProv, tt.wantCeased)
			}
			if p.Foreign != (tt.code[0] == 'Z') {
				t.Errorf("Foreign = %v for %s", p.Foreign, tt.code)
			}
			if !tt.on.IsZero() && !p.ValidOn(tt.on) {
				t.Errorf("%+v not valid on %s", p, tt.on)
			}
		})
	}
}

func TestFindPlacesZeroDateOncePerName(t *testing.T) {
	got := FindPlaces("roma", Date{})
	n := 0
	for _, p := range got {
		if p.Code == "H501" {
			n++
			if !p.To.IsZero() {
				t.Errorf("Roma entry %+v, want the one in force", p)
			}
		}
	}
	if n != 1 {
		t.Errorf("Roma found %d times with a zero date, want once (it has 11 entries)", n)
	}
	if len(got) == 0 || got[0].Code != "H501" {
		t.Errorf("first result %+v, want Roma", got)
	}
}

func TestFindPlaces(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		on        Date
		wantFirst string // code of the first result; "" for none
		wantCodes []string
		notCodes  []string
	}{
		{"exact first", "Roma", NewDate(2000, 1, 1), "H501", []string{"H501", "H509"}, nil},
		{"accents and case folded", "aglie", Date{}, "A074", nil, nil},
		{"accented query", "Agliè", Date{}, "A074", nil, nil},
		{"apostrophe", "Romano d'Ezzelino", Date{}, "H512", nil, nil},
		{"apostrophe dropped", "romano dezzelino", Date{}, "H512", nil, nil},
		{"spaces folded", "  san   marino ", Date{}, "Z130", nil, nil},
		{"foreign state", "marocco", NewDate(1990, 1, 1), "Z330", nil, nil},
		{"ceased state on a date it existed", "unione sovietica", NewDate(1980, 1, 1), "Z135", nil, nil},
		{"ceased state on a later date", "unione sovietica", NewDate(2000, 1, 1), "", nil, nil},
		{"suppressed municipality at its time", "abbadia alpina", NewDate(1920, 1, 1), "A003", nil, nil},
		{"suppressed municipality today", "abbadia alpina", NewDate(2020, 1, 1), "", nil, nil},
		{"old name only at its time", "abano", NewDate(1900, 1, 1), "A001", nil, nil},
		{"empty", "  ", Date{}, "", nil, nil},
		{"punctuation only", "'-'", Date{}, "", nil, nil},
		{"prefix on a date excludes ceased", "roman", NewDate(2000, 1, 1), "H507", []string{"H511", "H512"}, []string{"H513", "H510"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindPlaces(tt.query, tt.on)
			if tt.wantFirst == "" && tt.wantCodes == nil {
				if len(got) != 0 {
					t.Fatalf("FindPlaces(%q) = %+v, want none", tt.query, got)
				}
				return
			}
			if tt.wantFirst != "" && (len(got) == 0 || got[0].Code != tt.wantFirst) {
				t.Fatalf("FindPlaces(%q, %s) = %+v, want %s first", tt.query, tt.on, got, tt.wantFirst)
			}
			codes := map[string]bool{}
			for _, p := range got {
				codes[p.Code] = true
				if !tt.on.IsZero() && !p.ValidOn(tt.on) {
					t.Errorf("%+v not valid on %s", p, tt.on)
				}
			}
			for _, c := range tt.wantCodes {
				if !codes[c] {
					t.Errorf("FindPlaces(%q) lacks %s", tt.query, c)
				}
			}
			for _, c := range tt.notCodes {
				if codes[c] {
					t.Errorf("FindPlaces(%q) has %s", tt.query, c)
				}
			}
		})
	}
}

func BenchmarkLookupPlace(b *testing.B) {
	codes := []string{"H501", "A269", "Z135", "A003", "L219", "Z999"}
	on := NewDate(1960, 6, 1)
	LookupPlace("H501", on) // parse the embedded list outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		LookupPlace(codes[i%len(codes)], on)
		i++
	}
}

func BenchmarkFindPlaces(b *testing.B) {
	on := NewDate(1960, 6, 1)
	FindPlaces("roma", on)
	b.ReportAllocs()
	for b.Loop() {
		FindPlaces("san giovanni", on)
	}
}

// BenchmarkLoadPlaces measures the one-time parse of the embedded list.
func BenchmarkLoadPlaces(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parsePlaces(assets.Places); err != nil {
			b.Fatal(err)
		}
	}
}
