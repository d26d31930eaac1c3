package match

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unsafe"
)

const none = -1

// automaton is an Aho-Corasick DFA over byte classes for a set of distinct
// non-empty strings (the entries).
//
// States are indices 0..states-1; the root is 0. The transition table is
// column-major: the next state from s on byte b is trans[col[b]+s], where
// col[b] is the offset of b's class column. Entries are 16 bits, so a
// column of the states the scan visits most (they are numbered first, by
// likelihood) packs into a few cache lines: the hot part of the table is a
// few tens of kilobytes even when the table is megabytes. Non-special
// states come first, so a state is special (something to report) exactly
// when it is >= special.
type automaton struct {
	col [256]uint32 // byte -> offset of its class's column in trans
	// colAddr[b] is the address of trans[col[b]], for the assembly kernel.
	// trans holds the memory, which the collector does not move.
	colAddr [256]uintptr
	states  int
	trans   []uint16
	special uint32
	cut     int // the deepest dense state's depth
	overlap int // max dense depth - 1: bytes a scan must replay to resync

	// Per special state s, at sp[s-special].
	sp []spInfo

	// The full trie as sibling lists, for the walks below depth cut. Each
	// node's fields are together, as the walk reads them; tByte holds the
	// nodes' bytes again in a row, for the walk's comparison of a chain.
	nodes  []tNode
	tByte  []byte
	tDense []uint64 // bit per trie node in the dense part
}

// tNode is a trie node, in 16 bytes: its first child and next sibling (or
// none), its entry (or none), its byte, and its chain, how many bytes
// below it are forced: it and the nodes after it have one child each, the
// next node in index order, and none but the last has an entry (at most
// 255). The walk compares such a run with the text at once: its bytes are
// tByte[u+1:u+1+chain].
type tNode struct {
	first, next, entry int32
	b, chain           uint8
}

// maxStates is the most dense states a 16-bit table entry can name.
const (
	maxStateBits = 16
	maxStates    = 1 << maxStateBits
)

// isDense reports whether trie node u has a dense state.
func (a *automaton) isDense(u int32) bool { return a.tDense[u>>6]&(1<<(u&63)) != 0 }

// hotStates is how many of the likeliest states keep their order by
// likelihood alone. On the shuffled rule words of make bench-match (every
// word deep in the automaton) grouping the others cut the kernel's
// first-level cache misses by a fifth in callgrind (256: a quarter, but
// the corpus text missed more; 4,096: a twentieth).
const hotStates = 512

// classOrder lists the bytes by how often lower-cased page text holds
// them: space, letters by frequency, line breaks, digits, punctuation,
// then the rest in byte order.
var classOrder = func() [256]byte {
	var order [256]byte
	var seen [256]bool
	n := 0
	for _, b := range []byte(" etaoinsrhldcumfpgwybvkxjqz\n0123456789.,-'\":;!?()/") {
		order[n], seen[b] = b, true
		n++
	}
	for b := range 256 {
		if !seen[b] {
			order[n] = byte(b)
			n++
		}
	}
	return order
}()

// denseNodes chooses the trie nodes that get dense states, in BFS order,
// with the bytes on their edges and the number of byte classes they need.
//
// When every node down to maxCut fits in budget bytes, that is all of
// them. Otherwise the text is likeliest to reach the nodes whose strings
// are likeliest (by byteFreq), so they are taken in that order while they
// fit: the states the scan visits most stay in the table, and the walks
// below it start where the text rarely goes. A string is less likely than
// each of its prefixes and suffixes, so the chosen set holds the prefixes
// and the failure targets of its nodes, as the automaton needs.
func (a *automaton) denseNodes(maxCut, budget int) (bfs []int32, prob []float64, used [256]bool, nClasses int) {
	type cand struct {
		node  int32
		depth int
		p     float64
	}
	all := []cand{{0, 0, 1}}
	for i := 0; i < len(all); i++ {
		u := all[i]
		if u.depth == maxCut {
			continue
		}
		for c := a.nodes[u.node].first; c != none; c = a.nodes[c].next {
			all = append(all, cand{c, u.depth + 1, u.p * byteFreq[a.tByte[c]]})
		}
	}
	fits := func(nodes, classes int) bool { return nodes <= maxStates && nodes*classes*2 <= budget }
	for _, u := range all[1:] {
		used[a.tByte[u.node]] = true
	}
	n := 1
	for _, u := range used {
		if u {
			n++
		}
	}
	if fits(len(all), n) {
		bfs = make([]int32, len(all))
		prob = make([]float64, len(all))
		for i, u := range all {
			bfs[i], prob[i] = u.node, u.p
		}
		return bfs, prob, used, n
	}
	order := make([]int32, len(all)-1)
	for i := range order {
		order[i] = int32(i + 1)
	}
	slices.SortStableFunc(order, func(x, y int32) int { return cmp.Compare(all[y].p, all[x].p) })
	// The root's children are always dense: a walk from the root would
	// miss the strings at the start of the text.
	take := make([]bool, len(all))
	take[0] = true
	used = [256]bool{}
	n, count := 1, 1
	for i, u := range all {
		if u.depth == 1 {
			take[i] = true
			count++
			if b := a.tByte[u.node]; !used[b] {
				used[b] = true
				n++
			}
		}
	}
	for _, i := range order {
		if take[i] {
			continue
		}
		b := a.tByte[all[i].node]
		nn := n
		if !used[b] {
			nn++
		}
		if !fits(count+1, nn) {
			break
		}
		used[b], n = true, nn
		take[i] = true
		count++
	}
	for i, u := range all {
		if take[i] {
			bfs = append(bfs, u.node)
			prob = append(prob, u.p)
		}
	}
	return bfs, prob, used, n
}

// spInfo is what a special state reports.
type spInfo struct {
	entry int32 // entry ending here, or none
	dict  int32 // next special state on the suffix chain with an entry, or none
	cont  int32 // this state's trie node, when some of its children are sparse, or none
	depth int32 // the depth of cont
	// contDict is the next special state on the suffix chain with a cont,
	// or none: its sparse children may go on here too.
	contDict int32
	// next has bit b&63 set for each byte b that continues the subtree of
	// cont: most walks end at the first byte, and this ends them sooner.
	next uint64
	// en is a copy of entry's record (Compile fills it in), read here
	// with the rest rather than from another cache line.
	en entry
}

// spIndex returns the index into sp of the special state s.
func (a *automaton) spIndex(s uint32) uint32 { return s - a.special }

// buildAutomaton builds the automaton for strs (distinct, non-empty); the
// entry of strs[i] is i.
//
// The dense table holds every trie state down to depth cut; strings longer
// than cut are recognised by their first cut bytes and then confirmed by
// walking the sparse trie. The cut is the deepest level whose states still
// fit in denseBudget bytes, and never more than maxCut, which also bounds
// the overlap between scan streams.
func buildAutomaton(strs []string, denseBudget, maxCut int) *automaton {
	a := &automaton{}
	// Trie from the sorted strings: children are created in byte order, so
	// each node's child list is sorted.
	order := make([]int32, len(strs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(strs[x], strs[y]) })
	nodes, prev := 1, ""
	for _, e := range order {
		nodes += len(strs[e]) - commonPrefix(prev, strs[e])
		prev = strs[e]
	}
	a.nodes = make([]tNode, 0, nodes)
	a.tByte = make([]byte, 0, nodes)
	newNode := func(b byte) int32 {
		a.nodes = append(a.nodes, tNode{first: none, next: none, entry: none, b: b})
		a.tByte = append(a.tByte, b)
		return int32(len(a.nodes) - 1)
	}
	newNode(0)
	var path []int32                // path[d] = node at depth d of the previous string
	last := make([]int32, 1, nodes) // last child of each node, to append siblings
	last[0] = none
	path = append(path, 0)
	prev = ""
	for _, e := range order {
		s := strs[e]
		lcp := commonPrefix(prev, s)
		path = path[:lcp+1]
		for d := lcp; d < len(s); d++ {
			parent := path[d]
			n := newNode(s[d])
			last = append(last, none)
			if last[parent] == none {
				a.nodes[parent].first = n
			} else {
				a.nodes[last[parent]].next = n
			}
			last[parent] = n
			path = append(path, n)
		}
		a.nodes[path[len(s)]].entry = e
		prev = s
	}
	a.chains()

	// The dense part: every trie node down to maxCut when that fits in
	// denseBudget, else the nodes the text is likeliest to reach (see
	// denseNodes), in BFS order.
	bfs, prob, used, nClasses := a.denseNodes(maxCut, denseBudget)
	// Classes in order of how often text bytes fall in them (class 0,
	// bytes in no string, first), so the columns the scan reads most are
	// next to each other.
	var classes [256]uint8 // byte -> class
	k := uint8(1)
	for _, b := range classOrder {
		if used[b] {
			classes[b] = k
			k++
		}
	}
	stride := nClasses
	nd := len(bfs)
	dense := make([]int32, len(a.nodes)) // trie node -> BFS index, or none
	for i := range dense {
		dense[i] = none
	}
	for i, u := range bfs {
		dense[u] = int32(i)
	}
	a.tDense = make([]uint64, (len(a.nodes)+63)/64)
	for _, u := range bfs {
		a.tDense[u>>6] |= 1 << (u & 63)
	}
	depth := make([]uint8, nd)

	// Failure links and suffix outputs by BFS index, and the dense edges by
	// class. A node with children outside the dense part ("sparse", as
	// every node below it) goes on in the trie walk. The failure state of
	// a child on byte b is where b leads from its parent's failure state:
	// that state's child on b, or if it has none, where b leads from its
	// own failure state, down to the root (each byte on a dense edge has a
	// class of its own, so bytes and classes lead alike).
	fail := make([]int32, nd)
	hasOut := make([]bool, nd)
	dict := make([]int32, nd)       // BFS index of next state with an entry on the suffix chain
	sparse := make([]bool, nd)      // has a sparse child
	contDict := make([]int32, nd)   // BFS index of next state with a sparse child on the suffix chain
	edges := make([][]edge, stride) // per class, in BFS order of from
	var rootNext [256]int32
	step := func(f int32, b byte) int32 { // siblings are in byte order
		for f != 0 {
			for c := a.nodes[bfs[f]].first; c != none && a.nodes[c].b <= b; c = a.nodes[c].next {
				if a.nodes[c].b == b && dense[c] != none {
					return dense[c]
				}
			}
			f = fail[f]
		}
		return rootNext[b]
	}
	for i, u := range bfs {
		if i == 0 {
			dict[0], contDict[0] = none, none
		} else {
			f := fail[i]
			hasOut[i] = hasOut[f] || a.nodes[bfs[f]].entry != none
			if a.nodes[bfs[f]].entry != none {
				dict[i] = f
			} else {
				dict[i] = dict[f]
			}
			if sparse[f] {
				contDict[i] = f
			} else {
				contDict[i] = contDict[f]
			}
		}
		if a.nodes[u].entry != none {
			hasOut[i] = true
		}
		for c := a.nodes[u].first; c != none; c = a.nodes[c].next {
			ci := dense[c]
			if ci == none {
				sparse[i] = true
				continue
			}
			b := a.tByte[c]
			if i == 0 {
				fail[ci] = 0
				rootNext[b] = ci
			} else {
				fail[ci] = step(fail[i], b)
			}
			depth[ci] = depth[i] + 1
			cls := classes[b]
			edges[cls] = append(edges[cls], edge{int32(i), ci})
		}
	}

	// Renumber: non-special states first, and within each kind the
	// likeliest first (the root, p = 1, stays 0), so that the states the
	// scan visits most share the first lines of every column. Past the
	// hotStates likeliest, states are grouped by the class text likeliest
	// takes from them, the next byte of their strings: text inside a rule's
	// word steps from state to state along that word, each step in the
	// column of the word's next byte, and grouped, the entries those steps
	// read share cache lines instead of taking one each.
	isSpecial := func(i int) bool {
		return hasOut[i] || sparse[i] || contDict[i] != none
	}
	// Sort keys: special states last, then by falling likelihood (as
	// float32 bits, which order as the numbers do), then BFS order; the
	// root stays first.
	keys := make([]uint64, nd)
	hotProb := 0.0
	if nd > hotStates {
		hotProb = nthSmallest(slices.Clone(prob), nd-hotStates)
	}
	spaceCls := uint64(classes[' '])
	for i := range keys {
		k := uint64(^math.Float32bits(float32(prob[i])))<<maxStateBits | uint64(i)
		if prob[i] < hotProb {
			// A cold state: grouped by the class the text likeliest
			// takes from it, so that in that class's column the cold
			// states' likeliest entries lie together.
			cls, best := spaceCls, -1.0
			for c := a.nodes[bfs[i]].first; c != none; c = a.nodes[c].next {
				if d := dense[c]; d != none && prob[d] > best {
					cls, best = uint64(classes[a.tByte[c]]), prob[d]
				}
			}
			k |= 1<<62 | cls<<(32+maxStateBits)
		}
		if isSpecial(i) {
			k |= 1 << 63
		}
		keys[i] = k
	}
	keys[0] = 0
	slices.Sort(keys)
	byProb := make([]int32, nd)
	for st, k := range keys {
		byProb[st] = int32(k & (1<<maxStateBits - 1))
	}
	perm := make([]uint32, nd) // BFS index -> state
	nSpecial := 0
	for st, i := range byProb {
		perm[i] = uint32(st)
		if isSpecial(int(i)) {
			nSpecial++
		}
	}
	a.special = uint32(nd - nSpecial)
	a.sp = make([]spInfo, nSpecial)
	spOf := func(i int32) int32 {
		if i == none {
			return none
		}
		return int32(perm[i] - a.special)
	}
	weight := make([]float64, stride)
	for b := range 256 {
		weight[classes[b]] += byteFreq[b]
	}
	lineProb := make([]float64, (nd+lineEntries-1)/lineEntries)
	for i, p := range prob {
		lineProb[perm[i]/lineEntries] += p
	}
	starts, size := columnStarts(nd, stride, weight, lineProb)
	trans := fillTable(nd, starts, size, fail, edges, perm)
	maxDepth := 0
	a.states = nd
	a.trans = trans
	for b := range a.col {
		a.col[b] = uint32(starts[classes[b]])
		a.colAddr[b] = uintptr(unsafe.Pointer(&trans[a.col[b]]))
	}
	for i := range nd {
		maxDepth = max(maxDepth, int(depth[i]))
		if !isSpecial(i) {
			continue
		}
		info := spInfo{entry: a.nodes[bfs[i]].entry, dict: spOf(dict[i]), cont: none, contDict: spOf(contDict[i])}
		if sparse[i] {
			info.cont, info.depth = bfs[i], int32(depth[i])
			for c := a.nodes[bfs[i]].first; c != none; c = a.nodes[c].next {
				if dense[c] == none {
					info.next |= 1 << (a.tByte[c] & 63)
				}
			}
		}
		a.sp[spOf(int32(i))] = info
	}
	a.cut = maxDepth
	a.overlap = max(maxDepth-1, 0)
	return a
}

// The first-level cache has l1Sets sets of l1Ways lines of lineEntries
// table entries (64 bytes, 16-bit entries).
const (
	l1Sets      = 64
	l1Ways      = 8
	lineEntries = 32
	// maxHotLines is how many of a column's likeliest lines columnStarts
	// weighs.
	maxHotLines = 48
)

// columnStarts places the columns of a table of nd states over stride
// classes, and returns where each starts (in entries, each on a cache
// line) and the table's length. weight[c] is how likely text is to take
// class c, lineProb[l] how likely it is to be in a state of line l of a
// column (states lineEntries*l on): line l of column c is read about
// weight[c]*lineProb[l] of the steps.
//
// Where a column starts decides the cache sets of its lines, and the hot
// lines (a column's first, where the likeliest states are, and the first
// of the special states) of the hundred-odd columns compete for the
// first-level cache's sets, eight lines each. With every column a fixed
// pitch from the last, their hot lines pile up in some sets and leave
// others empty, and which depends on the pitch modulo 64 lines: on the
// rule set's table, pitches that differ by a few lines scanned the corpus
// at 918 to 1,207 MB/s. So the columns are placed one after the other,
// hottest first, each at the line offset (modulo the sets) that adds the
// least expected traffic beyond the ways of the sets its hot lines fall
// in, a gap of under l1Sets lines before it.
func columnStarts(nd, stride int, weight []float64, lineProb []float64) ([]int, int) {
	lines := (nd + lineEntries - 1) / lineEntries
	// The hot lines: the maxHotLines likeliest of a column.
	type hot struct {
		line int
		p    float64
	}
	var hots []hot
	for l, p := range lineProb {
		if p > 0 {
			hots = append(hots, hot{l, p})
		}
	}
	slices.SortFunc(hots, func(a, b hot) int { return cmp.Compare(b.p, a.p) })
	hots = hots[:min(len(hots), maxHotLines)]
	order := make([]int, stride)
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weight[b], weight[a]) })
	// sets[s] holds the weights of the lines placed in set s, heaviest
	// first; what lies beyond the first l1Ways is expected to miss. load[s]
	// is their sum: between offsets that add the same expected misses, the
	// one whose sets carry the least breaks the tie, so that hot lines
	// spread over all the sets before any set fills.
	var sets [l1Sets][]float64
	var load [l1Sets]float64
	over := func(s int, w float64) float64 {
		if len(sets[s]) < l1Ways {
			return 0
		}
		return min(w, sets[s][l1Ways-1])
	}
	place := func(c, o int, sign float64) {
		for _, h := range hots {
			s, w := (o+h.line)%l1Sets, weight[c]*h.p
			i, _ := slices.BinarySearchFunc(sets[s], w, func(x, y float64) int { return cmp.Compare(y, x) })
			if sign > 0 {
				sets[s] = slices.Insert(sets[s], i, w)
			} else {
				sets[s] = slices.Delete(sets[s], i, i+1)
			}
			load[s] += sign * w
		}
	}
	offset := make([]int, stride)
	// Each column goes where it adds the least; then, in a second round,
	// each is taken out and placed again among all the others, which
	// mends what the first columns chose before the later ones came.
	for round := range 2 {
		for _, c := range order {
			if round > 0 {
				place(c, offset[c], -1)
			}
			best, bestMiss, bestLoad := 0, math.Inf(1), math.Inf(1)
			for o := range l1Sets {
				miss, ld := 0.0, 0.0
				for _, h := range hots {
					s, w := (o+h.line)%l1Sets, weight[c]*h.p
					miss += over(s, w)
					ld += load[s] * w
				}
				if miss < bestMiss || miss == bestMiss && ld < bestLoad {
					best, bestMiss, bestLoad = o, miss, ld
				}
			}
			offset[c] = best
			place(c, best, 1)
		}
	}
	starts := make([]int, stride)
	at := 0 // in lines
	for c := range stride {
		at += (offset[c] - at%l1Sets + l1Sets) % l1Sets
		starts[c] = at * lineEntries
		at += lines
	}
	return starts, at * lineEntries
}

// An edge is a dense edge, from and to by BFS index.
type edge struct{ from, to int32 }

// fillTable returns the column-major transition table of nd dense states
// over stride classes, given the failure links and the dense edges of each
// class by BFS index, and perm, the state of each BFS index (the root's
// is 0).
//
// A state's entry in a class is its own edge's target, or else its failure
// state's entry: the target of the nearest state on its failure chain
// with an edge in the class, or the root's entry when none has one. All
// but a few percent of the entries are the root's (93% for the rule
// set), so a column starts as a run of it, and each edge sets the entries
// of the states below it in the failure tree, passing over those with an
// edge of their own: each entry that differs is written once. Numbered in
// the failure tree's preorder, the states below a state are a range, so
// an edge's states are one pass over a range that skips the ranges it
// passes over.
func fillTable(nd int, starts []int, total int, fail []int32, edges [][]edge, perm []uint32) []uint16 {
	// The failure tree's children, by BFS index.
	first := make([]int32, nd+1)
	for i := 1; i < nd; i++ {
		first[fail[i]+1]++
	}
	for i := range nd {
		first[i+1] += first[i]
	}
	kids := make([]int32, max(nd-1, 0))
	next := slices.Clone(first[:nd])
	for i := 1; i < nd; i++ {
		f := fail[i]
		kids[next[f]] = int32(i)
		next[f]++
	}
	// Preorder: pre[i] is BFS index i's place, and the place j holds
	// state st[j], whose subtree takes the places j to j+size[j]-1.
	pre := make([]int32, nd)
	st := make([]uint32, nd)
	size := make([]int32, nd)
	stack := []int32{0}
	for j := int32(0); len(stack) > 0; j++ {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pre[u], st[j], size[j] = j, perm[u], 1
		for k := first[u+1] - 1; k >= first[u]; k-- {
			stack = append(stack, kids[k])
		}
	}
	for i := nd - 1; i > 0; i-- { // failure states come first in BFS order
		size[pre[fail[i]]] += size[pre[i]]
	}

	trans := make([]uint16, total)
	own := make([]bool, nd) // by place: has an edge in the class at hand
	for c, at := range starts {
		es := edges[c]
		col := trans[at : at+nd]
		if len(es) > 0 && es[0].from == 0 {
			col[0] = uint16(perm[es[0].to])
			es = es[1:]
			for n := 1; n < len(col); n *= 2 {
				copy(col[n:], col[:n])
			}
		}
		for _, e := range es {
			own[pre[e.from]] = true
		}
		for _, e := range es {
			v := uint16(perm[e.to])
			j := pre[e.from]
			col[st[j]] = v
			for k, end := j+1, j+size[j]; k < end; {
				if own[k] {
					k += size[k]
					continue
				}
				col[st[k]] = v
				k++
			}
		}
		for _, e := range es {
			own[pre[e.from]] = false
		}
	}
	return trans
}

// chains sets the nodes' chains. A node with one child that has no entry
// was made with it for the same string, so the child is the next node;
// below it the chain goes on while that holds.
func (a *automaton) chains() {
	for u := len(a.nodes) - 2; u >= 0; u-- {
		c := a.nodes[u].first
		if c != int32(u+1) || a.nodes[c].next != none {
			continue
		}
		l := 1
		if a.nodes[c].entry == none {
			l += int(a.nodes[c].chain)
		}
		a.nodes[u].chain = uint8(min(l, math.MaxUint8))
	}
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// memBytes estimates the automaton's heap size.
func (a *automaton) memBytes() int {
	return 2*len(a.trans) + int(unsafe.Sizeof(spInfo{}))*len(a.sp) + (int(unsafe.Sizeof(tNode{}))+1)*len(a.nodes)
}

// nthSmallest returns the value that xs[n] would hold if xs were sorted,
// reordering xs: a quickselect, linear where a sort of a large table's
// states took a tenth of the automaton's build.
func nthSmallest(xs []float64, n int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// Median of three as the pivot, then a Hoare partition.
		mid := lo + (hi-lo)/2
		a, b, c := xs[lo], xs[mid], xs[hi]
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return xs[n]
		}
	}
	return xs[n]
}
