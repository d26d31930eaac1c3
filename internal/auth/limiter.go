package auth

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterConfig tunes a Limiter.
type LimiterConfig struct {
	// Rate is the sustained calls per second one client may make.
	Rate float64
	// Burst is how many calls a client may make at once; at least 1.
	Burst int
	// MaxClients bounds how many clients are remembered; default 100,000.
	MaxClients int
}

const limiterShards = 16

// Limiter is a token bucket per client, in a bounded LRU. A nil *Limiter
// allows everything. It is safe for concurrent use.
type Limiter struct {
	cfg    LimiterConfig
	limit  rate.Limit
	seed   maphash.Seed
	shards [limiterShards]limiterShard
	now    func() time.Time
}

type limiterShard struct {
	mu      sync.Mutex
	max     int
	clients map[netip.Addr]*bucket
	// head is the most recently used bucket, tail the least.
	head, tail *bucket
}

type bucket struct {
	addr       netip.Addr
	lim        *rate.Limiter
	prev, next *bucket
}

// NewLimiter returns a Limiter, or nil (no limit) when cfg.Rate <= 0.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Rate <= 0 {
		return nil
	}
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 100_000
	}
	l := &Limiter{cfg: cfg, limit: rate.Limit(cfg.Rate), seed: maphash.MakeSeed(), now: time.Now}
	per := max(1, (cfg.MaxClients+limiterShards-1)/limiterShards)
	for i := range l.shards {
		l.shards[i].max = per
		l.shards[i].clients = make(map[netip.Addr]*bucket)
	}
	return l
}

// ClientKey is the address a client is counted under: an IPv4 address (an
// IPv4-mapped IPv6 address becomes IPv4), or the /64 of an IPv6 address.
// The zero Addr (an unknown peer) is one client.
func ClientKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a.WithZone("")
}

// Allow takes a token from client's bucket and reports whether there was one.
func (l *Limiter) Allow(client netip.Addr) bool {
	if l == nil {
		return true
	}
	client = ClientKey(client)
	sh := &l.shards[maphash.Comparable(l.seed, client)%limiterShards]
	now := l.now()
	sh.mu.Lock()
	b := sh.clients[client]
	if b == nil {
		b = sh.insert(client, l)
	} else if sh.head != b {
		sh.unlink(b)
		sh.pushFront(b)
	}
	ok := b.lim.AllowN(now, 1)
	sh.mu.Unlock()
	return ok
}

// Len returns how many clients are remembered.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.clients)
		sh.mu.Unlock()
	}
	return n
}

func (sh *limiterShard) insert(client netip.Addr, l *Limiter) *bucket {
	var b *bucket
	if len(sh.clients) >= sh.max {
		// Reuse the least recently seen client's bucket.
		b = sh.tail
		sh.unlink(b)
		delete(sh.clients, b.addr)
		*b = bucket{}
	} else {
		b = &bucket{}
	}
	b.addr = client
	b.lim = rate.NewLimiter(l.limit, l.cfg.Burst)
	sh.clients[client] = b
	sh.pushFront(b)
	return b
}

func (sh *limiterShard) unlink(b *bucket) {
	if b.prev != nil {
		b.prev.next = b.next
	} else {
		sh.head = b.next
	}
	if b.next != nil {
		b.next.prev = b.prev
	} else {
		sh.tail = b.prev
	}
	b.prev, b.next = nil, nil
}

func (sh *limiterShard) pushFront(b *bucket) {
	b.next = sh.head
	if sh.head != nil {
		sh.head.prev = b
	}
	sh.head = b
	if sh.tail == nil {
		sh.tail = b
	}
}
