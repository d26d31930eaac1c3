// Package verdictcache keeps recent URL lookups of a verdict.Store in
// memory, in front of it: browser extensions ask about the same popular URLs
// over and over, and most answers are "unknown".
//
// Store wraps a verdict.Store. LookupURL answers from a bounded, sharded LRU
// of canonical URLs, hits and misses alike, for at most Options.TTL after
// the store was asked, and never past a cached verdict's expiry. Writes
// through the wrapper invalidate what they change: PutScan and PutScans the
// scans' canonical URLs, PutHostVerdict everything (an expression verdict
// covers many URLs). A lookup that raced with an invalidating write is not
// cached. Every other method goes straight to the store.
//
// Writes that do not go through the wrapper (another server sharing a
// PostgreSQL store) are seen after at most TTL; with the embedded store this
// process is the only writer, so a long TTL is safe.
//
// It does not cache SearchPrefixes, scans or feeds, and does not persist
// anything.
package verdictcache

import (
	"context"
	"errors"
	"hash/maphash"
	"sync"
	"time"

	"github.com/scamscope/scamscope/internal/verdict"
)

// Options size the cache.
type Options struct {
	// Entries bounds the cached URLs; default 100,000.
	Entries int
	// TTL is how long an answer is served without asking the store again;
	// default 5 s.
	TTL time.Duration
}

const shards = 16

// Store is a verdict.Store with a lookup cache. It is safe for concurrent use.
type Store struct {
	verdict.Store
	ttl    time.Duration
	seed   maphash.Seed
	shards [shards]shard
}

type shard struct {
	mu         sync.Mutex
	max        int
	gen        uint64 // bumped by every invalidation of this shard
	entries    map[string]*entry
	head, tail *entry // most and least recently used
}

type entry struct {
	key        string
	found      bool
	v          verdict.URLVerdict
	from       time.Time // the store was asked at from
	until      time.Time // serve until (from + TTL, capped by expiry)
	prev, next *entry
}

// New wraps st.
func New(st verdict.Store, o Options) *Store {
	if o.Entries <= 0 {
		o.Entries = 100_000
	}
	if o.TTL <= 0 {
		o.TTL = 5 * time.Second
	}
	c := &Store{Store: st, ttl: o.TTL, seed: maphash.MakeSeed()}
	per := max(1, (o.Entries+shards-1)/shards)
	for i := range c.shards {
		c.shards[i].max = per
		c.shards[i].entries = make(map[string]*entry)
	}
	return c
}

func (c *Store) shard(key string) *shard {
	return &c.shards[maphash.String(c.seed, key)%shards]
}

// LookupURL answers from the cache when it can, else from the store.
func (c *Store) LookupURL(ctx context.Context, canonURL string, now time.Time) (*verdict.URLVerdict, error) {
	sh := c.shard(canonURL)
	sh.mu.Lock()
	if e := sh.entries[canonURL]; e != nil {
		if now.Before(e.until) && !now.Before(e.from) {
			sh.touch(e)
			found, v := e.found, e.v
			sh.mu.Unlock()
			if !found {
				return nil, verdict.ErrNotFound
			}
			return &v, nil
		}
		sh.remove(e)
	}
	gen := sh.gen
	sh.mu.Unlock()

	v, err := c.Store.LookupURL(ctx, canonURL, now)
	if err != nil && !errors.Is(err, verdict.ErrNotFound) {
		return nil, err
	}
	e := &entry{key: canonURL, found: err == nil, from: now, until: now.Add(c.ttl)}
	if e.found {
		e.v = *v
		if !v.ExpiresAt.IsZero() && v.ExpiresAt.Before(e.until) {
			e.until = v.ExpiresAt
		}
	}
	sh.mu.Lock()
	if sh.gen == gen { // no write invalidated the shard meanwhile
		if old := sh.entries[canonURL]; old != nil {
			sh.remove(old)
		}
		sh.insert(e)
	}
	sh.mu.Unlock()
	return v, err
}

// PutScan stores s and forgets its URL's cached answer.
func (c *Store) PutScan(ctx context.Context, s *verdict.Scan) error {
	defer c.invalidate(s.CanonURL)
	return c.Store.PutScan(ctx, s)
}

// bulkPutter is implemented by stores that write many scans at once.
type bulkPutter interface {
	PutScans(ctx context.Context, scans []*verdict.Scan) error
}

// PutScans stores scans in one transaction when the store can (boltstore),
// else one by one, and forgets their URLs' cached answers.
func (c *Store) PutScans(ctx context.Context, scans []*verdict.Scan) error {
	defer func() {
		for _, s := range scans {
			c.invalidate(s.CanonURL)
		}
	}()
	if bp, ok := c.Store.(bulkPutter); ok {
		return bp.PutScans(ctx, scans)
	}
	for _, s := range scans {
		if err := c.Store.PutScan(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// PutHostVerdict sets an expression verdict and empties the cache.
func (c *Store) PutHostVerdict(ctx context.Context, expr string, v verdict.URLVerdict) error {
	defer c.invalidateAll()
	return c.Store.PutHostVerdict(ctx, expr, v)
}

// Len returns how many URLs are cached.
func (c *Store) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.entries)
		sh.mu.Unlock()
	}
	return n
}

// invalidate forgets key; it runs after the write, so a lookup that read
// the store before the write cannot cache its stale answer (the generation
// changed).
func (c *Store) invalidate(key string) {
	if key == "" {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	sh.gen++
	if e := sh.entries[key]; e != nil {
		sh.remove(e)
	}
	sh.mu.Unlock()
}

func (c *Store) invalidateAll() {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		sh.gen++
		clear(sh.entries)
		sh.head, sh.tail = nil, nil
		sh.mu.Unlock()
	}
}

func (sh *shard) insert(e *entry) {
	if len(sh.entries) >= sh.max && sh.tail != nil {
		sh.remove(sh.tail)
	}
	sh.entries[e.key] = e
	e.next = sh.head
	if sh.head != nil {
		sh.head.prev = e
	}
	sh.head = e
	if sh.tail == nil {
		sh.tail = e
	}
}

func (sh *shard) remove(e *entry) {
	delete(sh.entries, e.key)
	sh.unlink(e)
}

func (sh *shard) touch(e *entry) {
	if sh.head == e {
		return
	}
	sh.unlink(e)
	e.next = sh.head
	sh.head.prev = e
	sh.head = e
	if sh.tail == nil {
		sh.tail = e
	}
}

func (sh *shard) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else if sh.head == e {
		sh.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else if sh.tail == e {
		sh.tail = e.prev
	}
	e.prev, e.next = nil, nil
}
