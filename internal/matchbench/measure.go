package matchbench

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// Built is an engine with what building it cost.
type Built struct {
	Engine  Engine
	Compile time.Duration
	// HeapBytes is the growth of the Go heap that the engine keeps, measured
	// around its construction after a GC each side.
	HeapBytes int64
	// NativeBytes is memory held outside the Go heap (Hyperscan's database
	// and scratch), when the engine reports it.
	NativeBytes int64
}

// nativeSizer is an Engine that holds memory outside the Go heap.
type nativeSizer interface{ NativeBytes() int64 }

// Build constructs an engine with newEngine and measures its compile time
// and memory.
func Build[E Engine](newEngine func() (E, error)) (Built, error) {
	var before, after runtime.MemStats
	gc() // twice: pooled objects survive one GC in the victim cache
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	e, err := newEngine()
	d := time.Since(t0)
	if err != nil {
		return Built{}, err
	}
	gc()
	runtime.ReadMemStats(&after)
	b := Built{Engine: e, Compile: d, HeapBytes: int64(after.HeapAlloc) - int64(before.HeapAlloc)}
	if n, ok := any(e).(nativeSizer); ok {
		b.NativeBytes = n.NativeBytes()
	}
	runtime.KeepAlive(e)
	return b, nil
}

func gc() {
	runtime.GC()
	runtime.GC()
}

// Speed is the throughput of an engine over an input.
type Speed struct {
	Bytes  int64           // of the input
	Reps   int             // times a timed pass goes over the input; 0 counts as 1
	Passes []time.Duration // one per timed pass, sorted
	// AllocsPerMB is the heap allocations of one pass per MB (1e6 bytes)
	// of input.
	AllocsPerMB float64
}

// MBps is the median pass's throughput in MB (1e6 bytes) per second.
func (s Speed) MBps() float64 {
	d := Median(s.Passes)
	if d <= 0 {
		return 0
	}
	return float64(s.Bytes) * float64(max(s.Reps, 1)) / 1e6 / d.Seconds()
}

// Median returns the median of xs (the mean of the middle two when there
// is an even number), or 0 for none.
func Median[T ~int64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// Pool is the Speed of the same engine over the same input measured in
// several rounds: every round's passes, each reduced to one time over the
// input (a round's passes may go over it a different number of times), so
// that the median is taken over all of them. Its allocations are the most
// any round counted.
func Pool(rounds ...Speed) Speed {
	var p Speed
	for _, r := range rounds {
		p.Bytes = r.Bytes
		p.AllocsPerMB = max(p.AllocsPerMB, r.AllocsPerMB)
		for _, d := range r.Passes {
			p.Passes = append(p.Passes, d/time.Duration(max(r.Reps, 1)))
		}
	}
	slices.Sort(p.Passes)
	return p
}

// Measure times passes passes of e over texts in the calling goroutine,
// after one untimed warm-up pass and a collection, and counts a pass's
// allocations. A pass goes over texts as many times as make it last
// minPass (see prepare).
func Measure(e Engine, texts [][]byte, passes int) Speed {
	s, pass := prepare(e, texts, passes)
	// Start from a collected heap: a cycle left over from an earlier
	// engine's garbage would take its share of the one core from the
	// passes of this one.
	gc()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for i := range s.Passes {
		s.Passes[i] = timed(pass)
	}
	slices.Sort(s.Passes)
	return s
}

// MeasureAlternating is Measure of e over a and over b, their timed passes
// taken in turn (MeasureTurns): it is how the ratio of two inputs'
// throughputs is taken.
func MeasureAlternating(e Engine, a, b [][]byte, passes int) (Speed, Speed) {
	return MeasurePair(e, a, e, b, passes)
}

// MeasurePair is MeasureTurns of engine ea over a and engine eb over b:
// how two engines compare on the same machine state.
func MeasurePair(ea Engine, a [][]byte, eb Engine, b [][]byte, passes int) (Speed, Speed) {
	s := MeasureTurns(passes, Turn{ea, a}, Turn{eb, b})
	return s[0], s[1]
}

// A Turn is an engine and the texts it scans in MeasureTurns.
type Turn struct {
	Engine Engine
	Texts  [][]byte
}

// MeasureTurns is Measure of each turn, their timed passes taken in turn,
// so that a change in the machine's speed during the run (another process,
// a throttled core) slows all alike. Each timed pass follows an untimed one
// of the same turn, so that none is timed with the caches still holding
// another's working set.
func MeasureTurns(passes int, turns ...Turn) []Speed {
	speeds := make([]Speed, len(turns))
	pass := make([]func(), len(turns))
	for i, t := range turns {
		speeds[i], pass[i] = prepare(t.Engine, t.Texts, passes)
	}
	gc()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for p := range max(passes, 1) {
		for i := range turns {
			pass[i]()
			speeds[i].Passes[p] = timed(pass[i])
		}
	}
	for i := range speeds {
		slices.Sort(speeds[i].Passes)
	}
	return speeds
}

// minPass is the least time a timed pass should take. A pass over a small
// input or by a fast engine takes a few milliseconds, and on a shared host
// one slow burst can cover every timed pass of a measurement; such a pass
// goes over its input as many times as make it last minPass.
const minPass = 50 * time.Millisecond

// maxReps bounds the times a pass goes over its input.
const maxReps = 1000

// prepare returns the Speed of passes passes of e over texts, with its
// bytes and allocations filled in, and the pass to time. It runs e over
// texts once, untimed, to warm up and count allocations, and once more to
// see how many times over texts a pass must go to last minPass.
func prepare(e Engine, texts [][]byte, passes int) (Speed, func()) {
	passes = max(passes, 1)
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	dst := make([]int, 0, 1024)
	once := func() {
		for _, t := range texts {
			dst = e.Match(t, dst)
		}
	}
	allocs := testing.AllocsPerRun(1, once) // includes the warm-up
	reps := 1
	if d := timed(once); d < minPass {
		reps = min(maxReps, int(minPass/max(d, time.Microsecond))+1)
	}
	pass := func() {
		for range reps {
			once()
		}
	}
	s := Speed{Bytes: n, Reps: reps, Passes: make([]time.Duration, passes)}
	if n > 0 {
		s.AllocsPerMB = allocs / (float64(n) / 1e6)
	}
	return s, pass
}

func timed(pass func()) time.Duration {
	t0 := time.Now()
	pass()
	return time.Since(t0)
}
