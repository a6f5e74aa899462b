package registry

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold turns a name as written into the form search compares: lower case,
// accents removed, apostrophes dropped, any other punctuation a space, spaces
// collapsed. "D'Amico" -> "damico", "Nicolò" -> "nicolo", "De  Luca" -> "de luca".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped
		case r == '\'' || r == '’' || r == '`' || r == '´':
			// apostrophes join: D'Amico is damico
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(foldLetter(unicode.ToLower(r)))
		default:
			space = true
		}
	}
	return b.String()
}

// foldLetter maps letters that carry no combining mark in NFD to their base.
func foldLetter(r rune) rune {
	switch r {
	case 'ß':
		return 's'
	case 'ø':
		return 'o'
	case 'đ':
		return 'd'
	case 'ł':
		return 'l'
	case 'æ':
		return 'a'
	case 'œ':
		return 'o'
	case 'ı':
		return 'i'
	}
	return r
}

// SearchKey is Fold without spaces: the key a surname or name is sorted and
// prefix-matched by. "De Luca" -> "deluca", "D'Amico" -> "damico".
func SearchKey(s string) string {
	return strings.ReplaceAll(Fold(s), " ", "")
}

// SearchTokens is the text the full-text index holds for a surname or name:
// its folded words and, for a name of several words, their join, so that
// "De Luca" is found by "de", "luca" and "deluca".
func SearchTokens(s string) string {
	f := Fold(s)
	if !strings.Contains(f, " ") {
		return f
	}
	return f + " " + strings.ReplaceAll(f, " ", "")
}
