//go:build !amd64 || purego

package match

// scanBlock runs the streams from text[j] (stream k at text[j+k*gap]) for
// at most n steps, stopping after the first step that leaves a stream in a
// special state; it returns the steps taken. The caller guarantees that
// j+(nStreams-1)*gap+n <= len(text) and n > 0.
func scanBlock(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits) int {
	return scanBlockGo(a, text, j, gap, n, st, done)
}
