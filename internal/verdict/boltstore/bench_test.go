package boltstore

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
)

var benchVerdicts = flag.Int("verdicts", 1_000_000, "URL verdicts BenchmarkStore fills before measuring")

// BenchmarkStore fills a store with -verdicts URL verdicts (default
// 1,000,000; one done scan each, written in batches of 50,000 per
// transaction), prints the fill time, then measures lookups. Being a
// benchmark, it runs only under -bench:
//
//	go test -run='^$' -bench=BenchmarkStore -benchmem ./internal/verdict/boltstore/
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	n := *benchVerdicts
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()

	urlOf := func(i int) string {
		return fmt.Sprintf("http://h%d.support-alert%d.example/win/%d/alert.html?id=%d", i, i%1000, i%97, i)
	}
	const batch = 50_000
	start := time.Now()
	scans := make([]*verdict.Scan, 0, batch)
	for i := range n {
		u, err := urlcanon.Canonicalize(urlOf(i))
		if err != nil {
			b.Fatal(err)
		}
		created := t0.Add(time.Duration(i) * time.Millisecond)
		scans = append(scans, &verdict.Scan{
			ID: fmt.Sprintf("scan-%08d", i), URL: u.String(), CanonURL: u.String(), Host: u.Host, Profile: "desktop",
			State: verdict.StateDone, CreatedAt: created, FinishedAt: created.Add(3 * time.Second),
			Label: verdict.Label(1 + i%3), Score: i % 100, RuleSetVersion: "bench",
		})
		if len(scans) == batch || i == n-1 {
			if err := s.PutScans(ctx, scans); err != nil {
				b.Fatal(err)
			}
			scans = scans[:0]
		}
	}
	fill := time.Since(start)
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	fmt.Printf("BenchmarkStore: filled %d verdicts in %v (%.0f scans/s), file %d MiB\n",
		n, fill.Round(time.Millisecond), float64(n)/fill.Seconds(), size>>20)

	now := t0.Add(time.Duration(n)*time.Millisecond + time.Minute) // CLEAN verdicts of the last ~30 min live
	rng := rand.New(rand.NewPCG(1, 2))
	const sample = 4096
	hits := make([]string, sample)
	prefixes := make([][][4]byte, sample)
	for j := range hits {
		i := n - 1 - rng.IntN(min(n, 1_000_000))
		if i%3 == 0 { // CLEAN: expired unless recent; take the SCAM one beside it
			i = max(0, i-1)
		}
		u, _ := urlcanon.Canonicalize(urlOf(i))
		hits[j] = u.String()
		for _, e := range urlcanon.Expressions(u) {
			prefixes[j] = append(prefixes[j], urlcanon.Prefix4(urlcanon.Hash(e)))
		}
	}

	lookup := func(b *testing.B, urls []string, wantHit bool) {
		b.ReportAllocs()
		j := 0
		for b.Loop() {
			_, err := s.LookupURL(ctx, urls[j%len(urls)], now)
			if (err == nil) != wantHit {
				b.Fatalf("LookupURL(%q) error %v, want hit %v", urls[j%len(urls)], err, wantHit)
			}
			j++
		}
	}
	b.Run("LookupURL/hit", func(b *testing.B) { lookup(b, hits, true) })
	misses := make([]string, sample)
	for j := range misses {
		misses[j] = fmt.Sprintf("http://unknown%d.example/x", j)
	}
	b.Run("LookupURL/miss", func(b *testing.B) { lookup(b, misses, false) })
	b.Run("SearchPrefixes/one-URL", func(b *testing.B) {
		b.ReportAllocs()
		j := 0
		for b.Loop() {
			vs, err := s.SearchPrefixes(ctx, prefixes[j%sample], now)
			if err != nil || len(vs) == 0 {
				b.Fatalf("SearchPrefixes = %d, %v", len(vs), err)
			}
			j++
		}
	})
	// With analysts' host verdicts present, lookups also check expressions.
	for k := range 1000 {
		expr := fmt.Sprintf("support-alert%d.example/", k)
		if err := s.PutHostVerdict(ctx, expr, verdict.URLVerdict{Label: verdict.LabelSuspicious, ScannedAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("LookupURL/hit-with-host-verdicts", func(b *testing.B) { lookup(b, hits, true) })
}
