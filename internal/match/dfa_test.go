package match

import (
	"regexp/syntax"
	"testing"
)

// TestDFAAgreesWithBacktracker runs the verifier's DFA and the
// backtracker's try from every rune boundary of generated texts, for
// generated regexes (every flag, anchor, class and quantifier of the fuzz
// test's grammar): wherever the DFA can tell, it must find what try
// finds. Some regexes get a tiny state budget, so that runs stop part way
// and start again from states built before.
func TestDFAAgreesWithBacktracker(t *testing.T) {
	seeds := 3000
	if testing.Short() {
		seeds = 300
	}
	known, unknown := 0, 0
	for seed := range seeds {
		src := randSourceFor(seed, 7)
		expr := genRegex(src)
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		prog, err := syntax.Compile(tree.Simplify())
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		bp := compileBt(prog, firstBytes(prog))
		cs := newDFACols(prog)
		ri := &reInfo{sprog: prog, dfa: func() *dfaCols { return &cs }}
		states := maxFinderStates
		if seed%5 == 0 {
			states = 4
		}
		d := newDFAArena([]reInfo{*ri}, states)
		for range 3 {
			text := genText(src, randomText(src, src.intn(80)))
			if src.intn(2) == 0 {
				text = asciiOnly(text)
			}
			for pos := 0; pos <= len(text); pos++ {
				if !isRuneBoundary(text, pos) {
					continue
				}
				var bt backtracker
				bt.owner = none
				bt.reset(0, len(bp.inst), pos, len(text))
				want, wantOK := bt.try(&bp, text, pos)
				if bt.overflow {
					continue
				}
				got, gotOK, ok, far := d.run(0, ri, text, pos)
				if far < pos || far > len(text) {
					t.Fatalf("%q on %q from %d: far %d outside the text", expr, text, pos, far)
				}
				if !ok {
					unknown++
					continue
				}
				known++
				if gotOK != wantOK || gotOK && got != want {
					t.Fatalf("%q on %q from %d: DFA (%d, %v), backtracker (%d, %v)\n%s", expr, text, pos, got, gotOK, want, wantOK, prog)
				}
			}
		}
	}
	// The DFA must have decided most starts, or the test says little.
	if known < 4*unknown {
		t.Errorf("DFA decided %d starts and left %d to the backtracker", known, unknown)
	}
	t.Logf("DFA decided %d starts and left %d to the backtracker", known, unknown)
}

// asciiOnly replaces the non-ASCII bytes of b with letters.
func asciiOnly(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 0x80 {
			c = 'a' + c%26
		}
		out[i] = c
	}
	return out
}

// TestDFAColumns checks the columns a DFA reads bytes by: bytes in one
// column are of one kind and matched alike by every rune instruction; and
// that the ASCII sets the columns are made from are what the instructions
// match.
func TestDFAColumns(t *testing.T) {
	for _, expr := range []string{`\bfoo\b`, `(?i)k[a-c]x`, `[^\n]+$`, `\d{3}-\w+`, `(?s).a`, `(?i)ſ|K|é[^é]`, `[\x00-\x{10FFFF}]`} {
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := syntax.Compile(tree.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		d := newDFACols(prog)
		fs := firstBytes(prog)
		if d.stride != len(d.rep)+1 || len(d.rep) > 128 {
			t.Fatalf("%s: stride %d for %d columns", expr, d.stride, len(d.rep))
		}
		for c := range byte(128) {
			r := d.rep[d.class[c]]
			if byteKind(c) != byteKind(r) {
				t.Errorf("%s: %q and %q share a column but differ in kind", expr, c, r)
			}
			for pc := range prog.Inst {
				in := &prog.Inst[pc]
				switch in.Op {
				case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
					if matchByte(in, c) != matchByte(in, r) {
						t.Errorf("%s: %q and %q share a column but instruction %d tells them apart", expr, c, r, pc)
					}
					set := asciiMatches(fs, pc)
					if set[c>>6]&(1<<(c&63)) != 0 != matchByte(in, c) {
						t.Errorf("%s: instruction %d: asciiMatches says %v for %q", expr, pc, !matchByte(in, c), c)
					}
				}
			}
		}
	}
}
