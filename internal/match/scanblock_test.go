package match

import (
	"fmt"
	"testing"
)

// TestScanBlockAgrees holds scanBlock (the assembly kernel where there is
// one) to scanBlockGo: the same steps taken and the same states after each
// call, on rule sets of several sizes and texts that hit special states
// often, rarely and at the very first and last steps, with some special
// states done for some streams (passed over, not reported).
func TestScanBlockAgrees(t *testing.T) {
	sets := map[string][]Pattern{
		"scam rules":     scamRules(),
		"generated 2000": genRules(2000, 7),
	}
	for name, ps := range sets {
		m := mustCompile(t, ps)
		a := m.ac
		for seed := range 6 {
			text := syntheticText(20000+seed*3001, uint64(seed), seed*40)
			t.Run(fmt.Sprintf("%s/seed%d", name, seed), func(t *testing.T) {
				for _, gap := range []int{1, 7, len(text) / nStreams} {
					n := len(text) - (nStreams-1)*gap
					var got, want [nStreams]uint32
					// Some special states are done for some streams.
					done := newDoneBits(len(a.sp))
					for x := range len(a.sp) {
						if k := (x*7 + seed) % 11; k < nStreams {
							done.w[k][x>>6] |= 1 << (x & 63)
						}
					}
					calls := 0
					for j := 0; j < n; calls++ {
						dg := scanBlock(a, text, j, gap, n-j, &got, &done)
						dw := scanBlockGo(a, text, j, gap, n-j, &want, &done)
						if dg != dw || got != want {
							t.Fatalf("gap %d, call %d at %d: scanBlock = %d, %v; scanBlockGo = %d, %v", gap, calls, j, dg, got, dw, want)
						}
						if dg < 1 || dg > n-j {
							t.Fatalf("gap %d at %d: scanBlock took %d steps of %d", gap, j, dg, n-j)
						}
						j += dg
					}
					if calls < 2 {
						t.Errorf("gap %d: only %d calls: the text never reached a special state", gap, calls)
					}
				}
			})
		}
	}
}
