package match

import (
	"bytes"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// The scan runs the automaton over the text as nStreams interleaved
// streams, each over its own stretch of the text: the byte-by-byte walk
// through the transition table is a chain of dependent loads, and
// independent chains let the CPU overlap them. Stream k starts overlap
// bytes before its stretch, so it is in the right state when the stretch
// begins, and reports only what ends inside it.
//
// Everything the automaton reports is keyed by its detection position p:
// the end of the string, or for a string that leaves the dense part of the
// automaton, the end of its longest prefix in it (at most cut bytes), where
// the trie walk takes over. Within a stream, keys grow; and stream k's
// keys are all below stream k+1's.
//
// Literals: the first valid occurrence a stream finds is that stream's
// leftmost (a literal's occurrences are detected in start order), and the
// lowest stream that finds a literal holds the leftmost overall.
//
// Regexes: the streams screen their atom hits. Stream 0 verifies those
// that pass as they come; every other hit is recorded, and after the scan
// the records are verified regex by regex in key order, so every regex sees
// its atom hits in key order from the start of the text (see verify for
// why that yields the leftmost match). A regex whose search in stream 0
// explored far past its window is deferred: its later hits are recorded
// too, and verified after the scan one regex at a time, so that its
// searches share the backtracker's memo. Verified interleaved with other
// regexes, each search could explore the same long paths again.
const (
	nStreams = 8
	// recordGap: a stream records an atom hit of a regex only if it lies
	// more than recordGap bytes after the hit it recorded last; the
	// record's window then reaches recordGap bytes further.
	recordGap = 8
)

const noStream = 0xFF

const (
	pending uint8 = iota
	found
	absent
)

// reState is the per-Find state of one regex.
type reState struct {
	limit      int // no match starts at or before limit (from the windows so far)
	start, end int
	touched    bool
	deferred   bool // verified after the scan only
}

// atomRec is a recorded atom hit of regex r at key p, packed as r<<40 | p
// so that records sort by regex, then key, as integers (a text is far
// shorter than 2^40 bytes).
type atomRec uint64

func newAtomRec(r int32, p int) atomRec { return atomRec(uint64(r)<<40 | uint64(p)) }
func (a atomRec) r() int32              { return int32(a >> 40) }
func (a atomRec) p() int                { return int(a & (1<<40 - 1)) }

// finder is the scratch of one Find: reused through the Matcher's pool,
// and left clean by reset.
type finder struct {
	m    *Matcher
	text []byte
	rem  int // groups and atom regexes not settled by stream 0
	low  [nStreams]int

	// Views of the Matcher for the hot path.
	ac      *automaton
	entries []entry
	entryRe []entryRegex
	screens []screen
	res     []reInfo

	// done has, per stream k, a bit per special state whose reports are
	// all settled for k (found by it or an earlier stream, or a regex
	// decided): the scan then passes it by.
	done doneBits
	ev   events // what one kernel call found

	gFirst []uint8 // per group: lowest stream that found it, or noStream
	gStart []int
	gFound []int32

	uBest    []unionMatch // per union, its match so far (part none: none)
	uTouched []int32      // the unions with a match

	rs       []reState
	status   []uint8 // per regex: pending, found or absent
	rTouched []int32
	recs     [nStreams][]atomRec
	recUntil []int // per (stream, regex): hits up to here are covered by a record

	bt  backtracker
	dfa *dfaArena // the verifier DFA's states, made on the first search

	keys   []uint64 // sortHits' scratch
	hitTmp []Hit
}

func (m *Matcher) newFinder() *finder {
	f := &finder{
		m:        m,
		ac:       m.ac,
		entries:  m.entries,
		entryRe:  m.entryRe,
		screens:  m.screens,
		res:      m.res,
		gFirst:   make([]uint8, len(m.groups)),
		gStart:   make([]int, len(m.groups)),
		uBest:    make([]unionMatch, len(m.unions)),
		rs:       make([]reState, len(m.res)),
		status:   make([]uint8, len(m.res)),
		recUntil: make([]int, nStreams*len(m.res)),
	}
	for i := range f.gFirst {
		f.gFirst[i] = noStream
	}
	for i := range f.rs {
		f.rs[i].limit = -1
	}
	for i := range f.uBest {
		f.uBest[i].part = none
	}
	f.done = newDoneBits(len(m.ac.sp))
	f.bt.owner = none
	return f
}

func (f *finder) reset() {
	for _, g := range f.gFound {
		f.gFirst[g] = noStream
	}
	f.gFound = f.gFound[:0]
	for _, r := range f.rTouched {
		f.rs[r] = reState{limit: -1}
		f.status[r] = pending
	}
	f.rTouched = f.rTouched[:0]
	f.done.clear()
	if f.dfa != nil && f.dfa.full {
		f.dfa.clear()
	}
	f.bt.owner = none
	f.text = nil
}

// collect appends the hits of every pattern found.
func (f *finder) collect(dst []Hit) []Hit {
	m := f.m
	for _, g := range f.gFound {
		ids := m.groups[g]
		start := f.gStart[g]
		end := start + m.groupLen[g]
		for _, id := range m.ids[ids.lo:ids.hi] {
			dst = append(dst, Hit{ID: id, Start: start, End: end})
		}
	}
	for _, g := range f.gFound {
		for _, u := range m.groupUnions[g] {
			start := f.gStart[g]
			f.unionPart(u, start, start+m.groupLen[g])
		}
	}
	for _, r := range f.rTouched {
		if u := m.reUnion[r]; u.union != none && f.status[r] == found {
			f.unionPart(u, f.rs[r].start, f.rs[r].end)
		}
	}
	for _, x := range f.uTouched {
		best := &f.uBest[x]
		ids := m.unions[x].ids
		for _, id := range m.ids[ids.lo:ids.hi] {
			dst = append(dst, Hit{ID: id, Start: best.start, End: best.end})
		}
		best.part = none
	}
	f.uTouched = f.uTouched[:0]
	for _, r := range f.rTouched {
		if f.status[r] != found {
			continue
		}
		st := &f.rs[r]
		ids := m.res[r].ids
		for _, id := range m.ids[ids.lo:ids.hi] {
			dst = append(dst, Hit{ID: id, Start: st.start, End: st.end})
		}
	}
	return dst
}

// unionPart notes the match of a union's part: the union's match is the
// leftmost of its parts', of those the first part's.
func (f *finder) unionPart(u unionRef, start, end int) {
	best := &f.uBest[u.union]
	if best.part == none {
		f.uTouched = append(f.uTouched, u.union)
	} else if start > best.start || start == best.start && u.part > best.part {
		return
	}
	*best = unionMatch{part: u.part, start: start, end: end}
}

// streams says how a text of n bytes is split into the scan's streams:
// each takes steps bytes, stream k from k*gap (gap is steps less the
// automaton's overlap, the bytes a stream replays to resync), the last
// running on to the end. ok is false when the text is too short for the
// split to pay, and one stream takes it all.
func (m *Matcher) streams(n int) (steps, gap int, ok bool) {
	ov := m.ac.overlap
	steps = (n + (nStreams-1)*ov) / nStreams
	if n < m.cfg.minStreamText || steps <= 2*ov {
		return 0, 0, false
	}
	return steps, steps - ov, true
}

// scan runs the automaton over the whole text.
func (f *finder) scan() {
	a := f.m.ac
	steps, gap, ok := f.m.streams(len(f.text))
	if !ok {
		f.low[0] = 0
		f.run(0, 0, 0)
		return
	}
	for k := 1; k < nStreams; k++ {
		f.low[k] = k*gap + a.overlap
	}
	var st [nStreams]uint32
	for j := 0; j < steps; {
		f.ev.n = 0
		d := scanBlock(a, f.text, j, gap, steps-j, &st, &f.done, &f.ev)
		for i := range f.ev.n {
			step, s, k := f.ev.at(i)
			f.special(k, s, k*gap+j+step)
		}
		j += d
		if f.rem == 0 {
			return
		}
	}
	f.run(nStreams-1, st[nStreams-1], (nStreams-1)*gap+steps)
}

// run continues stream k from state s at text[i] to the end of the text.
func (f *finder) run(k int, s uint32, i int) {
	a := f.m.ac
	trans := a.trans
	col := &a.col
	sp := a.special
	text := f.text
	for ; i < len(text); i++ {
		s = uint32(trans[col[text[i]]+s])
		if s >= sp {
			f.special(k, s, i+1)
			if f.rem == 0 {
				return
			}
		}
	}
}

// special reports what the special state s means at key p in stream k.
func (f *finder) special(k int, s uint32, p int) {
	if p <= f.low[k] {
		return // the previous stream's
	}
	a := f.ac
	x := a.spIndex(s)
	if f.done.has(k, x) {
		return
	}
	sp := &a.sp[x]
	settled := true
	if sp.cont != none || sp.contDict != none {
		settled = false // what the walks find varies
		if p < len(f.text) {
			bit := uint64(1) << (f.text[p] & 63)
			for c := sp; ; c = &a.sp[c.contDict] {
				if c.cont != none && c.next&bit != 0 {
					f.walk(k, c.cont, int(c.depth), p)
				}
				if c.contDict == none {
					break
				}
			}
		}
	}
	for {
		if sp.entry != none {
			settled = f.entry(k, &sp.en, p-int(sp.en.n), p, p) && settled
		}
		if sp.dict == none {
			break
		}
		sp = &a.sp[sp.dict]
	}
	if settled {
		f.done.add(k, x)
	}
}

// walk follows the sparse children of node (of the given depth, ending
// at p) and the trie below them, and reports the strings that occur there.
func (f *finder) walk(k int, node int32, depth, p int) {
	a := f.m.ac
	nodes := a.nodes
	text := f.text
	start := p - depth
	for q := p; q < len(text); {
		nd := &nodes[node]
		if n := int(nd.chain); n > 1 && q > p {
			// A run of forced bytes: no string ends inside it.
			u := int(node)
			if len(text)-q < n || string(text[q:q+n]) != string(a.tByte[u+1:u+1+n]) {
				return
			}
			node += int32(n)
			q += n
			if e := nodes[node].entry; e != none {
				f.entry(k, &f.entries[e], start, q, p)
			}
			continue
		}
		b := text[q]
		c := nd.first
		for c != none && nodes[c].b < b {
			c = nodes[c].next
		}
		if c == none || nodes[c].b != b || q == p && a.isDense(c) {
			return
		}
		node = c
		q++
		if e := nodes[node].entry; e != none {
			f.entry(k, &f.entries[e], start, q, p)
		}
	}
}

// entry handles an occurrence of entry en at text[start:end], detected at p
// by stream k, and reports whether everything en stands for is settled for
// stream k.
func (f *finder) entry(k int, en *entry, start, end, p int) bool {
	settled := true
	if en.plain != none || en.word != none {
		settled = f.literal(k, en, start, end)
	}
	for i := range f.entryRe[en.re0:en.re1] {
		x := &f.entryRe[int(en.re0)+i]
		r := x.r
		if f.status[r] != pending {
			continue
		}
		if len(x.after) > 0 {
			// Most hits of an atom at the start of its regex's matches
			// fail the head right after the atom: check that here.
			if len(f.text)-end < len(x.after) {
				settled = false
				continue
			}
			ok := true
			for j := range x.after {
				if !x.after[j].has(f.text[end+j]) {
					ok = false
					break
				}
			}
			if !ok {
				settled = false
				continue
			}
		}
		sc := &f.res[r].screen
		if x.scr != none {
			sc = &f.screens[x.scr]
		}
		f.atom(k, r, sc, start, end, p)
		settled = settled && f.status[r] != pending
	}
	return settled
}

// literal handles an occurrence of the literal groups of en at
// text[start:end] in stream k, and reports whether they are settled.
func (f *finder) literal(k int, en *entry, start, end int) bool {
	if g := en.plain; g != none && f.gFirst[g] > uint8(k) {
		f.foundGroup(g, k, start)
	}
	if g := en.word; g != none && f.gFirst[g] > uint8(k) {
		if !wordBoundaryBefore(f.text, start) || !wordBoundaryAfter(f.text, end) {
			return false
		}
		f.foundGroup(g, k, start)
	}
	return true
}

func (f *finder) foundGroup(g int32, k int, start int) {
	if f.gFirst[g] == noStream {
		f.gFound = append(f.gFound, g)
	}
	if k == 0 {
		f.rem--
	}
	f.gFirst[g] = uint8(k)
	f.gStart[g] = start
}

// atom handles an atom hit of regex r at key p in stream k, screened by
// sc.
func (f *finder) atom(k int, r int32, sc *screen, start, end, p int) {
	if !sc.pass(f.text, start, end) {
		return
	}
	if st := &f.rs[r]; k == 0 && !st.deferred {
		f.bt.far = 0
		f.verify(r, p, p)
		if f.status[r] != pending {
			f.rem--
		} else if f.bt.far > p+maxInlineReach {
			st.deferred = true
		}
		return
	}
	i := k*len(f.rs) + int(r)
	if p <= f.recUntil[i] {
		return
	}
	f.recUntil[i] = p + recordGap
	f.recs[k] = append(f.recs[k], newAtomRec(r, p))
}

// pass reports whether a match could have its atom at text[start:end]:
// whether the follow set occurs where it must after the atom, and whether,
// at some start that such a match could have (at most at bytes before,
// over bytes of before), the start bytes and head of the regex fit. A hit
// it rules out needs no verifying.
func (sc *screen) pass(text []byte, start, end int) bool {
	if sc.follow != nil && !sc.followed(text, end) {
		return false
	}
	return sc.headed(text, start)
}

// headed reports whether a match with its atom at start could start
// where it must, by the start bytes and head of the regex, at some start
// in the run of before bytes that a match may hold ahead of the atom.
func (ri *screen) headed(text []byte, start int) bool {
	if !ri.useFirst && len(ri.head) == 0 {
		return true
	}
	if ri.firstFits(text[start]) && ri.viable(text, start) {
		return true
	}
	if ri.at == 0 {
		return false
	}
	// Back over the run of before bytes, as runBack goes, trying each
	// start on the way.
	floor := max(start-screenReach, 0)
	if ri.at > 0 {
		floor = max(floor, start-ri.at)
	}
	spaces := 0
	for s := start; s > floor && ri.before.has(text[s-1]); {
		if isSpace(rune(text[s-1])) && (s == start || !isSpace(rune(text[s]))) {
			if spaces == ri.spaces {
				return false
			}
			spaces++
		}
		s--
		if s == start-screenReach {
			return true // too far to screen
		}
		if ri.firstFits(text[s]) && ri.viable(text, s) {
			return true
		}
	}
	return false
}

// followed reports whether a string of the follow set starts where it must
// after an atom that ends at end, or whether that is too far to tell.
func (ri *screen) followed(text []byte, end int) bool {
	reach := followReach
	if ri.followAt >= 0 {
		reach = min(reach, ri.followAt)
	}
	heads, w := ri.followHeads, ri.followHead
	spaces := 0
	stop := min(len(text), end+reach+1)
	look := ri.followLook
	for x := end; x < stop; x++ {
		// Most bytes are inside words and need no look: pass them eight
		// at a time, without a branch per byte.
		for stop-x >= 8 {
			b := text[x : x+8 : x+8]
			m := uint(look[b[0]]) | uint(look[b[1]])<<1 | uint(look[b[2]])<<2 | uint(look[b[3]])<<3 |
				uint(look[b[4]])<<4 | uint(look[b[5]])<<5 | uint(look[b[6]])<<6 | uint(look[b[7]])<<7
			if m != 0 {
				x += bits.TrailingZeros(m)
				break
			}
			x += 8
		}
		if x >= stop {
			break
		}
		c := text[x]
		if look[c] == 0 {
			continue
		}
		if ri.followFirst.has(c) && (heads == nil || len(text)-x >= w && hasHead(heads, text[x:], w)) {
			for _, s := range ri.follow[ri.followIdx[c]:ri.followIdx[int(c)+1]] {
				if len(text)-x >= len(s) && string(text[x:x+len(s)]) == s {
					return true
				}
			}
		}
		if !ri.followBefore.has(c) {
			return false
		}
		if isSpace(rune(c)) && (x == end || !isSpace(rune(text[x-1]))) {
			if spaces == ri.followSpaces {
				return false
			}
			spaces++
		}
	}
	if stop == end+reach+1 {
		return ri.followAt < 0 || ri.followAt > reach // too far to tell
	}
	return false
}

// maxHeadLen is the most bytes of a follow string that followHeads hashes.
const maxHeadLen = 4

// headHash hashes the first w (2 to maxHeadLen) bytes of s for
// followHeads: a string of the follow set can start only where the text's
// first w bytes hash to a bit that is set.
func headHash[T string | []byte](s T, w int) uint {
	k := uint32(s[0]) | uint32(s[1])<<8
	if w > 2 {
		k |= uint32(s[2]) << 16
		if w > 3 {
			k |= uint32(s[3]) << 24
		}
	}
	return uint(k*0x9E3779B1) >> 20
}

func hasHead(heads *[64]uint64, s []byte, w int) bool {
	h := headHash(s, w)
	return heads[h>>6]&(1<<(h&63)) != 0
}

// followReach bounds how far forward followed looks for the follow set.
// Follow sets are rare strings, so looking further is cheaper than the
// search it saves.
const followReach = 256

// screenReach bounds how far back screen looks for a match start.
const screenReach = 64

// replay verifies the recorded atom hits, regex by regex, each regex's in
// key order. Taking one regex at a time lets its searches share the
// backtracker's memo.
func (f *finder) replay() {
	n := 0
	for k := range nStreams {
		n += len(f.recs[k])
	}
	if n == 0 {
		// Most texts, and every short one: nothing to sort, and no
		// slice of recs to write back.
		return
	}
	all := f.recs[0]
	for k := range nStreams {
		for _, rc := range f.recs[k] {
			f.recUntil[k*len(f.rs)+int(rc.r())] = 0
		}
		if k > 0 {
			all = append(all, f.recs[k]...)
			f.recs[k] = f.recs[k][:0]
		}
	}
	slices.Sort(all)
	for _, rc := range all {
		if r, p := rc.r(), rc.p(); f.status[r] == pending {
			f.verify(r, p, p+recordGap)
		}
	}
	f.recs[0] = all[:0]
}

// verify handles the atom hits of regex r at key p and possibly at keys
// up to q (recording keeps one record for nearby hits), hits arriving in
// key order.
//
// Every match contains an atom at its structural place; when the scan
// detects that atom at key k, the atom starts at or after y = k-lcut, and
// the match starts at most at bytes before the atom, inside the run of
// before bytes (with at most spaces runs of white space) that ends at the
// atom. These bounds only grow with the atom's start, so every match whose
// atom is detected at key p or later starts at or after lo(p), the bound
// for an atom at y (runBack). The earlier hits were verified for every
// start up to st.limit. So no match starts before max(st.limit+1, lo(p)),
// and searching every start from there up to q finds the leftmost match,
// if it starts there. With no match, st.limit moves on and later hits
// continue from there. Windows stop at q, so that starts ahead of the
// coming hits are not tried before those hits call for them.
func (f *finder) verify(r int32, p, q int) {
	ri := &f.m.res[r]
	st := &f.rs[r]
	if q <= st.limit {
		return
	}
	floor := st.limit + 1
	y := max(p-ri.lcut, 0)
	if ri.at >= 0 {
		floor = max(floor, y-ri.at)
	}
	lo := ri.runBack(f.text, y, floor)
	lo, q = max(lo, floor), min(q, len(f.text))
	// Most windows have no position where a match could even start: say
	// so without the backtracker.
	if q-lo <= quickWindow && (ri.useFirst || len(ri.head) > 0) {
		for s := lo; ; s++ {
			if s > q {
				f.none(r, q)
				return
			}
			if ri.viable(f.text, s) {
				break
			}
		}
	}
	f.search(r, lo, q)
}

// maxInlineReach is how far past its window a search in stream 0 may
// explore before its regex is deferred.
const maxInlineReach = 256

// quickWindow is the widest window that verify screens position by
// position before searching it.
const quickWindow = 64

// viable reports whether a match of ri could start at text[s], judging by
// its start bytes and head.
func (ri *screen) viable(text []byte, s int) bool {
	if s >= len(text) {
		return !ri.useFirst && len(ri.head) == 0
	}
	if !ri.firstFits(text[s]) {
		return false
	}
	if len(text)-s < len(ri.head) {
		return false
	}
	for i := range ri.head {
		if !ri.head[i].has(text[s+i]) {
			return false
		}
	}
	return true
}

// firstFits reports whether a match could start with byte c: viable's
// first test, which most starts fail. It inlines where viable does not, and
// the loops over starts call it before viable.
func (ri *screen) firstFits(c byte) bool { return !ri.useFirst || ri.first.has(c) }

// runBack returns where the earliest match whose atom starts at y could
// start, no earlier than floor: the match holds only bytes of before ahead
// of its atom, and at most spaces runs of white space. headed steps back
// the same way, with the step written out: a shared step function does not
// inline, and both loops run on every atom hit.
func (ri *screen) runBack(text []byte, y, floor int) int {
	lo, spaces := y, 0
	for lo > floor && ri.before.has(text[lo-1]) {
		if isSpace(rune(text[lo-1])) && (lo == y || !isSpace(rune(text[lo]))) {
			if spaces == ri.spaces {
				break
			}
			spaces++
		}
		lo--
	}
	return lo
}

// none records that no match of regex r starts up to limit.
func (f *finder) none(r int32, limit int) {
	st := &f.rs[r]
	if !st.touched {
		st.touched = true
		f.rTouched = append(f.rTouched, r)
	}
	st.limit = limit
	if limit >= len(f.text) {
		f.status[r] = absent
	}
}

// search finds the leftmost match of regex r that starts in [lo, limit],
// given that none starts before lo, and records it; with none, it records
// that no match starts up to limit.
func (f *finder) search(r int32, lo, limit int) {
	ri := &f.m.res[r]
	st := &f.rs[r]
	if !st.touched {
		st.touched = true
		f.rTouched = append(f.rTouched, r)
	}
	text := f.text
	n := len(text)
	if ri.never || n < ri.minInput {
		f.status[r] = absent
		return
	}
	if ri.anchored {
		if lo > 0 {
			f.status[r] = absent
			return
		}
		limit = 0
	}
	nInst := len(ri.prog.inst)
	rows := maxMemoWords * 64 / nInst // positions the memo can hold
	reach := ri.maxLen                // how far a path may go past its start
	if reach < 0 {
		reach = rows / 2
	}
	piece := rows - reach - 1 // starts per memo
	if piece < 1 {
		f.fallback(r)
		return
	}
	for s := runeStart(text, lo); s <= limit; {
		s1 := min(limit, s+piece-1)
		f.bt.reset(r, nInst, s, min(n, s1+reach))
		next, start, end, ok := f.tryStarts(r, ri, s, s1)
		if f.bt.overflow {
			f.fallback(r)
			return
		}
		if ok {
			f.status[r], st.start, st.end = found, start, end
			return
		}
		s = next
	}
	f.none(r, limit)
}

// tryStarts tries the start positions in [s0, s1] that package regexp
// would try (rune boundaries, given s0 is one), leftmost first. It returns
// the match, or the next start position to try.
func (f *finder) tryStarts(r int32, ri *reInfo, s0, s1 int) (next, start, end int, ok bool) {
	text := f.text
	pos := s0
	// The DFA reads up to this many bytes in all for this call; past it
	// the backtracker, whose memo the starts share, takes the rest, so
	// that a search stays linear when the DFA runs far from every start.
	dfaLeft := 4*(s1-s0+1) + 1024
	for pos <= s1 {
		switch {
		case len(ri.prefix) > 0:
			i := bytes.Index(text[pos:min(len(text), s1+len(ri.prefix))], ri.prefix)
			if i < 0 {
				return s1 + 1, 0, 0, false
			}
			pos += i
		case ri.useFirst || len(ri.head) > 0:
			end := min(len(text), s1+1)
			for pos < end && !(ri.firstFits(text[pos]) && ri.viable(text, pos)) {
				pos++
			}
			if pos >= end {
				return s1 + 1, 0, 0, false
			}
			if isContinuation(text[pos]) && !isRuneBoundary(text, pos) {
				pos++
				continue
			}
		}
		e, ok, known := 0, false, false
		if dfaLeft > 0 {
			if f.dfa == nil {
				f.dfa = newDFAArena(f.res, f.m.cfg.dfaStates)
			}
			var far int
			e, ok, known, far = f.dfa.run(r, ri, text, pos)
			f.bt.far = max(f.bt.far, far)
			dfaLeft -= far - pos + 1
		}
		if !known {
			e, ok = f.bt.try(&ri.prog, text, pos)
		}
		if ok || f.bt.overflow {
			return 0, pos, e, ok
		}
		if pos >= len(text) {
			return pos + 1, 0, 0, false
		}
		_, w := utf8.DecodeRune(text[pos:])
		pos += w
	}
	return pos, 0, 0, false
}

// fallback settles regex r with package regexp on the whole text.
func (f *finder) fallback(r int32) {
	st := &f.rs[r]
	if loc := f.m.res[r].std().FindIndex(f.text); loc != nil {
		f.status[r], st.start, st.end = found, loc[0], loc[1]
	} else {
		f.status[r] = absent
	}
}

// runeStart returns the last position at or before lo where package
// regexp, decoding the text from its start, begins a rune. Any position
// holding a byte that is not a UTF-8 continuation byte is one; so is any
// position preceded by three continuation bytes, as no rune is longer
// than four bytes.
func runeStart(text []byte, lo int) int {
	if lo <= 0 {
		return 0
	}
	if lo >= len(text) {
		return len(text)
	}
	for b := lo; b > lo-utf8.UTFMax && b > 0; b-- {
		if !isContinuation(text[b]) {
			return b
		}
	}
	if lo < utf8.UTFMax {
		return 0
	}
	return lo
}

func isContinuation(c byte) bool { return c&0xC0 == 0x80 }

// isRuneBoundary reports whether package regexp, decoding the text from
// its start, begins a rune at q.
func isRuneBoundary(text []byte, q int) bool {
	b := runeStart(text, q)
	for b < q {
		_, w := utf8.DecodeRune(text[b:])
		b += w
	}
	return b == q
}
