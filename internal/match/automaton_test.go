package match

import (
	"math"
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
		weight, lineProb := randomWeights(rng, nd, stride)
		starts, total := columnStarts(nd, stride, weight, lineProb)
		got := fillTable(nd, starts, total, fail, edges, perm)
		want := fillTableRef(nd, stride, fail, edges, perm)
		for c, at := range starts {
			if !slices.Equal(got[at:at+nd], want[c*nd:(c+1)*nd]) {
				t.Fatalf("trial %d (%d states, %d classes, density %.2f): fillTable's column %d differs from the reference", trial, nd, stride, density, c)
			}
		}
	}
}

// TestColumnStarts checks the column layout: every column starts on a
// cache line, after the one before it, with less than a set's round of
// lines between; hot lines of equal weight spread over all the sets
// before any set holds two; and a hotter line keeps a set to itself
// sooner than a colder one does.
func TestColumnStarts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		nd := 1 + rng.IntN(40000)
		stride := 1 + rng.IntN(150)
		weight, lineProb := randomWeights(rng, nd, stride)
		starts, total := columnStarts(nd, stride, weight, lineProb)
		end := 0
		for c, at := range starts {
			if at%lineEntries != 0 || at < end || at-end >= l1Sets*lineEntries {
				t.Fatalf("trial %d (%d states, %d classes): column %d starts at %d, after a column ending at %d", trial, nd, stride, c, at, end)
			}
			end = at + nd
		}
		if total < end {
			t.Fatalf("trial %d: table of %d entries, columns up to %d", trial, total, end)
		}
	}

	// One hot line per column (line 0), all equally likely.
	set := func(starts []int, c, line int) int { return (starts[c]/lineEntries + line) % l1Sets }
	for _, stride := range []int{l1Sets, 2 * l1Sets} {
		weight := slices.Repeat([]float64{1}, stride)
		starts, _ := columnStarts(1000, stride, weight, []float64{1})
		per := make([]int, l1Sets)
		for c := range stride {
			per[set(starts, c, 0)]++
		}
		for s, n := range per {
			if n != stride/l1Sets {
				t.Errorf("%d columns of one hot line: set %d holds %d of them, want %d", stride, s, n, stride/l1Sets)
			}
		}
	}

	// Hot lines as a table has them: the first few of a column (the
	// likeliest states) and a few 1,000 lines on (the likeliest special
	// states), in columns whose weights fall, more lines than the cache
	// holds. The traffic expected to miss (what lies beyond the eight
	// heaviest lines of a set) is within a tenth of the best that columns
	// a fixed odd number of lines apart get, and less than they get on
	// average over that number modulo the sets: a fixed pitch is good or
	// bad by luck, as the rule set's table showed.
	lineProb := make([]float64, 1003)
	for l, p := range []float64{1, 0.5, 0.3, 0.2} {
		lineProb[l], lineProb[1000+l%3] = p, p/2
	}
	weight := make([]float64, l1Sets*5/4)
	for c := range weight {
		weight[c] = 1 / float64(c+1)
	}
	missed := func(first func(c int) int) float64 {
		var sets [l1Sets][]float64
		for c, w := range weight {
			for l, p := range lineProb {
				if p > 0 {
					s := (first(c) + l) % l1Sets
					sets[s] = append(sets[s], w*p)
				}
			}
		}
		sum := 0.0
		for _, ws := range sets {
			slices.Sort(ws)
			for _, w := range ws[:max(0, len(ws)-l1Ways)] {
				sum += w
			}
		}
		return sum
	}
	starts, _ := columnStarts(len(lineProb)*lineEntries, len(weight), weight, lineProb)
	got := missed(func(c int) int { return starts[c] / lineEntries })
	best, mean := math.Inf(1), 0.0
	for r := 1; r < l1Sets; r += 2 {
		n := len(lineProb)
		pitch := n + (r-n%l1Sets+l1Sets)%l1Sets // lines, r modulo the sets
		fixed := missed(func(c int) int { return c * pitch })
		best = min(best, fixed)
		mean += fixed / (l1Sets / 2)
	}
	t.Logf("traffic expected to miss: %.3f placed, %.3f at the best fixed pitch, %.3f on average over the pitches", got, best, mean)
	if got > best*1.1 || got >= mean {
		t.Errorf("columnStarts leaves %.3f of the traffic to miss, a fixed pitch %.3f at best and %.3f on average", got, best, mean)
	}
}

// randomWeights returns random class weights and line likelihoods for
// columnStarts, the lines likelier the nearer a column's start.
func randomWeights(rng *rand.Rand, nd, stride int) (weight, lineProb []float64) {
	weight = make([]float64, stride)
	for c := range weight {
		weight[c] = rng.Float64()
	}
	lineProb = make([]float64, (nd+lineEntries-1)/lineEntries)
	for l := range lineProb {
		lineProb[l] = rng.Float64() / float64(l+1)
	}
	return weight, lineProb
}
