package match

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sync"
	"unicode/utf8"
)

// ErrInvalidPattern is wrapped by the errors Compile returns for a pattern
// it cannot use.
var ErrInvalidPattern = errors.New("invalid pattern")

// Matcher is the compiled multi-pattern matcher: an Aho-Corasick automaton
// over all literals and regex atoms, and a verifier for the regexes that
// the automaton flags. It is immutable after Compile and safe for
// concurrent use.
type Matcher struct {
	ac          *automaton
	entries     []entry      // one per distinct automaton string
	entryRe     []entryRegex // regexes triggered by an entry: entryRe[e.re0:e.re1]
	screens     []screen
	groups      []span       // literal groups: patterns sharing Literal and Word
	groupLen    []int        // byte length of each group's literal
	unions      []union      // regexes matched in parts
	groupUnions [][]unionRef // per group, the unions it is a part of
	reUnion     []unionRef   // per regex, the union it is a part of (or union none)
	res         []reInfo
	always      []int32 // regexes without atoms: searched on the whole text
	ids         []int   // pattern IDs; groups and regexes hold ranges of it
	pending     int     // groups + regexes with atoms: what a scan looks for
	cfg         config
	pool        sync.Pool
}

type span struct{ lo, hi int32 }

type entry struct {
	n           int32 // byte length
	plain, word int32 // literal group without / with Word, or none
	re0, re1    int32
}

// entryRegex is a regex that an entry is an atom of, as the scan reads it.
type entryRegex struct {
	r   int32
	scr int32 // the atom's screen: an index into screens, or none for the regex's own
	// after, when the atom starts the regex's matches, is the rest of the
	// screen's head: what the bytes after the atom must be. Most hits of
	// such an atom fail it, and the scan checks it without the screen.
	after []byteSet
}

// reInfo is one distinct regex. The fields the scan reads on every atom
// hit come first.
type reInfo struct {
	// lcut bounds how far an atom's start lies before the key at which
	// the scan detects it: its length, or the automaton's cut.
	lcut int
	// The whole regex's screen; verify reads its place and head too.
	screen

	prog     btProg                // what the backtracker runs
	sprog    *syntax.Prog          // what the verifier's DFA runs (dfa.go)
	dfa      func() *dfaCols       // its DFA's columns, made on the first search (a fifth of Compile's time if made there)
	std      func() *regexp.Regexp // compiled on first use, for searches too large for the backtracker
	prefix   []byte                // every match starts with it
	anchored bool                  // can match at position 0 only
	never    bool                  // can never match
	minInput int                   // package regexp's minimum input length
	maxLen   int                   // max match length in bytes, -1: unbounded
	ids      span
}

// screen is what an atom hit is screened by before its regex is verified:
// the place of the atoms (see reShape), the bytes that can start a match,
// and the follow set. A regex has one for all its atoms; a regex that is
// an alternation at the top also has one per branch, for the atoms that
// only that branch holds, which is far tighter.
type screen struct {
	// The atoms' place (see reShape): at most at bytes (-1: unbounded)
	// after the match start, with only bytes of before ahead of it.
	at       int
	useFirst bool
	first    byteSet   // bytes that can start a match, when useFirst
	head     []byteSet // every match's first bytes fall in these (see headSeq)
	before   byteSet
	// The follow set (see reShape), sorted, with followIdx[b] the first
	// of its strings starting with a byte >= b.
	follow       []string
	followFirst  byteSet     // first bytes of follow
	followHeads  *[64]uint64 // headHash of the first followHead bytes of follow, when all have two
	followHead   int
	followIdx    *[257]uint16
	followAt     int
	followSpaces int
	followBefore byteSet
	// followLook is 0 for the bytes followed steps over (in followBefore,
	// and neither white space nor a first byte of follow) and 1 for the
	// others; nil when there is no follow set.
	followLook *[256]uint8
	spaces     int // see reShape
}

// config holds the tuning knobs; tests shrink them to reach every path
// with small inputs.
type config struct {
	denseBudget   int // bytes of dense transition table
	maxCut        int // deepest dense level
	minStreamText int // shortest text scanned as parallel streams
	dfaStates     int // verifier DFA states a finder may build (dfa.go)
	// occurs, when set, says which runes the text can hold (see
	// CompileFor).
	occurs func(rune) bool
}

// defaultConfig is the configuration Compile uses. The dense budget, and
// the 65,536 states that 16-bit entries can name, keep a Matcher for
// 10,000 patterns under 64 MB: the likeliest states fill the table, and
// the trie, the entries and the regex programs take the rest (make
// bench-match's scale curve reports the heap: 38 MB with CompileFor).
// There the 65,536 states bind first (15.5 MB of table at 118 classes),
// and with the columns an odd number of lines apart (as they were before
// columnStarts) budgets from 8 to 16 MB scanned the scale curve's text
// alike; the rule set's table is 11.0 MB. States deeper than 20 bytes are
// rare even in text made of the rules' own words: on shuffled rule words,
// a cut at 20 instead of 12 took 11% fewer instructions and 5% fewer
// cache misses, as their long words and phrases stay in the table instead
// of the trie walk, for the same on the corpus and about 15 ms more
// compile time (the rules' table grows from 18,000 states to 39,000;
// BenchmarkCompile/rules, medians of six interleaved runs of 20 compiles,
// 43 against 58 ms). The streams overlap by 19 bytes only, so short texts
// (a creative's) are scanned as streams, three times as fast as one
// stream: from 128 bytes up where every stream has more than twice the
// overlap to step through, which with eight streams is from 179 bytes.
// A finder's verifier DFA may build 4,096 states (an arena of 0.65 MB,
// made on its first search); the corpus's pages build 2,634 of them.
func defaultConfig() config {
	return config{denseBudget: 16 << 20, maxCut: 20, minStreamText: 128, dfaStates: maxFinderStates}
}

// Compile builds a Matcher for ps. Patterns are validated as CompileNaive
// validates them; errors wrap ErrInvalidPattern or the regexp/syntax error.
func Compile(ps []Pattern) (*Matcher, error) {
	return compile(ps, defaultConfig())
}

// CompileFor is Compile for a Matcher that only ever sees text in which
// every rune is one that occurs accepts, such as text in package
// textnorm's matching form (textnorm.CanOccur), which holds no capitals.
// A literal or an atom that holds another rune cannot occur in that text,
// so the automaton leaves it out: a case-insensitive regex's atoms
// otherwise come in every mix of cases ((?i)virus has 48, ſ counted as an
// s, and text in matching form can hold one), and a regex whose atoms all
// hold such a rune never matches. Invalid UTF-8 in a pattern is not
// checked. On other text, Find may miss matches.
func CompileFor(ps []Pattern, occurs func(rune) bool) (*Matcher, error) {
	cfg := defaultConfig()
	cfg.occurs = occurs
	return compile(ps, cfg)
}

// canOccur returns whether s can occur in text of which occurs accepts
// every rune (always, without occurs), remembering occurs' answers in seen.
func canOccur(s string, occurs func(rune) bool, seen map[rune]bool) bool {
	if occurs == nil {
		return true
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 {
			continue
		}
		ok, known := seen[r]
		if !known {
			ok = occurs(r)
			seen[r] = ok
		}
		if !ok {
			return false
		}
	}
	return true
}

func compile(ps []Pattern, cfg config) (*Matcher, error) {
	m := &Matcher{cfg: cfg}
	type litKey struct {
		lit  string
		word bool
	}
	litIdx := map[litKey]int{}
	reIdx := map[string]int{}
	var litKeys []litKey
	var litPats, rePats [][]int // pattern IDs per group / regex
	var exprs []string
	groupOf := func(k litKey) int {
		g, ok := litIdx[k]
		if !ok {
			g = len(litPats)
			litIdx[k] = g
			litKeys = append(litKeys, k)
			litPats = append(litPats, nil)
		}
		return g
	}
	for _, p := range ps {
		if (p.Literal == "") == (p.Regex == "") {
			return nil, fmt.Errorf("pattern %d: %w: exactly one of literal and regex must be set", p.ID, ErrInvalidPattern)
		}
		if p.Literal != "" {
			g := groupOf(litKey{p.Literal, p.Word})
			litPats[g] = append(litPats[g], p.ID)
			continue
		}
		r, ok := reIdx[p.Regex]
		if !ok {
			r = len(exprs)
			reIdx[p.Regex] = r
			exprs = append(exprs, p.Regex)
			rePats = append(rePats, nil)
		}
		rePats[r] = append(rePats[r], p.ID)
	}

	// Regexes that spell a few strings, or are alternations at the top,
	// become unions of literal groups and branch regexes (union.go); the
	// others stay whole. The branch regexes are numbered after the whole
	// ones. All are parsed once here for what follows.
	type regexSrc struct {
		expr string // "" for a branch: lazyRegexp prints tree if needed
		tree *syntax.Regexp
		id   int   // a pattern ID for errors
		pats []int // the pattern IDs it reports: none for a branch
		in   unionRef
	}
	var whole, branches []regexSrc
	for r, expr := range exprs {
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("pattern %d: %w", rePats[r][0], err)
		}
		tree = tree.Simplify()
		parts := topBranches(tree)
		strs := make([][]string, len(parts)) // nil: not a few strings
		for i, b := range parts {
			strs[i], _ = finiteStrings(b)
		}
		if len(parts) == 1 && strs[0] == nil {
			whole = append(whole, regexSrc{expr: expr, tree: tree, id: rePats[r][0], pats: rePats[r], in: unionRef{none, none}})
			continue
		}
		x := int32(len(m.unions))
		u := union{ids: m.addIDs(rePats[r])}
		for i, b := range parts {
			for _, s := range strs[i] {
				u.parts = append(u.parts, part{group: int32(groupOf(litKey{s, false})), re: none})
			}
			if strs[i] == nil {
				in := unionRef{union: x, part: int32(len(u.parts))}
				u.parts = append(u.parts, part{group: none, re: int32(len(branches))}) // + len(whole), below
				branches = append(branches, regexSrc{tree: b, id: rePats[r][0], in: in})
			}
		}
		m.unions = append(m.unions, u)
	}
	srcs := slices.Concat(whole, branches)
	for x := range m.unions {
		for j := range m.unions[x].parts {
			if pt := &m.unions[x].parts[j]; pt.re != none {
				pt.re += int32(len(whole))
			}
		}
	}
	m.reUnion = make([]unionRef, len(srcs))
	for r, src := range srcs {
		m.reUnion[r] = src.in
	}

	// Entries: distinct strings of the automaton.
	entIdx := map[string]int32{}
	entryOf := func(s string) int32 {
		e, ok := entIdx[s]
		if !ok {
			e = int32(len(m.entries))
			entIdx[s] = e
			m.entries = append(m.entries, entry{n: int32(len(s)), plain: none, word: none})
		}
		return e
	}
	m.groups = make([]span, len(litPats))
	m.groupLen = make([]int, len(litPats))
	unreachable := 0 // groups and regexes that the text cannot hold (see CompileFor)
	seen := map[rune]bool{}
	for g, k := range litKeys {
		m.groupLen[g] = len(k.lit)
		m.groups[g] = m.addIDs(litPats[g])
		if !canOccur(k.lit, cfg.occurs, seen) {
			unreachable++
			continue
		}
		e := entryOf(k.lit)
		if k.word {
			m.entries[e].word = int32(g)
		} else {
			m.entries[e].plain = int32(g)
		}
	}
	m.groupUnions = make([][]unionRef, len(litPats))
	for x := range m.unions {
		for j, pt := range m.unions[x].parts {
			if pt.group == none {
				continue
			}
			// A string may recur in a union: its first place counts.
			if gu := m.groupUnions[pt.group]; len(gu) == 0 || gu[len(gu)-1].union != int32(x) {
				m.groupUnions[pt.group] = append(gu, unionRef{union: int32(x), part: int32(j)})
			}
		}
	}

	// Regexes.
	m.res = make([]reInfo, len(srcs))
	atoms := make([][]string, len(srcs))
	branchScr := make([]map[string]int32, len(srcs)) // atom -> screen, per regex
	for r, src := range srcs {
		tree := src.tree
		prog, err := syntax.Compile(tree)
		if err != nil {
			return nil, fmt.Errorf("pattern %d: %w", src.id, err)
		}
		sh := analyzeRegex(tree)
		prefix, _ := prog.Prefix()
		cond := prog.StartCond()
		fs := firstBytes(prog)
		m.res[r] = reInfo{
			screen:   newScreen(sh, fs[prog.Start], tree),
			prog:     compileBt(prog, fs),
			sprog:    prog,
			dfa:      sync.OnceValue(func() *dfaCols { cs := newDFACols(prog); return &cs }),
			std:      lazyRegexp(src.expr, tree),
			prefix:   []byte(prefix),
			anchored: cond&syntax.EmptyBeginText != 0,
			never:    cond == ^syntax.EmptyOp(0),
			minInput: goMinInputLen(tree),
			maxLen:   sh.maxLen,
			ids:      m.addIDs(src.pats),
		}
		branchScr[r] = m.branchScreens(tree, sh.atoms)
		atoms[r] = sh.atoms
	}
	// The automaton's cut depends on its strings, and lcut on the cut:
	// collect the atoms first.
	reOf := make([][]int32, 0, len(m.entries))
	for r, as := range atoms {
		if as == nil || m.res[r].never {
			m.always = append(m.always, int32(r))
			continue
		}
		if cfg.occurs != nil {
			as = slices.DeleteFunc(as, func(s string) bool { return !canOccur(s, cfg.occurs, seen) })
			if atoms[r] = as; len(as) == 0 {
				// Every match holds one of the atoms, and the
				// text can hold none.
				m.res[r].never = true
				unreachable++
				continue
			}
		}
		for _, s := range as {
			e := entryOf(s)
			for int(e) >= len(reOf) {
				reOf = append(reOf, nil)
			}
			reOf[e] = append(reOf[e], int32(r))
		}
	}
	strs := make([]string, len(m.entries))
	for s, e := range entIdx {
		strs[e] = s
	}
	m.ac = buildAutomaton(strs, cfg.denseBudget, cfg.maxCut)
	for e := range m.entries {
		m.entries[e].re0 = int32(len(m.entryRe))
		if e < len(reOf) {
			for _, r := range reOf[e] {
				x, ok := branchScr[r][strs[e]]
				sc := &m.res[r].screen
				if ok {
					sc = &m.screens[x]
				} else {
					x = none
				}
				er := entryRegex{r: r, scr: x}
				if n := len(strs[e]); sc.at == 0 && n < len(sc.head) {
					er.after = sc.head[n:]
				}
				m.entryRe = append(m.entryRe, er)
			}
		}
		m.entries[e].re1 = int32(len(m.entryRe))
	}
	for i := range m.ac.sp {
		if e := m.ac.sp[i].entry; e != none {
			m.ac.sp[i].en = m.entries[e]
		}
	}
	for r, as := range atoms {
		if len(as) == 0 || m.res[r].never {
			continue
		}
		for _, s := range as {
			m.res[r].lcut = max(m.res[r].lcut, min(len(s), m.ac.cut))
		}
	}
	m.pending = len(m.groups) + len(m.res) - len(m.always) - unreachable
	m.pool.New = func() any { return m.newFinder() }
	return m, nil
}

// newScreen is the screen of a regex (or of one branch of it) with shape
// sh, simplified tree, and start, what its program reads first (its
// firstBytes at the start).
func newScreen(sh reShape, start first, tree *syntax.Regexp) screen {
	first, useFirst := start.set, !start.empty
	if sh.followAt < 0 && sh.followSpaces < 0 && sh.followBefore.has(' ') {
		// Nothing bounds the way to the follow set in prose: the check
		// would read followReach bytes only to say "too far to tell".
		sh.follow = nil
	}
	slices.Sort(sh.follow)
	var followFirst byteSet
	var followHeads *[64]uint64
	headLen := maxHeadLen
	for _, f := range sh.follow {
		followFirst.add(f[0])
		headLen = min(headLen, len(f))
	}
	if len(sh.follow) > 0 && headLen >= 2 {
		followHeads = new([64]uint64)
		for _, f := range sh.follow {
			h := headHash(f, headLen)
			followHeads[h>>6] |= 1 << (h & 63)
		}
	}
	var look *[256]uint8
	if len(sh.follow) > 0 {
		look = new([256]uint8)
		for c := range 256 {
			if !sh.followBefore.has(byte(c)) || followFirst.has(byte(c)) || isSpace(rune(c)) {
				look[c] = 1
			}
		}
	}
	return screen{
		followLook:   look,
		at:           sh.at,
		useFirst:     useFirst,
		first:        first,
		head:         headSeq(tree),
		before:       sh.before,
		follow:       sh.follow,
		followFirst:  followFirst,
		followHeads:  followHeads,
		followHead:   headLen,
		followIdx:    firstByteIndex(sh.follow),
		followAt:     sh.followAt,
		followSpaces: sh.followSpaces,
		followBefore: sh.followBefore,
		spaces:       sh.spaces,
	}
}

// branchScreens gives the atoms of a regex that is an alternation at the
// top (tree, simplified) screens of their own branches, and returns them
// by atom: a match of the regex is a match of one branch, so an atom that
// only one branch holds is screened by that branch's place, start bytes
// and follow set. It returns nil when the regex is no such alternation or
// its atoms are not the union of its branches' own (then every atom uses
// the regex's screen).
func (m *Matcher) branchScreens(tree *syntax.Regexp, atoms []string) map[string]int32 {
	for tree.Op == syntax.OpCapture {
		tree = tree.Sub[0]
	}
	if tree.Op != syntax.OpAlternate || atoms == nil {
		return nil
	}
	owner := map[string]int{} // atom -> its branch, or -1 for several
	scr := make([]screen, len(tree.Sub))
	for b, sub := range tree.Sub {
		sh := analyzeRegex(sub)
		if sh.atoms == nil {
			return nil
		}
		prog, err := syntax.Compile(sub)
		if err != nil {
			return nil
		}
		scr[b] = newScreen(sh, firstBytes(prog)[prog.Start], sub)
		for _, a := range sh.atoms {
			if o, ok := owner[a]; ok && o != b {
				owner[a] = -1
			} else {
				owner[a] = b
			}
		}
	}
	if len(owner) != len(atoms) {
		return nil
	}
	for _, a := range atoms {
		if _, ok := owner[a]; !ok {
			return nil
		}
	}
	base := int32(len(m.screens))
	m.screens = append(m.screens, scr...)
	out := make(map[string]int32, len(atoms))
	for a, b := range owner {
		if b >= 0 {
			out[a] = base + int32(b)
		}
	}
	return out
}

// lazyRegexp returns expr compiled by package regexp on the first call;
// for a branch of a union, expr is empty and tree's is compiled.
// Few searches fall back to it, and compiling every regex twice up front
// was a tenth of Compile's time. The Parse in Compile has vetted expr with
// the flags regexp.Compile uses, so it compiles.
func lazyRegexp(expr string, tree *syntax.Regexp) func() *regexp.Regexp {
	if expr != "" {
		tree = nil // not kept
	}
	return sync.OnceValue(func() *regexp.Regexp {
		if expr == "" {
			expr = tree.String() // a branch's: slow for large classes, so only when needed
		}
		return regexp.MustCompile(expr)
	})
}

// firstByteIndex indexes sorted non-empty strings by their first byte.
func firstByteIndex(strs []string) *[257]uint16 {
	if strs == nil {
		return nil
	}
	var idx [257]uint16
	i := 0
	for b := range 257 {
		for i < len(strs) && int(strs[i][0]) < b {
			i++
		}
		idx[b] = uint16(i)
	}
	return &idx
}

func (m *Matcher) addIDs(ids []int) span {
	lo := int32(len(m.ids))
	m.ids = append(m.ids, ids...)
	return span{lo, int32(len(m.ids))}
}

// Find appends to dst the leftmost Hit of every pattern that occurs in
// text, in the order the package doc states, and returns the extended
// slice. It does not allocate when dst has room for the hits.
func (m *Matcher) Find(text []byte, dst []Hit) []Hit {
	f := m.pool.Get().(*finder)
	f.text = text
	f.rem = m.pending
	if len(m.entries) > 0 {
		f.scan()
	}
	f.replay()
	for _, r := range m.always {
		f.search(r, 0, len(text))
	}
	n0 := len(dst)
	dst = f.collect(dst)
	f.sortHits(dst[n0:])
	f.reset()
	m.pool.Put(f)
	return dst
}

// Packed sort keys (see sortHits): start, length and index in bits.
const (
	keyIndexBits = 12
	keyLenBits   = 26
	keyStartBits = 64 - keyLenBits - keyIndexBits
)

// sortHits sorts hits by compareHits. Packed into one integer each,
// start, then length, then index, they sort without a call per
// comparison; hits with the same start and end are then put in ID order.
// Hits out of the keys' range are sorted by compareHits directly.
func (f *finder) sortHits(hits []Hit) {
	n := len(hits)
	if n < 2 {
		return
	}
	if n > 1<<keyIndexBits || len(f.text) >= 1<<min(keyLenBits, keyStartBits) {
		slices.SortFunc(hits, compareHits)
		return
	}
	keys := f.keys[:0]
	for i, h := range hits {
		keys = append(keys, uint64(h.Start)<<(keyLenBits+keyIndexBits)|uint64(h.End-h.Start)<<keyIndexBits|uint64(i))
	}
	slices.Sort(keys)
	tmp := append(f.hitTmp[:0], hits...)
	for j, k := range keys {
		hits[j] = tmp[k&(1<<keyIndexBits-1)]
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && hits[j].Start == hits[i].Start && hits[j].End == hits[i].End {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(hits[i:j], compareHits)
		}
		i = j
	}
	f.keys, f.hitTmp = keys[:0], tmp[:0]
}

func compareHits(a, b Hit) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End, b.End); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
