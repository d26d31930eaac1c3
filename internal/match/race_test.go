//go:build race

package match

// raceEnabled reports a -race build, in which sync.Pool drops items at
// random, so allocation counts say nothing.
const raceEnabled = true
