package match

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// fillTableRef is the table fill that fillTable replaced: every entry of
// every column, in BFS order, each its own edge's target or its failure
// state's entry (set before it, as failure states come first in BFS
// order).
func fillTableRef(nd, stride int, fail []int32, edges [][]edge, perm []uint32) []uint16 {
	trans := make([]uint16, nd*stride)
	for c := range stride {
		es := edges[c]
		col := trans[c*nd : (c+1)*nd]
		if len(es) > 0 && es[0].from == 0 {
			col[0] = uint16(perm[es[0].to])
			es = es[1:]
		}
		for i := 1; i < nd; i++ {
			if len(es) > 0 && es[0].from == int32(i) {
				col[perm[i]] = uint16(perm[es[0].to])
				es = es[1:]
			} else {
				col[perm[i]] = col[perm[fail[i]]]
			}
		}
	}
	return trans
}

// TestFillTableAgrees holds fillTable to fillTableRef on random failure
// trees, edges and state numberings (the root stays 0), from a single
// state to thousands, with edges from few to most of the states.
func TestFillTableAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for trial := range 300 {
		nd := 1 + rng.IntN(1+trial*trial/10)
		stride := 1 + rng.IntN(12)
		fail := make([]int32, nd)
		for i := 1; i < nd; i++ {
			fail[i] = int32(rng.IntN(i)) // failure states come first in BFS order
		}
		density := rng.Float64()
		edges := make([][]edge, stride)
		for c := range edges {
			for i := range nd - 1 {
				if rng.Float64() < density {
					edges[c] = append(edges[c], edge{from: int32(i), to: int32(i + 1 + rng.IntN(nd-1-i))})
				}
			}
		}
		perm := make([]uint32, nd)
		for i := range perm {
			perm[i] = uint32(i)
		}
		rng.Shuffle(nd-1, func(i, j int) { perm[i+1], perm[j+1] = perm[j+1], perm[i+1] })
		pitch := columnPitch(nd)
		got := fillTable(nd, pitch, stride, fail, edges, perm)
		want := fillTableRef(nd, stride, fail, edges, perm)
		for c := range stride {
			if !slices.Equal(got[c*pitch:c*pitch+nd], want[c*nd:(c+1)*nd]) {
				t.Fatalf("trial %d (%d states, %d classes, density %.2f): fillTable's column %d differs from the reference", trial, nd, stride, density, c)
			}
		}
	}
}

// TestColumnPitch checks that table columns start an odd number of cache
// lines apart, with no more than two lines of padding, and that the
// automaton's columns are laid out at that pitch.
func TestColumnPitch(t *testing.T) {
	const perLine = 32
	for _, nd := range []int{1, 31, 32, 33, 64, 39400, 65536} {
		p := columnPitch(nd)
		if p < nd || p%perLine != 0 || p/perLine%2 != 1 || p-nd >= 2*perLine {
			t.Errorf("columnPitch(%d) = %d: want at least %d, an odd number of %d-entry lines, under two lines more", nd, p, nd, perLine)
		}
	}
	a := buildAutomaton([]string{"virus", "alert", "call now"}, 1<<20, 20)
	p := columnPitch(a.states)
	for b, c := range a.col {
		if int(c)%p != 0 || len(a.trans) < int(c)+a.states {
			t.Errorf("byte %d: column at %d, want a multiple of the pitch %d inside the table", b, c, p)
		}
	}
}
