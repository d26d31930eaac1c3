package auth

import (
	"net/netip"
	"sync"
	"testing"
	"time"
)

func TestLimiterBucket(t *testing.T) {
	l := NewLimiter(LimiterConfig{Rate: 10, Burst: 3})
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return now }
	a := netip.MustParseAddr("192.0.2.1")
	b := netip.MustParseAddr("192.0.2.2")
	for i := range 3 {
		if !l.Allow(a) {
			t.Fatalf("Allow(a) call %d = false within the burst of 3", i+1)
		}
	}
	if l.Allow(a) {
		t.Error("Allow(a) = true after the burst, want false")
	}
	if !l.Allow(b) {
		t.Error("Allow(b) = false: one client's calls used another's bucket")
	}
	now = now.Add(100 * time.Millisecond) // one token at 10/s
	if !l.Allow(a) {
		t.Error("Allow(a) = false after one token's worth of time")
	}
	if l.Allow(a) {
		t.Error("Allow(a) = true twice after one token's worth of time")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::"},
		{"2001:db8:1:2:bbbb::9", "2001:db8:1:2::"},
		{"2001:db8:1:3::1", "2001:db8:1:3::"},
		{"fe80::1%eth0", "fe80::"},
	}
	for _, tc := range tests {
		if got := ClientKey(netip.MustParseAddr(tc.in)); got != netip.MustParseAddr(tc.want) {
			t.Errorf("ClientKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := ClientKey(netip.Addr{}); got != (netip.Addr{}) {
		t.Errorf("ClientKey(zero) = %v, want zero", got)
	}
}

func TestLimiterIPv6Prefix(t *testing.T) {
	l := NewLimiter(LimiterConfig{Rate: 0.001, Burst: 1})
	if !l.Allow(netip.MustParseAddr("2001:db8::1")) {
		t.Fatal("first call refused")
	}
	if l.Allow(netip.MustParseAddr("2001:db8::2")) {
		t.Error("another address of the same /64 got a bucket of its own")
	}
	if !l.Allow(netip.MustParseAddr("2001:db8:0:1::1")) {
		t.Error("another /64 shared the bucket")
	}
}

func TestLimiterBounded(t *testing.T) {
	l := NewLimiter(LimiterConfig{Rate: 0.001, Burst: 1, MaxClients: 64})
	first := netip.MustParseAddr("10.0.0.1")
	if !l.Allow(first) || l.Allow(first) {
		t.Fatal("want one call then a refusal")
	}
	for i := range 10_000 {
		l.Allow(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}))
	}
	if n := l.Len(); n > 64 {
		t.Errorf("Len() = %d after 10,000 clients, want at most 64", n)
	}
	// The first client was forgotten, so it starts with a full bucket.
	if !l.Allow(first) {
		t.Error("the least recently seen client was not evicted")
	}
}

func TestLimiterRecentStays(t *testing.T) {
	l := NewLimiter(LimiterConfig{Rate: 0.001, Burst: 1, MaxClients: limiterShards * 2})
	hot := netip.MustParseAddr("10.9.9.9")
	l.Allow(hot)
	for i := range 1000 {
		l.Allow(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}))
		if l.Allow(hot) { // seen on every round: never the least recent
			t.Fatalf("round %d: the busy client was evicted and got a fresh bucket", i)
		}
	}
}

func TestNilLimiter(t *testing.T) {
	var l *Limiter
	if l = NewLimiter(LimiterConfig{}); l != nil {
		t.Fatalf("NewLimiter(rate 0) = %v, want nil", l)
	}
	if !l.Allow(netip.MustParseAddr("192.0.2.1")) || l.Len() != 0 {
		t.Error("nil Limiter refused a call")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(LimiterConfig{Rate: 1e-9, Burst: 100, MaxClients: 1000})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				ok := l.Allow(netip.AddrFrom4([4]byte{192, 0, 2, byte(i % 4)}))
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 400 {
		t.Errorf("allowed %d calls from 4 clients with bursts of 100, want 400", allowed)
	}
}

func BenchmarkLimiterAllow(b *testing.B) {
	l := NewLimiter(LimiterConfig{Rate: 1e9, Burst: 1 << 30})
	addrs := make([]netip.Addr, 1024)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(addrs[i&1023])
		i++
	}
}
