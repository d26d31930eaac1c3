package match

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Limits of the literal analysis. They bound compile time and the number of
// automaton strings a single regex may add.
const (
	maxSetSize   = 256 // strings in one literal set
	maxSetStrLen = 128 // bytes in one string of a literal set
	maxClassSize = 32  // runes in a character class expanded into a set
)

// reShape is what the literal analysis of a regex yields.
type reShape struct {
	atoms  []string // every match contains one of these at its structural place; nil: none usable
	atomAt int      // max offset of that place's start from the match start; -1: unbounded
	maxLen int      // max bytes of a match; -1: unbounded
}

// litInfo describes one node of a simplified regex parse tree.
type litInfo struct {
	// exact, when exactOK, holds every string the node can match (a
	// superset is fine): the node's match is always one of them.
	exact   []string
	exactOK bool
	// req, when non-nil, is a set of non-empty strings such that every
	// match of the node contains one of them starting at most reqAt bytes
	// after the match start (-1: unbounded).
	req     []string
	reqAt   int
	reqCost float64
	maxLen  int // -1: unbounded
}

// analyzeRegex extracts the required literals and the length bound of re,
// which must be parsed with syntax.Perl and simplified.
func analyzeRegex(re *syntax.Regexp) reShape {
	li := analyze(re)
	sh := reShape{maxLen: li.maxLen, atomAt: -1}
	if li.req != nil && li.reqCost < noAtomCost {
		sh.atoms = li.req
		sh.atomAt = li.reqAt
	}
	return sh
}

// noAtomCost is the estimated hit rate per text position above which a
// literal set is not worth its automaton states: a set that fires this
// often saves little over searching the whole text.
const noAtomCost = 0.02

// perStringCost is the charge per atom string in a set's cost: it takes a
// hundred-fold rarer hit rate to justify a hundred strings over one.
const perStringCost = 1e-6

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
		return litInfo{maxLen: utf8.UTFMax}
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus:
		sub := analyze(re.Sub[0])
		li := litInfo{maxLen: sub.maxLen}
		if sub.maxLen != 0 && re.Op != syntax.OpQuest {
			li.maxLen = -1
		}
		if re.Op == syntax.OpPlus {
			li.req, li.reqAt, li.reqCost = sub.req, sub.reqAt, sub.reqCost
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
		li := litInfo{maxLen: -1}
		switch {
		case sub.maxLen == 0 || re.Max == 0:
			li.maxLen = 0
		case re.Max > 0 && sub.maxLen > 0:
			li.maxLen = sub.maxLen * re.Max
		}
		if re.Min >= 1 {
			li.req, li.reqAt, li.reqCost = sub.req, sub.reqAt, sub.reqCost
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
	return litInfo{maxLen: -1}
}

// finish lets a node's exact set serve as its required set when that is the
// better choice.
func finish(li litInfo) litInfo {
	if li.exactOK && len(li.exact) > 0 && !slices.Contains(li.exact, "") {
		if c := setCost(li.exact); li.req == nil || c < li.reqCost {
			li.req, li.reqAt, li.reqCost = li.exact, 0, c
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
	// U+FFFD also matches any invalid byte, which no string set can
	// express; such literals claim nothing but their length.
	variants := make([][]rune, len(runes))
	widths := make([]int, len(runes)) // max encoded width per rune
	li := litInfo{}
	bad := false
	for i, r := range runes {
		if fold {
			variants[i] = foldOrbit(r)
		} else {
			variants[i] = []rune{r}
		}
		for _, v := range variants[i] {
			if v == utf8.RuneError {
				bad = true
			}
			widths[i] = max(widths[i], runeWidth(v))
		}
		li.maxLen += widths[i]
	}
	if bad {
		return li
	}
	// The exact set when small enough, else the best window of runes.
	product := func(lo, hi int) ([]string, bool) {
		set := []string{""}
		for i := lo; i < hi; i++ {
			if len(set)*len(variants[i]) > maxSetSize {
				return nil, false
			}
			next := make([]string, 0, len(set)*len(variants[i]))
			for _, s := range set {
				for _, v := range variants[i] {
					if len(s)+utf8.RuneLen(v) > maxSetStrLen {
						return nil, false
					}
					next = append(next, s+string(v))
				}
			}
			set = next
		}
		return set, true
	}
	if set, ok := product(0, len(runes)); ok {
		li.exact, li.exactOK = set, true
		return finish(li)
	}
	// Windows grow one rune at a time, up to maxRun runes: longer ones are
	// no rarer in practice.
	off := 0
	for lo := range runes {
		set := []string{""}
		for hi := lo + 1; hi <= len(runes) && hi <= lo+maxRun; hi++ {
			vs := make([]string, len(variants[hi-1]))
			for i, v := range variants[hi-1] {
				vs[i] = string(v)
			}
			var ok bool
			if set, ok = crossSets(set, vs); !ok {
				break
			}
			if c := setCost(set); li.req == nil || c < li.reqCost {
				li.req, li.reqAt, li.reqCost = set, off, c
			}
		}
		off += widths[lo]
	}
	return li
}

func analyzeClass(ranges []rune) litInfo {
	li := litInfo{}
	if len(ranges) == 0 {
		return litInfo{exactOK: true, exact: []string{}}
	}
	li.maxLen = runeWidth(ranges[len(ranges)-1])
	n := 0
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo <= utf8.RuneError && utf8.RuneError <= hi {
			return li // matches invalid bytes too
		}
		n += int(hi-lo) + 1
		if n > maxClassSize {
			return li
		}
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

func analyzeConcat(subs []*syntax.Regexp) litInfo {
	infos := make([]litInfo, len(subs))
	li := litInfo{}
	for i, s := range subs {
		infos[i] = analyze(s)
		if li.maxLen >= 0 {
			if infos[i].maxLen < 0 {
				li.maxLen = -1
			} else {
				li.maxLen += infos[i].maxLen
			}
		}
	}
	consider := func(set []string, at int, cost float64) {
		if li.req == nil || cost < li.reqCost {
			li.req, li.reqAt, li.reqCost = set, at, cost
		}
	}
	// at is the max offset of subs[i]'s match start.
	at := 0
	for i, inf := range infos {
		if inf.req != nil {
			consider(inf.req, addOff(at, inf.reqAt), inf.reqCost)
		}
		// Runs of exact neighbours multiply into longer strings.
		if inf.exactOK {
			set := inf.exact
			for j := i + 1; j <= i+maxRun; j++ {
				if len(set) > 0 && !slices.Contains(set, "") && j > i+1 {
					consider(set, at, setCost(set))
				}
				if j == len(infos) || !infos[j].exactOK {
					if i == 0 && j == len(infos) {
						li.exact, li.exactOK = set, true
					}
					break
				}
				var ok bool
				if set, ok = crossSets(set, infos[j].exact); !ok {
					break
				}
			}
		}
		if at >= 0 {
			if inf.maxLen < 0 {
				at = -1
			} else {
				at += inf.maxLen
			}
		}
	}
	return finish(li)
}

func analyzeAlternate(subs []*syntax.Regexp) litInfo {
	li := litInfo{exactOK: true}
	var req []string
	reqOK := true
	for _, s := range subs {
		inf := analyze(s)
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
			if inf.req == nil || len(req)+len(inf.req) > maxSetSize {
				req, reqOK = nil, false
			} else {
				req = unionSets(req, inf.req)
				if li.reqAt >= 0 {
					li.reqAt = max(li.reqAt, inf.reqAt)
					if inf.reqAt < 0 {
						li.reqAt = -1
					}
				}
			}
		}
	}
	if reqOK && len(req) > 0 {
		li.req, li.reqCost = req, setCost(req)
	} else {
		li.reqAt = 0
	}
	return finish(li)
}

// maxRun bounds how many neighbours of a concatenation are multiplied.
const maxRun = 32

// runeWidth is the widest encoding of r as the regexp engine reads it.
func runeWidth(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return utf8.UTFMax
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
// states it costs.
func setCost(set []string) float64 {
	c := float64(len(set)) * perStringCost
	for _, s := range set {
		p := 1.0
		for i := 0; i < len(s); i++ {
			p *= byteFreq[s[i]]
		}
		c += p
	}
	return c
}

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
			f[b] = 0.004
		case b >= 'A' && b <= 'Z':
			f[b] = 0.002
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
