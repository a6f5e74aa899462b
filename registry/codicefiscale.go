package registry

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"sportello/fault"
)

// The codice fiscale (DM 23/12/1976): 3 letters from the surname, 3 from the
// name, 2-digit year, month letter, day (+40 for women), 4-character place
// code, check character. Omocodes replace digits at positions 15, 14, 13, 11,
// 10, 8 and 7 with letters to tell apart people who would share a code.

// Message keys of codice fiscale errors.
const (
	msgCFLength    = "The codice fiscale must be 16 characters"
	msgCFChars     = "The codice fiscale may contain only letters and digits"
	msgCFLetters   = "The first six characters of the codice fiscale must be letters"
	msgCFYear      = "The year of birth in the codice fiscale (characters 7 and 8) is not valid"
	msgCFMonth     = "The month letter {{.Letter}} in the codice fiscale is not valid: it must be one of ABCDEHLMPRST"
	msgCFDay       = "The day of birth in the codice fiscale (characters 10 and 11) is not valid"
	msgCFPlace     = "The birth place code in the codice fiscale (characters 12 to 15) is not valid"
	msgCFCheck     = "The check character of the codice fiscale is wrong"
	msgCFDate      = "The birth date in the codice fiscale does not exist"
	msgCheck15     = "The check character is computed from the first 15 characters of the codice fiscale"
	msgSurnameNone = "The surname must contain at least one letter"
	msgNameNone    = "The name must contain at least one letter"
	msgSex         = "The sex must be M or F"
	msgBirthDate   = "The birth date is not valid"
	msgPlaceCode   = "The birth place code must be a letter followed by three digits, e.g. H501"
)

const (
	monthLetters   = "ABCDEHLMPRST"
	omocodeLetters = "LMNPQRSTUV" // stand for 0..9 in omocodes
)

// omocodePositions are the 0-based positions the Revenue Agency replaces,
// rightmost first: bit i of a variant number replaces omocodePositions[i].
var omocodePositions = [7]int{14, 13, 12, 10, 9, 7, 6}

// oddValues are the check values of characters at odd positions (1st, 3rd,
// ...): index 0-9 for digits, 10-35 for A-Z.
var oddValues = [36]byte{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
}

// CFInfo is what a codice fiscale says about its holder.
type CFInfo struct {
	Code       string // the code, upper case, as given (omocode letters kept)
	Base       string // the non-omocode form, check character recomputed
	Sex        Sex
	BirthDate  Date
	PlaceCode  string // birth place code, omocode letters turned back to digits
	Place      Place  // the place entry valid at the birth date, when known
	PlaceKnown bool   // false when the place code is in none of the lists
	Omocode    bool   // the code has omocode letters
}

// ComputeCF computes the codice fiscale from the personal data. Surname and
// name are read for their letters only: accents are folded, apostrophes,
// spaces and other signs skipped. placeCode is the cadastral code of the
// birth municipality valid at the birth date, or the Z code of the foreign
// state; it needs the right form but not to be in the lists. The result is a
// help for the clerk: only the Revenue Agency issues codes.
func ComputeCF(surname, name string, sex Sex, born Date, placeCode string) (string, error) {
	var out [16]byte
	if !nameLetters(out[0:3], surname, false) {
		return "", fault.New(fault.Invalid, msgSurnameNone, nil)
	}
	if !nameLetters(out[3:6], name, true) {
		return "", fault.New(fault.Invalid, msgNameNone, nil)
	}
	day := born.Day
	switch sex {
	case Male:
	case Female:
		day += 40
	default:
		return "", fault.New(fault.Invalid, msgSex, nil)
	}
	if !born.Valid() {
		return "", fault.New(fault.Invalid, msgBirthDate, nil)
	}
	if len(placeCode) != 4 {
		return "", fault.New(fault.Invalid, msgPlaceCode, nil)
	}
	for i := 0; i < 4; i++ {
		c := placeCode[i]
		if i == 0 && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[11+i] = c
	}
	if !placeCodeForm(string(out[11:15])) {
		return "", fault.New(fault.Invalid, msgPlaceCode, nil)
	}
	y := born.Year % 100
	out[6], out[7] = byte('0'+y/10), byte('0'+y%10)
	out[8] = monthLetters[born.Month-1]
	out[9], out[10] = byte('0'+day/10), byte('0'+day%10)
	out[15] = checkChar(out[:15])
	return string(out[:]), nil
}

// nameLetters writes the three code letters of a surname (isName false) or
// a name into dst; it reports false when s has no letter at all.
func nameLetters(dst []byte, s string, isName bool) bool {
	var cons [4]byte
	var vows [3]byte
	nc, nv := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		var l byte
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'A' && c <= 'Z':
				l = c
			case c >= 'a' && c <= 'z':
				l = c - ('a' - 'A')
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			l = foldedLetter(r)
		}
		switch l {
		case 0:
		case 'A', 'E', 'I', 'O', 'U':
			if nv < len(vows) {
				vows[nv] = l
			}
			nv++
		default:
			if nc < len(cons) {
				cons[nc] = l
			}
			nc++
		}
	}
	if nc+nv == 0 {
		return false
	}
	if isName && nc > 3 {
		dst[0], dst[1], dst[2] = cons[0], cons[2], cons[3]
		return true
	}
	n := 0
	for i := 0; i < nc && n < 3; i++ {
		dst[n] = cons[i]
		n++
	}
	for i := 0; i < nv && i < len(vows) && n < 3; i++ {
		dst[n] = vows[i]
		n++
	}
	for ; n < 3; n++ {
		dst[n] = 'X'
	}
	return true
}

// latinLetters maps the Latin-1 and Latin Extended-A/B letters (U+00C0 to
// U+024F) to their upper-case base letter: È -> E, ç -> C, ø -> O; 0 for the
// signs in that range that are not letters.
var latinLetters = func() (t [0x250 - 0xC0]byte) {
	for r := rune(0xC0); r < 0x250; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		base := []rune(norm.NFD.String(string(r)))[0]
		base = foldLetter(unicode.ToLower(base))
		if base >= 'a' && base <= 'z' {
			t[r-0xC0] = byte(base - 'a' + 'A')
		}
	}
	return t
}()

// foldedLetter returns the upper-case base letter of a non-ASCII rune, 0 when
// it is not a Latin letter.
func foldedLetter(r rune) byte {
	if r >= 0xC0 && r < 0x250 {
		return latinLetters[r-0xC0]
	}
	return 0
}

// CheckChar computes the check character from the first 15 characters of a
// codice fiscale (letters in either case and digits).
func CheckChar(first15 string) (byte, error) {
	if len(first15) != 15 {
		return 0, fault.New(fault.Invalid, msgCheck15, nil)
	}
	var b [15]byte
	for i := 0; i < 15; i++ {
		c := first15[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return 0, fault.New(fault.Invalid, msgCFChars, nil)
		}
		b[i] = c
	}
	return checkChar(b[:]), nil
}

// checkChar computes the check character of 15 upper-case letters and digits.
func checkChar(b []byte) byte {
	sum := 0
	for i, c := range b[:15] {
		var idx, even int
		if c <= '9' {
			idx, even = int(c-'0'), int(c-'0')
		} else {
			idx, even = int(c-'A')+10, int(c-'A')
		}
		if i%2 == 0 { // 1st, 3rd, ... position
			sum += int(oddValues[idx])
		} else {
			sum += even
		}
	}
	return byte('A' + sum%26)
}

// parseCF checks the form of an upper-case code, position by position from
// the left, and returns its non-omocode form (check character not yet
// recomputed) and whether it had omocode letters. It does not verify the
// check character.
func parseCF(code string) (base [16]byte, omocode bool, err error) {
	if len(code) != 16 {
		if utf8.RuneCountInString(code) == 16 {
			return base, false, fault.New(fault.Invalid, msgCFChars, nil)
		}
		return base, false, fault.New(fault.Invalid, msgCFLength, nil)
	}
	for i := 0; i < 16; i++ {
		c := code[i]
		if !isUpper(c) && !isDigit(c) {
			return base, false, fault.New(fault.Invalid, msgCFChars, nil)
		}
		base[i] = c
	}
	for i, c := range base {
		switch i {
		case 0, 1, 2, 3, 4, 5:
			if !isUpper(c) {
				return base, false, fault.New(fault.Invalid, msgCFLetters, nil)
			}
		case 6, 7, 9, 10, 12, 13, 14:
			if isDigit(c) {
				continue
			}
			d := strings.IndexByte(omocodeLetters, c)
			if d >= 0 {
				base[i] = byte('0' + d)
				omocode = true
				continue
			}
			switch i {
			case 6, 7:
				return base, false, fault.New(fault.Invalid, msgCFYear, nil)
			case 9, 10:
				return base, false, fault.New(fault.Invalid, msgCFDay, nil)
			default:
				return base, false, fault.New(fault.Invalid, msgCFPlace, nil)
			}
		case 8:
			if strings.IndexByte(monthLetters, c) < 0 {
				return base, false, fault.New(fault.Invalid, msgCFMonth, map[string]any{"Letter": string(c)})
			}
		case 11:
			if d := int(base[9]-'0')*10 + int(base[10]-'0'); d < 1 || d > 71 || (d > 31 && d < 41) {
				return base, false, fault.New(fault.Invalid, msgCFDay, nil)
			}
			if !isUpper(c) {
				return base, false, fault.New(fault.Invalid, msgCFPlace, nil)
			}
		case 15:
			if !isUpper(c) {
				return base, false, fault.New(fault.Invalid, msgCFCheck, nil)
			}
		}
	}
	return base, omocode, nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// DecodeCF validates a codice fiscale (either case, surrounding spaces
// ignored; omocodes accepted) and decodes sex, birth date and birth place.
// The century is the latest that puts the birth date not after today (a zero
// today means Today()), unless the place is a municipality that did not
// exist on that date but did a century earlier. The place is the entry valid at the birth date,
// suppressed municipalities and ceased states included; when the code is in
// the lists but no entry covers the birth date, the nearest entry in time. An
// unknown place code is not an error: PlaceKnown is false.
func DecodeCF(code string, today Date) (CFInfo, error) {
	code = upperASCII(strings.TrimSpace(code))
	base, omocode, err := parseCF(code)
	if err != nil {
		return CFInfo{}, err
	}
	var given [15]byte
	copy(given[:], code)
	if checkChar(given[:]) != code[15] {
		return CFInfo{}, fault.New(fault.Invalid, msgCFCheck, nil)
	}
	if today.IsZero() {
		today = Today()
	}
	day := int(base[9]-'0')*10 + int(base[10]-'0')
	sex := Male
	if day > 40 {
		sex, day = Female, day-40
	}
	born := Date{
		Year:  today.Year - today.Year%100 + int(base[6]-'0')*10 + int(base[7]-'0'),
		Month: monthOf(base[8]),
		Day:   day,
	}
	if born.After(today) || !born.Valid() {
		// 29 February of 2100 is no date, of 2000 it is.
		born.Year -= 100
	}
	if !born.Valid() {
		return CFInfo{}, fault.New(fault.Invalid, msgCFDate, nil)
	}
	placeCode := string(base[11:15])
	if earlier := (Date{Year: born.Year - 100, Month: born.Month, Day: born.Day}); base[11] != 'Z' && earlier.Valid() {
		// A municipality that did not exist at the later date but did a
		// century earlier tells the century (one suppressed in 1928).
		if _, ok := LookupPlace(placeCode, born); !ok {
			if _, ok := LookupPlace(placeCode, earlier); ok {
				born = earlier
			}
		}
	}
	base[15] = checkChar(base[:15])
	info := CFInfo{
		Code:      code,
		Base:      string(base[:]),
		Sex:       sex,
		BirthDate: born,
		Omocode:   omocode,
	}
	info.PlaceCode = placeCode
	info.Place, info.PlaceKnown = lookupPlaceNearest(placeCode, born)
	return info, nil
}

func monthOf(letter byte) time.Month {
	return time.Month(strings.IndexByte(monthLetters, letter) + 1)
}

// ValidateCF reports whether code is a well-formed codice fiscale with the
// right check character and an existing birth date (see DecodeCF); the error
// says what is wrong.
func ValidateCF(code string) error {
	_, err := DecodeCF(code, Date{})
	return err
}

// OmocodeBase returns the code with the omocode letters at positions 15, 14,
// 13, 11, 10, 8 and 7 turned back to digits and the check character
// recomputed. The check character given is not verified. A code that is not
// well-formed is returned upper-cased and otherwise unchanged.
func OmocodeBase(code string) string {
	code = upperASCII(code)
	base, omocode, err := parseCF(code)
	if err != nil {
		return code
	}
	base[15] = checkChar(base[:15])
	if !omocode && base[15] == code[15] {
		return code
	}
	return string(base[:])
}

// OmocodeVariant returns the n-th omocode variant of the code, n in 1..127:
// bit 0 of n replaces the digit at position 15, bit 1 position 14, then 13,
// 11, 10, 8 and 7, as the Revenue Agency replaces the rightmost digits first;
// the check character is recomputed. n = 0 gives OmocodeBase. A code that is
// not well-formed, or n out of range, gives the code upper-cased and
// otherwise unchanged.
func OmocodeVariant(code string, n int) string {
	code = upperASCII(code)
	base, _, err := parseCF(code)
	if err != nil || n < 0 || n > 127 {
		return code
	}
	for i, pos := range omocodePositions {
		if n&(1<<i) != 0 {
			base[pos] = omocodeLetters[base[pos]-'0']
		}
	}
	base[15] = checkChar(base[:15])
	return string(base[:])
}
