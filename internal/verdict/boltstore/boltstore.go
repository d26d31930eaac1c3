// Package boltstore is the embedded verdict.Store: one bbolt file, no
// set-up, for a single server process (bbolt locks the file).
//
// Every write is one transaction, fsynced on commit, so an acknowledged
// write survives a crash or SIGKILL. Lookups are B+tree reads on a memory
// map: LookupURL reads the URL's verdict by the SHA-256 of its canonical URL,
// and its expressions only when analysts' expression verdicts exist;
// SearchPrefixes scans a hash-prefix index; ListScans walks the secondary
// index of the most selective filter (phone, error code, rule ID, host,
// label, else creation time) backwards and checks the rest on the records.
//
// The freelist is not written on commit (bbolt NoFreelistSync): commits stay
// small on a large file, and Open rebuilds it by walking the file.
//
// It does not share a file between processes, replicate, compact the file,
// or cache records in memory beyond what the operating system caches.
package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/internal/storekit"
)

// Buckets. Index keys end in t8(time)|scanID; values are empty unless said.
const (
	bMeta        = "meta"
	bScans       = "scans"         // scan ID -> scan record
	bByTime      = "scans_by_time" // t8(CreatedAt)|ID
	bPhone       = "idx_phone"     // h16(phone)|t8(CreatedAt)|ID
	bErrorCode   = "idx_error_code"
	bRule        = "idx_rule_id"
	bHost        = "idx_host"
	bLabel       = "idx_label"       // label byte|t8(CreatedAt)|ID
	bURLProfile  = "idx_url_profile" // h16(CanonURL NUL Profile)|t8(CreatedAt)|ID
	bFeedPhone   = "feed_phone"      // h16(phone)|t8(FinishedAt)|ID -> value, URL
	bFeedCode    = "feed_error_code"
	bURLVerdicts = "url_verdicts"  // sha256(CanonURL) -> verdict record
	bExprVerdict = "expr_verdicts" // expression hash -> verdict record
	bPrefixes    = "hash_prefixes" // hash|'u'|sha256(CanonURL), or hash|'e'
	bExpiry      = "expiry"        // t8(ExpiresAt)|'u'|sha256(CanonURL), or t8|'e'|hash
)

var allBuckets = []string{bMeta, bScans, bByTime, bPhone, bErrorCode, bRule, bHost, bLabel, bURLProfile,
	bFeedPhone, bFeedCode, bURLVerdicts, bExprVerdict, bPrefixes, bExpiry}

const (
	kindURL  = 'u'
	kindExpr = 'e'
	// schemaVersion is written to meta; Open refuses other versions.
	schemaVersion = "1"
	purgeBatch    = 10000
)

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Lifetimes of URL verdicts by label; zero fields take the defaults.
	Lifetimes verdict.Lifetimes
	// LockTimeout bounds how long Open waits for another process to release
	// the file. Default 1s.
	LockTimeout time.Duration
}

// Store is the bbolt verdict.Store.
type Store struct {
	db     *bolt.DB
	lt     verdict.Lifetimes
	closed atomic.Bool
}

var _ verdict.Store = (*Store)(nil)

// Open opens or creates the store file at path.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opts.LockTimeout,
		FreelistType: bolt.FreelistMapType,
		// The freelist is rebuilt on open instead of written on every
		// commit, which keeps commits of a large file small.
		NoFreelistSync: true,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open verdict store %s: file is locked by another process (waited %v)", path, opts.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open verdict store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte(bMeta))
		switch v := meta.Get([]byte("schema")); {
		case v == nil:
			return meta.Put([]byte("schema"), []byte(schemaVersion))
		case string(v) != schemaVersion:
			return fmt.Errorf("schema version %q, want %q", v, schemaVersion)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open verdict store %s: %w", path, err)
	}
	return &Store{db: db, lt: opts.Lifetimes}, nil
}

// Close closes the file. Calling it again returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return fmt.Errorf("close verdict store: %w", verdict.ErrClosed)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close verdict store: %w", err)
	}
	return nil
}

func (s *Store) ready(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", op, verdict.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		err = verdict.ErrClosed
	}
	return fmt.Errorf("%s: %w", op, err)
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error   { return s.db.View(fn) }
func (s *Store) update(fn func(tx *bolt.Tx) error) error { return s.db.Update(fn) }

// PutScan stores s (see verdict.Store).
func (s *Store) PutScan(ctx context.Context, sc *verdict.Scan) error {
	return s.PutScans(ctx, []*verdict.Scan{sc})
}

// PutScans stores scans in one transaction: all or none. It is PutScan for
// imports and bulk loads.
func (s *Store) PutScans(ctx context.Context, scans []*verdict.Scan) error {
	const op = "put scans"
	if err := s.ready(ctx, op); err != nil {
		return err
	}
	recs := make([]*verdict.Scan, len(scans))
	for i, sc := range scans {
		if err := verdict.Validate(sc); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		recs[i] = normalize(sc)
	}
	return s.wrap(op, s.update(func(tx *bolt.Tx) error { return s.writeScans(tx, recs) }))
}

// normalize returns the copy of sc that is stored.
func normalize(sc *verdict.Scan) *verdict.Scan {
	r := *sc
	r.CreatedAt = verdict.Micro(sc.CreatedAt)
	r.FinishedAt = verdict.Micro(sc.FinishedAt)
	for _, l := range []*[]string{&r.Phones, &r.ErrorCodes, &r.RuleIDs} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(r.Result) == 0 {
		r.Result = nil
	}
	return &r
}

// writeScans writes scans as if one by one, in order. Deletes apply at once;
// puts are gathered per bucket and applied in key order, so that a large
// batch does not shift bbolt's in-memory nodes on every insert.
func (s *Store) writeScans(tx *bolt.Tx, recs []*verdict.Scan) error {
	puts := map[string][]kv{}
	add := func(b string, k, v []byte) error {
		puts[b] = append(puts[b], kv{k, v})
		return nil
	}
	del := func(b string, k, _ []byte) error { return tx.Bucket([]byte(b)).Delete(k) }

	last := make(map[string]int, len(recs)) // a later scan with the same ID replaces an earlier one
	for i, r := range recs {
		last[r.ID] = i
	}
	scans := tx.Bucket([]byte(bScans))
	for i, r := range recs {
		if last[r.ID] != i {
			continue
		}
		if old := scans.Get([]byte(r.ID)); old != nil {
			o, err := decodeScan(old)
			if err != nil {
				return fmt.Errorf("scan %q: %w", r.ID, err)
			}
			if err := eachIndexEntry(o, del); err != nil {
				return err
			}
		}
		add(bScans, []byte(r.ID), encodeScan(r))
		if err := eachIndexEntry(r, add); err != nil {
			return err
		}
	}

	// Verdicts: per URL, the one of the latest scan (ties: the later one),
	// unless the stored one is from a later scan still.
	latest := map[string]verdict.URLVerdict{}
	var urls []string
	for _, r := range recs {
		v, ok := verdict.VerdictOf(r, s.lt)
		if !ok {
			continue
		}
		prev, seen := latest[v.CanonURL]
		if !seen {
			urls = append(urls, v.CanonURL)
		}
		if !seen || !prev.ScannedAt.After(v.ScannedAt) {
			latest[v.CanonURL] = v
		}
	}
	verdicts := tx.Bucket([]byte(bURLVerdicts))
	for _, u := range urls {
		v, k := latest[u], urlKey(u)
		if old := verdicts.Get(k); old != nil {
			ov, err := decodeVerdict(old)
			if err != nil {
				return fmt.Errorf("verdict of %q: %w", u, err)
			}
			if ov.ScannedAt.After(v.ScannedAt) {
				continue
			}
			if err := unindexVerdict(tx, ov, kindURL, k); err != nil {
				return err
			}
		}
		add(bURLVerdicts, k, encodeVerdict(v))
		add(bPrefixes, prefixKey(v, kindURL, k), []byte{})
		add(bExpiry, expiryKey(v, kindURL, k), []byte{})
	}

	for name, list := range puts {
		slices.SortStableFunc(list, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
		b := tx.Bucket([]byte(name))
		for _, e := range list {
			if err := b.Put(e.k, e.v); err != nil {
				return fmt.Errorf("put into %s: %w", name, err)
			}
		}
	}
	return nil
}

type kv struct{ k, v []byte }

// eachIndexEntry calls fn for every index entry of a scan record.
func eachIndexEntry(r *verdict.Scan, fn func(bucket string, k, v []byte) error) error {
	created := t8(r.CreatedAt)
	id := []byte(r.ID)
	empty := []byte{}
	if err := fn(bByTime, key(created, id), empty); err != nil {
		return err
	}
	if err := fn(bLabel, key([]byte{byte(r.Label)}, created, id), empty); err != nil {
		return err
	}
	if r.Host != "" {
		if err := fn(bHost, key(h16(r.Host), created, id), empty); err != nil {
			return err
		}
	}
	if r.CanonURL != "" {
		if err := fn(bURLProfile, key(h16(r.CanonURL+"\x00"+r.Profile), created, id), empty); err != nil {
			return err
		}
	}
	lists := []struct {
		bucket string
		values []string
	}{{bPhone, r.Phones}, {bErrorCode, r.ErrorCodes}, {bRule, r.RuleIDs}}
	for _, l := range lists {
		for _, v := range storekit.Unique(l.values) {
			if err := fn(l.bucket, key(h16(v), created, id), empty); err != nil {
				return err
			}
		}
	}
	if !storekit.InFeed(r) {
		return nil
	}
	finished := t8(r.FinishedAt)
	url := storekit.FeedURL(r)
	feeds := []struct {
		bucket string
		values []string
	}{{bFeedPhone, r.Phones}, {bFeedCode, r.ErrorCodes}}
	for _, f := range feeds {
		for _, v := range storekit.Unique(f.values) {
			if err := fn(f.bucket, key(h16(v), finished, id), encodeFeed(v, url)); err != nil {
				return err
			}
		}
	}
	return nil
}

func prefixKey(v verdict.URLVerdict, kind byte, k []byte) []byte {
	if kind == kindExpr {
		return key(v.Hash[:], []byte{kindExpr})
	}
	return key(v.Hash[:], []byte{kindURL}, k)
}

func expiryKey(v verdict.URLVerdict, kind byte, k []byte) []byte {
	return key(t8(v.ExpiresAt), []byte{kind}, k)
}

func indexVerdict(tx *bolt.Tx, v verdict.URLVerdict, kind byte, k []byte) error {
	if err := tx.Bucket([]byte(bPrefixes)).Put(prefixKey(v, kind, k), []byte{}); err != nil {
		return err
	}
	if v.ExpiresAt.IsZero() {
		return nil
	}
	return tx.Bucket([]byte(bExpiry)).Put(expiryKey(v, kind, k), []byte{})
}

func unindexVerdict(tx *bolt.Tx, v verdict.URLVerdict, kind byte, k []byte) error {
	if err := tx.Bucket([]byte(bPrefixes)).Delete(prefixKey(v, kind, k)); err != nil {
		return err
	}
	if v.ExpiresAt.IsZero() {
		return nil
	}
	return tx.Bucket([]byte(bExpiry)).Delete(expiryKey(v, kind, k))
}

// GetScan returns the scan with id.
func (s *Store) GetScan(ctx context.Context, id string) (*verdict.Scan, error) {
	op := fmt.Sprintf("get scan %q", id)
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	var sc *verdict.Scan
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bScans)).Get([]byte(id))
		if b == nil {
			return verdict.ErrNotFound
		}
		var err error
		sc, err = decodeScan(b)
		return err
	})
	return sc, s.wrap(op, err)
}

// ListScans returns a page of scans (see verdict.Store).
func (s *Store) ListScans(ctx context.Context, f verdict.Filter) ([]*verdict.Scan, string, error) {
	const op = "list scans"
	if err := s.ready(ctx, op); err != nil {
		return nil, "", err
	}
	f.Since, f.Until = verdict.Micro(f.Since), verdict.Micro(f.Until)
	var tokT time.Time
	var tokID string
	if f.PageToken != "" {
		var err error
		if tokT, tokID, err = storekit.DecodeToken(f, f.PageToken); err != nil {
			return nil, "", fmt.Errorf("%s: %w", op, err)
		}
	}
	bucket, prefix := indexFor(f)
	var target []byte
	switch {
	case f.PageToken != "":
		target = key(prefix, t8(tokT), []byte(tokID))
	case !f.Until.IsZero():
		target = key(prefix, t8(f.Until))
	default:
		target = key(prefix, bytes.Repeat([]byte{0xff}, 9))
	}
	limit := f.Limit()
	var out []*verdict.Scan
	more := false
	err := s.view(func(tx *bolt.Tx) error {
		scans := tx.Bucket([]byte(bScans))
		c := tx.Bucket([]byte(bucket)).Cursor()
		k, _ := c.Seek(target)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for n := 0; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			rest := k[len(prefix):]
			if !f.Since.IsZero() && fromT8(rest[:8]).Before(f.Since) {
				break
			}
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec := scans.Get(rest[8:])
			if rec == nil {
				return fmt.Errorf("index %s names missing scan %q: %w", bucket, rest[8:], errCorrupt)
			}
			sc, err := decodeScan(rec)
			if err != nil {
				return err
			}
			if !matches(f, sc) {
				continue
			}
			if len(out) == limit {
				more = true
				break
			}
			out = append(out, sc)
		}
		return nil
	})
	if err != nil {
		return nil, "", s.wrap(op, err)
	}
	next := ""
	if more {
		last := out[len(out)-1]
		next = storekit.EncodeToken(f, last.CreatedAt, last.ID)
	}
	return out, next, nil
}

// indexFor picks the index to walk for f: the most selective filter set.
func indexFor(f verdict.Filter) (bucket string, prefix []byte) {
	switch {
	case f.Phone != "":
		return bPhone, h16(f.Phone)
	case f.ErrorCode != "":
		return bErrorCode, h16(f.ErrorCode)
	case f.RuleID != "":
		return bRule, h16(f.RuleID)
	case f.Host != "":
		return bHost, h16(f.Host)
	case f.Label != verdict.LabelUnknown:
		return bLabel, []byte{byte(f.Label)}
	}
	return bByTime, nil
}

func matches(f verdict.Filter, sc *verdict.Scan) bool {
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	switch {
	case f.Phone != "" && !has(sc.Phones, f.Phone),
		f.ErrorCode != "" && !has(sc.ErrorCodes, f.ErrorCode),
		f.RuleID != "" && !has(sc.RuleIDs, f.RuleID),
		f.Host != "" && sc.Host != f.Host,
		f.Label != verdict.LabelUnknown && sc.Label != f.Label,
		!f.Since.IsZero() && sc.CreatedAt.Before(f.Since),
		!f.Until.IsZero() && !sc.CreatedAt.Before(f.Until):
		return false
	}
	return true
}

// LookupURL returns the live verdict for canonURL (see verdict.Store).
func (s *Store) LookupURL(ctx context.Context, canonURL string, now time.Time) (*verdict.URLVerdict, error) {
	const op = "lookup URL"
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	var cands []storekit.Candidate
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bURLVerdicts)).Get(urlKey(canonURL)); b != nil {
			v, err := decodeVerdict(b)
			if err != nil {
				return err
			}
			if v.CanonURL == canonURL && v.Live(now) {
				cands = append(cands, storekit.Candidate{V: v})
			}
		}
		exprs := tx.Bucket([]byte(bExprVerdict))
		if k, _ := exprs.Cursor().First(); k == nil {
			return nil // no expression verdicts at all: the common case
		}
		for i, e := range storekit.Expressions(canonURL) {
			h := urlcanon.Hash(e)
			b := exprs.Get(h[:])
			if b == nil {
				continue
			}
			v, err := decodeVerdict(b)
			if err != nil {
				return err
			}
			if v.Live(now) {
				cands = append(cands, storekit.Candidate{V: v, Rank: i + 1})
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap(op, err)
	}
	v, ok := storekit.Best(cands)
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", op, canonURL, verdict.ErrNotFound)
	}
	return &v, nil
}

// SearchPrefixes returns live verdicts by hash prefix (see verdict.Store).
func (s *Store) SearchPrefixes(ctx context.Context, prefixes [][4]byte, now time.Time) ([]verdict.URLVerdict, error) {
	const op = "search hash prefixes"
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	var out []verdict.URLVerdict
	err := s.view(func(tx *bolt.Tx) error {
		urls, exprs := tx.Bucket([]byte(bURLVerdicts)), tx.Bucket([]byte(bExprVerdict))
		c := tx.Bucket([]byte(bPrefixes)).Cursor()
		for _, p := range storekit.UniquePrefixes(prefixes) {
			for k, _ := c.Seek(p[:]); k != nil && bytes.HasPrefix(k, p[:]); k, _ = c.Next() {
				var b []byte
				switch k[32] {
				case kindURL:
					b = urls.Get(k[33:])
				case kindExpr:
					b = exprs.Get(k[:32])
				}
				if b == nil {
					return fmt.Errorf("prefix index names a missing verdict: %w", errCorrupt)
				}
				v, err := decodeVerdict(b)
				if err != nil {
					return err
				}
				if v.Live(now) {
					out = append(out, v)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap(op, err)
	}
	storekit.SortVerdicts(out)
	return out, nil
}

// PutHostVerdict sets or, with LabelUnknown, removes an expression verdict.
func (s *Store) PutHostVerdict(ctx context.Context, expr string, v verdict.URLVerdict) error {
	op := fmt.Sprintf("put host verdict %q", expr)
	if err := s.ready(ctx, op); err != nil {
		return err
	}
	if err := verdict.ValidateHostVerdict(expr, v); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	v.CanonURL, v.Hash = expr, urlcanon.Hash(expr)
	v.ScannedAt, v.ExpiresAt = verdict.Micro(v.ScannedAt), verdict.Micro(v.ExpiresAt)
	return s.wrap(op, s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bExprVerdict))
		if old := b.Get(v.Hash[:]); old != nil {
			ov, err := decodeVerdict(old)
			if err != nil {
				return err
			}
			if err := unindexVerdict(tx, ov, kindExpr, ov.Hash[:]); err != nil {
				return err
			}
			if err := b.Delete(v.Hash[:]); err != nil {
				return err
			}
		}
		if v.Label == verdict.LabelUnknown {
			return nil
		}
		if err := b.Put(v.Hash[:], encodeVerdict(v)); err != nil {
			return err
		}
		return indexVerdict(tx, v, kindExpr, v.Hash[:])
	}))
}

// RecentScan returns the newest unfailed scan of canonURL with profile.
func (s *Store) RecentScan(ctx context.Context, canonURL, profile string, since time.Time) (*verdict.Scan, error) {
	const op = "recent scan"
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	since = verdict.Micro(since)
	prefix := h16(canonURL + "\x00" + profile)
	var found *verdict.Scan
	err := s.view(func(tx *bolt.Tx) error {
		scans := tx.Bucket([]byte(bScans))
		c := tx.Bucket([]byte(bURLProfile)).Cursor()
		k, _ := c.Seek(key(prefix, bytes.Repeat([]byte{0xff}, 9)))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if fromT8(k[16:24]).Before(since) {
				break
			}
			sc, err := decodeScan(scans.Get(k[24:]))
			if err != nil {
				return err
			}
			if sc.State != verdict.StateFailed && sc.CanonURL == canonURL && sc.Profile == profile {
				found = sc
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap(op, err)
	}
	if found == nil {
		return nil, fmt.Errorf("%s of %q: %w", op, canonURL, verdict.ErrNotFound)
	}
	return found, nil
}

// Indicators returns the feed of kind (see verdict.Store).
func (s *Store) Indicators(ctx context.Context, kind verdict.IndicatorKind, since time.Time) ([]verdict.Indicator, error) {
	op := fmt.Sprintf("indicators %q", kind)
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	if err := storekit.CheckKind(kind); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	bucket := bFeedPhone
	if kind == verdict.KindErrorCode {
		bucket = bFeedCode
	}
	since = verdict.Micro(since)
	var out []verdict.Indicator
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucket)).Cursor()
		k, v := c.First()
		for k != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			group := bytes.Clone(k[:16])
			if !since.IsZero() && fromT8(k[16:24]).Before(since) {
				k, v = c.Seek(key(group, t8(since)))
			}
			var in verdict.Indicator
			var seen []storekit.Sighting
			for ; k != nil && bytes.Equal(k[:16], group); k, v = c.Next() {
				value, url, err := decodeFeed(v)
				if err != nil {
					return err
				}
				at := fromT8(k[16:24])
				if in.Count == 0 {
					in.Value, in.FirstSeen = value, at
				}
				in.LastSeen = at
				in.Count++
				seen = append(seen, storekit.Sighting{URL: url, At: at})
			}
			if in.Count > 0 {
				in.ExampleURLs = storekit.Examples(seen)
				out = append(out, in)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap(op, err)
	}
	storekit.SortIndicators(out)
	return out, nil
}

// Purge removes verdicts expired at now, in batches of purgeBatch per
// transaction, and returns how many.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	const op = "purge"
	total := 0
	limit := t8(now)
	for {
		if err := s.ready(ctx, op); err != nil {
			return total, err
		}
		n, batch := 0, 0
		err := s.update(func(tx *bolt.Tx) error {
			n = 0
			exp := tx.Bucket([]byte(bExpiry))
			var keys [][]byte
			c := exp.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k[:8], limit) <= 0 && len(keys) < purgeBatch; k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			batch = len(keys)
			for _, k := range keys {
				kind, vk := k[8], k[9:]
				b := tx.Bucket([]byte(bURLVerdicts))
				if kind == kindExpr {
					b = tx.Bucket([]byte(bExprVerdict))
				}
				if rec := b.Get(vk); rec != nil {
					v, err := decodeVerdict(rec)
					if err != nil {
						return err
					}
					if err := tx.Bucket([]byte(bPrefixes)).Delete(prefixKey(v, kind, vk)); err != nil {
						return err
					}
					if err := b.Delete(vk); err != nil {
						return err
					}
					n++
				}
				if err := exp.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, s.wrap(op, err)
		}
		total += n
		if batch < purgeBatch {
			return total, nil
		}
	}
}
