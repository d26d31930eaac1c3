package browser

import (
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkRender renders a small scam-like page (4 alerts, a confirm) on
// the shared pool, one at a time. The time is dominated by the per-scan
// setup (proxy, browser context, tab) and the test SettleTime (300 ms).
func BenchmarkRender(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := testPool.Render(ctx, fixtureURL("/scam/alerts"), Profile{}, Options{})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// TestLatency measures latency, throughput and Chromium's memory with a
// pool of its own (the production SettleTime unless BROWSER_LATENCY_SETTLE
// says otherwise) for pool sizes 1 and 2. It runs only when
// BROWSER_LATENCY is set to the number of renders per pool size:
//
//	BROWSER_LATENCY=30 go test -run TestLatency -v ./internal/browser/
func TestLatency(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BROWSER_LATENCY"))
	if n <= 0 {
		t.Skip("set BROWSER_LATENCY=<renders> to measure")
	}
	settle := DefaultSettleTime
	if d, err := time.ParseDuration(os.Getenv("BROWSER_LATENCY_SETTLE")); err == nil {
		settle = d
	}
	_, ps, _ := net.SplitHostPort(fixtures.Listener.Addr().String())
	port, _ := strconv.Atoi(ps)
	for _, size := range []int{1, 2} {
		cfg := testConfig(port)
		cfg.PoolSize, cfg.QueueSize, cfg.SettleTime = size, size, settle
		p, err := New(context.Background(), cfg, testLogger())
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var peakRSS, peakPSS int64
		var sampler sync.WaitGroup
		sampler.Go(func() {
			for {
				var rss, pss int64
				for _, pid := range profileProcs(p.inst.dir) {
					rss += procStatusKB(pid, "VmRSS")
					pss += procFieldKB(pid, "smaps_rollup", "Pss")
				}
				peakRSS, peakPSS = max(peakRSS, rss), max(peakPSS, pss)
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
		var (
			mu   sync.Mutex
			lats []time.Duration
			fail int
			wg   sync.WaitGroup
		)
		paths := []string{"/scam/alerts", "/scam/lock", "/scam/phone", "/chain/start"}
		start := time.Now()
		for w := range size {
			wg.Go(func() {
				for i := w; i < n; i += size {
					ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
					t0 := time.Now()
					_, err := p.Render(ctx, fixtureURL(paths[i%len(paths)]), Profile{}, Options{Screenshot: true})
					d := time.Since(t0)
					cancel()
					mu.Lock()
					if err != nil {
						fail++
					} else {
						lats = append(lats, d)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		var hwm int64
		for _, pid := range profileProcs(p.inst.dir) {
			hwm += procStatusKB(pid, "VmHWM")
		}
		close(stop)
		sampler.Wait()
		p.Close()
		slices.Sort(lats)
		pct := func(q float64) time.Duration {
			if len(lats) == 0 {
				return 0
			}
			return lats[min(len(lats)-1, int(q*float64(len(lats))))]
		}
		t.Logf("pool size %d, settle %v: %d renders (%d failed) in %v: median %v, p95 %v, %.2f scans/s; Chromium (all processes, sampled every 50 ms): peak sum of RSS %d MB, peak sum of PSS %d MB; sum of VmHWM of the processes alive at the end %d MB",
			size, settle, len(lats), fail, wall.Round(time.Millisecond), pct(0.5).Round(time.Millisecond), pct(0.95).Round(time.Millisecond),
			float64(len(lats))/wall.Seconds(), peakRSS/1024, peakPSS/1024, hwm/1024)
	}
}
