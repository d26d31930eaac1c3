//go:build !amd64 || purego

package match

// transposed is empty: the portable scan reads the text in place.
type transposed struct{}

// scanBlock runs the streams from text[j] (stream k at text[j+k*gap]) for
// n steps, or fewer when ev fills up (it stops after a whole step with
// fewer than nStreams free slots), and returns the steps taken. It appends
// to ev an event for every step that leaves a stream in a special state
// not done for it. The caller guarantees that
// j+(nStreams-1)*gap+n <= len(text) and n > 0.
func scanBlock(a *automaton, text []byte, j, gap, n int, st *[nStreams]uint32, done *doneBits, ev *events) int {
	return scanBlockGo(a, text, j, gap, n, st, done, ev)
}
