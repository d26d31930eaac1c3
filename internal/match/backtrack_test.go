package match

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestInstSets checks the sets by which the backtracker passes over
// alternation branches: each branch's set holds exactly the ASCII bytes it
// can go on with, and a branch that can match without reading holds every
// byte. The alternations are listed in program order.
func TestInstSets(t *testing.T) {
	type alt struct{ out, arg string } // bytes in each branch's set; "*" is every byte
	cases := []struct {
		expr string
		alts []alt // the program's InstAlts in order
	}{
		{`foo|bar`, []alt{{"f", "b"}}},
		{`(?i:k)x|yy`, []alt{{"Kk", "y"}}},
		{`(?:a|)c`, []alt{{"a", "c"}}},
		{`x(?:a|b?)`, []alt{{"b", "*"}, {"a", "*"}}}, // b? first in the program
		{`\bhe|she`, []alt{{"h", "s"}}},
		{`(?:a+|b)`, []alt{{"a", "*"}, {"a", "b"}}}, // the loop of a+, then the choice
		{`.z|zz`, []alt{{asciiWhere(func(c byte) bool { return c != '\n' }), "z"}}},
	}
	for _, c := range cases {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := syntax.Compile(re.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		sets := instSets(prog, firstBytes(prog))
		var got []alt
		for pc, inst := range prog.Inst {
			if inst.Op == syntax.InstAlt {
				got = append(got, alt{setString(sets[pc][0:2]), setString(sets[pc][2:4])})
			}
		}
		var want []alt
		for _, a := range c.alts {
			want = append(want, alt{byteList(a.out), byteList(a.arg)})
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d alternations %q, want %d %q\n%s", c.expr, len(got), got, len(want), want, prog)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: alternation %d: sets %q, want %q\n%s", c.expr, i, got[i], want[i], prog)
			}
		}
	}
}

func asciiWhere(in func(byte) bool) string {
	var s []byte
	for c := range byte(128) {
		if in(c) {
			s = append(s, c)
		}
	}
	return string(s)
}

func byteList(s string) string {
	if s == "*" {
		return asciiWhere(func(byte) bool { return true })
	}
	return asciiWhere(func(c byte) bool {
		for i := range len(s) {
			if s[i] == c {
				return true
			}
		}
		return false
	})
}

func setString(set []uint64) string {
	return asciiWhere(func(c byte) bool { return set[c>>6]&(1<<(c&63)) != 0 })
}

// TestLongLiteralRun checks a literal longer than one run can hold: the
// program takes it in two, and a difference in either part fails it.
func TestLongLiteralRun(t *testing.T) {
	lit := strings.Repeat("abcdefghij", maxLitRun/10+500)
	m, err := Compile([]Pattern{{ID: 1, Regex: `\bx` + lit + `y+`}})
	if err != nil {
		t.Fatal(err)
	}
	lits := 0
	for _, in := range m.res[0].prog.inst {
		if in.op == btLit {
			lits++
		}
	}
	if lits < 2 {
		t.Errorf("the program has %d literal runs for a literal of %d bytes, want 2 or more", lits, len(lit))
	}
	text := "zz x" + lit + "yy zz"
	if got, want := m.Find([]byte(text), nil), []Hit{{ID: 1, Start: 3, End: len(text) - 3}}; !slices.Equal(got, want) {
		t.Errorf("Find = %v, want %v", got, want)
	}
	for _, at := range []int{10, len(lit) - 10} {
		bad := []byte(text)
		bad[4+at] = 'z'
		if got := m.Find(bad, nil); len(got) != 0 {
			t.Errorf("with byte %d of the literal changed: Find = %v, want nothing", at, got)
		}
	}
}
