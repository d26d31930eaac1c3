//go:build !purego

package match

// scanBlockAsm is scanBlockGo in assembly (scanblock_amd64.s), with the
// seven states in registers.
//
//go:noescape
func scanBlockAsm(trans *uint16, col *[256]uint32, p *byte, gap int, n int, st *[nStreams]uint32, sp uint32, done *[nStreams]*uint64) int

// scanBlock runs the streams from text[j] (stream k at text[j+k*gap]) for
// at most n steps, stopping after the first step that leaves a stream in a
// special state; it returns the steps taken. The caller guarantees that
// j+(nStreams-1)*gap+n <= len(text) and n > 0.
func scanBlock(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits) int {
	return scanBlockAsm(&a.trans[0], &a.col, &text[j], gap, n, st, a.special, &done.p)
}
