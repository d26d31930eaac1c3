package matchbench

import "slices"

// Disagreement is a page on which an engine reports other patterns than
// the reference engine.
type Disagreement struct {
	Page    string
	Engine  string
	Missing []int // IDs the reference reports and the engine does not
	Extra   []int // IDs the engine reports and the reference does not
}

// Compare runs ref and e over every page and returns the pages where they
// differ, and how many pattern matches (page, ID) ref reported in all.
func Compare(names []string, texts [][]byte, ref, e Engine) (diffs []Disagreement, matches int) {
	var a, b []int
	for i, t := range texts {
		a = ref.Match(t, a)
		b = e.Match(t, b)
		matches += len(a)
		if slices.Equal(a, b) {
			continue
		}
		d := Disagreement{Page: names[i], Engine: e.Name()}
		d.Missing, d.Extra = diff(a, b), diff(b, a)
		diffs = append(diffs, d)
	}
	return diffs, matches
}

// diff returns the elements of sorted a not in sorted b.
func diff(a, b []int) []int {
	var out []int
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}
