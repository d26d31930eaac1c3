package match

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestFiniteStrings(t *testing.T) {
	for _, tc := range []struct {
		re   string
		want []string // nil: not a few strings
	}{
		{"abc", []string{"abc"}},
		{"a|ab", []string{"a", "ab"}},
		{"geek ?squad", []string{"geek squad", "geeksquad"}},
		{"toll[ -]?free", []string{"toll free", "toll-free", "tollfree"}},
		{"(a|b)(c|d)", []string{"ac", "ad", "bc", "bd"}},
		{"x(y)??z", []string{"xz", "xyz"}},
		{"(?:ab){1,2}", []string{"abab", "ab"}},
		{"é|日", []string{"é", "日"}},
		{"a*", nil},
		{"a+b", nil},
		{"a.b", nil},
		{`\bab`, nil},
		{"^ab", nil},
		{"(?i)ab", nil},
		{"a?", nil},              // matches the empty string
		{`\x{FFFD}`, nil},        // package regexp also matches invalid UTF-8 with it
		{"[a-z][a-z][a-z]", nil}, // too many strings
	} {
		tree, err := syntax.Parse(tc.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := finiteStrings(tree.Simplify())
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("finiteStrings(%q) = %q, %v; want %q", tc.re, got, ok, tc.want)
		}
	}
}

// TestUnionsAgree checks the matches of regexes compiled as unions against
// package regexp where the order of preference decides: at one start, an
// earlier alternative wins over a longer one, a greedy ? takes its operand
// and a lazy one does not, a branch regex and a literal branch compete;
// and strings shared with literal patterns and other unions.
func TestUnionsAgree(t *testing.T) {
	ps := []Pattern{
		{ID: 1, Regex: "a|ab"},
		{ID: 2, Regex: "ab|a"},
		{ID: 3, Regex: "x(y)?"},
		{ID: 4, Regex: "x(y)??"},
		{ID: 5, Regex: "(?:b|ab)c"},
		{ID: 6, Literal: "ab"},
		{ID: 7, Regex: "ab|a"},
		{ID: 8, Regex: "c(a|ab)"},
		{ID: 9, Literal: "a", Word: true},
		{ID: 10, Regex: "zz|yy"},
		{ID: 11, Regex: "b+c|bc"},
		{ID: 12, Regex: "cd|c+"},
		{ID: 13, Regex: "(q|r+s)"},
		{ID: 14, Regex: "e|f*"},
		{ID: 15, Regex: `(?i)k\w|ka|(?-s:y.)`},
	}
	m, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.unions) != 12 || len(m.res) != 6 {
		t.Fatalf("%d unions and %d regexes, want 12 and 6", len(m.unions), len(m.res))
	}
	for _, text := range []string{
		"", "a", "ab", "xab", "bab", "xy x", "abc", "cabc", "b ab a", "yy zz", "zzyy",
		"bbc bc", "bc", "ccd", "cd", "rrs q", "q rs", "fe", "ef", "\u212aa ka", "y\n yy",
		"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq ab xy cab a abc yy cd bbc",
	} {
		checkAgrees(t, ps, []byte(text))
	}
}

// TestUnionBranchFallback checks a branch regex too large for the
// backtracker's memo: it falls back to package regexp, compiled from the
// branch's own syntax tree, flags included.
func TestUnionBranchFallback(t *testing.T) {
	ps := []Pattern{{ID: 1, Regex: `zz|(?i:k)(?s:.){1000}(?s:.){200}[xy]`}}
	m, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.unions) != 1 || len(m.res) != 1 {
		t.Fatalf("%d unions and %d regexes, want 1 and 1", len(m.unions), len(m.res))
	}
	body := strings.Repeat("a", 700) + "\n" + strings.Repeat("é", 499) + "y"
	for _, tc := range []struct {
		text  string
		start int
	}{
		{"x \u212a" + body + " zz", 2},
		{"zz K" + body, 0},
		{"k" + body[:1000], -1},
	} {
		checkAgrees(t, ps, []byte(tc.text))
		h := m.Find([]byte(tc.text), nil)
		if tc.start < 0 && len(h) != 0 || tc.start >= 0 && (len(h) != 1 || h[0].Start != tc.start) {
			t.Fatalf("%q...: hits %v, want start %d", tc.text[:8], h, tc.start)
		}
	}
}

// TestCountStrings holds countStrings, the cheap check before expand, to
// the number of strings expand lists.
func TestCountStrings(t *testing.T) {
	for _, re := range []string{
		"abc", "a|ab", "geek ?squad", "(a|b)(c|d)", "x(y)??z", "(?:ab){1,2}", "[a-z][a-z]",
		"[a-h][a-h]", "a*", "(?i)ab", "a.b", `\bab`, "(a|b|c|d)(e|f|g|h)(i|j|k|l)(m|n)", `[\x00-\x{10FFFF}]`,
	} {
		tree, err := syntax.Parse(re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		tree = tree.Simplify()
		ss, ok := expand(tree)
		want := -1
		if ok && len(ss) <= maxSetStrings {
			want = len(ss)
		}
		if got := countStrings(tree); got != want {
			t.Errorf("countStrings(%q) = %d, want %d", re, got, want)
		}
	}
}
