package match

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// testConfigs are the configurations every agreement check compiles: the
// real one, and shrunken ones that push small cases through the trie walk
// below a shallow cut and through the parallel streams.
type testConfig struct {
	name string
	cfg  config
}

var testConfigs = []testConfig{
	{"default", defaultConfig()},
	{"cut1", config{denseBudget: 1 << 20, maxCut: 1, minStreamText: 0, dfaStates: maxFinderStates}},
	{"cut3", config{denseBudget: 1 << 20, maxCut: 3, minStreamText: 0}}, // no DFA
	{"budget", config{denseBudget: 1, maxCut: 32, minStreamText: 64, dfaStates: maxFinderStates}},
	// A budget for a few dozen states: the dense part is chosen by
	// likelihood, leaving sparse children at many depths.
	{"partial", config{denseBudget: 1 << 12, maxCut: 32, minStreamText: 64, dfaStates: maxFinderStates}},
	// A verifier DFA that runs out of states early: searches go on in
	// the backtracker from wherever that happens.
	{"fewstates", config{denseBudget: 1 << 20, maxCut: 20, minStreamText: 64, dfaStates: 3}},
}

func describe(ps []Pattern, text []byte) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %+v\n", p)
	}
	fmt.Fprintf(&b, "  text (%d bytes): %q", len(text), text)
	return b.String()
}

// lowerConfigs are configurations for text without capitals (CompileFor
// with isLowerRune): the automaton leaves out the strings that hold one.
var lowerConfigs = func() []testConfig {
	var cs []testConfig
	for _, tc := range testConfigs {
		if tc.name == "default" || tc.name == "partial" {
			tc.name += "/lower"
			tc.cfg.occurs = isLowerRune
			cs = append(cs, tc)
		}
	}
	return cs
}()

// isLowerRune is the predicate of the lower configurations.
func isLowerRune(r rune) bool { return unicode.ToLower(r) == r }

// checkAgrees fails t unless every configuration of the Matcher finds what
// Naive finds in text, and the lower configurations what it finds in
// text's lower-case form.
func checkAgrees(t *testing.T, ps []Pattern, text []byte) {
	t.Helper()
	checkConfigs(t, ps, text, testConfigs)
	checkConfigs(t, ps, bytes.Map(unicode.ToLower, text), lowerConfigs)
}

func checkConfigs(t *testing.T, ps []Pattern, text []byte, configs []testConfig) {
	t.Helper()
	naive, nerr := CompileNaive(ps)
	for _, tc := range configs {
		m, err := compile(ps, tc.cfg)
		if (err == nil) != (nerr == nil) {
			t.Fatalf("%s: compile error %v, naive error %v\n%s", tc.name, err, nerr, describe(ps, text))
		}
		if err != nil {
			continue
		}
		want := naive.Find(text)
		got := m.Find(text, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: Find = %v, want %v\n%s", tc.name, got, want, describe(ps, text))
		}
		// Appending keeps what dst held.
		pre := []Hit{{ID: -1, Start: 7, End: 3}}
		got = m.Find(text, pre)
		if !slices.Equal(got[:1], pre[:1]) || !slices.Equal(got[1:], want) {
			t.Fatalf("%s: Find with dst = %v, want %v after %v", tc.name, got, want, pre)
		}
	}
}

func FuzzMatcherAgreesWithNaive(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []byte("\x00\x01\x06\x00\x01"))
	f.Add([]byte{5, 9, 0, 0, 3, 2, 1, 0, 0, 0, 0, 1, 2, 3}, []byte("\x00\x01\x02\x06\x00\x01\x02\x07\x08\x09"))
	f.Add([]byte{8, 2, 0, 0, 7, 1, 3, 1, 5, 0, 2}, []byte{6, 0, 0, 1, 6, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 6})
	f.Add([]byte{12, 1, 1, 0, 0, 8, 3, 2, 1, 4, 5, 6, 0, 7}, []byte("abcdefghijklmnopqrstuvwxyz0123456789"))
	f.Add([]byte{2, 0, 0, 1, 4, 0, 2, 0}, []byte{0xff, 0xfe, 0, 1, 0xf9, 16, 17, 18, 19, 20})
	f.Add([]byte{6, 3, 0, 2, 0, 5, 1, 0, 3, 0, 4, 9, 2, 1, 0}, []byte{2, 3, 0, 0, 0, 1, 0, 6, 0, 0})
	f.Fuzz(func(t *testing.T, spec, raw []byte) {
		src := &byteSource{b: spec}
		ps := genPatterns(src)
		checkAgrees(t, ps, genText(src, raw))
	})
}

// TestMatcherAgreesWithNaiveRandom runs the fuzz check over seeded random
// cases, so that plain go test covers more than the fuzz seeds.
func TestMatcherAgreesWithNaiveRandom(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for seed := range n {
		src := randSource{rand.New(rand.NewPCG(uint64(seed), 1))}
		ps := genPatterns(src)
		text := genText(src, randomText(src, src.intn(200)))
		checkAgrees(t, ps, text)
	}
}
