package match

// doneBits has, per stream, a bit per special state whose reports are all
// settled for that stream: the scan passes such a state without reporting
// it. p holds the words' addresses for the assembly kernel.
type doneBits struct {
	w [nStreams][]uint64
	p [nStreams]*uint64
}

func newDoneBits(specials int) doneBits {
	var d doneBits
	for k := range d.w {
		d.w[k] = make([]uint64, (specials+63)/64+1)
		d.p[k] = &d.w[k][0]
	}
	return d
}

// has reports whether special state x (s - special) is done for stream k.
func (d *doneBits) has(k int, x uint32) bool { return d.w[k][x>>6]&(1<<(x&63)) != 0 }

// scanBlockGo is the portable scanBlock: the same steps as the assembly,
// one stream after another within each step.
func scanBlockGo(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits) int {
	trans := a.trans
	col := &a.col
	sp := a.special
	s := *st
	d := 0
	for d < n {
		hit := false
		for k := range nStreams {
			s[k] = uint32(trans[col[text[j+d+k*gap]]+s[k]])
			hit = hit || s[k] >= sp && !done.has(k, s[k]-sp)
		}
		d++
		if hit {
			break
		}
	}
	*st = s
	return d
}
