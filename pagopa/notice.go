// Package pagopa is the domain of payments through pagoPA: the notice
// number (numero avviso) with its IUV and check digits, as the "Specifiche
// attuative dei codici identificativi di versamento" lay them out, and the
// payment notice's QR code. It imports no HTTP: the GPD client that creates
// debt positions lives beside the portal.
package pagopa

import (
	"fmt"
	"strconv"
	"strings"

	"sportello/fault"
)

// AuxDigit is the notice number's first digit. The municipality uses
// scheme 3 (NAV.3): 3<segregation code (2)><IUV base (13)><check (2)>,
// which pagoPA asks of every creditor since aux digits 0-2 were retired;
// the segregation code keeps the IUVs of each generation point (the
// portal, another intermediary) apart.
const AuxDigit = 3

// MaxBase is the largest IUV base: 13 digits.
const MaxBase = 9_999_999_999_999

// Notice is a notice number of scheme 3.
type Notice struct {
	Segregation int   // the segregation code pagoPA assigned to the generation point, 00-99
	Base        int64 // the IUV base, unique within the segregation code, 0-MaxBase
}

// CheckDigits are the IUV's check digits: the remainder by 93 of the number
// <aux digit><segregation code><IUV base> (16 digits).
func (n Notice) CheckDigits() int {
	v, _ := strconv.ParseInt(fmt.Sprintf("%d%02d%013d", AuxDigit, n.Segregation, n.Base), 10, 64)
	return int(v % 93)
}

// Validate checks the parts.
func (n Notice) Validate() error {
	if n.Segregation < 0 || n.Segregation > 99 || n.Base < 0 || n.Base > MaxBase {
		return fault.New(fault.Invalid, "The pagoPA notice number is out of range: a segregation code of 2 digits and an IUV base of 13", nil)
	}
	return nil
}

// IUV is the identificativo univoco di versamento, 17 digits:
// <segregation code><IUV base><check digits>.
func (n Notice) IUV() string {
	return fmt.Sprintf("%02d%013d%02d", n.Segregation, n.Base, n.CheckDigits())
}

// String is the notice number (codice avviso), 18 digits: the aux digit
// and the IUV.
func (n Notice) String() string { return strconv.Itoa(AuxDigit) + n.IUV() }

// Grouped is the notice number as the payment notice prints it, in groups
// of four digits: "3011 2345 6789 0123 84".
func (n Notice) Grouped() string {
	s := n.String()
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// ParseNotice reads a notice number of scheme 3, with or without the
// spaces between its groups, and checks its check digits.
func ParseNotice(s string) (Notice, error) {
	digits := strings.Join(strings.Fields(s), "")
	bad := fault.New(fault.Invalid, "{{.Notice}} is not a pagoPA notice number: 18 digits starting with 3", map[string]any{"Notice": s})
	if len(digits) != 18 || strings.Trim(digits, "0123456789") != "" || digits[0] != '0'+AuxDigit {
		return Notice{}, bad
	}
	seg, _ := strconv.Atoi(digits[1:3])
	base, _ := strconv.ParseInt(digits[3:16], 10, 64)
	check, _ := strconv.Atoi(digits[16:])
	n := Notice{Segregation: seg, Base: base}
	if n.CheckDigits() != check {
		return Notice{}, fault.New(fault.Invalid, "The check digits of the pagoPA notice number {{.Notice}} are wrong: the number was mistyped", map[string]any{"Notice": s})
	}
	return n, nil
}

// ValidTaxCode reports whether code is a creditor's 11-digit tax code
// (codice fiscale numerico, the partita IVA's form) with its check digit.
func ValidTaxCode(code string) bool {
	if len(code) != 11 || strings.Trim(code, "0123456789") != "" {
		return false
	}
	sum := 0
	for i := range 10 {
		d := int(code[i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(code[10]-'0')
}

// MaxCents bounds an amount a notice asks for (999,999,999.99 euro).
const MaxCents = 99_999_999_999

// QR is the text of the payment notice's QR code:
// PAGOPA|002|<notice number>|<creditor's tax code>|<amount in cents>.
func QR(n Notice, taxCode string, cents int64) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	if !ValidTaxCode(taxCode) {
		return "", fault.New(fault.Invalid, "{{.Code}} is not the municipality's tax code: 11 digits with their check digit (set pagopa_tax_code)", map[string]any{"Code": taxCode})
	}
	if cents <= 0 || cents > MaxCents {
		return "", fault.New(fault.Invalid, "A pagoPA notice asks for an amount above zero", nil)
	}
	return fmt.Sprintf("PAGOPA|002|%s|%s|%d", n, taxCode, cents), nil
}
