package match

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAdversarial feeds inputs built to hurt an automaton or a regex
// verifier: long runs of near-matches, atoms that fire everywhere without a
// match, pathological regexes, broken UTF-8 at window edges. Results must
// equal Naive's; speed is the benchmarks' business.
func TestAdversarial(t *testing.T) {
	run := strings.Repeat("a", 20000)
	var nearLits []Pattern
	for n := 2; n <= 120; n++ {
		nearLits = append(nearLits, Pattern{ID: n, Literal: strings.Repeat("a", n-1) + "c"})
	}
	tests := []struct {
		name string
		ps   []Pattern
		text string
		want []Hit // checked when not nil, besides agreeing with Naive
	}{
		{
			name: "near-miss literals over a long run",
			ps:   append(slices.Clone(nearLits), Pattern{ID: 1, Literal: strings.Repeat("a", 200) + "b"}),
			text: run + "b",
			want: []Hit{{1, 20000 - 200, 20001}},
		},
		{
			name: "word literal failing everywhere",
			ps:   []Pattern{{ID: 1, Literal: "ab", Word: true}, {ID: 2, Literal: "ba", Word: true}},
			text: strings.Repeat("ab", 20000) + " ab",
			want: []Hit{{1, 40001, 40003}},
		},
		{
			name: "pathological alternation star",
			ps:   []Pattern{{ID: 1, Regex: `(a|aa)*b`}, {ID: 2, Regex: `(a|aa)*c`}},
			text: run + "b",
			want: []Hit{{1, 0, 20001}},
		},
		{
			name: "nested plus",
			ps:   []Pattern{{ID: 1, Regex: `(x+x+)+y`}, {ID: 2, Regex: `(?:x+x+)+z`}},
			text: strings.Repeat("x", 5000) + " " + strings.Repeat("x", 30) + "y",
			want: []Hit{{1, 5001, 5032}},
		},
		{
			name: "atom everywhere, match nowhere",
			ps:   []Pattern{{ID: 1, Regex: `aaaa[0-9]{3}z`}, {ID: 2, Regex: `a{3}b{2}`}},
			text: strings.Repeat("aaaa123y", 4000),
		},
		{
			name: "atom everywhere, match at the end",
			ps:   []Pattern{{ID: 1, Regex: `aaaa[0-9]{3}z`}, {ID: 2, Regex: `\baaaa\w{4,9}\b`}},
			text: strings.Repeat("aaaa123y", 4000) + "aaaa999z",
			want: []Hit{{1, 32000, 32008}},
		},
		{
			name: "unbounded reach back from the atom",
			ps:   []Pattern{{ID: 1, Regex: `\w+@example\.com`}, {ID: 2, Regex: `[a-z]+\.com`}},
			text: strings.Repeat("w", 30000) + ".org @example.com " + strings.Repeat("q", 9000) + "@example.com",
			want: []Hit{{2, 30006, 30017}, {1, 30018, 39030}},
		},
		{
			name: "unbounded match past the memo",
			ps:   []Pattern{{ID: 1, Regex: `virus.*found`}, {ID: 2, Regex: `(?s)virus.*`}},
			text: "virus " + strings.Repeat("z", 300000) + " found",
			want: []Hit{{1, 0, 300012}, {2, 0, 300012}},
		},
		{
			name: "broken UTF-8 around windows",
			ps: []Pattern{
				{ID: 1, Regex: `[^a]x[^a]`}, {ID: 2, Regex: `\x{FFFD}x`}, {ID: 3, Regex: `.{3}yx`},
				{ID: 4, Literal: "\x80x", Word: true},
			},
			text: strings.Repeat("\xe6\x97\xa5\x80\xe6", 3000) + "yx\xe6\x97x",
		},
		{
			name: "many regexes sharing one frequent atom",
			ps: func() []Pattern {
				var ps []Pattern
				for i := range 200 {
					ps = append(ps, Pattern{ID: i, Regex: fmt.Sprintf(`ab\d{2}-%d\b`, i)})
				}
				return ps
			}(),
			text: strings.Repeat("ab12-x ", 1000) + "ab12-199 ab00-7",
			want: []Hit{{199, 7000, 7008}, {7, 7009, 7015}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkAgrees(t, tc.ps, []byte(tc.text))
			if tc.want == nil {
				return
			}
			m := mustCompile(t, tc.ps)
			if got := m.Find([]byte(tc.text), nil); !slices.Equal(got, tc.want) {
				t.Errorf("Find = %v, want %v", got, tc.want)
			}
		})
	}
}
