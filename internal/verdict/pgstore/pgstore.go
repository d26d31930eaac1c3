// Package pgstore is the PostgreSQL verdict.Store, for several servers
// sharing one store. Open creates its tables and indexes when they are
// missing (CREATE ... IF NOT EXISTS, under an advisory lock so servers may
// start together), optionally in a schema of their own.
//
// Tables: verdict_scans (one row per scan; GIN indexes on the phone, error
// code and rule ID arrays, B-tree indexes for host, label, creation time, the
// dedup key and the feed), verdict_urls (one row per canonical URL, keyed by
// its SHA-256, indexed by 4-byte hash prefix and expiry) and verdict_exprs
// (analysts' expression verdicts). Each write is one transaction; with
// PostgreSQL's default synchronous_commit an acknowledged write is durable.
//
// It does not migrate between schema versions, partition or vacuum tables,
// or cache anything in the process: every call is a query.
package pgstore

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/internal/storekit"
)

// schemaSQL creates the tables. IDs use the "C" collation so that ordering
// and page tokens compare bytes, as the embedded store does.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS verdict_scans (
	id               text COLLATE "C" PRIMARY KEY,
	url              text NOT NULL,
	canon_url        text NOT NULL,
	host             text NOT NULL,
	profile          text NOT NULL,
	url_profile_key  bytea,
	state            text NOT NULL,
	error            text NOT NULL,
	created_at       timestamptz NOT NULL,
	finished_at      timestamptz,
	label            smallint NOT NULL,
	score            integer NOT NULL,
	rule_set_version text NOT NULL,
	phones           text[] NOT NULL,
	error_codes      text[] NOT NULL,
	rule_ids         text[] NOT NULL,
	result           bytea
);
CREATE INDEX IF NOT EXISTS verdict_scans_created ON verdict_scans (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS verdict_scans_phones ON verdict_scans USING gin (phones);
CREATE INDEX IF NOT EXISTS verdict_scans_error_codes ON verdict_scans USING gin (error_codes);
CREATE INDEX IF NOT EXISTS verdict_scans_rule_ids ON verdict_scans USING gin (rule_ids);
CREATE INDEX IF NOT EXISTS verdict_scans_host ON verdict_scans (host, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS verdict_scans_label ON verdict_scans (label, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS verdict_scans_url_profile ON verdict_scans (url_profile_key, created_at DESC)
	WHERE url_profile_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS verdict_scans_feed ON verdict_scans (finished_at)
	WHERE state = 'done' AND label >= 2;

CREATE TABLE IF NOT EXISTS verdict_urls (
	url_key    bytea PRIMARY KEY,
	canon_url  text NOT NULL,
	hash       bytea NOT NULL,
	prefix     bytea NOT NULL,
	label      smallint NOT NULL,
	score      integer NOT NULL,
	scan_id    text NOT NULL,
	scanned_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS verdict_urls_prefix ON verdict_urls (prefix);
CREATE INDEX IF NOT EXISTS verdict_urls_expires ON verdict_urls (expires_at);

CREATE TABLE IF NOT EXISTS verdict_exprs (
	hash       bytea PRIMARY KEY,
	expr       text NOT NULL,
	prefix     bytea NOT NULL,
	label      smallint NOT NULL,
	score      integer NOT NULL,
	scan_id    text NOT NULL,
	scanned_at timestamptz NOT NULL,
	expires_at timestamptz
);
CREATE INDEX IF NOT EXISTS verdict_exprs_prefix ON verdict_exprs (prefix);
CREATE INDEX IF NOT EXISTS verdict_exprs_expires ON verdict_exprs (expires_at);
`

// schemaLock is the advisory lock key held while creating tables.
const schemaLock = 0x5ca75c09e

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Lifetimes of URL verdicts by label; zero fields take the defaults.
	Lifetimes verdict.Lifetimes
	// Schema, when set, holds the tables (created if missing) and is the
	// connections' search_path.
	Schema string
	// MaxConns bounds the connection pool; 0 keeps pgxpool's default.
	MaxConns int32
}

// Store is the PostgreSQL verdict.Store.
type Store struct {
	pool   *pgxpool.Pool
	lt     verdict.Lifetimes
	closed atomic.Bool
}

var _ verdict.Store = (*Store)(nil)

// Open connects to dsn (a libpq URL or key=value string) and creates the
// tables if needed.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open verdict store: parse DSN: %w", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open verdict store: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(schemaLock)); err != nil {
			return err
		}
		if opts.Schema != "" {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, schemaSQL)
		return err
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open verdict store: create tables: %w", err)
	}
	return &Store{pool: pool, lt: opts.Lifetimes}, nil
}

// Close closes the pool. Calling it again returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return fmt.Errorf("close verdict store: %w", verdict.ErrClosed)
	}
	s.pool.Close()
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
	if s.closed.Load() && !errors.Is(err, verdict.ErrClosed) {
		err = fmt.Errorf("%w (%v)", verdict.ErrClosed, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ts passes a time to PostgreSQL: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return verdict.Micro(t)
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func orNil[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}

func urlProfileKey(canonURL, profile string) []byte {
	if canonURL == "" {
		return nil
	}
	h := sha256.Sum256([]byte(canonURL + "\x00" + profile))
	return h[:]
}

func urlKey(canonURL string) []byte {
	h := sha256.Sum256([]byte(canonURL))
	return h[:]
}

const scanColumns = `id, url, canon_url, host, profile, state, error, created_at, finished_at, label, score,
	rule_set_version, phones, error_codes, rule_ids, result`

func scanRow(row pgx.Row) (*verdict.Scan, error) {
	var sc verdict.Scan
	var created time.Time
	var finished *time.Time
	var state string
	var label int16
	err := row.Scan(&sc.ID, &sc.URL, &sc.CanonURL, &sc.Host, &sc.Profile, &state, &sc.Error, &created, &finished,
		&label, &sc.Score, &sc.RuleSetVersion, &sc.Phones, &sc.ErrorCodes, &sc.RuleIDs, &sc.Result)
	if err != nil {
		return nil, err
	}
	sc.State, sc.Label = verdict.State(state), verdict.Label(label)
	sc.CreatedAt, sc.FinishedAt = created.UTC(), utc(finished)
	sc.Phones, sc.ErrorCodes, sc.RuleIDs, sc.Result = orNil(sc.Phones), orNil(sc.ErrorCodes), orNil(sc.RuleIDs), orNil(sc.Result)
	return &sc, nil
}

// PutScan stores a scan (see verdict.Store).
func (s *Store) PutScan(ctx context.Context, sc *verdict.Scan) error {
	op := fmt.Sprintf("put scan %q", sc.ID)
	if err := s.ready(ctx, op); err != nil {
		return err
	}
	if err := verdict.Validate(sc); err != nil {
		return fmt.Errorf("put scan: %w", err)
	}
	v, hasVerdict := verdict.VerdictOf(sc, s.lt)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO verdict_scans (id, url, canon_url, host, profile, url_profile_key, state, error, created_at, finished_at,
	label, score, rule_set_version, phones, error_codes, rule_ids, result)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, canon_url = EXCLUDED.canon_url, host = EXCLUDED.host,
	profile = EXCLUDED.profile, url_profile_key = EXCLUDED.url_profile_key, state = EXCLUDED.state,
	error = EXCLUDED.error, created_at = EXCLUDED.created_at, finished_at = EXCLUDED.finished_at,
	label = EXCLUDED.label, score = EXCLUDED.score, rule_set_version = EXCLUDED.rule_set_version,
	phones = EXCLUDED.phones, error_codes = EXCLUDED.error_codes, rule_ids = EXCLUDED.rule_ids,
	result = EXCLUDED.result`,
			sc.ID, sc.URL, sc.CanonURL, sc.Host, sc.Profile, urlProfileKey(sc.CanonURL, sc.Profile), string(sc.State),
			sc.Error, ts(sc.CreatedAt), ts(sc.FinishedAt), int16(sc.Label), sc.Score, sc.RuleSetVersion,
			orEmpty(sc.Phones), orEmpty(sc.ErrorCodes), orEmpty(sc.RuleIDs), orNil(sc.Result))
		if err != nil || !hasVerdict {
			return err
		}
		_, err = tx.Exec(ctx, `
INSERT INTO verdict_urls (url_key, canon_url, hash, prefix, label, score, scan_id, scanned_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (url_key) DO UPDATE SET canon_url = EXCLUDED.canon_url, hash = EXCLUDED.hash, prefix = EXCLUDED.prefix,
	label = EXCLUDED.label, score = EXCLUDED.score, scan_id = EXCLUDED.scan_id, scanned_at = EXCLUDED.scanned_at,
	expires_at = EXCLUDED.expires_at
WHERE verdict_urls.scanned_at <= EXCLUDED.scanned_at`,
			urlKey(v.CanonURL), v.CanonURL, v.Hash[:], v.Hash[:4], int16(v.Label), v.Score, v.ScanID, ts(v.ScannedAt), ts(v.ExpiresAt))
		return err
	})
	return s.wrap(op, err)
}

// GetScan returns the scan with id.
func (s *Store) GetScan(ctx context.Context, id string) (*verdict.Scan, error) {
	op := fmt.Sprintf("get scan %q", id)
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	sc, err := scanRow(s.pool.QueryRow(ctx, "SELECT "+scanColumns+" FROM verdict_scans WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = verdict.ErrNotFound
	}
	if err != nil {
		return nil, s.wrap(op, err)
	}
	return sc, nil
}

// ListScans returns a page of scans (see verdict.Store).
func (s *Store) ListScans(ctx context.Context, f verdict.Filter) ([]*verdict.Scan, string, error) {
	const op = "list scans"
	if err := s.ready(ctx, op); err != nil {
		return nil, "", err
	}
	f.Since, f.Until = verdict.Micro(f.Since), verdict.Micro(f.Until)
	var where []string
	var args []any
	add := func(cond string, vals ...any) {
		refs := make([]any, len(vals))
		for i, v := range vals {
			args = append(args, v)
			refs[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, fmt.Sprintf(cond, refs...))
	}
	if f.PageToken != "" {
		t, id, err := storekit.DecodeToken(f, f.PageToken)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", op, err)
		}
		add("(created_at, id) < (%s, %s)", t, id)
	}
	if f.Phone != "" {
		add("phones @> ARRAY[%s]::text[]", f.Phone)
	}
	if f.ErrorCode != "" {
		add("error_codes @> ARRAY[%s]::text[]", f.ErrorCode)
	}
	if f.RuleID != "" {
		add("rule_ids @> ARRAY[%s]::text[]", f.RuleID)
	}
	if f.Host != "" {
		add("host = %s", f.Host)
	}
	if f.Label != verdict.LabelUnknown {
		add("label = %s", int16(f.Label))
	}
	if !f.Since.IsZero() {
		add("created_at >= %s", f.Since)
	}
	if !f.Until.IsZero() {
		add("created_at < %s", f.Until)
	}
	q := "SELECT " + scanColumns + " FROM verdict_scans"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit()
	q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT %d", limit+1)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", s.wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*verdict.Scan, error) { return scanRow(r) })
	if err != nil {
		return nil, "", s.wrap(op, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = storekit.EncodeToken(f, last.CreatedAt, last.ID)
	}
	return out, next, nil
}

const verdictColumns = "hash, label, score, scan_id, scanned_at, expires_at"

func verdictRow(row pgx.Row, extra ...any) (verdict.URLVerdict, error) {
	var v verdict.URLVerdict
	var hash []byte
	var label int16
	var scanned time.Time
	var expires *time.Time
	dest := append(extra, &v.CanonURL, &hash, &label, &v.Score, &v.ScanID, &scanned, &expires)
	if err := row.Scan(dest...); err != nil {
		return v, err
	}
	if len(hash) != len(v.Hash) {
		return v, fmt.Errorf("stored hash has %d bytes", len(hash))
	}
	copy(v.Hash[:], hash)
	v.Label, v.ScannedAt, v.ExpiresAt = verdict.Label(label), scanned.UTC(), utc(expires)
	return v, nil
}

// LookupURL returns the live verdict for canonURL (see verdict.Store).
func (s *Store) LookupURL(ctx context.Context, canonURL string, now time.Time) (*verdict.URLVerdict, error) {
	const op = "lookup URL"
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	exprs := storekit.Expressions(canonURL)
	rank := make(map[[32]byte]int, len(exprs))
	hashes := make([][]byte, len(exprs))
	for i, e := range exprs {
		h := urlcanon.Hash(e)
		if _, ok := rank[h]; !ok {
			rank[h] = i + 1
		}
		hashes[i] = h[:]
	}
	rows, err := s.pool.Query(ctx, `
SELECT false, canon_url, `+verdictColumns+` FROM verdict_urls WHERE url_key = $1 AND canon_url = $2 AND expires_at > $3
UNION ALL
SELECT true, expr, `+verdictColumns+` FROM verdict_exprs
	WHERE hash = ANY($4) AND (expires_at IS NULL OR expires_at > $3)`,
		urlKey(canonURL), canonURL, verdict.Micro(now), hashes)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storekit.Candidate, error) {
		var isExpr bool
		v, err := verdictRow(r, &isExpr)
		c := storekit.Candidate{V: v}
		if isExpr {
			c.Rank = rank[v.Hash]
		}
		return c, err
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
	ps := storekit.UniquePrefixes(prefixes)
	if len(ps) == 0 {
		return nil, nil
	}
	args := make([][]byte, len(ps))
	for i := range ps {
		args[i] = ps[i][:]
	}
	rows, err := s.pool.Query(ctx, `
SELECT canon_url, `+verdictColumns+` FROM verdict_urls WHERE prefix = ANY($1) AND expires_at > $2
UNION ALL
SELECT expr, `+verdictColumns+` FROM verdict_exprs WHERE prefix = ANY($1) AND (expires_at IS NULL OR expires_at > $2)`,
		args, verdict.Micro(now))
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (verdict.URLVerdict, error) { return verdictRow(r) })
	if err != nil {
		return nil, s.wrap(op, err)
	}
	storekit.SortVerdicts(out)
	return orNil(out), nil
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
	h := urlcanon.Hash(expr)
	var err error
	if v.Label == verdict.LabelUnknown {
		_, err = s.pool.Exec(ctx, "DELETE FROM verdict_exprs WHERE hash = $1", h[:])
	} else {
		_, err = s.pool.Exec(ctx, `
INSERT INTO verdict_exprs (hash, expr, prefix, label, score, scan_id, scanned_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (hash) DO UPDATE SET expr = EXCLUDED.expr, label = EXCLUDED.label, score = EXCLUDED.score,
	scan_id = EXCLUDED.scan_id, scanned_at = EXCLUDED.scanned_at, expires_at = EXCLUDED.expires_at`,
			h[:], expr, h[:4], int16(v.Label), v.Score, v.ScanID, ts(v.ScannedAt), ts(v.ExpiresAt))
	}
	return s.wrap(op, err)
}

// RecentScan returns the newest unfailed scan of canonURL with profile.
func (s *Store) RecentScan(ctx context.Context, canonURL, profile string, since time.Time) (*verdict.Scan, error) {
	const op = "recent scan"
	if err := s.ready(ctx, op); err != nil {
		return nil, err
	}
	sc, err := scanRow(s.pool.QueryRow(ctx, "SELECT "+scanColumns+` FROM verdict_scans
WHERE url_profile_key = $1 AND canon_url = $2 AND profile = $3 AND state <> 'failed'
	AND ($4::timestamptz IS NULL OR created_at >= $4)
ORDER BY created_at DESC, id DESC LIMIT 1`, urlProfileKey(canonURL, profile), canonURL, profile, ts(since)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s of %q: %w", op, canonURL, verdict.ErrNotFound)
	}
	if err != nil {
		return nil, s.wrap(op, err)
	}
	return sc, nil
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
	column := "phones"
	if kind == verdict.KindErrorCode {
		column = "error_codes"
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`
WITH seen AS (
	SELECT x.v, sc.finished_at AS at, COALESCE(NULLIF(sc.canon_url, ''), sc.url) AS u
	FROM verdict_scans sc CROSS JOIN LATERAL (SELECT DISTINCT unnest(sc.%s) AS v) x
	WHERE sc.state = 'done' AND sc.label >= 2 AND ($1::timestamptz IS NULL OR sc.finished_at >= $1)
), agg AS (
	SELECT v, min(at) AS first_seen, max(at) AS last_seen, count(*) AS n FROM seen GROUP BY v
), ranked AS (
	SELECT v, u, row_number() OVER (PARTITION BY v ORDER BY max(at) DESC, u COLLATE "C") AS r
	FROM seen GROUP BY v, u
)
SELECT agg.v, agg.first_seen, agg.last_seen, agg.n,
	ARRAY(SELECT u FROM ranked WHERE ranked.v = agg.v AND ranked.r <= %d ORDER BY ranked.r)
FROM agg`, column, verdict.MaxExampleURLs), ts(since))
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (verdict.Indicator, error) {
		var in verdict.Indicator
		var n int64
		err := r.Scan(&in.Value, &in.FirstSeen, &in.LastSeen, &n, &in.ExampleURLs)
		in.Count, in.FirstSeen, in.LastSeen = int(n), in.FirstSeen.UTC(), in.LastSeen.UTC()
		return in, err
	})
	if err != nil {
		return nil, s.wrap(op, err)
	}
	storekit.SortIndicators(out)
	return out, nil
}

// Purge removes verdicts expired at now and returns how many.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	const op = "purge"
	if err := s.ready(ctx, op); err != nil {
		return 0, err
	}
	var n int64
	err := s.pool.QueryRow(ctx, `
WITH u AS (DELETE FROM verdict_urls WHERE expires_at <= $1 RETURNING 1),
	e AS (DELETE FROM verdict_exprs WHERE expires_at <= $1 RETURNING 1)
SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM e)`, verdict.Micro(now)).Scan(&n)
	if err != nil {
		return 0, s.wrap(op, err)
	}
	return int(n), nil
}
