package certificate

import (
	"fmt"
	"strconv"
	"strings"

	"sportello/fault"
)

// Number identifies a certificate: the desk's code, the year, the desk's
// yearly sequence and a check character, "D01-2026-000123-K". Desk codes are
// unique in a municipality, so desks number offline without asking anyone.
type Number struct {
	Desk string
	Year int
	Seq  int64
}

// OnlineDesk is the desk code of the online channel's number series: the
// certificates the server issues to citizens signed in on the portal,
// sealed with the server's online key. No desk enrols with it.
const OnlineDesk = "WEB"

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// String is the printed number with its check character.
func (n Number) String() string {
	body := n.body()
	return body + "-" + string(checkChar(body))
}

func (n Number) body() string {
	return fmt.Sprintf("%s-%04d-%06d", n.Desk, n.Year, n.Seq)
}

// Validate checks the parts.
func (n Number) Validate() error {
	if !validDesk(n.Desk) || n.Year < 2000 || n.Year > 9999 || n.Seq < 1 || n.Seq > 999999 {
		return fault.New(fault.Invalid, "{{.Number}} is not a certificate number", map[string]any{"Number": n.body()})
	}
	return nil
}

func validDesk(s string) bool {
	if s == "" || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(alphabet, r) {
			return false
		}
	}
	return true
}

// checkChar is the Luhn mod 36 check character of the letters and digits of
// s: it catches any one character mistyped and any two adjacent swapped.
func checkChar(s string) byte {
	const n = len(alphabet)
	factor, sum := 2, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := strings.IndexByte(alphabet, s[i])
		if c < 0 {
			continue
		}
		a := factor * c
		factor = 3 - factor
		sum += a/n + a%n
	}
	return alphabet[(n-sum%n)%n]
}

// ParseNumber reads a printed number and checks its check character.
func ParseNumber(s string) (Number, error) {
	bad := fault.New(fault.Invalid, "{{.Number}} is not a certificate number", map[string]any{"Number": s})
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(s)), "-")
	if len(parts) != 4 || len(parts[1]) != 4 || len(parts[2]) != 6 || len(parts[3]) != 1 {
		return Number{}, bad
	}
	year, err1 := strconv.Atoi(parts[1])
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return Number{}, bad
	}
	n := Number{Desk: parts[0], Year: year, Seq: seq}
	if n.Validate() != nil {
		return Number{}, bad
	}
	if checkChar(n.body()) != parts[3][0] {
		return Number{}, fault.New(fault.Invalid, "The check character of {{.Number}} is wrong: the number was mistyped", map[string]any{"Number": s})
	}
	return n, nil
}
