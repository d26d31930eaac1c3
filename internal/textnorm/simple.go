package textnorm

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// foldTable maps the letters below stableLimit that steps 1 to 5 change
// only by case folding, one code point for another, to what they fold to
// (0 for the others); look marks those among them, or among what they fold
// to, that are look-alikes.
type foldTable struct {
	to   [stableLimit]uint16
	look runeSet
}

// simpleFolds returns the foldTable of the code points that are not stable
// (see stableRunes) only because they are look-alikes or fold to another
// code point: letters that are not dropped, NFKC-invariant starters that
// compose with nothing before them, which fold to one code point with the
// same properties that folds to itself. Capital letters, and the small
// look-alikes of Cyrillic, Greek and Armenian, are such letters. Built on
// first use.
var simpleFolds = sync.OnceValue(func() *foldTable {
	t := new(foldTable)
	folder := cases.Fold()
	var b, folded []byte
	// plain reports whether r is a letter that steps 1 to 3 leave alone
	// and that nothing around it composes with.
	plain := func(r rune) bool {
		if r < utf8.RuneSelf || r >= stableLimit || r >= 0xd800 && r <= 0xdfff || r == utf8.RuneError {
			return false
		}
		if !unicode.IsLetter(r) {
			return false
		}
		b = utf8.AppendRune(b[:0], r)
		return loneStarter(r, b) && norm.NFKC.IsNormal(b)
	}
	// fold returns what r folds to when that is one code point.
	fold := func(r rune) (rune, bool) {
		b = utf8.AppendRune(b[:0], r)
		folded = foldCherokee(appendTransform(folded[:0], folder, b))
		f, n := utf8.DecodeRune(folded)
		return f, n == len(folded) && f != utf8.RuneError
	}
	st := stableRunes()
	for r := rune(utf8.RuneSelf); r < stableLimit; r++ {
		if st.has(r) || !plain(r) {
			continue
		}
		f, ok := fold(r)
		if !ok || f >= stableLimit || !plain(f) {
			continue
		}
		if ff, ok := fold(f); !ok || ff != f {
			continue
		}
		t.to[r] = uint16(f)
		_, lr := lookalikes[r]
		_, lf := lookalikes[f]
		if lr || lf {
			t.look.add(r)
		}
	}
	return t
})

// simple applies steps 1 to 5 to the longest prefix of s that ends at
// ASCII white space (or is s) and that they change one code point at a
// time: valid UTF-8 of ASCII, stable characters, white space, characters
// that step 2 drops and the letters of simpleFolds, in which no word holds
// both a Latin letter and a look-alike (before or after folding). NFKC
// leaves such text, and its folded form, as it is, step 4 maps nothing,
// and what is left is dropping and folding character by character. It
// returns the result, valid until the next call, and n, the length of the
// prefix; when n < len(s), bad is the index of the character (or the end
// of the word) that the full steps must take, with the text from n to the
// white space after bad. White space beyond ASCII comes out as a space:
// the collapser that takes the result folds it all the same.
func (sc *scratch) simple(s string) (out []byte, n, bad int) {
	st, ft := stableRunes(), simpleFolds()
	buf := sc.buf[:0]
	cut := 0                    // len(buf) when s[n] was read
	latin, look := false, false // in the current word
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case isASCIISpace(c):
				n, cut = i, len(buf)
				latin, look = false, false
			case c < 0x20 || c == 0x7f:
				i++ // dropped before words are told apart
				continue
			case 'a' <= c && c <= 'z':
				latin = true
			case 'A' <= c && c <= 'Z':
				latin = true
				c += 'a' - 'A'
			case '0' <= c && c <= '9':
			default:
				latin, look = false, false // the word ends
			}
			if latin && look {
				sc.buf = buf
				return buf[:cut], n, i
			}
			buf = append(buf, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError || r >= stableLimit:
			sc.buf = buf
			return buf[:cut], n, i
		case st.has(r):
			if isWordRune(r) {
				latin = latin || isLatin(r)
			} else {
				latin, look = false, false
			}
			buf = append(buf, s[i:i+size]...)
		case ft.to[r] != 0:
			f := rune(ft.to[r])
			latin = latin || isLatin(r) || isLatin(f)
			look = look || ft.look.has(r)
			buf = utf8.AppendRune(buf, f)
		case unicode.IsSpace(r):
			latin, look = false, false
			buf = append(buf, ' ')
		case dropped(r):
			// Dropped before words are told apart.
		default:
			sc.buf = buf
			return buf[:cut], n, i
		}
		if latin && look {
			sc.buf = buf
			return buf[:cut], n, i
		}
		i += size
	}
	sc.buf = buf
	return buf, len(s), len(s)
}
