package matchbench

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CacheCounts are the counts of a cachegrind run (valgrind --tool=cachegrind
// --cache-sim=yes) that CacheCounts.Cost weighs: instructions, and data
// reads and writes that missed the first-level cache and the last level.
// Unlike a timing they do not depend on what else the machine is doing, so
// two builds or two inputs can be compared on a noisy host.
type CacheCounts struct {
	Ir, D1Miss, LLMiss int64
}

// The weights of Cost, in cycles: an instruction a third (a core retires
// about three a cycle when nothing stalls), a first-level miss that the
// second level serves 12, a miss past it 40. The model is for comparing
// two builds on the same input. Across inputs it weighs misses as if none
// overlapped, which the scan's interleaved streams make untrue to varying
// degrees: with the cache geometry of make bench-match-cost (a 32 KB L1d
// and the 512 KB L2 as the last level) it put the matcher on shuffled
// rule words at 0.37 of its corpus speed where timing gave 0.38, but on
// near-miss literals at 0.53 where timing gave 0.82.
const (
	costPerInstr  = 1.0 / 3
	costPerD1Miss = 12
	costPerLLMiss = 40
)

// Cost is the weighted sum of c.
func (c CacheCounts) Cost() float64 {
	return costPerInstr*float64(c.Ir) + costPerD1Miss*float64(c.D1Miss) + costPerLLMiss*float64(c.LLMiss)
}

// Sub returns c minus o: the counts of what one run did beyond another.
func (c CacheCounts) Sub(o CacheCounts) CacheCounts {
	return CacheCounts{Ir: c.Ir - o.Ir, D1Miss: c.D1Miss - o.D1Miss, LLMiss: c.LLMiss - o.LLMiss}
}

// ParseCachegrind reads the totals of a cachegrind output file: its
// "events:" line names the columns of its "summary:" line.
func ParseCachegrind(r io.Reader) (CacheCounts, error) {
	var events, summary []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "events:"); ok {
			events = strings.Fields(f)
		}
		if f, ok := strings.CutPrefix(line, "summary:"); ok {
			summary = strings.Fields(f)
		}
	}
	if err := sc.Err(); err != nil {
		return CacheCounts{}, fmt.Errorf("read cachegrind output: %w", err)
	}
	if events == nil || len(summary) != len(events) {
		return CacheCounts{}, fmt.Errorf("cachegrind output: %d events and %d summary counts, want the same (run with --cache-sim=yes)", len(events), len(summary))
	}
	var c CacheCounts
	seen := 0
	for i, e := range events {
		n, err := strconv.ParseInt(summary[i], 10, 64)
		if err != nil {
			return CacheCounts{}, fmt.Errorf("cachegrind output: %s count %q: %w", e, summary[i], err)
		}
		switch e {
		case "Ir":
			c.Ir += n
		case "D1mr", "D1mw":
			c.D1Miss += n
		case "DLmr", "DLmw":
			c.LLMiss += n
		default:
			continue
		}
		seen++
	}
	if seen != 5 {
		return CacheCounts{}, fmt.Errorf("cachegrind output has %d of the events Ir, D1mr, D1mw, DLmr, DLmw (run with --cache-sim=yes)", seen)
	}
	return c, nil
}
