package match

import (
	"fmt"
	"testing"
)

func TestDbgCost(t *testing.T) {
	ps := scamRules()
	m := mustCompile(t, ps)
	pages := splitPages(syntheticText(1<<20, 1), 16<<10)
	for _, p := range pages {
		m.Find(p, nil)
	}
	for r := range m.res {
		if dbgCalls[r] > 0 {
			fmt.Printf("%4d calls %8d bytes  back=%d maxLen=%d %s\n", dbgCalls[r], dbgBytes[r], m.res[r].back, m.res[r].maxLen, m.res[r].std)
		}
	}
	for e, en := range m.entries {
		if en.re1 > en.re0 {
			_ = e
		}
	}
	fmt.Println("always", m.always)
}
