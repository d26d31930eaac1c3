package verdict

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scamscope/scamscope/internal/urlcanon"
)

// Errors returned, wrapped with context, by every Store.
var (
	// ErrNotFound: no such scan, or no live verdict.
	ErrNotFound = errors.New("not found")
	// ErrBadPageToken: the page token is malformed or belongs to another filter.
	ErrBadPageToken = errors.New("bad page token")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
	// ErrInvalid: the argument breaks a rule stated in Validate or on the method.
	ErrInvalid = errors.New("invalid argument")
)

// Label is the classifier's answer, numbered as in the API.
type Label int

// The labels, in increasing order of alarm.
const (
	LabelUnknown Label = iota
	LabelClean
	LabelSuspicious
	LabelScam
)

func (l Label) String() string {
	switch l {
	case LabelUnknown:
		return "UNKNOWN"
	case LabelClean:
		return "CLEAN"
	case LabelSuspicious:
		return "SUSPICIOUS"
	case LabelScam:
		return "SCAM"
	}
	return fmt.Sprintf("Label(%d)", int(l))
}

// Known reports whether l is CLEAN, SUSPICIOUS or SCAM.
func (l Label) Known() bool { return l >= LabelClean && l <= LabelScam }

// State is where a scan is in its life.
type State string

// The states of a scan.
const (
	StateQueued  State = "queued"
	StateRunning State = "running"
	StateDone    State = "done"
	StateFailed  State = "failed"
)

// Valid reports whether s is one of the four states.
func (s State) Valid() bool {
	switch s {
	case StateQueued, StateRunning, StateDone, StateFailed:
		return true
	}
	return false
}

// Scan is one stored scan of a URL.
type Scan struct {
	ID       string
	URL      string // as submitted
	CanonURL string // urlcanon form of URL; empty when it has none
	Host     string // urlcanon host of CanonURL, for pivots
	// Profile names the browsing profile and its overrides (opaque; scans
	// dedupe on CanonURL and Profile).
	Profile        string
	State          State
	Error          string // why a failed scan failed
	CreatedAt      time.Time
	FinishedAt     time.Time // required when State is done
	Label          Label
	Score          int
	RuleSetVersion string
	Phones         []string // E.164
	ErrorCodes     []string
	RuleIDs        []string
	Result         []byte // the full serialised result, opaque
}

// URLVerdict is a stored answer for a canonical URL, or for an expression
// written by PutHostVerdict (then CanonURL holds the expression).
type URLVerdict struct {
	CanonURL  string
	Hash      [32]byte // SHA-256 of the expression (urlcanon.Hash)
	Label     Label
	Score     int
	ScanID    string // the scan that produced it; may be empty for analysts' verdicts
	ScannedAt time.Time
	ExpiresAt time.Time // zero: never (analysts' verdicts only)
}

// Live reports whether v is still valid at now.
func (v URLVerdict) Live(now time.Time) bool {
	return v.ExpiresAt.IsZero() || now.Before(v.ExpiresAt)
}

// Filter selects scans for ListScans. Empty fields do not filter; set
// fields combine with AND. LabelUnknown does not filter.
type Filter struct {
	Phone     string // E.164, one of Scan.Phones
	ErrorCode string // one of Scan.ErrorCodes
	Host      string // Scan.Host
	RuleID    string // one of Scan.RuleIDs
	Label     Label
	Since     time.Time // CreatedAt >= Since
	Until     time.Time // CreatedAt < Until
	PageSize  int       // 0: DefaultPageSize; larger than MaxPageSize: MaxPageSize
	PageToken string    // from the previous page, with the same filter
}

// Page sizes for ListScans.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Limit returns the page size ListScans uses for f.
func (f Filter) Limit() int {
	switch {
	case f.PageSize <= 0:
		return DefaultPageSize
	case f.PageSize > MaxPageSize:
		return MaxPageSize
	}
	return f.PageSize
}

// IndicatorKind names a feed.
type IndicatorKind string

// The feeds.
const (
	KindPhone     IndicatorKind = "phone"
	KindErrorCode IndicatorKind = "error_code"
)

// Indicator is one phone number or error code of the feed.
type Indicator struct {
	Value     string
	FirstSeen time.Time // FinishedAt of the first counted scan
	LastSeen  time.Time // FinishedAt of the last counted scan
	Count     int       // counted scans showing it
	// ExampleURLs are up to MaxExampleURLs distinct canonical URLs (the
	// submitted URL when there is none), most recently seen first.
	ExampleURLs []string
}

// MaxExampleURLs bounds Indicator.ExampleURLs.
const MaxExampleURLs = 5

// Store keeps scans and verdicts. Implementations are safe for concurrent
// use. See the package doc for the semantics.
type Store interface {
	// PutScan inserts or replaces the scan with s.ID, with its URL verdict
	// when it is done with a known label.
	PutScan(ctx context.Context, s *Scan) error
	// GetScan returns the scan, or ErrNotFound.
	GetScan(ctx context.Context, id string) (*Scan, error)
	// ListScans returns one page of matching scans, newest first, and the
	// token of the next page ("" on the last page).
	ListScans(ctx context.Context, f Filter) ([]*Scan, string, error)
	// LookupURL returns the live verdict for a canonical URL, or ErrNotFound.
	LookupURL(ctx context.Context, canonURL string, now time.Time) (*URLVerdict, error)
	// SearchPrefixes returns the live verdicts whose hash starts with one of
	// the prefixes, ordered by hash, then CanonURL.
	SearchPrefixes(ctx context.Context, prefixes [][4]byte, now time.Time) ([]URLVerdict, error)
	// PutHostVerdict sets the verdict of an expression (a canonical host and
	// path prefix, as urlcanon.Expressions gives: "evil.example/"); the
	// store sets v.CanonURL to expr and v.Hash to its hash. LabelUnknown
	// removes it.
	PutHostVerdict(ctx context.Context, expr string, v URLVerdict) error
	// RecentScan returns the newest scan of canonURL with profile created at
	// or after since that has not failed, or ErrNotFound.
	RecentScan(ctx context.Context, canonURL, profile string, since time.Time) (*Scan, error)
	// Indicators returns the feed of kind since the given time, most
	// recently seen first (then by value).
	Indicators(ctx context.Context, kind IndicatorKind, since time.Time) ([]Indicator, error)
	// Purge removes verdicts that have expired at now and returns how many.
	Purge(ctx context.Context, now time.Time) (int, error)
	// Close releases the store; later calls fail with ErrClosed.
	Close() error
}

// Lifetimes says how long a scan's URL verdict lives, by label.
type Lifetimes struct {
	Clean, Suspicious, Scam time.Duration
}

// DefaultLifetimes: CLEAN 30 minutes (a page can turn), SUSPICIOUS 6 hours,
// SCAM 7 days.
func DefaultLifetimes() Lifetimes {
	return Lifetimes{Clean: 30 * time.Minute, Suspicious: 6 * time.Hour, Scam: 7 * 24 * time.Hour}
}

// For returns the lifetime of label, taking the default for a zero field,
// and 0 for LabelUnknown.
func (l Lifetimes) For(label Label) time.Duration {
	d := DefaultLifetimes()
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	switch label {
	case LabelClean:
		return pick(l.Clean, d.Clean)
	case LabelSuspicious:
		return pick(l.Suspicious, d.Suspicious)
	case LabelScam:
		return pick(l.Scam, d.Scam)
	}
	return 0
}

// VerdictOf returns the URL verdict a scan produces, and false when it
// produces none (not done, unknown label, or no canonical URL).
func VerdictOf(s *Scan, lt Lifetimes) (URLVerdict, bool) {
	if s.State != StateDone || !s.Label.Known() || s.CanonURL == "" {
		return URLVerdict{}, false
	}
	u, err := urlcanon.Canonicalize(s.CanonURL)
	if err != nil {
		return URLVerdict{}, false
	}
	at := Micro(s.FinishedAt)
	return URLVerdict{
		CanonURL:  s.CanonURL,
		Hash:      urlcanon.Hash(u.Expression()),
		Label:     s.Label,
		Score:     s.Score,
		ScanID:    s.ID,
		ScannedAt: at,
		ExpiresAt: at.Add(lt.For(s.Label)),
	}, true
}

// Micro returns t in UTC truncated to the microsecond, as stores keep it;
// the zero time stays zero.
func Micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// Size limits checked by Validate.
const (
	MaxIDLen      = 256
	MaxValueLen   = 256 // one phone number, error code or rule ID
	MaxHostLen    = 1024
	MaxListLen    = 1000 // entries in Phones, ErrorCodes, RuleIDs
	MaxResultSize = 64 << 20
)

// Validate checks s as PutScan does: ID set; State valid; CreatedAt set;
// FinishedAt set when done; Label in range; CanonURL canonical and Host its
// host when set; strings valid UTF-8 without NUL; sizes within the limits.
// Errors wrap ErrInvalid.
func Validate(s *Scan) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("scan %q: %s: %w", s.ID, fmt.Sprintf(format, args...), ErrInvalid)
	}
	if s.ID == "" {
		return bad("empty ID")
	}
	if len(s.ID) > MaxIDLen {
		return bad("ID longer than %d bytes", MaxIDLen)
	}
	if !s.State.Valid() {
		return bad("state %q is not queued, running, done or failed", s.State)
	}
	if s.CreatedAt.IsZero() {
		return bad("CreatedAt not set")
	}
	if s.State == StateDone && s.FinishedAt.IsZero() {
		return bad("done without FinishedAt")
	}
	if s.Label < LabelUnknown || s.Label > LabelScam {
		return bad("label %d out of range", int(s.Label))
	}
	texts := []struct{ name, v string }{
		{"ID", s.ID}, {"URL", s.URL}, {"CanonURL", s.CanonURL}, {"Host", s.Host}, {"Profile", s.Profile},
		{"Error", s.Error}, {"RuleSetVersion", s.RuleSetVersion},
	}
	for _, t := range texts {
		if err := checkText(t.v); err != nil {
			return bad("%s %s", t.name, err)
		}
	}
	if len(s.Host) > MaxHostLen {
		return bad("Host longer than %d bytes", MaxHostLen)
	}
	if len(s.Result) > MaxResultSize {
		return bad("Result larger than %d bytes", MaxResultSize)
	}
	lists := []struct {
		name string
		list []string
	}{{"Phones", s.Phones}, {"ErrorCodes", s.ErrorCodes}, {"RuleIDs", s.RuleIDs}}
	for _, l := range lists {
		name, list := l.name, l.list
		if len(list) > MaxListLen {
			return bad("more than %d %s", MaxListLen, name)
		}
		for _, v := range list {
			if v == "" || len(v) > MaxValueLen {
				return bad("%s entry %q is empty or longer than %d bytes", name, v, MaxValueLen)
			}
			if err := checkText(v); err != nil {
				return bad("%s entry %s", name, err)
			}
		}
	}
	if s.CanonURL != "" {
		u, err := urlcanon.Canonicalize(s.CanonURL)
		if err != nil || u.String() != s.CanonURL {
			return bad("CanonURL %q is not canonical (use urlcanon.Canonicalize)", s.CanonURL)
		}
		if s.Host != u.Host {
			return bad("Host %q is not the host of CanonURL %q", s.Host, s.CanonURL)
		}
	}
	return nil
}

func checkText(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("is not valid UTF-8")
	}
	if strings.IndexByte(v, 0) >= 0 {
		return errors.New("contains a NUL byte")
	}
	return nil
}

// CheckExpression checks that expr is a canonical lookup expression (host
// and path, optionally a query, without scheme), as PutHostVerdict needs.
func CheckExpression(expr string) error {
	u, err := urlcanon.Canonicalize("http://" + expr)
	if err != nil || strings.Contains(expr, "://") || u.Expression() != expr {
		return fmt.Errorf("expression %q is not canonical (want host/path as urlcanon.Expressions gives): %w", expr, ErrInvalid)
	}
	return nil
}

// ValidateHostVerdict checks the arguments of PutHostVerdict: a canonical
// expression (CheckExpression), a label in range, ScannedAt set unless the
// label is LabelUnknown (a removal), and a clean ScanID. Errors wrap
// ErrInvalid.
func ValidateHostVerdict(expr string, v URLVerdict) error {
	if err := CheckExpression(expr); err != nil {
		return err
	}
	if v.Label < LabelUnknown || v.Label > LabelScam {
		return fmt.Errorf("host verdict %q: label %d out of range: %w", expr, int(v.Label), ErrInvalid)
	}
	if v.Label != LabelUnknown && v.ScannedAt.IsZero() {
		return fmt.Errorf("host verdict %q: ScannedAt not set: %w", expr, ErrInvalid)
	}
	if err := checkText(v.ScanID); err != nil || len(v.ScanID) > MaxIDLen {
		return fmt.Errorf("host verdict %q: ScanID %q is longer than %d bytes or not clean UTF-8: %w", expr, v.ScanID, MaxIDLen, ErrInvalid)
	}
	return nil
}
