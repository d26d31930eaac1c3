package match

// scanBlockGo is the portable scanBlock: the same steps as the assembly,
// one stream after another within each step.
func scanBlockGo(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32) int {
	trans := a.trans
	col := &a.col
	sp := a.special
	s := *st
	d := 0
	for d < n {
		hit := false
		for k := range nStreams {
			s[k] = uint32(trans[col[text[j+d+k*gap]]+s[k]])
			hit = hit || s[k] >= sp
		}
		d++
		if hit {
			break
		}
	}
	*st = s
	return d
}
