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
	fills := 0 // calls that stopped early with a nearly full buffer
	defer func() {
		if fills == 0 {
			t.Errorf("no call filled the events buffer")
		}
	}()
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
					calls, nEvents := 0, 0
					var evg, evw events
					for j := 0; j < n; calls++ {
						evg.n, evw.n = 0, 0
						dg := scanBlock(a, text, j, gap, n-j, &got, &done, &evg)
						dw := scanBlockGo(a, text, j, gap, n-j, &want, &done, &evw)
						if dg != dw || got != want || evg.n != evw.n || evg.buf != evw.buf {
							t.Fatalf("gap %d, call %d at %d: scanBlock = %d, %v, events %x; scanBlockGo = %d, %v, events %x", gap, calls, j, dg, got, evg.buf[:evg.n], dw, want, evw.buf[:evw.n])
						}
						nEvents += evg.n
						if dg < 1 || dg > n-j {
							t.Fatalf("gap %d at %d: scanBlock took %d steps of %d", gap, j, dg, n-j)
						}
						j += dg
					}
					if nEvents == 0 {
						t.Errorf("gap %d: no events: the text never reached a special state", gap)
					}
					fills += calls - 1
				}
			})
		}
	}
}
