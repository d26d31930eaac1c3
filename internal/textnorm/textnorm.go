// Package textnorm puts text into the one form that rules are matched
// against. Extraction normalises every page text with it and the rule loader
// normalises every rule literal with it, so the two meet byte for byte.
//
// Normalize (and Append, its allocation-free form) applies these steps, in
// this order:
//
//  1. Invalid UTF-8: every maximal run of bytes that is not valid UTF-8
//     becomes one U+FFFD REPLACEMENT CHARACTER (as strings.ToValidUTF8).
//  2. Invisible characters are dropped: the Default_Ignorable_Code_Point
//     set of Unicode (soft hyphen U+00AD, combining grapheme joiner U+034F,
//     U+061C, Hangul fillers, U+180B..U+180F, zero-width space, joiners and
//     direction marks U+200B..U+200F, bidi embeddings U+202A..U+202E,
//     U+2060..U+206F, variation selectors, U+FEFF, U+FFF0..U+FFF8, tag
//     characters) and the control characters (Cc) that are not white space.
//     So "Mi\u200Bcro\u00ADsoft" reads "microsoft".
//  3. Unicode NFKC: full-width and mathematical letters and digits,
//     ligatures, circled and super/subscript forms become plain ones;
//     accents stay ("sécurité" stays "sécurité").
//  4. Look-alike letters of other scripts become the Latin letter they
//     imitate, but only inside a word that also contains a Latin letter, so
//     Russian or Greek text stays as it is while "Windоws" written with a
//     Cyrillic о reads "windows". A word is a maximal run of letters, marks
//     and decimal digits. A look-alike followed by a combining mark is left
//     alone (the pair is a different letter, and mapping it would change
//     what NFKC composes). The table (see confusables.go) is taken from
//     Unicode's confusables data (UTS #39) for Cyrillic, Greek, Armenian,
//     Cherokee, Lisu and Coptic, plus Latin-script look-alikes such as
//     ı, ɑ, ɡ and small capitals; it maps to single ASCII letters only.
//  5. Full Unicode case folding (golang.org/x/text/cases.Fold: "ß" -> "ss",
//     "İ" -> "i̇"), then NFKC again (folding can leave text unnormalised;
//     the pair is repeated, at most three times, until the text is stable),
//     then step 4 again on the folded text.
//  6. White space: every run of White_Space characters (ASCII spaces, tabs
//     and newlines, NBSP, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
//     U+205F, ideographic space U+3000, NEL) becomes one ASCII space, and
//     leading and trailing space is trimmed.
//
// The result is valid UTF-8 for any input and Normalize is idempotent:
// Normalize(Normalize(s)) == Normalize(s) (a fuzz test holds it to both).
// Pure ASCII input takes a fast path (lower-casing and white-space folding
// only, no allocation beyond the growth of dst); so do the pure-ASCII runs
// between white space of other text, since every step is local to the text
// between ASCII white space. Of the rest, the words that the steps change
// only character by character (capitals of other scripts, look-alikes in
// words without Latin letters: most Cyrillic and Greek text) skip NFKC and
// the look-alike map.
//
// It does not transliterate (Cyrillic words stay Cyrillic), does not strip
// accents or combining marks, does not segment words for languages written
// without spaces, and does not know about HTML: entities and tags are the
// caller's business.
package textnorm

import (
	"encoding/binary"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/scamscope/scamscope/internal/swar"
)

// Normalize returns the matching form of s. It returns s itself, without
// allocating, when s is already in matching form and pure ASCII.
func Normalize(s string) string {
	if isNormalASCII(s) {
		return s
	}
	// The ASCII path asks for one byte of room beyond the text.
	return string(Append(make([]byte, 0, len(s)+1), s))
}

// CanOccur reports whether r can occur in text in matching form. It is
// false for the runes that the matching form of r alone does not hold
// (capitals, letters that fold to something else such as ß and ſ,
// compatibility forms, invisible characters, white space other than the
// ASCII space), and true for the others and for every ASCII rune but the
// capitals. A matcher for text in matching form can leave out every
// string that holds a rune it rules out. It is a necessary condition, not
// a sufficient one.
func CanOccur(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 'A' || r > 'Z'
	}
	s := string(r)
	return Normalize(s) == s
}

// Append appends the matching form of s to dst and returns the extended
// buffer. On the ASCII fast path it allocates nothing beyond dst's growth.
func Append(dst []byte, s string) []byte {
	if indexNonASCII(s) >= 0 {
		return appendSlow(dst, s)
	}
	return appendASCII(dst, s)
}

// isNormalASCII reports whether s is pure ASCII and already in matching
// form: no upper case, no controls, single spaces only, no space at either
// end.
func isNormalASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf, c >= 'A' && c <= 'Z', c < 0x20, c == 0x7f:
			return false
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		}
	}
	return true
}

// isASCIISpace reports whether c is an ASCII White_Space character.
func isASCIISpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func appendASCII(dst []byte, s string) []byte {
	c := collapser{start: len(dst)}
	return c.ascii(dst, s)
}

// appendSlow is the full pipeline for text that is not pure ASCII. Every
// step is local to the text between ASCII white space: steps 1, 2 and 5
// map code points (or invalid bytes) on their own, NFKC neither composes
// nor reorders across a starter that composes with nothing, as ASCII
// white space is, words (step 4) end at white space, and white space is
// folded last. So the runs between white space that hold only ASCII,
// stable code points (see stableRunes) and white space of other scripts
// (which every step leaves white space that composes with nothing: NBSP
// and the other spaces NFKC maps to U+0020, U+1680, U+2028 ...) take the
// ASCII path, and only the runs with other characters go through steps 1
// to 5; the white-space step runs over the whole.
func appendSlow(dst []byte, s string) []byte {
	c := collapser{start: len(dst)}
	var sc *scratch // made for the first piece that needs it
	st := stableRunes()
	for i := 0; i < len(s); {
		k, sp := st.indexOther(s[i:])
		if k < 0 {
			dst = c.run(dst, s[i:], sp)
			break
		}
		k += i
		// The run with other characters starts after the last white
		// space before them ...
		start := k
		for start > i && !isASCIISpace(s[start-1]) {
			start--
		}
		if sp >= start-i {
			sp = -1
		}
		dst = c.run(dst, s[i:start], sp)
		// ... and ends at white space, taking in the next such run when
		// little pure ASCII lies between, so that text in other scripts
		// goes through the pipeline in a few long pieces.
		end := k
		for {
			for end < len(s) && !isASCIISpace(s[end]) {
				end++
			}
			next, _ := st.indexOther(s[end:])
			if next < 0 || next > maxASCIIGap {
				break
			}
			end += next
		}
		if sc == nil {
			sc = new(scratch)
		}
		dst = sc.appendPiece(&c, dst, s[start:end])
		i = end
	}
	return dst
}

// appendPiece appends steps 1 to 6 of p, which starts and ends at ASCII
// white space (or at the ends of the text): the parts that scratch.simple
// takes go its way, the words it leaves through steps1to5.
func (sc *scratch) appendPiece(c *collapser, dst []byte, p string) []byte {
	for p != "" {
		b, n, bad := sc.simple(p)
		dst = c.bytes(dst, b)
		if n == len(p) {
			break
		}
		end := bad
		for end < len(p) && !isASCIISpace(p[end]) {
			end++
		}
		dst = c.bytes(dst, sc.steps1to5(p[n:end]))
		p = p[end:]
	}
	return dst
}

// maxASCIIGap is how much text without other characters between two runs
// with them still joins them into one piece for the full pipeline.
const maxASCIIGap = 16

// indexNonASCII returns the index of the first byte of s that is not
// ASCII, or -1.
func indexNonASCII(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if t := s[i : i+8]; t[0]|t[1]|t[2]|t[3]|t[4]|t[5]|t[6]|t[7] >= utf8.RuneSelf {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// stableLimit bounds the code points stableRunes looks at: the Basic
// Multilingual Plane.
const stableLimit = 0x10000

// runeSet marks code points below stableLimit (bit r%64 of word r/64).
type runeSet [stableLimit / 64]uint64

// stableRunes returns the non-ASCII code points of the Basic Multilingual
// Plane that no step changes, nor lets interact with the ASCII and stable
// characters around them: not dropped, not white space, not a mark, not a
// look-alike, not U+FFFD (which stands for invalid bytes), folding to
// themselves, NFKC-invariant, and without combining class or composition
// with what precedes them (typographic quotes and dashes, ©, €, small
// accented Latin letters, CJK ideographs, kana ...). A run of ASCII and
// stable characters is its own matching form once ASCII letters are
// lowered and controls dropped: NFKC leaves a run of NFKC-invariant
// starters that compose with nothing before them as it is, and case
// folding and the look-alike map work code point by code point. Built on
// first use.
var stableRunes = sync.OnceValue(func() *runeSet {
	folder := cases.Fold()
	var b, folded []byte
	return newRuneSet(func(r rune) bool {
		if r == utf8.RuneError || r >= 0xd800 && r <= 0xdfff {
			return false
		}
		b = utf8.AppendRune(b[:0], r)
		if !loneStarter(r, b) {
			return false
		}
		// One code point that composes with nothing before it changes
		// under NFKC only by its decomposition.
		if norm.NFKC.Properties(b).Decomposition() != nil && !norm.NFKC.IsNormal(b) {
			return false
		}
		if _, ok := lookalikes[r]; ok {
			return false
		}
		folded = appendTransform(folded[:0], folder, b)
		return string(folded) == string(b)
	})
})

func (t *runeSet) has(r rune) bool {
	return r < stableLimit && t[r/64]&(1<<(r%64)) != 0
}

// add puts r, below stableLimit, in t.
func (t *runeSet) add(r rune) { t[r/64] |= 1 << (r % 64) }

// indexOther returns the index of the first character of s that is not
// ASCII, stable or white space (invalid bytes included), or -1; and the
// index of the first white space beyond ASCII before it, or -1.
func (t *runeSet) indexOther(s string) (other, space int) {
	space = -1
	for i := 0; i < len(s); {
		k := indexNonASCII(s[i:])
		if k < 0 {
			return -1, space
		}
		i += k
		r, n := utf8.DecodeRuneInString(s[i:])
		if !t.has(r) {
			if !unicode.IsSpace(r) {
				return i, space
			}
			if space < 0 {
				space = i
			}
		}
		i += n
	}
	return -1, space
}

// scratch holds the buffers, the folder and the NFKC iterator that steps 1
// to 5 reuse within one appendSlow.
type scratch struct {
	buf, b []byte
	folder transform.Transformer
	iter   norm.Iter
}

// nfkc appends the NFKC form of src to dst (as norm.NFKC.Append, without
// allocating a reorder buffer per call).
func (sc *scratch) nfkc(dst, src []byte) []byte {
	if norm.NFKC.QuickSpan(src) == len(src) {
		return append(dst, src...)
	}
	sc.iter.Init(norm.NFKC, src)
	for !sc.iter.Done() {
		dst = append(dst, sc.iter.Next()...)
	}
	return dst
}

// steps1to5 applies steps 1 to 5 to s; the result is valid until the next
// call.
func (sc *scratch) steps1to5(s string) []byte {
	// Steps 1 and 2: valid UTF-8, invisible characters dropped.
	buf := slices.Grow(sc.buf[:0], len(s)+8)
	sc.b = slices.Grow(sc.b[:0], len(s)+8)
	invalid := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			invalid = false
			if c >= 0x20 && c != 0x7f || isASCIISpace(c) {
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			if !invalid {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			}
			invalid = true
			i++
			continue
		}
		invalid = false
		if !dropped(r) {
			buf = append(buf, s[i:i+n]...)
		}
		i += n
	}

	// Step 3: NFKC.
	b := sc.nfkc(sc.b[:0], buf)
	// Step 4: look-alikes, before folding loses the case of capitals
	// such as Greek Μ (whose small form μ imitates nothing).
	b = mapConfusables(b)
	// Step 5: fold and renormalise until stable.
	if sc.folder == nil {
		sc.folder = cases.Fold()
	}
	for range 3 {
		f := foldCherokee(appendFold(buf[:0], sc.folder, b))
		n := sc.nfkc(b[:0], f)
		b, buf = n, f
		if string(n) == string(f) {
			break // NFKC left the folded text alone: it is stable
		}
	}
	sc.buf, sc.b = buf, b
	return mapConfusables(b)
}

// collapser is step 6 over text appended piece by piece: white-space runs
// fold to one space, none at either end of what is appended after start.
type collapser struct {
	start int  // where the normalised text starts in dst
	space bool // white space is pending
}

// ascii appends s, of ASCII and stable characters, with controls dropped
// and ASCII letters lowered.
func (c *collapser) ascii(dst []byte, s string) []byte {
	// At most one space is written per white-space byte of s, plus the
	// one pending from before it: so w <= i+1 throughout, and eight bytes
	// written at out[w:] while i+8 <= len(s) stay inside out.
	n := len(dst)
	dst = slices.Grow(dst, len(s)+1)
	out := dst[n : n+len(s)+1]
	w := 0
	space, empty := c.space, n == c.start
	for i := 0; i < len(s); {
		end := len(s)
		if i+8 <= len(s) {
			// Eight bytes without controls or white space other than
			// single spaces are their own matching form, but for the
			// capitals, when a space that leads them follows text and
			// no pending space: a space that ends them is left pending,
			// as white space may go on after them.
			v := swar.Load64(s[i:])
			sp := swar.EqualLanes(v, ' ')
			if plainWord(v, sp) && (sp&0x80 == 0 || !space && (w > 0 || !empty)) {
				if space && (w > 0 || !empty) {
					out[w] = ' '
					w++
				}
				binary.LittleEndian.PutUint64(out[w:], lower64(v))
				w += 8
				i += 8
				space = sp>>63 != 0
				if space {
					w-- // the space that ends them
				}
				continue
			}
			if v == swar.Repeat(' ') {
				space = true
				i += 8
				continue
			}
			end = i + 8
		}
		for ; i < end; i++ {
			ch := s[i]
			switch asciiClass[ch] {
			case classUpper:
				ch += 'a' - 'A'
			case classSpace:
				space = true
				continue
			case classControl:
				continue // dropped
			}
			if space && (w > 0 || !empty) {
				out[w] = ' '
				w++
			}
			space = false
			out[w] = ch
			w++
		}
	}
	c.space = space
	return dst[:n+w]
}

// plainWord reports whether the bytes of v (the first in the low byte),
// whose spaces are the lanes sp (swar.EqualLanes of v and ' '), hold no
// control, no DEL, no white space but spaces, and no two spaces in a row.
func plainWord(v, sp uint64) bool {
	ctl := swar.ZeroLanes(v & swar.Repeat(0xe0)) // below 0x20
	del := swar.ZeroLanes(v ^ swar.Lanes7f)
	return ctl|del == 0 && sp&(sp<<8) == 0
}

// lower64 lowers the ASCII capitals among the bytes of v, exactly: no
// byte carries into another.
func lower64(v uint64) uint64 {
	t := v & swar.Lanes7f
	ge := (t + swar.Repeat(0x80-'A')) & swar.Lanes80   // bytes >= 'A'
	gt := (t + swar.Repeat(0x80-'Z'-1)) & swar.Lanes80 // bytes > 'Z'
	upper := ge &^ gt &^ v                             // and below 0x80
	return v | upper>>2                                // 'A'..'Z' lack the 0x20 bit
}

// run appends s, of ASCII, stable characters and white space, as ascii
// does, white space beyond ASCII folded too; the first such white space
// is at s[sp], or sp is -1 when there is none.
func (c *collapser) run(dst []byte, s string, sp int) []byte {
	if sp < 0 {
		return c.ascii(dst, s)
	}
	from := 0
	for j := sp; j < len(s); {
		if s[j] < 0xc2 { // ASCII, or not the first byte of a space
			j++
			continue
		}
		n := spaceLen(s[j:])
		if n == 0 {
			j++
			continue
		}
		dst = c.ascii(dst, s[from:j])
		c.space = true
		j += n
		from = j
	}
	return c.ascii(dst, s[from:])
}

// spaceLen returns the length of the white space beyond ASCII (NBSP,
// U+2000..U+200A, U+3000 ...) that s starts with, or 0.
func spaceLen(s string) int {
	if r, n := utf8.DecodeRuneInString(s); r >= utf8.RuneSelf && unicode.IsSpace(r) {
		return n
	}
	return 0
}

// The classes of bytes for collapser.ascii.
const (
	classPlain   = iota // kept as it is (also the bytes of stable characters)
	classUpper          // lowered
	classSpace          // white space
	classControl        // dropped
)

var asciiClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case isASCIISpace(byte(c)):
			t[c] = classSpace
		case c < 0x20 || c == 0x7f:
			t[c] = classControl
		case c >= 'A' && c <= 'Z':
			t[c] = classUpper
		}
	}
	return t
}()

// bytes appends b, the output of steps 1 to 5.
func (c *collapser) bytes(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		n, space := 1, isASCIISpace(b[i])
		if b[i] >= utf8.RuneSelf {
			var r rune
			r, n = utf8.DecodeRune(b[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			c.space = true
		} else {
			if c.space && len(dst) > c.start {
				dst = append(dst, ' ')
			}
			c.space = false
			dst = append(dst, b[i:i+n]...)
		}
		i += n
	}
	return dst
}

// foldCherokee maps Cherokee small letters, which x/text's folder produces
// from capitals, to the capitals, as Unicode's CaseFolding.txt folds them
// (Cherokee is the one script that folds to upper case). b is changed in
// place: both forms are three bytes long.
func foldCherokee(b []byte) []byte {
	for i := 0; i+2 < len(b); i++ {
		// U+AB70..U+ABBF is EA AD B0..EA AE BF; U+13F8..U+13FD is E1 8F B8..BD.
		switch {
		case b[i] == 0xea && (b[i+1] == 0xad && b[i+2] >= 0xb0 || b[i+1] == 0xae):
			r, _ := utf8.DecodeRune(b[i:])
			utf8.EncodeRune(b[i:], r-0xab70+0x13a0)
		case b[i] == 0xe1 && b[i+1] == 0x8f && b[i+2] >= 0xb8 && b[i+2] <= 0xbd:
			b[i+2] -= 8 // U+13F8.. -> U+13F0..
		}
	}
	return b
}

// appendFold appends src case-folded to dst: ASCII letters directly (case
// folding maps each code point on its own, so ASCII needs no context), the
// runs of other characters through t.
func appendFold(dst []byte, t transform.Transformer, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		j := i + 1
		for j < len(src) && src[j] >= utf8.RuneSelf {
			j++
		}
		dst = appendTransform(dst, t, src[i:j])
		i = j
	}
	return dst
}

// appendTransform appends t applied to src to dst.
func appendTransform(dst []byte, t transform.Transformer, src []byte) []byte {
	t.Reset()
	for {
		dst = slices.Grow(dst, len(src)+2*utf8.UTFMax)
		nDst, nSrc, err := t.Transform(dst[len(dst):cap(dst)], src, true)
		dst = dst[:len(dst)+nDst]
		src = src[nSrc:]
		if err != transform.ErrShortDst {
			// nil, or ErrShortSrc, which atEOF rules out: the folder
			// has consumed everything.
			return dst
		}
	}
}

// loneStarter reports whether r, whose UTF-8 is b, is neither dropped
// (step 2), white space nor a mark, and is an NFKC starter that nothing
// before it composes with.
func loneStarter(r rune, b []byte) bool {
	if dropped(r) || unicode.IsSpace(r) || unicode.IsMark(r) {
		return false
	}
	p := norm.NFKC.Properties(b)
	return p.BoundaryBefore() && p.CCC() == 0
}

// dropped reports whether r is removed in step 2: a default-ignorable code
// point or a control character that is not white space.
func dropped(r rune) bool {
	if r < 0x20 || (r >= 0x7f && r < 0xa0) {
		return !unicode.IsSpace(r)
	}
	if r < 0xad {
		return false
	}
	return unicode.Is(defaultIgnorable, r)
}

// defaultIgnorable is Unicode's Default_Ignorable_Code_Point property
// (DerivedCoreProperties.txt).
var defaultIgnorable = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00ad, Hi: 0x00ad, Stride: 1},
		{Lo: 0x034f, Hi: 0x034f, Stride: 1},
		{Lo: 0x061c, Hi: 0x061c, Stride: 1},
		{Lo: 0x115f, Hi: 0x1160, Stride: 1},
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1},
		{Lo: 0x180b, Hi: 0x180f, Stride: 1},
		{Lo: 0x200b, Hi: 0x200f, Stride: 1},
		{Lo: 0x202a, Hi: 0x202e, Stride: 1},
		{Lo: 0x2060, Hi: 0x206f, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xfe00, Hi: 0xfe0f, Stride: 1},
		{Lo: 0xfeff, Hi: 0xfeff, Stride: 1},
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1},
		{Lo: 0xfff0, Hi: 0xfff8, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x1bca0, Hi: 0x1bca3, Stride: 1},
		{Lo: 0x1d173, Hi: 0x1d17a, Stride: 1},
		{Lo: 0xe0000, Hi: 0xe0fff, Stride: 1},
	},
}
