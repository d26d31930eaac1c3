package textnorm

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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

// TestCanOccur checks CanOccur against Normalize on every assigned code
// point alone and after a Latin letter (which the look-alike step looks
// at): no rune of the matching form is one that CanOccur rules out, and
// the capitals and the letters that fold otherwise are ruled out.
func TestCanOccur(t *testing.T) {
	bad := 0
	for _, r := range assignedRunes() {
		for _, s := range []string{string(r), "a" + string(r)} {
			for _, c := range Normalize(s) {
				if !CanOccur(c) && bad < 10 {
					bad++
					t.Errorf("Normalize(%q) = %q holds %q (%U), which CanOccur rules out", s, Normalize(s), c, c)
				}
			}
		}
	}
	for _, r := range []rune{'A', 'Z', 'É', 'Ж', 'ß', 'ſ', 'K' /* Kelvin */, 'Ω' /* Ohm */} {
		if CanOccur(r) {
			t.Errorf("CanOccur(%q) = true: case folding changes it", r)
		}
	}
	for _, r := range []rune{'a', '0', ' ', 'é', 'ж', '中', 'ǰ' /* folds to j and a caron, which NFKC composes again */, utf8.RuneError} {
		if !CanOccur(r) {
			t.Errorf("CanOccur(%q) = false: the matching form can hold it", r)
		}
	}
}
