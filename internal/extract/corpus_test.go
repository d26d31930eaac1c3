package extract

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// corpusDir is the shared real-world corpus (see its README); tests that
// need it skip when it is absent.
const corpusDir = "../../../shared/corpus"

type corpusPage struct {
	label, path, kind string
	data              []byte
}

// loadCorpus reads the manifest's pages (not the assets), or skips.
func loadCorpus(tb testing.TB) []corpusPage {
	tb.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var pages []corpusPage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 || cols[5] == "asset" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(corpusDir, cols[1]))
		if err != nil {
			tb.Fatalf("corpus page %s: %v", cols[1], err)
		}
		pages = append(pages, corpusPage{label: cols[0], path: cols[1], kind: cols[5], data: b})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return pages
}

// TestCorpus extracts every corpus page and logs how many scam and benign
// pages yield error codes, phones and each lock kind. It checks only that
// extraction holds its invariants on real pages; the table is for people.
func TestCorpus(t *testing.T) {
	pages := loadCorpus(t)
	type tally struct {
		pages, codes, phones, validPhones, warned int
		locks                                     map[string]int
	}
	tallies := map[string]*tally{"scam": {locks: map[string]int{}}, "benign": {locks: map[string]int{}}}
	start := time.Now()
	var slowest time.Duration
	var slowPath string
	for _, p := range pages {
		t0 := time.Now()
		f := Extract(&Content{HTML: p.data})
		if d := time.Since(t0); d > slowest {
			slowest, slowPath = d, p.path
		}
		checkInvariants(t, p.path, f)
		tl := tallies[p.label]
		tl.pages++
		if len(f.ErrorCodes) > 0 {
			tl.codes++
		}
		if len(f.Phones) > 0 {
			tl.phones++
		}
		for _, ph := range f.Phones {
			if ph.E164 != "" {
				tl.validPhones++
				break
			}
		}
		if len(f.Warnings) > 0 {
			tl.warned++
		}
		kinds := map[string]bool{}
		for _, l := range f.Locks {
			kinds[string(l.Kind)] = true
		}
		for k := range kinds {
			tl.locks[k]++
		}
	}
	t.Logf("%d pages in %v (slowest %v: %s)", len(pages), time.Since(start), slowest, slowPath)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-22s %8s %8s\n", "pages with", "scam", "benign")
	s, g := tallies["scam"], tallies["benign"]
	row := func(name string, a, c int) {
		fmt.Fprintf(&b, "%-22s %4d/%-3d %4d/%-3d\n", name, a, s.pages, c, g.pages)
	}
	row(">=1 error code", s.codes, g.codes)
	row(">=1 phone", s.phones, g.phones)
	row(">=1 valid phone", s.validPhones, g.validPhones)
	row("warnings", s.warned, g.warned)
	kinds := map[string]bool{}
	for k := range s.locks {
		kinds[k] = true
	}
	for k := range g.locks {
		kinds[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		row("lock "+k, s.locks[k], g.locks[k])
	}
	t.Log(b.String())
}

// benchCorpus runs fn over every corpus page per iteration and reports
// pages/s and MB/s.
func benchCorpus(b *testing.B, fn func(p corpusPage)) {
	pages := loadCorpus(b)
	var size int64
	for _, p := range pages {
		size += int64(len(p.data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			fn(p)
		}
	}
	b.ReportMetric(float64(len(pages))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtract extracts every corpus page.
func BenchmarkExtract(b *testing.B) {
	benchCorpus(b, func(p corpusPage) { Extract(&Content{HTML: p.data}) })
}

// BenchmarkExtractWhole extracts every corpus page with the markup parsed
// whole, without the raw text cut (rawcut.go), for comparison with
// BenchmarkExtract.
func BenchmarkExtractWhole(b *testing.B) {
	benchCorpus(b, func(p corpusPage) { extract(&Content{HTML: p.data}, false) })
}

// BenchmarkParseOnly parses every corpus page with x/net/html alone, for
// comparison with BenchmarkExtract.
func BenchmarkParseOnly(b *testing.B) {
	benchCorpus(b, func(p corpusPage) { _, _ = html.Parse(bytes.NewReader(p.data)) })
}
