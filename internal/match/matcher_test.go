package match

import (
	"errors"
	"math/rand/v2"
	"os"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		ps   []Pattern
		text string
		want []Hit
	}{
		{
			name: "literal leftmost only",
			ps:   []Pattern{{ID: 1, Literal: "ab"}},
			text: "xxababab",
			want: []Hit{{1, 2, 4}},
		},
		{
			name: "overlapping literals",
			ps:   []Pattern{{ID: 1, Literal: "abc"}, {ID: 2, Literal: "bcd"}, {ID: 3, Literal: "c"}},
			text: "abcd",
			want: []Hit{{1, 0, 3}, {2, 1, 4}, {3, 2, 3}},
		},
		{
			name: "long literal starts before a short one ends",
			ps:   []Pattern{{ID: 1, Literal: "abcdefgh"}, {ID: 2, Literal: "cd"}},
			text: "zabcdefgh cd",
			want: []Hit{{1, 1, 9}, {2, 3, 5}},
		},
		{
			name: "absent literal",
			ps:   []Pattern{{ID: 1, Literal: "virus"}},
			text: "viru virs irus",
			want: nil,
		},
		{
			name: "word skips occurrences inside words",
			ps:   []Pattern{{ID: 1, Literal: "cat", Word: true}, {ID: 2, Literal: "cat"}},
			text: "concat catalog cat.",
			want: []Hit{{2, 3, 6}, {1, 15, 18}},
		},
		{
			name: "word boundaries are Unicode aware",
			ps: []Pattern{
				{ID: 1, Literal: "caf", Word: true},
				{ID: 2, Literal: "日本", Word: true},
				{ID: 3, Literal: "été", Word: true},
			},
			text: "café 日本語 l'été",
			want: []Hit{{3, 18, 23}},
		},
		{
			name: "underscore is a word rune",
			ps:   []Pattern{{ID: 1, Literal: "key", Word: true}},
			text: "ctrl_key key_up (key)",
			want: []Hit{{1, 17, 20}},
		},
		{
			name: "same literal with and without word, duplicate ids",
			ps: []Pattern{
				{ID: 5, Literal: "pc"}, {ID: 5, Literal: "pc"}, {ID: 4, Literal: "pc", Word: true},
			},
			text: "pcs pc",
			want: []Hit{{5, 0, 2}, {5, 0, 2}, {4, 4, 6}},
		},
		{
			name: "regex with an atom",
			ps:   []Pattern{{ID: 1, Regex: `call\s+\d{3}-\d{4}`}},
			text: "please call 555-1234 or call 555-9999",
			want: []Hit{{1, 7, 20}},
		},
		{
			name: "regex without an atom",
			ps:   []Pattern{{ID: 1, Regex: `\d{3}-\d{4}`}, {ID: 2, Regex: `[a-z]+`}},
			text: "ТЕЛ 555-1234 ok",
			want: []Hit{{1, 7, 15}, {2, 16, 18}},
		},
		{
			name: "anchors see the whole text",
			ps: []Pattern{
				{ID: 1, Regex: `^foo`}, {ID: 2, Regex: `bar$`}, {ID: 3, Regex: `(?m)^baz`},
				{ID: 4, Regex: `\bcat\b`}, {ID: 5, Regex: `\Bat\b`},
			},
			text: "xfoo bar\nbaz concat cat bar",
			want: []Hit{{3, 9, 12}, {5, 17, 19}, {4, 20, 23}, {2, 24, 27}},
		},
		{
			name: "case-insensitive regex",
			ps:   []Pattern{{ID: 1, Regex: `(?i)virus`}, {ID: 2, Regex: `(?i)\x{212A}`}},
			text: "a VIRUS and a virus; k",
			want: []Hit{{1, 2, 7}, {2, 21, 22}},
		},
		{
			name: "regex leftmost-first, not longest",
			ps:   []Pattern{{ID: 1, Regex: `ab|abcd`}, {ID: 2, Regex: `x+?`}},
			text: "abcd xxx",
			want: []Hit{{1, 0, 2}, {2, 5, 6}},
		},
		{
			name: "empty match at the start",
			ps:   []Pattern{{ID: 1, Regex: `a*`}, {ID: 2, Regex: `(?:b)?`}},
			text: "xyz",
			want: []Hit{{1, 0, 0}, {2, 0, 0}},
		},
		{
			name: "regex that can never match",
			ps:   []Pattern{{ID: 1, Regex: `[^\x00-\x{10FFFF}]`}, {ID: 2, Regex: `a\bb`}},
			text: "ab a b",
			want: nil,
		},
		{
			name: "regexes sharing an atom and a literal",
			ps: []Pattern{
				{ID: 1, Literal: "error"}, {ID: 2, Regex: `error\s*#\s*[0-9a-f]{3,5}`},
				{ID: 3, Regex: `error code`},
			},
			text: "an error: error #268d3, error code",
			want: []Hit{{1, 3, 8}, {2, 10, 22}, {3, 24, 34}},
		},
		{
			name: "order is start, end, id",
			ps: []Pattern{
				{ID: 9, Literal: "ab"}, {ID: 3, Literal: "abc"}, {ID: 1, Literal: "ab"}, {ID: 2, Literal: "b"},
			},
			text: "abc",
			want: []Hit{{1, 0, 2}, {9, 0, 2}, {3, 0, 3}, {2, 1, 2}},
		},
		{
			name: "empty text",
			ps:   []Pattern{{ID: 1, Literal: "a"}, {ID: 2, Regex: `$`}},
			text: "",
			want: []Hit{{2, 0, 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range testConfigs {
				m, err := compile(tc.ps, c.cfg)
				if err != nil {
					t.Fatalf("compile: %v", err)
				}
				if got := m.Find([]byte(tc.text), nil); !slices.Equal(got, tc.want) {
					t.Errorf("%s: Find(%q) = %v, want %v", c.name, tc.text, got, tc.want)
				}
			}
			// The expectations are Naive's too.
			n, err := CompileNaive(tc.ps)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.Find([]byte(tc.text)); !slices.Equal(got, tc.want) {
				t.Errorf("Naive.Find(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name      string
		p         Pattern
		sentinel  bool // wraps ErrInvalidPattern
		syntaxErr bool // wraps a *syntax.Error
	}{
		{"both set", Pattern{ID: 1, Literal: "a", Regex: "a"}, true, false},
		{"neither set", Pattern{ID: 2}, true, false},
		{"bad regex", Pattern{ID: 3, Regex: "a(b"}, false, true},
		{"bad repeat", Pattern{ID: 4, Regex: "a{1001}"}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]Pattern{{ID: 0, Literal: "ok"}, tc.p})
			if err == nil {
				t.Fatalf("Compile(%+v) succeeded", tc.p)
			}
			if got := errors.Is(err, ErrInvalidPattern); got != tc.sentinel {
				t.Errorf("errors.Is(%v, ErrInvalidPattern) = %v, want %v", err, got, tc.sentinel)
			}
			var se *syntax.Error
			if got := errors.As(err, &se); got != tc.syntaxErr {
				t.Errorf("errors.As(%v, *syntax.Error) = %v, want %v", err, got, tc.syntaxErr)
			}
			if !strings.Contains(err.Error(), "pattern "+string(rune('0'+tc.p.ID))) {
				t.Errorf("error %q does not name pattern %d", err, tc.p.ID)
			}
		})
	}
	if m, err := Compile(nil); err != nil || len(m.Find([]byte("abc"), nil)) != 0 {
		t.Errorf("Compile(nil) = %v, %v; want a matcher that finds nothing", m, err)
	}
}

// TestAnalyzeRegex checks the literal analysis on shapes whose atoms are
// known.
func TestAnalyzeRegex(t *testing.T) {
	tests := []struct {
		expr   string
		atoms  []string // nil: no atom
		atomAt int
		maxLen int
	}{
		{"abc", []string{"abc"}, 0, 3},
		{"a|b", nil, 0, 1}, // too frequent to be worth it
		{"virus|trojan", []string{"trojan", "virus"}, 0, 6},
		// A run may start with the end of a node that is not exact:
		// every \d+ ends with a digit.
		{`\d+ virus`, []string{"0 virus", "1 virus", "2 virus", "3 virus", "4 virus", "5 virus", "6 virus", "7 virus", "8 virus", "9 virus"}, -1, -1},
		{`(x+x+)+y`, []string{"xy"}, -1, -1},
		{`(?i)virus`, nil, 0, 6},      // checked below: case variants
		{`0x[0-9a-f]{8}`, nil, 0, 10}, // checked below: 0x and two hex digits
		{`(?i)k`, []string{"K", "k", "\u212a"}, 0, 3},
		{`a*`, nil, 0, -1},
		{`.*`, nil, 0, -1},
		{`xyz{2,5}`, []string{"xyzz"}, 0, 7},
		{`[^a]`, nil, 0, 4},
		{`colou?r`, []string{"color", "colour"}, 0, 6},
		{`\bcall\s+now\b`, []string{"call\t", "call\n", "call\f", "call\r", "call "}, 0, -1},
		{`(your|this) (computer|pc)`, []string{"this computer", "this pc", "your computer", "your pc"}, 0, 13},
	}
	for _, tc := range tests {
		tree, err := syntax.Parse(tc.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		sh := analyzeRegex(tree.Simplify())
		if sh.maxLen != tc.maxLen {
			t.Errorf("analyzeRegex(%q).maxLen = %d, want %d", tc.expr, sh.maxLen, tc.maxLen)
		}
		if tc.expr == `0x[0-9a-f]{8}` {
			if len(sh.atoms) != 256 || !slices.Contains(sh.atoms, "0x7f") || sh.at != 0 {
				t.Errorf("analyzeRegex(%q).atoms = %q at %d, want 0x and two hex digits at 0", tc.expr, sh.atoms, sh.at)
			}
			continue
		}
		if tc.expr == `(?i)virus` {
			// Every case variant, the long s (U+017F) included.
			if len(sh.atoms) != 48 || !slices.Contains(sh.atoms, "ViRu\u017f") {
				t.Errorf("analyzeRegex(%q).atoms = %q, want the 48 case variants", tc.expr, sh.atoms)
			}
			continue
		}
		if !slices.Equal(sh.atoms, tc.atoms) {
			t.Errorf("analyzeRegex(%q).atoms = %q, want %q", tc.expr, sh.atoms, tc.atoms)
		}
		if tc.atoms != nil && sh.at != tc.atomAt {
			t.Errorf("analyzeRegex(%q).at = %d, want %d", tc.expr, sh.at, tc.atomAt)
		}
	}
}

// TestAnalyzeRegexSound checks the analysis against package regexp on
// generated regexes and texts: every match is at most maxLen bytes,
// starts with one of its prefix set and ends with one of its suffix set,
// and holds one of the atoms starting at most at bytes in, with only bytes
// of before ahead of it.
func TestAnalyzeRegexSound(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	if s := os.Getenv("MATCH_SOUND_SEEDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	withFollow, withSuffix := 0, 0
	defer func() {
		if withFollow == 0 {
			t.Errorf("no generated regex had a follow set: the check above went untested")
		}
		if withSuffix == 0 {
			t.Errorf("no generated regex had a suffix set: the check below went untested")
		}
	}()
	for seed := range n {
		src := randSourceFor(seed, 3)
		expr := genRegex(src)
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		sh := analyzeRegex(tree.Simplify())
		if sh.follow != nil {
			withFollow++
		}
		li := analyze(tree.Simplify())
		prefix, suffix := li.prefix, li.suffix
		if suffix != nil {
			withSuffix++
		}
		prog, err := syntax.Compile(tree.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		start := firstBytes(prog)[prog.Start]
		first, useFirst := start.set, !start.empty
		head := headSeq(tree.Simplify())
		re := regexp.MustCompile(expr)
		text := genText(src, randomText(src, 60))
		for _, loc := range re.FindAllIndex(text, -1) {
			m := text[loc[0]:loc[1]]
			if useFirst && (len(m) == 0 || !first.has(m[0])) {
				t.Fatalf("%q matches %q, whose first byte is not in its start bytes", expr, m)
			}
			if prefix != nil && !slices.ContainsFunc(prefix, func(p string) bool { return strings.HasPrefix(string(m), p) }) {
				t.Fatalf("%q matches %q, which starts with none of %q", expr, m, prefix)
			}
			if suffix != nil && !slices.ContainsFunc(suffix, func(p string) bool { return strings.HasSuffix(string(m), p) }) {
				t.Fatalf("%q matches %q, which ends with none of %q", expr, m, suffix)
			}
			if len(m) < len(head) {
				t.Fatalf("%q matches %q, shorter than its head of %d", expr, m, len(head))
			}
			for i := range head {
				if !head[i].has(m[i]) {
					t.Fatalf("%q matches %q, whose byte %d is not in its head", expr, m, i)
				}
			}
			if sh.maxLen >= 0 && len(m) > sh.maxLen {
				t.Fatalf("%q matches %q (%d bytes), maxLen %d", expr, m, len(m), sh.maxLen)
			}
			if sh.atoms == nil {
				continue
			}
			ok := false
			for _, a := range sh.atoms {
				for i := 0; i+len(a) <= len(m); i++ {
					if string(m[i:i+len(a)]) == a && (sh.at < 0 || i <= sh.at) && allIn(m[:i], &sh.before) &&
						(sh.spaces < 0 || spaces(m[:i]) <= sh.spaces) && followsIn(m, i+len(a), &sh) {
						ok = true
					}
				}
			}
			if !ok {
				t.Fatalf("%q matches %q with none of atoms %q within %d bytes", expr, m, sh.atoms, sh.at)
			}
		}
	}
}

func TestFindAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	m := mustCompile(t, scamRules())
	pages := splitPages(syntheticText(256<<10, 1, 100), 16<<10)
	dst := make([]Hit, 0, 4096)
	hits := 0
	allocs := testing.AllocsPerRun(20, func() {
		for _, p := range pages {
			dst = m.Find(p, dst[:0])
			hits += len(dst)
		}
	})
	if hits == 0 {
		t.Fatal("no hits: the benchmark text does not exercise the rule set")
	}
	if allocs != 0 {
		t.Errorf("Find with room in dst: %v allocations per run of %d pages, want 0", allocs, len(pages))
	}
}

func TestFindConcurrent(t *testing.T) {
	ps := scamRules()
	m := mustCompile(t, ps)
	n, err := CompileNaive(ps)
	if err != nil {
		t.Fatal(err)
	}
	pages := splitPages(syntheticText(128<<10, 5, 100), 4<<10)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(pages); i += 2 {
				if got, want := m.Find(pages[i], nil), n.Find(pages[i]); !slices.Equal(got, want) {
					errs <- "page " + string(rune('0'+i%10)) + " differs"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func allIn(b []byte, set *byteSet) bool {
	for _, c := range b {
		if !set.has(c) {
			return false
		}
	}
	return true
}

// followsIn reports whether a string of sh.follow starts in m at most
// sh.followAt bytes after end, with only bytes of sh.followBefore before it.
func followsIn(m []byte, end int, sh *reShape) bool {
	if sh.follow == nil {
		return true
	}
	for x := end; x <= len(m); x++ {
		if sh.followAt >= 0 && x-end > sh.followAt || !allIn(m[end:x], &sh.followBefore) ||
			sh.followSpaces >= 0 && spaces(m[end:x]) > sh.followSpaces {
			return false
		}
		for _, f := range sh.follow {
			if strings.HasPrefix(string(m[x:]), f) {
				return true
			}
		}
	}
	return false
}

// spaces counts the maximal runs of white space in b.
func spaces(b []byte) int {
	n := 0
	for i, c := range b {
		if isSpace(rune(c)) && (i == 0 || !isSpace(rune(b[i-1]))) {
			n++
		}
	}
	return n
}

// TestMemory10k holds a Matcher for 10,000 patterns, with the scratch of a
// Find, to 64 MiB of heap.
func TestMemory10k(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 10,000 patterns")
	}
	ps := genRules(10000, 3)
	text := syntheticText(64<<10, 2, 10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := mustCompile(t, ps)
	m.Find(text, nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	const limit = 64 << 20
	if used := int64(after.HeapAlloc) - int64(before.HeapAlloc); used > limit {
		t.Errorf("Matcher for %d patterns uses %d MiB of heap, want at most %d", len(ps), used>>20, limit>>20)
	}
	runtime.KeepAlive(m)
}

// TestDenseByLikelihood checks the dense part chosen when the budget
// binds: the root's children are always in it, every node in it has its
// parent in it, and the strings that the scan reaches only through the
// sparse trie (some deep, some shallow) are still all found.
func TestDenseByLikelihood(t *testing.T) {
	ps := []Pattern{
		{ID: 1, Literal: "the quick brown fox"},
		{ID: 2, Literal: "the quiet"},
		{ID: 3, Literal: "zqxj"},
		{ID: 4, Literal: "qz"},
		{ID: 5, Regex: `the qu[a-z]+ zqx`},
		{ID: 6, Literal: "eeee eeee"},
	}
	m, err := compile(ps, config{denseBudget: 40 * 2 * 8, maxCut: 32, minStreamText: 0})
	if err != nil {
		t.Fatal(err)
	}
	a := m.ac
	if a.states >= 60 {
		t.Fatalf("dense states = %d: the budget did not bind", a.states)
	}
	parent := map[int32]int32{}
	for u := range a.nodes {
		for c := a.nodes[u].first; c != none; c = a.nodes[c].next {
			parent[c] = int32(u)
		}
	}
	for c := a.nodes[0].first; c != none; c = a.nodes[c].next {
		if !a.isDense(c) {
			t.Errorf("root child %q is not dense", a.tByte[c])
		}
	}
	sparseDepths := map[int]bool{}
	for u := int32(1); u < int32(len(a.nodes)); u++ {
		if a.isDense(u) && !a.isDense(parent[u]) {
			t.Errorf("node %d is dense, its parent %d is not", u, parent[u])
		}
		if !a.isDense(u) && a.isDense(parent[u]) {
			d := 0
			for x := u; x != 0; x = parent[x] {
				d++
			}
			sparseDepths[d] = true
		}
	}
	if len(sparseDepths) < 2 {
		t.Errorf("sparse children start at depths %v, want several", sparseDepths)
	}
	text := []byte("eeee eeee, the quiet zqxj qz; the quick brown fox; the quack zqx")
	checkAgrees(t, ps, text)
	if got := m.Find(text, nil); len(got) != 6 {
		t.Errorf("Find = %v, want all 6 patterns", got)
	}
}

// TestMaxSpaces checks the bound on runs of white space: a node that only
// matches white space is one run however long, any other repeated node
// with white space in it is unbounded.
func TestMaxSpaces(t *testing.T) {
	tests := []struct {
		expr string
		want int
	}{
		{`abc`, 0},
		{`a  b`, 1},
		{` a b `, 3},
		{`[ \t]*`, 1},
		{`\s+`, 1},
		{`\s{2,9}`, 1},
		{`(?:\s|\t)+`, 1},
		{`\W+`, -1},
		{`( [a-z]+){0,3}`, 3},
		{`x\s*[#:]?\s*y`, 2},
		{`.*`, -1},
		{`[^a]`, 1},
	}
	for _, tt := range tests {
		tree, err := syntax.Parse(tt.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := maxSpaces(tree.Simplify()); got != tt.want {
			t.Errorf("maxSpaces(%q) = %d, want %d", tt.expr, got, tt.want)
		}
	}
}

// TestSpaceRunsScreen finds matches whose text ahead of the atom, or
// between the atom and the follow set, holds more runs of white space than
// a node that also matches other bytes would spend on one run.
func TestSpaceRunsScreen(t *testing.T) {
	tests := []struct {
		expr, text string
	}{
		{`a\W+bcdefg`, "xx a , ; bcdefg"},
		{`abcdefg\W+z`, "abcdefg , ; z"},
		{`abcdefg\s*[#:]?\s*[0-9]`, "abcdefg  :  7"},
		{`(?:abcdefg|hijklmn)[ \t]*[#:]?[ \t]*[0-9]`, "hijklmn \t # 5"},
	}
	for _, tt := range tests {
		m := mustCompile(t, []Pattern{{ID: 1, Regex: tt.expr}})
		want := regexp.MustCompile(tt.expr).FindIndex([]byte(tt.text))
		got := m.Find([]byte(tt.text), nil)
		if want == nil || len(got) != 1 || got[0].Start != want[0] || got[0].End != want[1] {
			t.Errorf("Find(%q) with %q = %v, want %v", tt.text, tt.expr, got, want)
		}
	}
}

// TestSortHits holds sortHits to compareHits order, on the packed keys'
// path (ties in start and end, with IDs out of order) and on the direct
// one (more hits than the keys can index, a text longer than they reach).
func TestSortHits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		n, textLen int
	}{{2, 10}, {50, 200}, {1 << keyIndexBits, 1 << 20}, {1<<keyIndexBits + 1, 1 << 20}, {100, 1 << keyLenBits}} {
		hits := make([]Hit, tc.n)
		for i := range hits {
			start := r.IntN(min(tc.textLen, 40)) * (tc.textLen / 40)
			hits[i] = Hit{ID: r.IntN(5), Start: start, End: start + r.IntN(3)}
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, compareHits)
		f := &finder{text: make([]byte, tc.textLen)}
		f.sortHits(hits)
		if !slices.Equal(hits, want) {
			t.Errorf("n=%d, text %d bytes: sortHits gave another order than compareHits", tc.n, tc.textLen)
		}
	}
}

func TestNthSmallest(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 10, 100, 1000} {
		for range 20 {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(r.IntN(n/2 + 1)) // with repeats
			}
			sorted := slices.Clone(xs)
			slices.Sort(sorted)
			k := r.IntN(n)
			if got := nthSmallest(xs, k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: %v, want %v", n, k, got, sorted[k])
			}
		}
	}
}

// TestCompileFor checks what CompileFor leaves out for text without
// capitals, and that it finds the rest as Compile does.
func TestCompileFor(t *testing.T) {
	ps := []Pattern{
		{ID: 0, Regex: `(?i)virus`},   // case variants, with ſ for s: lower text holds virus and viruſ
		{ID: 1, Literal: "Virus"},     // cannot occur
		{ID: 2, Regex: `[A-Z]{2}err`}, // every atom holds a capital: never matches
		{ID: 3, Regex: `(?i)ÉTÉ`},     // lower text holds été
		{ID: 4, Regex: `KB\d+`},       // every atom holds a capital
		{ID: 5, Literal: "virus"},     // shares its string with (?i)virus
	}
	all, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	lower, err := CompileFor(ps, isLowerRune)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(lower.entries), 3; got != want || len(all.entries) <= 48 {
		t.Errorf("CompileFor has %d automaton strings, want %d (Compile: %d)", got, want, len(all.entries))
	}
	text := []byte("a virus in the été, kb42 and the error")
	want := []Hit{{ID: 0, Start: 2, End: 7}, {ID: 5, Start: 2, End: 7}, {ID: 3, Start: 15, End: 20}}
	if got := lower.Find(text, nil); !slices.Equal(got, want) {
		t.Errorf("CompileFor: Find = %v, want %v", got, want)
	}
	if got := all.Find(text, nil); !slices.Equal(got, want) {
		t.Errorf("Compile: Find = %v, want %v", got, want)
	}
	if lower.pending != 3 {
		t.Errorf("CompileFor: the scan looks for %d groups and regexes, want 3 (virus, (?i)virus, (?i)été)", lower.pending)
	}
}
