package match

import (
	"math"
	"math/bits"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The literal analysis walks a simplified regexp/syntax tree and finds, for
// the whole regex, a set of strings ("atoms") such that every match
// contains one of them at a place the regex fixes (its structural place),
// with three bounds on where that place is:
//
//   - at: the atom starts at most at bytes after the match start;
//   - before: every byte of the match ahead of the atom is in this set, so
//     the match starts inside the run of such bytes that ends at the atom;
//   - spaces: that run holds at most this many runs of white space (rules
//     bound gaps in words, as ( [^ ]+){0,3}, far tighter than in bytes;
//     and [ \t]* is one run, however long).
//
// When the atoms are the strings of whole nodes of the top concatenation,
// the analysis also yields the required set of what follows them ("follow"),
// with the same kind of bounds, so that an atom hit can be screened by what
// comes after it.
//
// Candidate sets come from each node's required set, from runs of
// neighbours whose exact string sets multiply into longer strings, and from
// alternations; setCost picks the one expected to fire least. Case-folded
// literals are expanded into all their case variants (their simple-fold
// orbits: k also matches K and the Kelvin sign); U+FFFD, which also matches
// any invalid byte, makes a literal or class unusable. Every claim here is
// checked against package regexp by TestAnalyzeRegexSound.

// Limits of the literal analysis. They bound compile time and the number of
// automaton strings a single regex may add.
const (
	maxSetSize   = 512 // strings in one literal set
	maxSetStrLen = 128 // bytes in one string of a literal set
	maxClassSize = 32  // runes in a character class expanded into a set
	maxRun       = 32  // neighbours of a concatenation multiplied together
)

// noAtomCost is the estimated hit rate per text position above which a
// literal set is not worth its automaton states: a set that fires this
// often saves little over searching the whole text.
const noAtomCost = 0.05

// perStringCost is the charge per atom string in a set's cost: a string
// costs some automaton states, far less than the hits it saves. States
// are cheap since the table is column-major (automaton.go): the hot states
// of a column share a few cache lines whatever the table's size, so longer
// cross products ("windows defender", not "windows") win more often.
// Measured on the real corpus: 1e-6 against 3e-6 gives 20% fewer
// automaton reports on the corpus and on shuffled rule words, for 37%
// more dense states.
const perStringCost = 1e-6

// unboundedCost multiplies the cost of a set whose place is not bounded by
// at: the verifier then has to scan back over the run of before bytes. The
// run is short where the regex bounds its gaps, so the charge is small: a
// rare word deep in a rule ("expired" after "subscription ( \w+){0,3}")
// fires far less often than the common word that opens it, whose every hit
// costs a forward screen.
const unboundedCost = 2

// repeatCost multiplies the cost of a set required by a repeated node (x+,
// (ab){2,}): in a run of repetitions it fires at every one, which the
// frequency estimate does not see. A literal outside the repetition is
// then preferred: (x+x+)+y waits for the y instead of verifying at every x.
const repeatCost = 4

// reShape is what the literal analysis of a regex yields.
type reShape struct {
	atoms  []string // nil: none usable; the regex is searched on the whole text
	at     int      // -1: unbounded
	spaces int      // max runs of white space ahead of the atom, -1: unbounded
	before byteSet
	maxLen int // max bytes of a match; -1: unbounded
	// When the atoms are the whole of some nodes of the top concatenation,
	// follow is the required set of the nodes after them: it starts at
	// most followAt bytes after the atom (-1: unbounded), with only bytes
	// of followBefore in between.
	follow       []string
	followAt     int
	followSpaces int // max runs of white space between atom and follow, -1: unbounded
	followBefore byteSet
}

// maxFollow bounds the follow set, which is checked string by string.
const maxFollow = 256

// req is a required literal set of a node: every match of the node
// contains one of strs, starting at most at bytes into the node's match
// (-1: unbounded), with only bytes of before ahead of it in the match.
type req struct {
	strs   []string
	at     int
	spaces int // max runs of white space ahead of the place in the match, -1: unbounded
	before byteSet
	cost   float64 // setCost, times unboundedCost when at is unbounded, times repeat
	repeat float64 // repeatCost per repetition the set lies in; 0: none
	hits   float64 // setCost alone
	// runEnd, when > 0, says the set is a run of this concatenation's
	// nodes (as flattenConcat lists them) that ends before node runEnd;
	// with partial, the run's last node is only begun by the set.
	runEnd  int
	partial bool
	// node, when > 0, says the set is the own required set of this
	// concatenation's node node-1: it lies somewhere in that node, and the
	// nodes after it follow.
	node int
}

// better reports whether r is a better choice than o. A run gets a
// discount, for the follow check it allows (see reShape).
func (r *req) better(o *req) bool {
	return r.strs != nil && (o.strs == nil || r.rank() < o.rank())
}

func (r *req) rank() float64 {
	if r.runEnd > 0 {
		return r.cost * runDiscount
	}
	return r.cost
}

// runDiscount scales the cost of a run in the choice of atoms.
const runDiscount = 0.5

// litInfo describes one node of the tree.
type litInfo struct {
	// exact, when exactOK, holds every string the node can match (a
	// superset is fine): the node's match is always one of them.
	exact   []string
	exactOK bool
	// prefix, when non-nil, holds non-empty strings one of which every
	// match of the node starts with; suffix, ends with.
	prefix []string
	suffix []string
	req    req     // strs nil: none
	bytes  byteSet // every byte that can occur in a match
	maxLen int     // -1: unbounded
}

// analyzeRegex extracts the atoms and the length bound of re, which must be
// parsed with syntax.Perl and simplified.
func analyzeRegex(re *syntax.Regexp) reShape {
	li := analyze(re)
	sh := reShape{maxLen: li.maxLen, at: -1, spaces: -1}
	if li.req.strs == nil || li.req.hits >= noAtomCost {
		return sh
	}
	sh.atoms, sh.at, sh.spaces, sh.before = li.req.strs, li.req.at, li.req.spaces, li.req.before
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	end, partial := li.req.runEnd, li.req.partial
	if end <= 0 {
		// A node's own set lies somewhere in the node: the rest of the
		// node lies in between, as for a partial run.
		end, partial = li.req.node, true
	}
	if re.Op != syntax.OpConcat || end <= 0 {
		return sh
	}
	subs := flattenConcat(re.Sub, nil)
	if end >= len(subs) {
		return sh
	}
	rest := analyzeConcat(subs[end:]).req
	if rest.strs == nil || len(rest.strs) > maxFollow {
		return sh
	}
	if partial {
		// The rest of the run's last node lies in between too.
		last := analyze(subs[end-1])
		rest.at = addOff(last.maxLen, rest.at)
		rest.spaces = addOff(maxSpaces(subs[end-1]), rest.spaces)
		rest.before.union(&last.bytes)
	}
	sh.follow, sh.followAt, sh.followSpaces, sh.followBefore = rest.strs, rest.at, rest.spaces, rest.before
	return sh
}

func newReq(strs []string, at, spaces int, before byteSet) req {
	r := req{strs: strs, at: at, spaces: spaces, before: before, cost: setCost(strs)}
	r.hits = r.cost
	if at < 0 {
		r.cost *= unboundedCost
	}
	return r
}

// newReqIn is newReq for a set taken from a node's required set, whose
// repetition charge carries over.
func newReqIn(strs []string, at, spaces int, before byteSet, repeat float64) req {
	r := newReq(strs, at, spaces, before)
	if repeat > 0 {
		r.repeat = repeat
		r.cost *= repeat
	}
	return r
}

// repeated charges r for lying in a repeated node.
func (r *req) repeated() {
	if r.strs == nil {
		return
	}
	r.repeat = max(r.repeat, 1) * repeatCost
	r.cost *= repeatCost
}

func analyze(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpNoMatch:
		return litInfo{exactOK: true, exact: []string{}}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return litInfo{exactOK: true, exact: []string{""}}
	case syntax.OpLiteral:
		return analyzeLiteral(re.Rune, re.Flags&syntax.FoldCase != 0)
	case syntax.OpCharClass:
		return analyzeClass(re.Rune)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		li := litInfo{maxLen: utf8.UTFMax}
		li.bytes.addRange(0, 0xFF)
		if re.Op == syntax.OpAnyCharNotNL {
			li.bytes.remove('\n')
		}
		return li
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus:
		sub := analyze(re.Sub[0])
		li := litInfo{maxLen: sub.maxLen, bytes: sub.bytes}
		if sub.maxLen != 0 && re.Op != syntax.OpQuest {
			li.maxLen = -1
		}
		if re.Op == syntax.OpPlus {
			li.req = sub.req // the first iteration holds it
			li.req.runEnd, li.req.node = 0, 0
			li.req.repeated()
			li.prefix, li.suffix = sub.prefix, sub.suffix
		}
		switch {
		case sub.exactOK && sub.maxLen == 0:
			li.exact, li.exactOK = sub.exact, true
			if re.Op != syntax.OpPlus && !slices.Contains(li.exact, "") {
				li.exact = append(slices.Clip(li.exact), "")
			}
		case sub.exactOK && re.Op == syntax.OpQuest && len(sub.exact) < maxSetSize:
			li.exact, li.exactOK = unionSets(sub.exact, []string{""}), true
		}
		return finish(li)
	case syntax.OpRepeat:
		sub := analyze(re.Sub[0])
		li := litInfo{maxLen: -1, bytes: sub.bytes}
		switch {
		case sub.maxLen == 0 || re.Max == 0:
			li.maxLen = 0
		case re.Max > 0 && sub.maxLen > 0:
			li.maxLen = sub.maxLen * re.Max
		}
		if re.Min >= 1 {
			li.req, li.prefix, li.suffix = sub.req, sub.prefix, sub.suffix
			li.req.runEnd, li.req.node = 0, 0
			if re.Max != 1 {
				li.req.repeated()
			}
		}
		if re.Min == 1 && re.Max == 1 {
			li.exact, li.exactOK = sub.exact, sub.exactOK
		}
		return finish(li)
	case syntax.OpConcat:
		return analyzeConcat(re.Sub)
	case syntax.OpAlternate:
		return analyzeAlternate(re.Sub)
	}
	// Unknown operator: claim nothing.
	li := litInfo{maxLen: -1}
	li.bytes.addRange(0, 0xFF)
	return li
}

// finish lets a node's exact set serve as its required set when that is the
// better choice.
func finish(li litInfo) litInfo {
	if li.exactOK && len(li.exact) > 0 && !slices.Contains(li.exact, "") {
		li.prefix, li.suffix = li.exact, li.exact
		if r := newReq(li.exact, 0, 0, byteSet{}); r.better(&li.req) {
			li.req = r
		}
	}
	return li
}

// foldOrbit returns the runes that r matches under simple case folding.
func foldOrbit(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

func analyzeLiteral(runes []rune, fold bool) litInfo {
	variants := make([][]string, len(runes))
	widths := make([]int, len(runes)) // max encoded width per rune
	li := litInfo{}
	bad := false
	for i, r := range runes {
		vs := []rune{r}
		if fold {
			vs = foldOrbit(r)
		}
		for _, v := range vs {
			if v == utf8.RuneError {
				bad = true
			}
			widths[i] = max(widths[i], runeWidth(v))
			variants[i] = append(variants[i], string(v))
			li.bytes.addString(string(v))
		}
		li.maxLen += widths[i]
	}
	if bad {
		// U+FFFD also matches any invalid byte, which no string set can
		// express; such literals claim nothing but their length.
		li.bytes.addRange(0x80, 0xFF)
		return li
	}
	if set, ok := crossAll(variants); ok {
		li.exact, li.exactOK = set, true
		return finish(li)
	}
	// Too many variants or too long: the best window, grown one rune at a
	// time up to maxRun runes (longer ones are no rarer in practice).
	off, spaces := 0, 0
	var before byteSet
	for lo := range runes {
		set := []string{""}
		for hi := lo + 1; hi <= len(runes) && hi <= lo+maxRun; hi++ {
			var ok bool
			if set, ok = crossSets(set, variants[hi-1]); !ok {
				break
			}
			if r := newReq(set, off, spaces, before); r.better(&li.req) {
				li.req = r
			}
		}
		off += widths[lo]
		if isSpace(runes[lo]) && (lo == 0 || !isSpace(runes[lo-1])) {
			spaces++
		}
		for _, v := range variants[lo] {
			before.addString(v)
		}
	}
	return li
}

func crossAll(sets [][]string) ([]string, bool) {
	if !slices.ContainsFunc(sets, func(s []string) bool { return len(s) != 1 }) {
		// One string each (a literal without case folding): their
		// concatenation, without a string per prefix on the way.
		n := 0
		for _, s := range sets {
			n += len(s[0])
		}
		if n > maxSetStrLen {
			return nil, false
		}
		var b strings.Builder
		b.Grow(n)
		for _, s := range sets {
			b.WriteString(s[0])
		}
		return []string{b.String()}, true
	}
	out := []string{""}
	for _, s := range sets {
		var ok bool
		if out, ok = crossSets(out, s); !ok {
			return nil, false
		}
	}
	return out, true
}

func analyzeClass(ranges []rune) litInfo {
	li := litInfo{}
	if len(ranges) == 0 {
		return litInfo{exactOK: true, exact: []string{}}
	}
	li.maxLen = runeWidth(ranges[len(ranges)-1])
	n := 0
	usable := true
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo < utf8.RuneSelf {
			li.bytes.addRange(byte(lo), byte(min(hi, utf8.RuneSelf-1)))
		}
		if hi >= utf8.RuneSelf {
			li.bytes.addRange(0x80, 0xFF) // multi-byte runes, or invalid bytes as U+FFFD
		}
		if lo <= utf8.RuneError && utf8.RuneError <= hi {
			usable = false // matches invalid bytes too
		}
		n += int(hi-lo) + 1
	}
	if !usable || n > maxClassSize {
		return li
	}
	for i := 0; i < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if utf8.ValidRune(r) { // surrogates never match
				li.exact = append(li.exact, string(r))
			}
		}
	}
	li.exactOK = true
	return finish(li)
}

// flattenConcat lists the nodes of nested concatenations (and of captured
// ones) in order, so that literal runs that cross them multiply.
func flattenConcat(subs []*syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	for _, s := range subs {
		for s.Op == syntax.OpCapture {
			s = s.Sub[0]
		}
		if s.Op == syntax.OpConcat {
			out = flattenConcat(s.Sub, out)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func analyzeConcat(subs []*syntax.Regexp) litInfo {
	subs = flattenConcat(subs, nil)
	infos := make([]litInfo, len(subs))
	li := litInfo{}
	for i, s := range subs {
		infos[i] = analyze(s)
		li.bytes.union(&infos[i].bytes)
		if li.maxLen >= 0 {
			if infos[i].maxLen < 0 {
				li.maxLen = -1
			} else {
				li.maxLen += infos[i].maxLen
			}
		}
	}
	consider := func(r req) {
		if r.better(&li.req) {
			li.req = r
		}
	}
	// at is the max offset of subs[i]'s match start, before the bytes
	// ahead of it.
	at, spaces := 0, 0
	var before byteSet
	for i, inf := range infos {
		if inf.req.strs != nil {
			b := before
			b.union(&inf.req.before)
			r := newReqIn(inf.req.strs, addOff(at, inf.req.at), addOff(spaces, inf.req.spaces), b, inf.req.repeat)
			r.node = i + 1
			consider(r)
		}
		run := func(set []string, end int, partial bool) {
			r := newReq(set, at, spaces, before)
			r.runEnd, r.partial = end, partial
			consider(r)
		}
		// Runs of exact neighbours multiply into longer strings, and so
		// does the prefix set of the node that ends a run.
		if inf.exactOK {
			set := inf.exact
			if len(set) > 0 && !slices.Contains(set, "") {
				run(set, i+1, false)
			}
			for j := i + 1; j <= i+maxRun; j++ {
				if len(set) > 0 && !slices.Contains(set, "") && j > i+1 {
					run(set, j, false)
				}
				if j == len(infos) || !infos[j].exactOK {
					if i == 0 && j == len(infos) {
						li.exact, li.exactOK = set, true
					}
					if j < len(infos) && infos[j].prefix != nil {
						if longer, ok := crossSets(set, infos[j].prefix); ok {
							run(longer, j+1, true)
							set = longer
						}
					}
					break
				}
				longer, ok := crossSets(set, infos[j].exact)
				if !ok {
					break
				}
				set = longer
			}
			if i == 0 && len(set) > 0 && !slices.Contains(set, "") {
				li.prefix = set
			}
		} else {
			if i == 0 {
				li.prefix = inf.prefix
			}
			if inf.suffix != nil {
				// A run may begin with the end of a node that is not
				// exact: (x+x+)+y is xy, not y, at the y. The set then
				// starts inside the node.
				r0 := req{at: addOff(at, inf.maxLen), spaces: addOff(spaces, maxSpaces(subs[i])), before: before}
				r0.before.union(&inf.bytes)
				set := inf.suffix
				for j := i + 1; j < len(infos) && j <= i+maxRun; j++ {
					next, partial := infos[j].exact, false
					if !infos[j].exactOK {
						next, partial = infos[j].prefix, true
					}
					if next == nil {
						break
					}
					longer, ok := crossSets(set, next)
					if !ok {
						break
					}
					set = longer
					r := newReq(set, r0.at, r0.spaces, r0.before)
					r.runEnd, r.partial = j+1, partial
					consider(r)
					if partial {
						break
					}
				}
			}
		}
		at = addOff(at, inf.maxLen)
		spaces = addOff(spaces, maxSpaces(subs[i]))
		before.union(&inf.bytes)
	}
	li.suffix = concatSuffix(infos)
	return finish(li)
}

// concatSuffix is the suffix set of a concatenation of nodes: the last
// node's exact strings, multiplied with those of the exact nodes ahead of
// it and then with the suffix set of the first node that is not exact; or
// the last node's suffix set when it is not exact.
func concatSuffix(infos []litInfo) []string {
	last := len(infos) - 1
	if last < 0 {
		return nil
	}
	if !infos[last].exactOK {
		return infos[last].suffix
	}
	set := infos[last].exact
	if len(set) == 0 || slices.Contains(set, "") {
		return nil
	}
	for k := last - 1; k >= 0 && k >= last-maxRun; k-- {
		ahead := infos[k].exact
		if !infos[k].exactOK {
			ahead = infos[k].suffix
		}
		if ahead == nil {
			break
		}
		longer, ok := crossSets(ahead, set)
		if !ok {
			break
		}
		set = longer
		if !infos[k].exactOK {
			break
		}
	}
	return set
}

func analyzeAlternate(subs []*syntax.Regexp) litInfo {
	li := litInfo{exactOK: true}
	r := req{at: 0}
	reqOK, prefixOK, suffixOK := true, true, true
	for _, s := range subs {
		inf := analyze(s)
		li.bytes.union(&inf.bytes)
		if prefixOK = prefixOK && inf.prefix != nil && len(li.prefix)+len(inf.prefix) <= maxSetSize; prefixOK {
			li.prefix = unionSets(li.prefix, inf.prefix)
		} else {
			li.prefix = nil
		}
		if suffixOK = suffixOK && inf.suffix != nil && len(li.suffix)+len(inf.suffix) <= maxSetSize; suffixOK {
			li.suffix = unionSets(li.suffix, inf.suffix)
		} else {
			li.suffix = nil
		}
		switch {
		case li.maxLen < 0:
		case inf.maxLen < 0:
			li.maxLen = -1
		default:
			li.maxLen = max(li.maxLen, inf.maxLen)
		}
		if li.exactOK {
			if inf.exactOK && len(li.exact)+len(inf.exact) <= maxSetSize {
				li.exact = unionSets(li.exact, inf.exact)
			} else {
				li.exact, li.exactOK = nil, false
			}
		}
		if reqOK {
			if inf.req.strs == nil || len(r.strs)+len(inf.req.strs) > maxSetSize {
				reqOK = false
				continue
			}
			r.strs = unionSets(r.strs, inf.req.strs)
			r.at = maxOff(r.at, inf.req.at)
			r.spaces = maxOff(r.spaces, inf.req.spaces)
			r.before.union(&inf.req.before)
			r.repeat = max(r.repeat, inf.req.repeat)
		}
	}
	if reqOK && len(r.strs) > 0 {
		li.req = newReqIn(r.strs, r.at, r.spaces, r.before, r.repeat)
	}
	return finish(li)
}

// runeWidth is the widest encoding of r as the regexp engine reads it.
func runeWidth(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return utf8.UTFMax
}

// maxOff is the larger bound, -1 (unbounded) if either is.
func maxOff(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
}

// isSpace reports whether r is white space as \s sees it.
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' }

// maxSpaces bounds the runs of white space in a match of re (-1:
// unbounded). Text that a match covers holds no more maximal runs of white
// space than the regex spends: one node never matches two runs apart, but
// two neighbouring nodes may match one run together.
func maxSpaces(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for i, r := range re.Rune {
			if isSpace(r) && (i == 0 || !isSpace(re.Rune[i-1])) {
				n++
			}
		}
		return n
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for _, c := range " \t\n\f\r" {
				if re.Rune[i] <= c && c <= re.Rune[i+1] {
					return 1
				}
			}
		}
		return 0
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpQuest:
		return maxSpaces(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		switch {
		case maxSpaces(re.Sub[0]) == 0:
			return 0
		case allSpace(re.Sub[0]):
			return 1
		}
		return -1
	case syntax.OpRepeat:
		n := maxSpaces(re.Sub[0])
		switch {
		case n == 0 || re.Max == 0:
			return 0
		case allSpace(re.Sub[0]):
			return 1
		case n < 0 || re.Max < 0:
			return -1
		}
		return n * re.Max
	case syntax.OpConcat:
		if allSpace(re) {
			return 1 // \s{2,9} simplifies to such a concatenation
		}
		n := 0
		for _, sub := range re.Sub {
			n = addOff(n, maxSpaces(sub))
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			n = maxOff(n, maxSpaces(sub))
		}
		return n
	}
	return 0
}

// allSpace reports whether every match of re is white space only, so that
// it lies in one run of white space.
func allSpace(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if !isSpace(r) {
				return false
			}
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > ' '-'\t' {
				return false
			}
			for c := re.Rune[i]; c <= re.Rune[i+1]; c++ {
				if !isSpace(c) {
					return false
				}
			}
		}
		return len(re.Rune) > 0
	case syntax.OpCapture, syntax.OpQuest, syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		return allSpace(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !allSpace(sub) {
				return false
			}
		}
		return true
	}
	return false
}

func addOff(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}

// crossSets returns every concatenation of a string of a with one of b.
func crossSets(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxSetSize {
		return nil, false
	}
	if len(a) == 1 && len(b) == 1 {
		if len(a[0])+len(b[0]) > maxSetStrLen {
			return nil, false
		}
		return []string{a[0] + b[0]}, true
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if len(x)+len(y) > maxSetStrLen {
				return nil, false
			}
			out = append(out, x+y)
		}
	}
	return dedupe(out), true
}

func unionSets(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	return dedupe(out)
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// setCost estimates how often some string of set starts at a position of
// typical normalised page text, plus a charge per string for the automaton
// states it costs. The estimate is the sum of each string's product of byte
// frequencies, but no less than wordFloor for the length of the shortest
// string: letters of words are far from independent ("your " is common),
// and a set may hold a common word.
func setCost(set []string) float64 {
	p, short := 0.0, maxSetStrLen
	for _, s := range set {
		q := 1.0
		for i := 0; i < len(s); i++ {
			q *= byteFreq[s[i]]
		}
		p += q
		short = min(short, len(s))
	}
	p = max(p, wordFloor*math.Pow(wordDecay, float64(short-1)))
	return p + float64(len(set))*perStringCost
}

// Some string of n bytes is taken to start at a position at least
// wordFloor * wordDecay^(n-1) of the time.
const (
	wordFloor = 0.02
	wordDecay = 0.55
)

// byteFreq approximates byte frequencies of lower-cased multilingual page
// text. Only the order of magnitude matters: it steers the choice of atoms
// towards rare strings.
var byteFreq = func() [256]float64 {
	var f [256]float64
	for b := range f {
		switch {
		case b >= 0x80 && b < 0xC0:
			f[b] = 0.01 // continuation bytes
		case b >= 0xC0:
			f[b] = 0.006
		case b >= '0' && b <= '9':
			f[b] = 0.02 // digits come in runs
		default:
			f[b] = 0.002
		}
	}
	letters := "etaoinsrhldcumfpgwybvkxjqz"
	freqs := []float64{.10, .07, .065, .06, .06, .06, .05, .05, .04, .033, .03, .025, .022, .02, .018, .016, .016, .015, .015, .012, .008, .006, .0015, .0012, .001, .0007}
	for i := 0; i < len(letters); i++ {
		f[letters[i]] = freqs[i]
	}
	f[' '] = 0.15
	f['.'] = 0.01
	f[','] = 0.01
	f['\n'] = 0.005
	return f
}()

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) remove(b byte)   { s[b>>6] &^= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) union(o *byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3]
}
func (s *byteSet) addString(x string) {
	for i := 0; i < len(x); i++ {
		s.add(x[i])
	}
}

func (s *byteSet) addRange(lo, hi byte) {
	for b := int(lo); b <= int(hi); b++ {
		s.add(byte(b))
	}
}

// maxHead bounds the byte sets of a head.
const maxHead = 16

// head describes the first maxHead bytes of a node's matches: which
// lengths below maxHead a match can have (bit l of lens), whether it can be
// longer (long), and which bytes can occur at each offset.
type head struct {
	lens uint32
	long bool
	pos  [maxHead]byteSet
}

// headSeq returns byte sets that the first bytes of every match of re fall
// in, one per offset, as many as the shortest match has (up to maxHead): a
// cheap necessary condition for a match to start at a position.
func headSeq(re *syntax.Regexp) []byteSet {
	h := headOf(re)
	n := maxHead
	if h.lens != 0 {
		n = bits.TrailingZeros32(h.lens)
	} else if !h.long {
		n = 0 // no match at all; claim nothing
	}
	return slices.Clone(h.pos[:n])
}

func headOf(re *syntax.Regexp) head {
	var h head
	switch re.Op {
	case syntax.OpNoMatch:
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		h.lens = 1
	case syntax.OpLiteral:
		h.lens = 1
		for _, r := range re.Rune {
			if h.lens == 0 {
				break // every match is longer than maxHead: the rest changes nothing
			}
			vs := []rune{r}
			if re.Flags&syntax.FoldCase != 0 {
				vs = foldOrbit(r)
			}
			rh := runeHead(vs)
			h.concat(&rh)
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo < utf8.RuneSelf {
				h.lens |= 1 << 1
				h.pos[0].addRange(byte(lo), byte(min(hi, utf8.RuneSelf-1)))
			}
			if hi >= utf8.RuneSelf {
				h.multiByte(lo <= utf8.RuneError && utf8.RuneError <= hi)
			}
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		h.multiByte(true)
		h.pos[0].addRange(0, utf8.RuneSelf-1)
		if re.Op == syntax.OpAnyCharNotNL {
			h.pos[0].remove('\n')
		}
	case syntax.OpCapture:
		return headOf(re.Sub[0])
	case syntax.OpConcat:
		h.lens = 1
		for _, sub := range re.Sub {
			if h.lens == 0 {
				break
			}
			sh := headOf(sub)
			h.concat(&sh)
		}
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			sh := headOf(sub)
			h.union(&sh)
		}
	case syntax.OpQuest:
		h = headOf(re.Sub[0])
		h.lens |= 1
	case syntax.OpStar:
		sub := headOf(re.Sub[0])
		h = sub.plus()
		h.lens |= 1
	case syntax.OpPlus:
		sub := headOf(re.Sub[0])
		h = sub.plus()
	case syntax.OpRepeat:
		sub := headOf(re.Sub[0])
		h.lens = 1
		for range min(re.Min, maxHead+1) {
			if h.lens == 0 {
				break
			}
			h.concat(&sub)
		}
		switch {
		case re.Max < 0:
			star := sub.plus()
			star.lens |= 1
			h.concat(&star)
		case re.Max > re.Min:
			opt := head{lens: 1}
			more := head{lens: 1}
			for range min(re.Max-re.Min, maxHead+1) {
				more.concat(&sub)
				opt.union(&more)
			}
			h.concat(&opt)
		}
	default:
		h.long = true
		for i := range h.pos {
			h.pos[i].addRange(0, 0xFF)
		}
	}
	return h
}

// runeHead is the head of one rune matching any of vs.
func runeHead(vs []rune) head {
	var h head
	for _, v := range vs {
		if v == utf8.RuneError {
			h.multiByte(true)
			continue
		}
		b := []byte(string(v))
		h.lens |= 1 << len(b)
		for i, c := range b {
			h.pos[i].add(c)
		}
	}
	return h
}

// multiByte adds the runes of two to four bytes, and with invalid the
// single invalid bytes that match as U+FFFD.
func (h *head) multiByte(invalid bool) {
	h.lens |= 1<<2 | 1<<3 | 1<<4
	if invalid {
		h.lens |= 1 << 1
	}
	for i := range utf8.UTFMax {
		h.pos[i].addRange(0x80, 0xFF)
	}
}

func (h *head) union(o *head) {
	h.lens |= o.lens
	h.long = h.long || o.long
	for i := range h.pos {
		h.pos[i].union(&o.pos[i])
	}
}

// concat makes h the head of h followed by o (o must not be h).
func (h *head) concat(o *head) {
	lens := h.lens
	h.long = h.long || (lens != 0 && o.long)
	h.lens = 0
	for a := range maxHead {
		if lens&(1<<a) == 0 {
			continue
		}
		for b := range maxHead {
			if o.lens&(1<<b) == 0 {
				continue
			}
			if a+b < maxHead {
				h.lens |= 1 << (a + b)
			} else {
				h.long = true
			}
		}
		for i := a; i < maxHead; i++ {
			h.pos[i].union(&o.pos[i-a])
		}
	}
}

// plus returns the head of one or more of h.
func (h *head) plus() head {
	out := *h
	for range maxHead + 1 {
		next := out
		next.concat(h)
		next.union(&out)
		if next.lens == out.lens && next.long == out.long && next.pos == out.pos {
			break
		}
		out = next
	}
	return out
}
