package textnorm

import (
	"slices"
	"testing"
	"unicode"
)

// assignedRunes returns every assigned code point except surrogates and
// private-use characters, in order.
func assignedRunes() []rune {
	var rs []rune
	for name, tab := range unicode.Categories {
		if len(name) != 2 || name == "Co" || name == "Cs" {
			continue
		}
		for _, r := range tab.R16 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				rs = append(rs, c)
			}
		}
		for _, r := range tab.R32 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				rs = append(rs, c)
			}
		}
	}
	slices.Sort(rs)
	return rs
}

// TestIdempotentEveryRune checks idempotence for every assigned code point
// alone and in the contexts that interact with steps 3 to 5: inside a Latin
// word and before combining marks.
func TestIdempotentEveryRune(t *testing.T) {
	contexts := [][2]string{{"", ""}, {"W", "x"}, {"", "\u0345"}, {"W", "\u0308"}}
	buf := make([]byte, 0, 64)
	fails := 0
	for _, r := range assignedRunes() {
		for _, c := range contexts {
			s := c[0] + string(r) + c[1]
			buf = Append(buf[:0], s)
			n := string(buf)
			if nn := Normalize(n); nn != n {
				t.Errorf("Normalize(Normalize(%+q)) = %+q, want %+q", s, nn, n)
				if fails++; fails == 10 {
					t.FailNow()
				}
			}
		}
	}
}
