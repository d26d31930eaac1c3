package match

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// The verifier's lazy DFA: a regex's program run from one start over
// ASCII text, finding what the backtracker's try finds there (the end of
// the first match in priority order, package regexp's leftmost-first) a
// byte at a time: a step is one table load, where the backtracker took a
// branch per instruction (about 40 steps of 13-15 ns each per
// verification on the corpus's scam pages, most of which confirm a match
// at the first start the screen lets through).
//
// A state is the list of the program's threads, in priority order, before
// their empty-width closure, and the kind of rune before the position; a
// transition on a byte (or the text's end) takes the closure under the
// assertions that hold between the two, notes whether it reaches Match
// (the threads after that are cut: they lose to it), and steps the
// threads before it over the byte. This is the Pike VM of package regexp
// with its thread lists made states.
//
// States are built as searches ask for them, into one arena per finder
// that outlives the Find (the finder is pooled), sized once: a finder
// past its budget of states, and any non-ASCII byte, leave the start to
// the backtracker, and a full arena is cleared before the next Find, so
// that it holds what recent texts needed. Building allocates nothing but
// the arena.

// Rune kinds, all that empty-width assertions see of the runes around a
// position (syntax.EmptyOpContext).
const (
	kindNone  = iota // the text's start or end
	kindNL           // '\n'
	kindWord         // an ASCII letter, digit or '_'
	kindOther        // any other rune
)

// kindRune is a rune of each kind, for syntax.EmptyOpContext.
var kindRune = [4]rune{kindNone: -1, kindNL: '\n', kindWord: 'a', kindOther: ' '}

// byteKind is the kind of the rune that starts with c (any non-ASCII rune,
// and invalid UTF-8, is kindOther).
func byteKind(c byte) uint8 {
	switch {
	case c == '\n':
		return kindNL
	case c < utf8.RuneSelf && syntax.IsWordChar(rune(c)):
		return kindWord
	}
	return kindOther
}

// dfaCols is a regex's columns: bytes of one kind that every rune
// instruction of its program matches alike share one, so a state's row
// is a few dozen entries. The last column, stride-1, is the text's end.
type dfaCols struct {
	class  [utf8.RuneSelf]uint8
	rep    []byte // a byte of each column but the last
	stride int
}

func newDFACols(prog *syntax.Prog) dfaCols {
	// The sets to tell apart: the kinds, and what each rune instruction
	// matches.
	var word, nl [2]uint64
	for c := range byte(utf8.RuneSelf) {
		switch byteKind(c) {
		case kindWord:
			word[c>>6] |= 1 << (c & 63)
		case kindNL:
			nl[c>>6] |= 1 << (c & 63)
		}
	}
	sets := map[[2]uint64]bool{word: true, nl: true}
	fs := firstBytes(prog)
	for pc := range prog.Inst {
		if isRuneInst(prog.Inst[pc].Op) {
			sets[asciiMatches(fs, pc)] = true
		}
	}
	// Refine one column into the bytes in and out of each set.
	var cs dfaCols
	n := 1
	for set := range sets {
		split := map[[2]uint8]uint8{}
		next := 0
		for c := range byte(utf8.RuneSelf) {
			in := uint8(set[c>>6] >> (c & 63) & 1)
			k := [2]uint8{cs.class[c], in}
			id, ok := split[k]
			if !ok {
				id = uint8(next)
				next++
				split[k] = id
			}
			cs.class[c] = id
		}
		n = next
	}
	cs.rep = make([]byte, n)
	seen := make([]bool, n)
	for c := range byte(utf8.RuneSelf) {
		if id := cs.class[c]; !seen[id] {
			seen[id] = true
			cs.rep[id] = c
		}
	}
	cs.stride = n + 1
	return cs
}

// asciiMatches returns the ASCII bytes that rune instruction pc matches:
// the ASCII half of what firstBytes says it reads first.
func asciiMatches(fs []first, pc int) [2]uint64 {
	return [2]uint64{fs[pc].set[0], fs[pc].set[1]}
}

// matchByte reports whether rune instruction in matches the ASCII byte c.
func matchByte(in *syntax.Inst, c byte) bool {
	switch in.Op {
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return c != '\n'
	}
	return in.MatchRune(rune(c))
}

const (
	dfaUnknown = -1 // a transition not built yet, or one past the budget
	dfaDead    = 0  // the row of the state without threads: never read
	// maxFinderStates is the default budget of a finder's states, and
	// the arena is sized for it: a row of the largest stride, and a
	// dozen threads, per state.
	maxFinderStates = 4096
	dfaRowAvg       = 28 // 26 on the corpus
	dfaPCsAvg       = 4  // 1.2 on the corpus
)

// dfaState is what building a state's transitions needs.
type dfaState struct {
	re         int32
	prev       uint8
	pcs0, pcs1 int32 // its threads: arena.pcs[pcs0:pcs1]
}

// dfaArena holds the DFA states of one finder, for all its regexes. Rows
// are addressed by their offset in trans; a row's entries follow its
// state's index, so that a transition holds the next row (<<1, | 1 when a
// match ends before the byte), dfaUnknown, or dfaDead<<1 (| 1).
type dfaArena struct {
	trans  []int32
	pcs    []uint32
	states []dfaState // at most cap(states): the budget
	slots  []int32    // open addressing over the states' keys: row, or 0 for none
	full   bool       // a state was refused: clear before the next Find
	start  [][4]int32

	// Scratch for building states.
	stack []uint32
	seen  []uint32 // seen[pc] == gen: pc is on the list being built
	gen   uint32
	cons  []uint32 // the closure's rune instructions, in priority order
	list  []uint32
}

func newDFAArena(res []reInfo, states int) *dfaArena {
	maxInst := 0
	for i := range res {
		maxInst = max(maxInst, len(res[i].sprog.Inst))
	}
	slots := 1
	for slots < 2*states {
		slots *= 2
	}
	d := &dfaArena{
		trans:  make([]int32, 1, 1+states*(dfaRowAvg+1)),
		pcs:    make([]uint32, 0, states*dfaPCsAvg),
		states: make([]dfaState, 0, states),
		slots:  make([]int32, slots),
		start:  make([][4]int32, len(res)),
		seen:   make([]uint32, maxInst),
	}
	d.clear()
	return d
}

// clear drops every state, so that the texts to come build their own:
// the arena holds the states that recent texts needed.
func (d *dfaArena) clear() {
	d.trans = d.trans[:1]
	d.pcs = d.pcs[:0]
	d.states = d.states[:0]
	clear(d.slots)
	d.full = false
	for i := range d.start {
		d.start[i] = [4]int32{dfaUnknown, dfaUnknown, dfaUnknown, dfaUnknown}
	}
}

// run finds the end of the first match in priority order of regex r
// (ri) that starts at text[pos]. known is false when the DFA cannot tell
// (a non-ASCII byte, or a state past the budget, on the way); far is the
// furthest position it read.
func (d *dfaArena) run(r int32, ri *reInfo, text []byte, pos int) (end int, ok, known bool, far int) {
	prev := uint8(kindNone)
	if pos > 0 {
		prev = byteKind(text[pos-1])
	}
	cols := ri.dfa()
	row := d.start[r][prev]
	if row == dfaUnknown {
		d.list = append(d.list[:0], uint32(ri.sprog.Start))
		if row = d.state(r, cols.stride, d.list, prev); row == dfaUnknown {
			return 0, false, false, pos
		}
		d.start[r][prev] = row
	}
	last := cols.stride - 1
	trans := d.trans
	for i := pos; ; i++ {
		col := last
		if i < len(text) {
			if text[i] >= utf8.RuneSelf {
				return 0, false, false, i
			}
			col = int(cols.class[text[i]])
		}
		t := trans[int(row)+col]
		if t == dfaUnknown {
			if t = d.build(row, col, ri.sprog, cols); t == dfaUnknown {
				return 0, false, false, i
			}
			trans = d.trans
		}
		if t&1 != 0 {
			end, ok = i, true
		}
		row = t >> 1
		if row == dfaDead || col == last {
			return end, ok, true, i
		}
	}
}

// build makes the transition of the state at row on column col of cols,
// the columns of the state's regex, whose program is prog.
func (d *dfaArena) build(row int32, col int, prog *syntax.Prog, cols *dfaCols) int32 {
	st := d.states[d.trans[row-1]]
	atEnd := col == cols.stride-1
	next := uint8(kindNone)
	var c byte
	if !atEnd {
		c = cols.rep[col]
		next = byteKind(c)
	}
	flags := syntax.EmptyOpContext(kindRune[st.prev], kindRune[next])
	matched := d.closure(prog, d.pcs[st.pcs0:st.pcs1], flags)
	d.list = d.list[:0]
	if !atEnd {
		d.gen++
		for _, pc := range d.cons {
			in := &prog.Inst[pc]
			if matchByte(in, c) && d.seen[in.Out] != d.gen {
				d.seen[in.Out] = d.gen
				d.list = append(d.list, in.Out)
			}
		}
	}
	t := int32(dfaDead)
	if len(d.list) > 0 {
		if t = d.state(st.re, cols.stride, d.list, next); t == dfaUnknown {
			return dfaUnknown
		}
	}
	v := t << 1
	if matched {
		v |= 1
	}
	d.trans[int(row)+col] = v
	return v
}

// closure lists in d.cons the rune instructions that the threads pcs
// reach, in priority order, through instructions that read nothing, with
// the assertions flags true; it reports whether they reach Match, where
// the list stops: the threads after a match lose to it.
func (d *dfaArena) closure(prog *syntax.Prog, pcs []uint32, flags syntax.EmptyOp) bool {
	d.gen++
	d.cons = d.cons[:0]
	for _, pc0 := range pcs {
		d.stack = append(d.stack[:0], pc0)
		for len(d.stack) > 0 {
			pc := d.stack[len(d.stack)-1]
			d.stack = d.stack[:len(d.stack)-1]
			if d.seen[pc] == d.gen {
				continue
			}
			d.seen[pc] = d.gen
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				d.stack = append(d.stack, in.Arg, in.Out) // Out first
			case syntax.InstNop, syntax.InstCapture:
				d.stack = append(d.stack, in.Out)
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(in.Arg)&^flags == 0 {
					d.stack = append(d.stack, in.Out)
				}
			case syntax.InstMatch:
				return true
			case syntax.InstFail:
			default:
				d.cons = append(d.cons, pc)
			}
		}
	}
	return false
}

// state returns the row of regex r's state of threads pcs after a rune of
// kind prev, adding it (with a row of stride entries) if it is new and the
// budget and the arena allow (else dfaUnknown).
func (d *dfaArena) state(r int32, stride int, pcs []uint32, prev uint8) int32 {
	h := uint32(r)*0x9E3779B1 ^ uint32(prev)
	for _, pc := range pcs {
		h = (h ^ pc) * 0x01000193
	}
	mask := uint32(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		row := d.slots[i]
		if row == 0 {
			break
		}
		st := &d.states[d.trans[row-1]]
		if st.re == r && st.prev == prev && slices.Equal(d.pcs[st.pcs0:st.pcs1], pcs) {
			return row
		}
	}
	if len(d.states) == cap(d.states) || len(d.trans)+1+stride > cap(d.trans) || len(d.pcs)+len(pcs) > cap(d.pcs) {
		d.full = true
		return dfaUnknown
	}
	d.states = append(d.states, dfaState{re: r, prev: prev, pcs0: int32(len(d.pcs)), pcs1: int32(len(d.pcs) + len(pcs))})
	d.pcs = append(d.pcs, pcs...)
	d.trans = append(d.trans, int32(len(d.states)-1))
	row := int32(len(d.trans))
	for range stride {
		d.trans = append(d.trans, dfaUnknown)
	}
	for i := h & mask; ; i = (i + 1) & mask {
		if d.slots[i] == 0 {
			d.slots[i] = row
			break
		}
	}
	return row
}
