package registry

import "testing"

func TestTitleCase(t *testing.T) {
	tests := map[string]string{
		"GIUSEPPE GARIBALDI":    "Giuseppe Garibaldi",
		"SANT'ANDREA":           "Sant'Andrea",
		"VIALE DEI CADUTI":      "Viale dei Caduti",
		"PAPA GREGORIO IX":      "Papa Gregorio IX",
		"REGGIO NELL'EMILIA":    "Reggio nell'Emilia",
		"DELL'ACQUA":            "Dell'Acqua",
		"VIA XX SETTEMBRE":      "Via XX Settembre",
		"  piazza  di  spagna ": "Piazza di Spagna",
		"CITTÀ DI CASTELLO":     "Città di Castello",
		"VIA MILANO":            "Via Milano",
		"L'AQUILA":              "L'Aquila",
		"":                      "",
	}
	for in, want := range tests {
		if got := TitleCase(in); got != want {
			t.Errorf("TitleCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddressLine(t *testing.T) {
	tests := []struct {
		a    Address
		want string
	}{
		{Address{Toponym: "VIA", Street: "SANT'ANDREA", HouseNumber: "12/A", Internal: "3"}, "Via Sant'Andrea 12/A, int. 3"},
		{Address{Toponym: "VICOLO", Street: "DELLA TORRE", HouseNumber: "5"}, "Vicolo della Torre 5"},
		{Address{Street: "HIGH STREET 145, LONDON"}, "High Street 145, London"},
	}
	for _, tt := range tests {
		if got := tt.a.Line(); got != tt.want {
			t.Errorf("Line() = %q, want %q", got, tt.want)
		}
	}
}
