package verdictcache

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
	"github.com/scamscope/scamscope/internal/verdict/storetest"
)

func openBolt(t testing.TB) *boltstore.Store {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "v.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The cached store keeps every promise of a verdict.Store.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) verdict.Store { return New(openBolt(t), Options{TTL: time.Hour}) })
}

func scanOf(t testing.TB, id, raw string, label verdict.Label, at time.Time) *verdict.Scan {
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &verdict.Scan{ID: id, URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "p", State: verdict.StateDone,
		CreatedAt: at, FinishedAt: at, Label: label, Score: 10 * int(label)}
}

// counting counts LookupURL calls that reach the store.
type counting struct {
	verdict.Store
	mu    sync.Mutex
	calls int
}

func (c *counting) LookupURL(ctx context.Context, u string, now time.Time) (*verdict.URLVerdict, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Store.LookupURL(ctx, u, now)
}

func (c *counting) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func TestHitsMissesAndInvalidation(t *testing.T) {
	ctx := context.Background()
	inner := &counting{Store: openBolt(t)}
	c := New(inner, Options{TTL: time.Minute})
	now := verdict.Micro(time.Now())
	u := "http://a.example/"

	for range 3 {
		if _, err := c.LookupURL(ctx, u, now); !errors.Is(err, verdict.ErrNotFound) {
			t.Fatalf("LookupURL(unknown) = %v, want ErrNotFound", err)
		}
	}
	if inner.n() != 1 {
		t.Errorf("3 lookups of an unknown URL reached the store %d times, want 1", inner.n())
	}
	// A write through the cache is seen at once.
	if err := c.PutScan(ctx, scanOf(t, "s1", u, verdict.LabelScam, now)); err != nil {
		t.Fatal(err)
	}
	v, err := c.LookupURL(ctx, u, now.Add(time.Second))
	if err != nil || v.Label != verdict.LabelScam || v.ScanID != "s1" {
		t.Fatalf("LookupURL after PutScan = %+v, %v; want the new SCAM verdict", v, err)
	}
	v.Label = verdict.LabelClean // callers may not change the cache
	if v, _ := c.LookupURL(ctx, u, now.Add(2*time.Second)); v.Label != verdict.LabelScam {
		t.Errorf("a caller's change reached the cache")
	}
	if inner.n() != 2 {
		t.Errorf("store lookups = %d, want 2 (one per write)", inner.n())
	}
	// After the TTL the store is asked again; before the fetch time too.
	c.LookupURL(ctx, u, now.Add(2*time.Minute))
	c.LookupURL(ctx, u, now.Add(-time.Hour))
	if inner.n() != 4 {
		t.Errorf("store lookups = %d, want 4 (expired TTL, clock before the fetch)", inner.n())
	}
	// Bulk writes and expression verdicts invalidate too.
	if err := c.PutScans(ctx, []*verdict.Scan{scanOf(t, "s2", u, verdict.LabelSuspicious, now.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.LookupURL(ctx, u, now.Add(time.Hour+time.Second)); err != nil || v.ScanID != "s2" {
		t.Errorf("LookupURL after PutScans = %+v, %v; want s2", v, err)
	}
	other := "http://b.example/x"
	c.LookupURL(ctx, other, now.Add(time.Hour))
	if err := c.PutHostVerdict(ctx, "b.example/", verdict.URLVerdict{Label: verdict.LabelScam, ScannedAt: now}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.LookupURL(ctx, other, now.Add(time.Hour+time.Second)); err != nil || v.Label != verdict.LabelScam {
		t.Errorf("LookupURL after PutHostVerdict = %+v, %v; want the host's SCAM verdict", v, err)
	}
}

func TestNeverPastExpiry(t *testing.T) {
	ctx := context.Background()
	c := New(openBolt(t), Options{TTL: 24 * time.Hour})
	now := verdict.Micro(time.Now())
	u := "http://clean.example/"
	if err := c.PutScan(ctx, scanOf(t, "c", u, verdict.LabelClean, now)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupURL(ctx, u, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// CLEAN lives 30 minutes: the cache must not serve it after that.
	if v, err := c.LookupURL(ctx, u, now.Add(31*time.Minute)); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL after the verdict expired = %+v, %v; want ErrNotFound", v, err)
	}
}

func TestBounded(t *testing.T) {
	ctx := context.Background()
	c := New(openBolt(t), Options{Entries: 64, TTL: time.Hour})
	now := time.Now()
	for i := range 5000 {
		c.LookupURL(ctx, fmt.Sprintf("http://h%d.example/", i), now)
	}
	if n := c.Len(); n > 64 {
		t.Errorf("Len() = %d after 5000 URLs, want at most 64", n)
	}
}

// TestRaceWithWrites: lookups running alongside writes never leave a stale
// answer cached once the writes are done.
func TestRaceWithWrites(t *testing.T) {
	ctx := context.Background()
	c := New(openBolt(t), Options{TTL: time.Hour})
	now := verdict.Micro(time.Now())
	urls := []string{"http://r1.example/", "http://r2.example/", "http://r3.example/"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c.LookupURL(ctx, urls[i%len(urls)], now.Add(time.Second))
			}
		}()
	}
	for i, u := range urls {
		if err := c.PutScan(ctx, scanOf(t, fmt.Sprintf("w%d", i), u, verdict.LabelScam, now)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	for _, u := range urls {
		if v, err := c.LookupURL(ctx, u, now.Add(2*time.Second)); err != nil || v.Label != verdict.LabelScam {
			t.Errorf("LookupURL(%s) after the writes = %+v, %v; want SCAM", u, v, err)
		}
	}
}

func BenchmarkLookupHit(b *testing.B) {
	c := New(openBolt(b), Options{})
	ctx := context.Background()
	now := time.Now()
	c.LookupURL(ctx, "http://hit.example/", now)
	b.ReportAllocs()
	for b.Loop() {
		c.LookupURL(ctx, "http://hit.example/", now)
	}
}
