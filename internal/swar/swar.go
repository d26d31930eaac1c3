// Package swar reads the bytes of a string eight at a time, as one uint64
// ("SIMD within a register"): it loads them, finds the bytes that are zero
// or equal to a given one, and says which of the eight is the first found.
// Scanners use it to skip eight bytes that cannot hold what they look for,
// or to go straight to the first that can. It does not know what the bytes
// mean.
package swar

import "math/bits"

// Byte-lane constants: every byte 0x01, 0x7f or 0x80.
const (
	Lanes01 = 0x0101010101010101
	Lanes7f = 0x7f7f7f7f7f7f7f7f
	Lanes80 = 0x8080808080808080
)

// Load64 returns the first eight bytes of s, the first in the low byte.
// s must hold at least eight bytes.
func Load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// ZeroLanes returns the top bit of every byte of v that is 0, and no other
// bit: no byte borrows from another.
func ZeroLanes(v uint64) uint64 {
	return ^((v&Lanes7f + Lanes7f) | v | Lanes7f)
}

// Repeat returns b in every byte.
func Repeat(b byte) uint64 { return uint64(b) * Lanes01 }

// EqualLanes returns the top bit of every byte of v that is b, and no
// other bit.
func EqualLanes(v uint64, b byte) uint64 { return ZeroLanes(v ^ Repeat(b)) }

// FirstLane returns the index (0 to 7) of the first byte whose top bit
// lanes has, which must not be 0.
func FirstLane(lanes uint64) int { return bits.TrailingZeros64(lanes) / 8 }
