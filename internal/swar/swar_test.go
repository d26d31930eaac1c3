package swar

import (
	"math/rand/v2"
	"testing"
)

// TestZeroLanes holds ZeroLanes, alone and after an exclusive or with
// Repeat(b) (the bytes equal to b), to a byte-by-byte reading, on words
// with every byte value in every lane and on random words.
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
			want := false
			for i := range 8 {
				want = want || s[i] == b
			}
			if got := ZeroLanes(v^Repeat(b)) != 0; got != want {
				t.Fatalf("ZeroLanes(%q ^ Repeat(%#x)) != 0 is %v, want %v", s, b, got, want)
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
