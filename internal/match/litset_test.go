package match

import (
	"regexp/syntax"
	"slices"
	"testing"
)

func TestFiniteStrings(t *testing.T) {
	for _, tc := range []struct {
		re   string
		want []string // nil: not a literal set
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

// TestLiteralSetsAgree checks the matches of regexes compiled as literal
// sets against package regexp where the order of preference decides: at
// one start, an earlier alternative wins over a longer one, a greedy ?
// takes its operand and a lazy one does not; and strings shared with
// literal patterns and other sets.
func TestLiteralSetsAgree(t *testing.T) {
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
	}
	m, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.sets) != 7 || len(m.res) != 0 {
		t.Fatalf("%d literal sets and %d regexes, want 7 and 0", len(m.sets), len(m.res))
	}
	for _, text := range []string{
		"", "a", "ab", "xab", "bab", "xy x", "abc", "cabc", "b ab a", "yy zz", "zzyy",
		"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq ab xy cab a abc yy",
	} {
		checkAgrees(t, ps, []byte(text))
	}
}
