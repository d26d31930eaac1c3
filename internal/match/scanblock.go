package match

// doneBits has, per stream, a bit per special state whose reports are all
// settled for that stream: the scan passes such a state without reporting
// it. p holds the words' addresses for the assembly kernel; set lists the
// words with bits set, k<<24 | word, for clear.
type doneBits struct {
	w   [nStreams][]uint64
	p   [nStreams]*uint64
	set []uint32
}

// newDoneBits returns doneBits for specials special states. Every stream
// gets a word more than it needs, so that p has an address even with
// none.
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

// add marks special state x done for stream k.
func (d *doneBits) add(k int, x uint32) {
	w := &d.w[k][x>>6]
	if *w == 0 {
		d.set = append(d.set, uint32(k)<<24|x>>6)
	}
	*w |= 1 << (x & 63)
}

// clear unmarks every state.
func (d *doneBits) clear() {
	for _, kw := range d.set {
		d.w[kw>>24][kw&(1<<24-1)] = 0
	}
	d.set = d.set[:0]
}

// evCap is the capacity of an events buffer; the assembly kernel knows it
// as the constant 56 (evCap - nStreams).
const evCap = 64

// An events buffer collects what the kernel found for one call: event
// step<<32 | s<<8 | k says that after step step (from 1) stream k was in
// special state s.
type events struct {
	n   int
	buf [evCap]uint64
	t   transposed // the kernel's scratch, where it has one
}

// add appends an event.
func (ev *events) add(step int, s uint32, k int) {
	ev.buf[ev.n] = uint64(step)<<32 | uint64(s)<<8 | uint64(k)
	ev.n++
}

// at returns event i.
func (ev *events) at(i int) (step int, s uint32, k int) {
	e := ev.buf[i]
	return int(e >> 32), uint32(e>>8) & 0xFFFF, int(e & 0xFF)
}

// scanBlockGo is the portable scanBlock: the same steps as the assembly,
// one stream after another within each step.
func scanBlockGo(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits, ev *events) int {
	return scanSteps(a, text, j, gap, 0, n, st, done, ev)
}

// scanSteps is scanBlockGo from step d.
func scanSteps(a *automaton, text []byte, j, gap, d, n int, st *[nStreams]uint32, done *doneBits, ev *events) int {
	trans := a.trans
	col := &a.col
	sp := a.special
	s := *st
	d0 := d
	for d < n {
		for k := range nStreams {
			s[k] = uint32(trans[col[text[j+d+k*gap]]+s[k]])
			if s[k] >= sp && !done.has(k, s[k]-sp) {
				ev.add(d+1, s[k], k)
			}
		}
		d++
		if ev.n >= evCap-nStreams {
			break
		}
	}
	*st = s
	return d - d0
}
