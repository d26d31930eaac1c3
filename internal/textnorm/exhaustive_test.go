package textnorm

import (
	"slices"
	"strings"
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
// word and before combining marks. Contexts are checked 256 at a time,
// space-separated, and one by one when a batch fails.
func TestIdempotentEveryRune(t *testing.T) {
	contexts := [][2]string{{"", ""}, {"W", "x"}, {"", "\u0345"}, {"W", "\u0308"}}
	var batch []string
	fails := 0
	check := func(s string) bool {
		n := Normalize(s)
		if nn := Normalize(n); nn != n {
			return false
		}
		return true
	}
	flush := func() {
		if check(strings.Join(batch, " ")) {
			batch = batch[:0]
			return
		}
		found := false
		for _, s := range batch {
			if !check(s) {
				found = true
				n := Normalize(s)
				t.Errorf("Normalize(Normalize(%+q)) = %+q, want %+q", s, Normalize(n), n)
				if fails++; fails == 10 {
					t.FailNow()
				}
			}
		}
		if !found {
			s := strings.Join(batch, " ")
			n := Normalize(s)
			t.Errorf("Normalize(Normalize(%+q)) = %+q, want %+q", s, Normalize(n), n)
			fails++
		}
		batch = batch[:0]
	}
	for _, r := range assignedRunes() {
		for _, c := range contexts {
			batch = append(batch, c[0]+string(r)+c[1])
		}
		if len(batch) >= 256 {
			flush()
		}
	}
	flush()
}
