package match

// scanBlockGo is the portable scanBlock: the same steps as the assembly,
// one stream after another within each step.
func scanBlockGo(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32) int {
	trans := a.trans
	cls := &a.classes
	sp := a.special
	s := *st
	d := 0
	for d < n {
		hit := false
		for k := range nStreams {
			s[k] = trans[s[k]+uint32(cls[text[j+d+k*gap]])]
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
