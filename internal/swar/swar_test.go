package swar

import (
	"math/rand/v2"
	"testing"
)

// TestZeroLanes holds ZeroLanes, EqualLanes and FirstLane to a
// byte-by-byte reading, on words with every byte value in every lane and
// on random words.
func TestZeroLanes(t *testing.T) {
	check := func(s string) {
		t.Helper()
		v := Load64(s)
		var want uint64
		for i := range 8 {
			if s[i] == 0 {
				want |= 0x80 << (8 * i)
			}
		}
		if got := ZeroLanes(v); got != want {
			t.Fatalf("ZeroLanes(%q) = %#x, want %#x", s, got, want)
		}
		for _, b := range []byte{0, ' ', '"', 0x7f, 0x80, 0xff, s[3]} {
			var want uint64
			first := -1
			for i := range 8 {
				if s[i] == b {
					want |= 0x80 << (8 * i)
					if first < 0 {
						first = i
					}
				}
			}
			if got := EqualLanes(v, b); got != want {
				t.Fatalf("EqualLanes(%q, %#x) = %#x, want %#x", s, b, got, want)
			}
			if first >= 0 && FirstLane(want) != first {
				t.Fatalf("FirstLane(%#x) = %d, want %d", want, FirstLane(want), first)
			}
		}
	}
	for lane := range 8 {
		for c := range 256 {
			b := []byte("\x01\x80\xffa b\x7f\x00")
			b[lane] = byte(c)
			check(string(b))
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var b [8]byte
		for i := range b {
			b[i] = byte(r.IntN(4)) * byte(r.IntN(256)) // many zeros
		}
		check(string(b[:]))
	}
}
