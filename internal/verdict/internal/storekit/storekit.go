// Package storekit holds what the verdict stores share so that they agree to
// the byte: page tokens, the choice among candidate verdicts, and orderings.
// It does no I/O.
package storekit

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
)

const tokenVersion = 1

// fingerprint identifies a filter, less its paging fields.
func fingerprint(f verdict.Filter) [8]byte {
	h := sha256.New()
	for _, s := range []string{f.Phone, f.ErrorCode, f.Host, f.RuleID} {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	fmt.Fprintf(h, "%d;%d;%d", f.Label, micro(f.Since), micro(f.Until))
	return [8]byte(h.Sum(nil))
}

func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// EncodeToken returns the token for the page after the scan (createdAt, id)
// under filter f.
func EncodeToken(f verdict.Filter, createdAt time.Time, id string) string {
	b := make([]byte, 0, 1+8+8+len(id))
	b = append(b, tokenVersion)
	fp := fingerprint(f)
	b = append(b, fp[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(createdAt.UnixMicro()))
	b = append(b, id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeToken returns the position a token names. Errors wrap
// verdict.ErrBadPageToken.
func DecodeToken(f verdict.Filter, tok string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 1+8+8+1 || b[0] != tokenVersion {
		return time.Time{}, "", fmt.Errorf("page token %.40q is malformed: %w", tok, verdict.ErrBadPageToken)
	}
	if fp := fingerprint(f); !bytes.Equal(b[1:9], fp[:]) {
		return time.Time{}, "", fmt.Errorf("page token was issued for another filter: %w", verdict.ErrBadPageToken)
	}
	t := time.UnixMicro(int64(binary.BigEndian.Uint64(b[9:17]))).UTC()
	return t, string(b[17:]), nil
}

// Candidate is a verdict that may answer a lookup.
type Candidate struct {
	V verdict.URLVerdict
	// Rank orders ties: 0 for the URL's own verdict, then the position of
	// the expression in urlcanon.Expressions plus one.
	Rank int
}

// Best returns the most severe candidate, ties going to the lowest Rank.
func Best(cands []Candidate) (verdict.URLVerdict, bool) {
	if len(cands) == 0 {
		return verdict.URLVerdict{}, false
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.V.Label > best.V.Label || c.V.Label == best.V.Label && c.Rank < best.Rank {
			best = c
		}
	}
	return best.V, true
}

// Expressions returns the expressions of a canonical URL, or nil when it
// does not parse.
func Expressions(canonURL string) []string {
	u, err := urlcanon.Canonicalize(canonURL)
	if err != nil {
		return nil
	}
	return urlcanon.Expressions(u)
}

// SortVerdicts orders search results by hash, then CanonURL.
func SortVerdicts(vs []verdict.URLVerdict) {
	slices.SortFunc(vs, func(a, b verdict.URLVerdict) int {
		if c := bytes.Compare(a.Hash[:], b.Hash[:]); c != 0 {
			return c
		}
		return strings.Compare(a.CanonURL, b.CanonURL)
	})
}

// UniquePrefixes sorts prefixes and drops repeats.
func UniquePrefixes(prefixes [][4]byte) [][4]byte {
	p := slices.Clone(prefixes)
	slices.SortFunc(p, func(a, b [4]byte) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(p)
}

// Sighting is one counted scan of an indicator.
type Sighting struct {
	URL string
	At  time.Time
}

// Examples returns up to verdict.MaxExampleURLs distinct URLs, by their
// latest sighting descending, then URL.
func Examples(s []Sighting) []string {
	latest := map[string]time.Time{}
	for _, x := range s {
		if t, ok := latest[x.URL]; !ok || x.At.After(t) {
			latest[x.URL] = x.At
		}
	}
	urls := make([]string, 0, len(latest))
	for u := range latest {
		urls = append(urls, u)
	}
	slices.SortFunc(urls, func(a, b string) int {
		if c := latest[b].Compare(latest[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(urls) > verdict.MaxExampleURLs {
		urls = urls[:verdict.MaxExampleURLs]
	}
	return urls
}

// SortIndicators orders the feed: LastSeen descending, then Value.
func SortIndicators(ins []verdict.Indicator) {
	slices.SortFunc(ins, func(a, b verdict.Indicator) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
}

// Unique returns list without repeats, in first-seen order.
func Unique(list []string) []string {
	if len(list) < 2 {
		return list
	}
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// CheckKind checks an indicator kind.
func CheckKind(kind verdict.IndicatorKind) error {
	if kind != verdict.KindPhone && kind != verdict.KindErrorCode {
		return fmt.Errorf("indicator kind %q is not %q or %q: %w", kind, verdict.KindPhone, verdict.KindErrorCode, verdict.ErrInvalid)
	}
	return nil
}

// FeedURL is the URL a scan contributes to Indicator.ExampleURLs.
func FeedURL(s *verdict.Scan) string {
	if s.CanonURL != "" {
		return s.CanonURL
	}
	return s.URL
}

// InFeed reports whether a scan counts for the indicator feed.
func InFeed(s *verdict.Scan) bool {
	return s.State == verdict.StateDone && s.Label >= verdict.LabelSuspicious
}
