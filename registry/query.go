package registry

import (
	"strings"
	"unicode/utf8"

	"sportello/fault"
)

// Query is a parsed search box entry. A codice fiscale (omocode or not) finds
// that person; otherwise Words are surname and name prefixes, folded; a date
// (dd/mm/yyyy) narrows by birth date.
type Query struct {
	CF        string   // the code as typed, upper case, when the entry is a well-formed codice fiscale
	CFBase    string   // its non-omocode form (omocode letters turned back to digits)
	Words     []string // folded words (see Fold), in the order typed
	BirthDate Date     // zero when the entry has no date
}

// IsEmpty reports whether the query asks for nothing.
func (q Query) IsEmpty() bool {
	return q.CF == "" && len(q.Words) == 0 && q.BirthDate.IsZero()
}

// Limits of a search box entry.
const (
	MaxQueryLength = 200 // characters; longer entries are refused
	MaxQueryWords  = 8   // words past the eighth are dropped
)

// Message keys of search errors.
const (
	msgQueryLong  = "The search is too long"
	msgQueryCodes = "Search for one codice fiscale at a time"
	msgQueryDates = "Search for one birth date at a time"
)

// ParseQuery reads a search box entry. It is split on spaces; a 16-character
// token with the form of a codice fiscale (omocode or not, either case) sets
// CF and CFBase, and is refused with the reason when its check character or
// date is wrong; a token made of digits and / - . is a birth date
// (dd/mm/yyyy, d/m/yyyy, dd/mm/yy, ddmmyyyy or yyyy-mm-dd) and is refused when it is not a real
// date; everything else is folded (see Fold) into Words of letters a-z and
// digits only, so no search syntax survives. Words past MaxQueryWords are
// dropped. A blank entry gives the empty Query; an entry longer than
// MaxQueryLength characters is refused.
func ParseQuery(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxQueryLength && utf8.RuneCountInString(s) > MaxQueryLength {
		return Query{}, fault.New(fault.Invalid, msgQueryLong, nil)
	}
	var q Query
	for _, tok := range strings.Fields(s) {
		if len(tok) == 16 {
			code := upperASCII(tok)
			if _, _, err := parseCF(code); err == nil {
				info, err := DecodeCF(code, Date{})
				if err != nil {
					return Query{}, err
				}
				if q.CF != "" && q.CF != info.Code {
					return Query{}, fault.New(fault.Invalid, msgQueryCodes, nil)
				}
				q.CF, q.CFBase = info.Code, info.Base
				continue
			}
		}
		if d, ok := packedDate(tok); ok {
			if !q.BirthDate.IsZero() && q.BirthDate != d {
				return Query{}, fault.New(fault.Invalid, msgQueryDates, nil)
			}
			q.BirthDate = d
			continue
		}
		if dateLike(tok) {
			d, err := parseQueryDate(tok)
			if err != nil {
				return Query{}, err
			}
			if !q.BirthDate.IsZero() && q.BirthDate != d {
				return Query{}, fault.New(fault.Invalid, msgQueryDates, nil)
			}
			q.BirthDate = d
			continue
		}
		q.Words = appendWords(q.Words, tok)
	}
	return q, nil
}

// dateLike reports whether tok is made of digits and date separators only,
// with at least one of each.
func dateLike(tok string) bool {
	digits, seps := false, false
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '/' || c == '-' || c == '.':
			seps = true
		default:
			return false
		}
	}
	return digits && seps
}

// parseQueryDate reads a date typed in the search box: ISO, or dd/mm/yyyy
// and dd/mm/yy as ParseItalianDate and splitItalianDate read them.
func parseQueryDate(tok string) (Date, error) {
	if len(tok) == 10 && tok[4] == '-' && tok[7] == '-' {
		return ParseDate(tok)
	}
	d, ok, exists := splitItalianDate(tok, true)
	switch {
	case !ok:
		return Date{}, fault.New(fault.Invalid, msgDateForm, map[string]any{"Date": tok})
	case !exists:
		return Date{}, fault.New(fault.Invalid, msgDateMissing, map[string]any{"Date": tok})
	}
	return d, nil
}

// packedDate reads eight digits that make a real date ddmmyyyy (17111958),
// as clerks type a birth date without separators; other digits stay words.
func packedDate(tok string) (Date, bool) {
	if !digitsOnly(tok, 8, 8) {
		return Date{}, false
	}
	d, ok, exists := splitItalianDate(tok[:2]+"/"+tok[2:4]+"/"+tok[4:], false)
	return d, ok && exists
}

// appendWords folds tok and appends its words made of a-z and 0-9, splitting
// at any other character, up to MaxQueryWords words in all.
func appendWords(words []string, tok string) []string {
	f := Fold(tok)
	start := -1
	for i := 0; i <= len(f); i++ {
		ok := i < len(f) && (f[i] >= 'a' && f[i] <= 'z' || f[i] >= '0' && f[i] <= '9')
		switch {
		case ok && start < 0:
			start = i
		case !ok && start >= 0:
			if len(words) >= MaxQueryWords {
				return words
			}
			words = append(words, f[start:i])
			start = -1
		}
	}
	return words
}
