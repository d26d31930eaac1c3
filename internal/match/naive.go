package match

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
)

// Naive is the reference matcher: every pattern searched on its own with
// bytes.Index or regexp. It defines the semantics the fast Matcher must
// reproduce and is used by the fuzz test and the benchmarks as a baseline.
type Naive struct {
	pats []Pattern
	res  []*regexp.Regexp
}

// CompileNaive builds the reference matcher.
func CompileNaive(ps []Pattern) (*Naive, error) {
	n := &Naive{pats: append([]Pattern(nil), ps...), res: make([]*regexp.Regexp, len(ps))}
	for i, p := range ps {
		if (p.Literal == "") == (p.Regex == "") {
			return nil, fmt.Errorf("pattern %d: exactly one of literal and regex must be set", p.ID)
		}
		if p.Regex != "" {
			re, err := regexp.Compile(p.Regex)
			if err != nil {
				return nil, fmt.Errorf("pattern %d: %w", p.ID, err)
			}
			n.res[i] = re
		}
	}
	return n, nil
}

// Find returns the leftmost match of every pattern that occurs in text,
// ordered by Start, then End, then ID.
func (n *Naive) Find(text []byte) []Hit {
	var hits []Hit
	for i, p := range n.pats {
		if re := n.res[i]; re != nil {
			if loc := re.FindIndex(text); loc != nil {
				hits = append(hits, Hit{ID: p.ID, Start: loc[0], End: loc[1]})
			}
			continue
		}
		lit := []byte(p.Literal)
		for off := 0; off <= len(text); {
			j := bytes.Index(text[off:], lit)
			if j < 0 {
				break
			}
			s := off + j
			e := s + len(lit)
			if !p.Word || (wordBoundaryBefore(text, s) && wordBoundaryAfter(text, e)) {
				hits = append(hits, Hit{ID: p.ID, Start: s, End: e})
				break
			}
			off = s + 1
		}
	}
	SortHits(hits)
	return hits
}

// SortHits orders hits by Start, then End, then ID.
func SortHits(h []Hit) {
	sort.Slice(h, func(i, j int) bool {
		if h[i].Start != h[j].Start {
			return h[i].Start < h[j].Start
		}
		if h[i].End != h[j].End {
			return h[i].End < h[j].End
		}
		return h[i].ID < h[j].ID
	})
}
