//go:build !purego

package match

// scanBlockAsm is scanBlockGo in assembly (scanblock_amd64.s), with the
// seven states in registers.
//
//go:noescape
func scanBlockAsm(col *[256]uintptr, p *byte, gap int, n int, st *[nStreams]uint32, sp uint32, done *[nStreams]*uint64, ev *events) int

// scanBlock runs the streams from text[j] (stream k at text[j+k*gap]) for
// n steps, or fewer when ev fills up (it stops after a whole step with
// fewer than nStreams free slots), and returns the steps taken. It appends
// to ev an event for every step that leaves a stream in a special state
// not done for it. The caller guarantees that
// j+(nStreams-1)*gap+n <= len(text) and n > 0.
func scanBlock(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits, ev *events) int {
	return scanBlockAsm(&a.colAddr, &text[j], gap, n, st, a.special, &done.p, ev)
}
