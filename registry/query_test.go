package registry

import (
	"slices"
	"strings"
	"testing"

	"sportello/fault"
)

func TestParseQuery(t *testing.T) {
	omocode := OmocodeVariant("MRTMRA83T56A269B", 5)
	tests := []struct {
		name string
		in   string
		want Query
	}{
		{"empty", "", Query{}},
		{"blank", " \t\n ", Query{}},
		{"surname", "Rossi", Query{Words: []string{"rossi"}}},
		{"surname and name, trimmed", "  Rossi   Mario ", Query{Words: []string{"rossi", "mario"}}},
		{"accent folded", "Nicolò", Query{Words: []string{"nicolo"}}},
		{"unaccented finds accented", "nicolo", Query{Words: []string{"nicolo"}}},
		{"apostrophe joins", "d'amico", Query{Words: []string{"damico"}}},
		{"typographic apostrophe", "D’Amico", Query{Words: []string{"damico"}}},
		{"hyphen splits", "Rossi-Bianchi", Query{Words: []string{"rossi", "bianchi"}}},
		{"code", "CCCFBA85D03L219P", Query{CF: "CCCFBA85D03L219P", CFBase: "CCCFBA85D03L219P"}},
		{"code lower case", "cccfba85d03l219p", Query{CF: "CCCFBA85D03L219P", CFBase: "CCCFBA85D03L219P"}},
		{"omocode", strings.ToLower(omocode), Query{CF: omocode, CFBase: "MRTMRA83T56A269B"}},
		{"code and words", "Martini MRTMRA83T56A269B", Query{CF: "MRTMRA83T56A269B", CFBase: "MRTMRA83T56A269B", Words: []string{"martini"}}},
		{"same code twice", "CCCFBA85D03L219P cccfba85d03l219p", Query{CF: "CCCFBA85D03L219P", CFBase: "CCCFBA85D03L219P"}},
		{"16 letters are a word", "Abcdefghijklmnop", Query{Words: []string{"abcdefghijklmnop"}}},
		{"date", "12/03/1980", Query{BirthDate: NewDate(1980, 3, 12)}},
		{"short date", "1/2/1980", Query{BirthDate: NewDate(1980, 2, 1)}},
		{"date with dashes", "12-03-1980", Query{BirthDate: NewDate(1980, 3, 12)}},
		{"date with dots", "12.03.1980", Query{BirthDate: NewDate(1980, 3, 12)}},
		{"ISO date", "1980-03-12", Query{BirthDate: NewDate(1980, 3, 12)}},
		{"leap day", "29/02/2000", Query{BirthDate: NewDate(2000, 2, 29)}},
		{"words and date", "rossi mario 12/03/1980", Query{Words: []string{"rossi", "mario"}, BirthDate: NewDate(1980, 3, 12)}},
		{"same date twice", "12/03/1980 12.3.1980", Query{BirthDate: NewDate(1980, 3, 12)}},
		{"a number is a word", "1980", Query{Words: []string{"1980"}}},
		{"eight digits are a date", "17111958", Query{BirthDate: NewDate(1958, 11, 17)}},
		{"eight digits that are no date are a word", "31021958", Query{Words: []string{"31021958"}}},
		{"words and eight digits", "rossi 17111958", Query{Words: []string{"rossi"}, BirthDate: NewDate(1958, 11, 17)}},
		{"two-digit year of the last century", "17/11/58", Query{BirthDate: NewDate(1958, 11, 17)}},
		{"two-digit year of this century", "3.4.05", Query{BirthDate: NewDate(2005, 4, 3)}},
		{"FTS syntax", `"rossi" OR mario* NEAR(a b) -c col:d ^e (f)`, Query{Words: []string{"rossi", "or", "mario", "near", "a", "b", "c", "col"}}},
		{"SQL", `'; DROP TABLE person; --`, Query{Words: []string{"drop", "table", "person"}}},
		{"only signs", `* " ( ) - : ^`, Query{}},
		{"other scripts dropped", "Иван Rossi", Query{Words: []string{"rossi"}}},
		{"words past the eighth dropped", "a b c d e f g h i j", Query{Words: []string{"a", "b", "c", "d", "e", "f", "g", "h"}}},
		{"exactly 200 characters", strings.Repeat("a", 200), Query{Words: []string{strings.Repeat("a", 200)}}},
		{"200 accented characters", strings.Repeat("è", 200), Query{Words: []string{strings.Repeat("e", 200)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.in)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.in, err)
			}
			if got.CF != tt.want.CF || got.CFBase != tt.want.CFBase || got.BirthDate != tt.want.BirthDate || !slices.Equal(got.Words, tt.want.Words) {
				t.Errorf("ParseQuery(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
			}
			if got.IsEmpty() != (tt.want.CF == "" && len(tt.want.Words) == 0 && tt.want.BirthDate.IsZero()) {
				t.Errorf("IsEmpty = %v", got.IsEmpty())
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"too long", strings.Repeat("a", 201), msgQueryLong},
		{"too long in accented characters", strings.Repeat("è ", 101), msgQueryLong},
		{"huge", strings.Repeat("rossi ", 100000), msgQueryLong},
		{"wrong check character", "MRTMRA83T56A269C", msgCFCheck},
		{"wrong check character, lower case", "rossi mrtmra83t56a269c", msgCFCheck},
		{"code with a nonexistent date", withCheck(t, "RSSMRA80B30H501"), msgCFDate},
		{"two codes", "CCCFBA85D03L219P MRTMRA83T56A269B", msgQueryCodes},
		{"nonexistent date", "31/02/2000", msgDateMissing},
		{"month 13", "01/13/2000", msgDateMissing},
		{"nonexistent date with a two-digit year", "30/02/80", msgDateMissing},
		{"three-digit year", "12/03/198", msgDateForm},
		{"mixed separators", "12/03-1980", msgDateForm},
		{"bad ISO date", "1980-02-30", "The date {{.Date}} is not valid: write it as YYYY-MM-DD"},
		{"two dates", "12/03/1980 13/03/1980", msgQueryDates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery(tt.in)
			wantInvalid(t, err, tt.want)
			if !q.IsEmpty() {
				t.Errorf("query %+v on error, want empty", q)
			}
		})
	}
}

// checkQuery asserts what every parsed query promises.
func checkQuery(tb testing.TB, in string, q Query, err error) {
	tb.Helper()
	if err != nil {
		if fault.Code(err) != fault.Invalid {
			tb.Fatalf("ParseQuery(%q) error %v is not invalid", in, err)
		}
		if !q.IsEmpty() {
			tb.Fatalf("ParseQuery(%q) = %+v with error", in, q)
		}
		return
	}
	if len(q.Words) > MaxQueryWords {
		tb.Fatalf("ParseQuery(%q) has %d words", in, len(q.Words))
	}
	for _, w := range q.Words {
		if w == "" {
			tb.Fatalf("ParseQuery(%q) has an empty word", in)
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				tb.Fatalf("ParseQuery(%q) word %q has %q", in, w, c)
			}
		}
	}
	if !q.BirthDate.IsZero() && !q.BirthDate.Valid() {
		tb.Fatalf("ParseQuery(%q) birth date %+v not valid", in, q.BirthDate)
	}
	if q.CF != "" {
		if _, err := DecodeCF(q.CF, Date{}); err != nil {
			tb.Fatalf("ParseQuery(%q) CF %s does not decode: %v", in, q.CF, err)
		}
		if q.CFBase != OmocodeBase(q.CF) {
			tb.Fatalf("ParseQuery(%q) CFBase %s, want %s", in, q.CFBase, OmocodeBase(q.CF))
		}
	} else if q.CFBase != "" {
		tb.Fatalf("ParseQuery(%q) CFBase without CF", in)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "rossi", "Rossi Mario 12/03/1980", "nicolò d'amico", "MRTMRA83T56A269B",
		"mrtmraupTRSANSVJ", "31/02/2000", `"a" OR b* NEAR(c d) -e f:g ^h`, "1980-03-12",
		"Иван 東京 😀", strings.Repeat("x ", 120),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		checkQuery(t, s, q, err)
	})
}

func BenchmarkParseQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseQuery("De Luca nicolò 12/03/1980"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseItalianDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr string
	}{
		{"17/11/1958", NewDate(1958, 11, 17), ""},
		{"1.2.2000", NewDate(2000, 2, 1), ""},
		{"31/02/2026", Date{}, msgDateMissing},
		{"00/01/2026", Date{}, msgDateMissing},
		{"17/11/58", Date{}, msgDateForm}, // a form's date has its four-digit year
		{"17-11/1958", Date{}, msgDateForm},
		{"domani", Date{}, msgDateForm},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseItalianDate(tt.in)
			if tt.wantErr != "" {
				wantInvalid(t, err, tt.wantErr)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseItalianDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFullYear(t *testing.T) {
	for _, tt := range []struct{ yy, this, want int }{
		{58, 2026, 1958}, {26, 2026, 2026}, {27, 2026, 1927}, {0, 2026, 2000}, {99, 2000, 1999},
	} {
		if got := fullYear(tt.yy, tt.this); got != tt.want {
			t.Errorf("fullYear(%d, %d) = %d, want %d", tt.yy, tt.this, got, tt.want)
		}
	}
}
