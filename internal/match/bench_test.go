package match

import (
	"fmt"
	"regexp"
	"runtime"
	"testing"
)

func totalLen(pages [][]byte) int64 {
	n := 0
	for _, p := range pages {
		n += len(p)
	}
	return int64(n)
}

func mustCompile(tb testing.TB, ps []Pattern) *Matcher {
	tb.Helper()
	m, err := Compile(ps)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return m
}

// benchFind runs m over every page, as the service runs it over each page
// it scans, reusing dst.
func benchFind(b *testing.B, m *Matcher, pages [][]byte) {
	b.SetBytes(totalLen(pages))
	b.ReportAllocs()
	dst := make([]Hit, 0, 4096)
	hits := 0
	for b.Loop() {
		for _, p := range pages {
			dst = m.Find(p, dst[:0])
			hits += len(dst)
		}
	}
	b.ReportMetric(float64(hits)/float64(b.N)/float64(len(pages)), "hits/page")
}

// benchNaive is the baseline: one search per pattern.
func benchNaive(b *testing.B, ps []Pattern, pages [][]byte) {
	n, err := CompileNaive(ps)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(totalLen(pages))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			n.Find(p)
		}
	}
}

// BenchmarkFind is the realistic case: the ScamScope-shaped rule set over
// synthetic multilingual pages and over the text of the real corpus.
func BenchmarkFind(b *testing.B) {
	ps := scamRules()
	m := mustCompile(b, ps)
	b.Run(fmt.Sprintf("synthetic/%dpatterns", len(ps)), func(b *testing.B) {
		benchFind(b, m, splitPages(syntheticText(4<<20, 1, 10), 16<<10))
	})
	b.Run(fmt.Sprintf("corpus/%dpatterns", len(ps)), func(b *testing.B) {
		benchFind(b, m, corpusPages(b))
	})
	// A stress case: every other word is one the rules look for.
	b.Run(fmt.Sprintf("dense/%dpatterns", len(ps)), func(b *testing.B) {
		benchFind(b, m, splitPages(syntheticText(4<<20, 1, 500), 16<<10))
	})
}

func BenchmarkNaive(b *testing.B) {
	ps := scamRules()
	b.Run(fmt.Sprintf("synthetic/%dpatterns", len(ps)), func(b *testing.B) {
		benchNaive(b, ps, splitPages(syntheticText(1<<20, 1, 10), 16<<10))
	})
	b.Run(fmt.Sprintf("corpus/%dpatterns", len(ps)), func(b *testing.B) {
		benchNaive(b, ps, corpusPages(b))
	})
}

// BenchmarkFindGenerated scales the rule set: generated literals and
// regexes in several scripts, over synthetic pages.
func BenchmarkFindGenerated(b *testing.B) {
	pages := splitPages(syntheticText(4<<20, 2, 10), 16<<10)
	for _, n := range []int{100, 1000, 10000} {
		m := mustCompile(b, genRules(n, 3))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportMetric(float64(m.ac.memBytes())/(1<<20), "MB-automaton")
			benchFind(b, m, pages)
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	sets := []struct {
		name string
		ps   []Pattern
	}{
		{"scam", scamRules()},
		{"generated/1000", genRules(1000, 3)},
		{"generated/10000", genRules(10000, 3)},
	}
	for _, s := range sets {
		b.Run(fmt.Sprintf("%s/%dpatterns", s.name, len(s.ps)), func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var m *Matcher
			for b.Loop() {
				m = mustCompile(b, s.ps)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap")
			runtime.KeepAlive(m)
		})
	}
}

// BenchmarkStdRegexp is a reference point: one Go regexp alternation of
// all the rule set's literals and regexes (it finds leftmost matches of
// the alternation, not of each pattern, so it does less than Find).
func BenchmarkStdRegexp(b *testing.B) {
	ps := scamRules()
	expr := ""
	for i, p := range ps {
		if i > 0 {
			expr += "|"
		}
		if p.Literal != "" {
			expr += regexp.QuoteMeta(p.Literal)
		} else {
			expr += "(?:" + p.Regex + ")"
		}
	}
	re := regexp.MustCompile(expr)
	pages := splitPages(syntheticText(1<<20, 1, 10), 16<<10)
	b.SetBytes(totalLen(pages))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			re.FindAllIndex(p, -1)
		}
	}
}

// BenchmarkShortTexts scans the corpus text cut into short texts (a
// creative's, a title's) as parallel streams, as Find does from
// minStreamText bytes up, and as one stream, which it did below 1,024
// bytes before.
func BenchmarkShortTexts(b *testing.B) {
	ps := scamRules()
	var text []byte
	for _, p := range corpusPages(b) {
		text = append(text, p...)
	}
	for _, size := range []int{150, 300, 1000} {
		pages := splitPages(text, size)
		for _, one := range []bool{false, true} {
			cfg := defaultConfig()
			name := fmt.Sprintf("%dbytes/streams", size)
			if one {
				cfg.minStreamText = 1 << 30
				name = fmt.Sprintf("%dbytes/one-stream", size)
			}
			m, err := compile(ps, cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(name, func(b *testing.B) { benchFind(b, m, pages) })
		}
	}
}

// BenchmarkScanBlock runs the scan kernel alone over the corpus text, as
// parallel streams, recording its reports but handling none: what the
// automaton costs before any report is looked at.
func BenchmarkScanBlock(b *testing.B) {
	var text []byte
	for _, p := range corpusPages(b) {
		text = append(text, p...)
	}
	m := mustCompile(b, scamRules())
	a := m.ac
	done := newDoneBits(len(a.sp))
	steps := len(text) / nStreams
	b.SetBytes(int64(steps * nStreams))
	var ev events
	for b.Loop() {
		var st [nStreams]uint32
		for j := 0; j < steps; {
			ev.n = 0
			j += scanBlock(a, text, j, steps, steps-j, &st, &done, &ev)
		}
	}
}
