//go:build !purego

package match

// tBlock is the most steps scanBlock transposes at a time.
const tBlock = 256

// transposed holds up to tBlock steps of text as transpose8 lays them
// out, for scanStepsAsm.
type transposed [tBlock * nStreams]byte

// transpose8 sets dst[d*8+k] = src[k*gap+d] for k < 8 and d < n, n a
// multiple of 8 (scanblock_amd64.s).
//
//go:noescape
func transpose8(dst *byte, src *byte, gap int, n int)

// scanStepsAsm runs the streams for n steps over text transposed by
// transpose8 (scanblock_amd64.s), recording events with steps from
// base+1.
//
//go:noescape
func scanStepsAsm(col *[256]uintptr, t *byte, n int, st *[nStreams]uint32, sp uint32, done *[nStreams]*uint64, ev *events, base int) int

// scanBlock runs the streams from text[j] (stream k at text[j+k*gap]) for
// n steps, or fewer when ev fills up (it stops after a whole step with
// fewer than nStreams free slots), and returns the steps taken. It appends
// to ev an event for every step that leaves a stream in a special state
// not done for it. The caller guarantees that
// j+(nStreams-1)*gap+n <= len(text) and n > 0.
//
// The text is transposed a block at a time into ev's buffer, so that the
// kernel loads a step's bytes for all streams at once; the steps that do
// not fill a group of 8 run in Go.
func scanBlock(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits, ev *events) int {
	d := 0
	for n-d >= 8 {
		blk := min(n-d, tBlock) &^ 7
		transpose8(&ev.t[0], &text[j+d], gap, blk)
		taken := scanStepsAsm(&a.colAddr, &ev.t[0], blk, st, a.special, &done.p, ev, d)
		d += taken
		if taken < blk || ev.n >= evCap-nStreams {
			return d
		}
	}
	if d < n {
		d += scanSteps(a, text, j, gap, d, n, st, done, ev)
	}
	return d
}
