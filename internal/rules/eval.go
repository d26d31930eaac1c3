package rules

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/textnorm"
)

const (
	// maxEvidence bounds the evidence kept per fired rule.
	maxEvidence = 8
	// snippetContext is how many bytes of context a snippet keeps on each
	// side of a match, before cutting back to rune boundaries.
	snippetContext = 40
)

// patRef maps a matcher pattern ID to its rule and pattern.
type patRef struct {
	rule int32
	pat  int32
}

// compiledRule is what Evaluate needs of a rule.
type compiledRule struct {
	fields  uint32 // bit per extract.Field
	min     int32  // distinct patterns needed
	req     requirements
	isBrand bool
}

// requirements is a rule's Requires in checkable form.
type requirements struct {
	phone, errorCode, lock, runtimeLock, brand bool
	kinds                                      []extract.LockKind
}

func (q *requirements) holds(f *extract.Features) bool {
	if q.phone && len(f.Phones) == 0 {
		return false
	}
	if q.errorCode && len(f.ErrorCodes) == 0 {
		return false
	}
	if q.lock && len(f.Locks) == 0 {
		return false
	}
	if q.runtimeLock && !slices.ContainsFunc(f.Locks, func(l extract.Lock) bool { return l.Runtime }) {
		return false
	}
	for _, k := range q.kinds {
		if !slices.ContainsFunc(f.Locks, func(l extract.Lock) bool { return l.Kind == k }) {
			return false
		}
	}
	return true
}

// compile builds the Set: every pattern of every rule goes into one
// matcher whose pattern IDs index s.pats.
func compile(rs []*Rule, sc Scoring, version string) (*Set, error) {
	s := &Set{rules: rs, version: version, scoring: sc, crules: make([]compiledRule, len(rs))}
	var ps []match.Pattern
	var used uint32
	for i, r := range rs {
		cr := &s.crules[i]
		for _, f := range r.Fields {
			cr.fields |= 1 << f
		}
		used |= cr.fields
		cr.min = int32(r.Condition.min(len(r.Patterns)))
		cr.isBrand = r.Brand != ""
		for _, q := range r.Requires {
			switch q {
			case "phone":
				cr.req.phone = true
			case "error_code":
				cr.req.errorCode = true
			case "lock":
				cr.req.lock = true
			case "runtime_lock":
				cr.req.runtimeLock = true
			case "brand":
				cr.req.brand = true
			default:
				cr.req.kinds = append(cr.req.kinds, extract.LockKind(q))
			}
		}
		for j, p := range r.Patterns {
			ps = append(ps, match.Pattern{ID: len(s.pats), Literal: p.Literal, Regex: p.Regex, Word: p.Word})
			s.pats = append(s.pats, patRef{rule: int32(i), pat: int32(j)})
		}
	}
	for f := extract.Field(0); f < extract.NumFields; f++ {
		if used&(1<<f) != 0 {
			s.fields = append(s.fields, f)
		}
	}
	// Every field is in textnorm's matching form, which holds no
	// capitals: the matcher leaves out the strings that hold one.
	m, err := match.CompileFor(ps, textnorm.CanOccur)
	if err != nil {
		return nil, fmt.Errorf("compile rule patterns: %w", err)
	}
	s.matcher = m
	s.scratch.New = func() any {
		return &scratch{
			seen:  make([]bool, len(s.pats)),
			count: make([]int32, len(rs)),
			nev:   make([]int32, len(rs)),
			state: make([]uint8, len(rs)),
		}
	}
	return s, nil
}

// scratch is per-call working memory, pooled so Evaluate allocates only
// what it returns.
type scratch struct {
	hits    []match.Hit
	seen    []bool  // per pattern: matched in some field
	seenIDs []int32 // patterns whose seen is set
	count   []int32 // per rule: distinct patterns matched
	nev     []int32 // per rule: evidence kept
	state   []uint8 // per rule: stateFired, stateWaitBrand
	touched []int32 // rules with count > 0, in first-hit order
	ev      []ruleEvidence
}

const (
	stateNone uint8 = iota
	stateFired
	stateWaitBrand
)

type ruleEvidence struct {
	rule int32
	ev   Evidence
}

// bytesOf views s as bytes without copying; the matcher only reads it.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// evaluate runs the set; with ignoreRequires, rules fire on their patterns
// alone (for examples).
func (s *Set) evaluate(f *extract.Features, ignoreRequires bool) []Fired {
	sc := s.scratch.Get().(*scratch)
	defer s.release(sc)

	for _, fld := range s.fields {
		text := f.Fields[fld]
		if text == "" {
			continue
		}
		bit := uint32(1) << fld
		sc.hits = s.matcher.Find(bytesOf(text), sc.hits[:0])
		for _, h := range sc.hits {
			if h.ID < 0 || h.ID >= len(s.pats) || h.Start < 0 || h.Start > h.End || h.End > len(text) {
				continue // not ours; the matcher's tests hold it to its contract
			}
			ri := s.pats[h.ID].rule
			if s.crules[ri].fields&bit == 0 {
				continue
			}
			if !sc.seen[h.ID] {
				sc.seen[h.ID] = true
				sc.seenIDs = append(sc.seenIDs, int32(h.ID))
				if sc.count[ri] == 0 {
					sc.touched = append(sc.touched, ri)
				}
				sc.count[ri]++
			}
			if sc.nev[ri] < maxEvidence {
				sc.nev[ri]++
				sc.ev = append(sc.ev, ruleEvidence{rule: ri, ev: Evidence{
					Field: fld, Start: h.Start, End: h.End, Snippet: snippet(text, h.Start, h.End),
				}})
			}
		}
	}
	if len(sc.touched) == 0 {
		return nil
	}

	slices.Sort(sc.touched)
	nfired, nev, brand := 0, 0, false
	for _, ri := range sc.touched {
		cr := &s.crules[ri]
		if sc.count[ri] < cr.min {
			continue
		}
		if !ignoreRequires {
			if !cr.req.holds(f) {
				continue
			}
			if cr.req.brand {
				sc.state[ri] = stateWaitBrand
				continue
			}
		}
		sc.state[ri] = stateFired
		brand = brand || cr.isBrand
		nfired++
		nev += int(sc.nev[ri])
	}
	if brand {
		for _, ri := range sc.touched {
			if sc.state[ri] == stateWaitBrand {
				sc.state[ri] = stateFired
				nfired++
				nev += int(sc.nev[ri])
			}
		}
	}
	if nfired == 0 {
		return nil
	}

	out := make([]Fired, 0, nfired)
	evs := make([]Evidence, nev)
	off := 0
	for _, ri := range sc.touched {
		if sc.state[ri] != stateFired {
			continue
		}
		n := int(sc.nev[ri])
		out = append(out, Fired{Rule: s.rules[ri], Evidence: evs[off : off : off+n]})
		off += n
		sc.nev[ri] = int32(len(out) - 1) // reuse as the rule's index in out
	}
	for _, e := range sc.ev {
		if sc.state[e.rule] == stateFired {
			fr := &out[sc.nev[e.rule]]
			fr.Evidence = append(fr.Evidence, e.ev)
		}
	}
	return out
}

// release clears what evaluate touched and returns sc to the pool.
func (s *Set) release(sc *scratch) {
	for _, id := range sc.seenIDs {
		sc.seen[id] = false
	}
	for _, ri := range sc.touched {
		sc.count[ri], sc.nev[ri], sc.state[ri] = 0, 0, stateNone
	}
	sc.seenIDs, sc.touched, sc.ev = sc.seenIDs[:0], sc.touched[:0], sc.ev[:0]
	s.scratch.Put(sc)
}

// snippet returns text around [start, end), about snippetContext bytes
// either side.
func snippet(text string, start, end int) string {
	return textnorm.Snippet(text, start, end, snippetContext)
}
