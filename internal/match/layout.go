package match

import (
	"cmp"
	"slices"
	"unsafe"
)

// Layout describes the automaton a Matcher scans with: what decides how
// much of its transition table a text can touch.
type Layout struct {
	Strings    int // literals and atoms the automaton holds
	States     int // dense states: rows of the transition table
	Classes    int // byte classes: columns of the transition table
	TableBytes int // size of the transition table
}

// Layout returns the Matcher's automaton layout.
func (m *Matcher) Layout() Layout {
	a := m.ac
	seen := make(map[uint32]bool)
	for _, c := range a.col {
		seen[c] = true
	}
	strs := 0
	for _, n := range a.nodes {
		if n.entry != none {
			strs++
		}
	}
	return Layout{Strings: strs, States: a.states, Classes: len(seen), TableBytes: 2 * len(a.trans)}
}

// lineBytes is the size of a cache line, the unit of Footprint.
const lineBytes = 64

// Footprint is how much of the transition table the steps of a scan read:
// the table's cache lines ranked by how many steps read them, and the
// bytes of the most-read lines that serve a share of all steps. A scan
// runs at first-level cache speed while that share's lines fit in it.
type Footprint struct {
	Steps int64 // bytes stepped through
	Lines int   // distinct lines read
	// For[i] is the bytes of the most-read lines that serve Shares[i] of
	// the steps.
	Shares []float64
	For    []int
}

// Footprint steps the automaton through each text (one stream, from the
// root, as the scan's own steps go but without reporting anything) and
// counts the table lines its steps read. shares are fractions of the steps,
// such as 0.9 and 0.99. It is a measuring instrument, not a scan: it runs
// at a fraction of Find's speed.
func (m *Matcher) Footprint(texts [][]byte, shares ...float64) Footprint {
	a := m.ac
	// Lines are the machine's: from the table's offset in its first line.
	off := uintptr(unsafe.Pointer(unsafe.SliceData(a.trans))) % lineBytes
	reads := make([]int64, (int(off)+2*len(a.trans)+lineBytes-1)/lineBytes)
	var fp Footprint
	for _, text := range texts {
		s := uint32(0)
		for _, b := range text {
			i := a.col[b] + s
			reads[(off+2*uintptr(i))/lineBytes]++
			s = uint32(a.trans[i])
		}
		fp.Steps += int64(len(text))
	}
	slices.SortFunc(reads, func(x, y int64) int { return cmp.Compare(y, x) }) // most-read first
	for fp.Lines < len(reads) && reads[fp.Lines] > 0 {
		fp.Lines++
	}
	fp.Shares = shares
	fp.For = make([]int, len(shares))
	for i, share := range shares {
		want, sum, n := share*float64(fp.Steps), int64(0), 0
		for n < fp.Lines && float64(sum) < want {
			sum += reads[n]
			n++
		}
		fp.For[i] = n * lineBytes
	}
	return fp
}

// Pass runs the automaton over text as Find does, in the same streams and
// kernel, and returns how many reports it came to, handling none of them:
// no literal is settled and no regex screened or verified, so every visit
// to a special state is counted and the kernel never passes one over as
// done. It is a measuring instrument: set against Find's time on the same
// text, it shows what the automaton's pass costs and what the handling of
// its reports adds.
func (m *Matcher) Pass(text []byte) int {
	a := m.ac
	if len(m.entries) == 0 {
		return 0
	}
	steps, gap, ok := m.streams(len(text))
	if !ok {
		return a.passRun(text, 0, 0)
	}
	f := m.pool.Get().(*finder)
	defer m.pool.Put(f)
	var st [nStreams]uint32
	reports := 0
	for j := 0; j < steps; {
		f.ev.n = 0
		j += scanBlock(a, text, j, gap, steps-j, &st, &f.done, &f.ev)
		reports += f.ev.n
	}
	return reports + a.passRun(text, st[nStreams-1], (nStreams-1)*gap+steps)
}

// passRun steps one stream from state s at text[i] to the end of the text,
// as finder.run does, and counts the special states it reaches.
func (a *automaton) passRun(text []byte, s uint32, i int) int {
	n := 0
	for ; i < len(text); i++ {
		s = uint32(a.trans[a.col[text[i]]+s])
		if s >= a.special {
			n++
		}
	}
	return n
}
