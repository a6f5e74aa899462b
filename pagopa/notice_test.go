package pagopa

import (
	"strings"
	"testing"

	"sportello/fault"
)

// The expected numbers below were computed by hand from the scheme NAV.3
// (16-digit number <3><segregation><base> mod 93).
func TestNoticeNumber(t *testing.T) {
	cases := []struct {
		n       Notice
		iuv     string
		notice  string
		grouped string
	}{
		{Notice{1, 1}, "01000000000000144", "301000000000000144", "3010 0000 0000 0001 44"},
		{Notice{0, 0}, "00000000000000003", "300000000000000003", "3000 0000 0000 0000 03"},
		{Notice{12, 1234567890123}, "12123456789012384", "312123456789012384", "3121 2345 6789 0123 84"},
		{Notice{99, MaxBase}, "99999999999999903", "399999999999999903", "3999 9999 9999 9999 03"},
	}
	for _, tc := range cases {
		t.Run(tc.notice, func(t *testing.T) {
			if got := tc.n.IUV(); got != tc.iuv {
				t.Errorf("IUV %s, want %s", got, tc.iuv)
			}
			if got := tc.n.String(); got != tc.notice {
				t.Errorf("notice %s, want %s", got, tc.notice)
			}
			if got := tc.n.Grouped(); got != tc.grouped {
				t.Errorf("grouped %q, want %q", got, tc.grouped)
			}
			for _, s := range []string{tc.notice, tc.grouped} {
				if back, err := ParseNotice(s); err != nil || back != tc.n {
					t.Errorf("ParseNotice(%q) = %+v, %v", s, back, err)
				}
			}
		})
	}
}

func TestParseNoticeRefuses(t *testing.T) {
	good := "312123456789012384"
	// Every single digit mistyped in the segregation code or the base is caught.
	for i := 1; i < 16; i++ {
		for d := byte('0'); d <= '9'; d++ {
			if good[i] == d {
				continue
			}
			typo := good[:i] + string(d) + good[i+1:]
			if _, err := ParseNotice(typo); fault.Code(err) != fault.Invalid {
				t.Fatalf("%s accepted", typo)
			}
		}
	}
	for _, s := range []string{"", "212123456789012384", "31212345678901238", "3121234567890123845", "31212345678901238x", good[:16] + "85"} {
		if _, err := ParseNotice(s); fault.Code(err) != fault.Invalid {
			t.Errorf("ParseNotice(%q): %v, want refused", s, err)
		}
	}
}

func TestQR(t *testing.T) {
	n := Notice{12, 1234567890123}
	got, err := QR(n, "02438750586", 1600)
	if err != nil || got != "PAGOPA|002|312123456789012384|02438750586|1600" {
		t.Fatalf("%q %v", got, err)
	}
	bad := []struct {
		name  string
		n     Notice
		tax   string
		cents int64
	}{
		{"a tax code with a wrong check digit", n, "02438750587", 1600},
		{"a personal codice fiscale", n, "RSSMRA80A01H501U", 1600},
		{"no amount", n, "02438750586", 0},
		{"a negative amount", n, "02438750586", -1},
		{"a base too long", Notice{12, MaxBase + 1}, "02438750586", 1600},
		{"a segregation code too long", Notice{100, 1}, "02438750586", 1600},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if qr, err := QR(tc.n, tc.tax, tc.cents); fault.Code(err) != fault.Invalid || strings.HasPrefix(qr, "PAGOPA") {
				t.Fatalf("%q %v, want refused", qr, err)
			}
		})
	}
}

func TestValidTaxCode(t *testing.T) {
	for _, c := range []string{"02438750586", "80015010723", "00488410010"} {
		if !ValidTaxCode(c) {
			t.Errorf("%s refused", c)
		}
	}
	for _, c := range []string{"02438750587", "0243875058", "0243875058a", ""} {
		if ValidTaxCode(c) {
			t.Errorf("%s accepted", c)
		}
	}
}
