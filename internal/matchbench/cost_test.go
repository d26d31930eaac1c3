package matchbench_test

import (
	"math"
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/matchbench"
)

// TestParseCachegrind reads the totals of a cachegrind output, whatever
// the order of its events, and refuses one without the cache simulation.
func TestParseCachegrind(t *testing.T) {
	out := "desc: I1 cache: 32768 B, 64 B, 8-way associative\ncmd: x\nevents: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n" +
		"fl=a.go\nfn=f\n1 5 0 0 2 1 0 0 0 0\nsummary: 1000 7 3 400 20 6 100 5 2\n"
	c, err := matchbench.ParseCachegrind(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if want := (matchbench.CacheCounts{Ir: 1000, D1Miss: 25, LLMiss: 8}); c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
	if got, want := c.Cost(), 1000.0/3+12*25+40*8; math.Abs(got-want) > 1e-9 {
		t.Errorf("cost %v, want %v", got, want)
	}
	if d := c.Sub(matchbench.CacheCounts{Ir: 400, D1Miss: 5, LLMiss: 8}); d != (matchbench.CacheCounts{Ir: 600, D1Miss: 20}) {
		t.Errorf("Sub = %+v", d)
	}
	if _, err := matchbench.ParseCachegrind(strings.NewReader("events: Ir\nsummary: 1000\n")); err == nil {
		t.Error("an output without the cache simulation parsed")
	}
	if _, err := matchbench.ParseCachegrind(strings.NewReader("events: Ir D1mr\nsummary: 1000\n")); err == nil {
		t.Error("a summary shorter than its events parsed")
	}
}
