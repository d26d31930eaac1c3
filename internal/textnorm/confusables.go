package textnorm

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// lookalikes maps letters of other scripts that imitate a Latin letter to
// that letter, in lower case. It is taken from Unicode's confusables.txt
// (UTS #39), keeping the entries whose prototype is one ASCII letter (plus
// "rn" -> m and "vv" -> w, which the data uses as the skeletons of m and w),
// for the scripts that phishing text borrows from: Cyrillic, Greek,
// Armenian, Cherokee, Lisu, Coptic, and Latin-script look-alikes. Capital
// letters that imitate I, whose skeleton in the data is l, map to i. Two
// entries are added beyond the data: Greek ε -> e and χ -> x, which the data
// maps to other Greek-like prototypes but which pass for e and x in text.
// Letters that NFKC already maps (full-width, mathematical, Roman numerals)
// are not listed.
var lookalikes = map[rune]byte{
	// Cyrillic, small.
	'а': 'a', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'ҽ': 'e', 'һ': 'h', 'і': 'i',
	'ӏ': 'i', 'ꙇ': 'i', 'ј': 'j', 'к': 'k', 'м': 'm', 'п': 'n', 'о': 'o',
	'р': 'p', 'ԛ': 'q', 'г': 'r', 'ѕ': 's', 'т': 't', 'ц': 'u', 'ѵ': 'v',
	'ԝ': 'w', 'ѡ': 'w', 'х': 'x', 'у': 'y', 'ү': 'y',
	// Cyrillic, capital.
	'А': 'a', 'В': 'b', 'Ь': 'b', 'С': 'c', 'Е': 'e', 'Ԍ': 'g', 'Н': 'h',
	'І': 'i', 'Ӏ': 'i', 'Ј': 'j', 'К': 'k', 'М': 'm', 'О': 'o', 'Р': 'p',
	'Ѕ': 's', 'Т': 't', 'Ѵ': 'v', 'Ԝ': 'w', 'Х': 'x', 'Ү': 'y',
	// Greek, small.
	'α': 'a', 'ϲ': 'c', 'ε': 'e', 'ι': 'i', 'ͺ': 'i', 'ϳ': 'j', 'κ': 'k',
	'ϰ': 'k', 'π': 'n', 'ϖ': 'n', 'ο': 'o', 'σ': 'o', 'ρ': 'p', 'ϱ': 'p',
	'τ': 't', 'υ': 'u', 'ν': 'v', 'χ': 'x', 'γ': 'y',
	// Greek, capital.
	'Α': 'a', 'Β': 'b', 'Ϲ': 'c', 'Ε': 'e', 'Ϝ': 'f', 'Η': 'h', 'Ι': 'i',
	'Ϳ': 'j', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't',
	'Υ': 'y', 'ϒ': 'y', 'Χ': 'x', 'Ζ': 'z',
	// Armenian.
	'ց': 'g', 'հ': 'h', 'ո': 'n', 'ռ': 'n', 'օ': 'o', 'Օ': 'o', 'ք': 'f',
	'գ': 'q', 'զ': 'q', 'Տ': 's', 'ս': 'u', 'Ս': 'u', 'ա': 'w',
	// Cherokee (case folding maps Cherokee small letters to these).
	'Ꭺ': 'a', 'Ᏼ': 'b', 'Ꮟ': 'b', 'Ꮯ': 'c', 'Ꭰ': 'd', 'Ꮷ': 'd', 'Ꭼ': 'e',
	'Ꮐ': 'g', 'Ᏻ': 'g', 'Ꮋ': 'h', 'Ꮒ': 'h', 'Ꭵ': 'i', 'Ꭻ': 'j', 'Ꮶ': 'k',
	'Ꮮ': 'l', 'Ꮇ': 'm', 'Ꮲ': 'p', 'Ꭱ': 'r', 'Ꮢ': 'r', 'Ꮪ': 's', 'Ꮥ': 's',
	'Ꭲ': 't', 'Ꮩ': 'v', 'Ꮃ': 'w', 'Ꮤ': 'w', 'Ꭹ': 'y', 'Ꮍ': 'y', 'Ꮓ': 'z',
	// Lisu.
	'ꓮ': 'a', 'ꓐ': 'b', 'ꓚ': 'c', 'ꓒ': 'd', 'ꓓ': 'd', 'ꓰ': 'e', 'ꓝ': 'f',
	'ꓖ': 'g', 'ꓧ': 'h', 'ꓲ': 'i', 'ꓙ': 'j', 'ꓗ': 'k', 'ꓡ': 'l', 'ꓟ': 'm',
	'ꓠ': 'n', 'ꓳ': 'o', 'ꓑ': 'p', 'ꓣ': 'r', 'ꓢ': 's', 'ꓔ': 't', 'ꓴ': 'u',
	'ꓦ': 'v', 'ꓪ': 'w', 'ꓫ': 'x', 'ꓬ': 'y', 'ꓜ': 'z',
	// Coptic.
	'ⲥ': 'c', 'Ⲥ': 'c', 'Ⲏ': 'h', 'Ⲓ': 'i', 'ⲕ': 'k', 'Ⲕ': 'k', 'Ⲙ': 'm',
	'Ⲛ': 'n', 'ⲟ': 'o', 'Ⲟ': 'o', 'ⲣ': 'p', 'Ⲣ': 'p', 'Ⲧ': 't', 'Ⲭ': 'x',
	'Ⲩ': 'y',
	// Latin-script look-alikes.
	'ɑ': 'a', 'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ɡ': 'g',
	'ᶃ': 'g', 'ɢ': 'g', 'ʜ': 'h', 'ı': 'i', 'ɩ': 'i', 'ɪ': 'i', 'ᴊ': 'j',
	'ᴋ': 'k', 'ĸ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴑ': 'o',
	'ᴘ': 'p', 'ʀ': 'r', 'ꜱ': 's', 'ƽ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ʋ': 'u',
	'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ɣ': 'y', 'ᴢ': 'z',
}

// isWordRune reports whether r belongs to a word for step 4: a letter, a
// mark or a decimal digit.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if r < stableLimit {
		return wordRunes().has(r)
	}
	return isWordRuneSlow(r)
}

func isWordRuneSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// isLatin reports whether r is a letter of the Latin script.
func isLatin(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	if r < stableLimit {
		return latinRunes().has(r)
	}
	return unicode.Is(unicode.Latin, r)
}

// wordRunes and latinRunes are isWordRune and isLatin below stableLimit,
// as tables built on first use: a table look-up costs less than a search
// of the Unicode range tables, and step 4 asks for every code point of
// the text it maps.
var (
	wordRunes  = sync.OnceValue(func() *runeSet { return newRuneSet(isWordRuneSlow) })
	latinRunes = sync.OnceValue(func() *runeSet { return newRuneSet(func(r rune) bool { return unicode.Is(unicode.Latin, r) }) })
)

// newRuneSet returns the code points from U+0080 to below stableLimit
// that satisfy in.
func newRuneSet(in func(rune) bool) *runeSet {
	t := new(runeSet)
	for r := rune(utf8.RuneSelf); r < stableLimit; r++ {
		if in(r) {
			t.add(r)
		}
	}
	return t
}

// mapConfusables applies step 4 to b in place and returns the shortened
// slice: in every word that contains a Latin letter, each look-alike that
// is not followed by a combining mark becomes its Latin letter.
func mapConfusables(b []byte) []byte {
	if !mayHaveLookalike(b) {
		return b
	}
	w := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if !isWordRune(r) {
			w += copy(b[w:], b[i:i+n])
			i += n
			continue
		}
		// A word: b[i:j].
		j, latin, lookalike := i, false, false
		for j < len(b) {
			r, n := utf8.DecodeRune(b[j:])
			if !isWordRune(r) {
				break
			}
			if !lookalike && r >= utf8.RuneSelf && inLookalikeBlock(r) {
				_, lookalike = lookalikes[r]
			}
			if !latin && isLatin(r) {
				latin = true
			}
			j += n
		}
		if !latin || !lookalike {
			w += copy(b[w:], b[i:j])
			i = j
			continue
		}
		for i < j {
			r, n := utf8.DecodeRune(b[i:])
			var l byte
			ok := false
			if r >= utf8.RuneSelf && inLookalikeBlock(r) {
				l, ok = lookalikes[r]
			}
			if ok && i+n < j {
				if next, _ := utf8.DecodeRune(b[i+n:]); unicode.IsMark(next) {
					ok = false
				}
			}
			if ok {
				b[w] = l
				w++
			} else {
				w += copy(b[w:], b[i:i+n])
			}
			i += n
		}
	}
	return b[:w]
}

// inLookalikeBlock reports whether r is in a block that has entries in
// lookalikes: it spares the map look-up for most text.
func inLookalikeBlock(r rune) bool {
	switch {
	case r >= 0x0100 && r <= 0x05ff: // Latin extensions to Armenian
		return true
	case r >= 0x13a0 && r <= 0x13ff, r >= 0x1d00 && r <= 0x1dbf,
		r >= 0x2c80 && r <= 0x2cff, r >= 0xa4d0 && r <= 0xa4ff,
		r >= 0xa640 && r <= 0xa69f:
		return true
	}
	return false
}

// mayHaveLookalike reports whether b has the UTF-8 lead bytes of a block
// in lookalikes: C4..DF for U+0100..U+07FF, or the first two bytes of
// U+13A0..U+13FF (E1 8E, E1 8F), U+1D00..U+1DBF (E1 B4..B6),
// U+2C80..U+2CFF (E2 B2, E2 B3), U+A4C0..U+A4FF (EA 93) and
// U+A640..U+A6BF (EA 99, EA 9A). Common punctuation (E2 80 ..) passes.
func mayHaveLookalike(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0xc4 {
			continue
		}
		if c <= 0xdf {
			return true
		}
		if i+1 >= len(b) {
			return false
		}
		d := b[i+1]
		switch c {
		case 0xe1:
			if d == 0x8e || d == 0x8f || d >= 0xb4 && d <= 0xb6 {
				return true
			}
		case 0xe2:
			if d == 0xb2 || d == 0xb3 {
				return true
			}
		case 0xea:
			if d == 0x93 || d == 0x99 || d == 0x9a {
				return true
			}
		}
	}
	return false
}
