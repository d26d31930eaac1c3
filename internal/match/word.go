package match

import (
	"unicode"
	"unicode/utf8"
)

// isWordRune reports whether r is a letter, a digit or a combining mark.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// wordBoundaryBefore reports whether no word rune ends at text[:i].
func wordBoundaryBefore(text []byte, i int) bool {
	if i == 0 {
		return true
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return !isWordRune(rune(c))
	}
	r, _ := utf8.DecodeLastRune(text[:i])
	return !isWordRune(r)
}

// wordBoundaryAfter reports whether no word rune starts at text[i:].
func wordBoundaryAfter(text []byte, i int) bool {
	if i >= len(text) {
		return true
	}
	if c := text[i]; c < utf8.RuneSelf {
		return !isWordRune(rune(c))
	}
	r, _ := utf8.DecodeRune(text[i:])
	return !isWordRune(r)
}
