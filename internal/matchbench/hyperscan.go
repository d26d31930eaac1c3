//go:build hyperscan

package matchbench

import (
	"errors"
	"fmt"
	"slices"

	"github.com/flier/gohs/hyperscan"
	"github.com/scamscope/scamscope/internal/match"
)

// HyperscanBuilt reports whether this build has the Hyperscan engine.
const HyperscanBuilt = true

// Hyperscan is one Hyperscan block database with every pattern it accepts,
// each reported at most once per scan (HS_FLAG_SINGLEMATCH): which patterns
// match, not where.
type Hyperscan struct {
	db      hyperscan.BlockDatabase
	scratch *hyperscan.Scratch
	ids     []int // Hyperscan ID (index in the ps given) -> pattern ID
	found   []int
	handler hyperscan.MatchHandler
	native  int64
}

// Refused is a pattern Hyperscan would not compile.
type Refused struct {
	ID     int
	Reason string
}

// NewHyperscan compiles ps into one database, in UTF-8 mode. A pattern
// Hyperscan refuses is retried with Unicode properties, then left out and
// returned in refused.
func NewHyperscan(ps []match.Pattern) (h *Hyperscan, refused []Refused, err error) {
	const base = hyperscan.Utf8Mode | hyperscan.SingleMatch | hyperscan.AllowEmpty
	h = &Hyperscan{ids: make([]int, len(ps))}
	var hps []*hyperscan.Pattern
	for i, p := range ps {
		h.ids[i] = p.ID
		hps = append(hps, &hyperscan.Pattern{Expression: PatternRegex(p), Flags: base, Id: i})
	}
	for {
		if len(hps) == 0 {
			return nil, refused, fmt.Errorf("hyperscan: %w: every pattern refused", ErrNoInput)
		}
		h.db, err = hyperscan.NewBlockDatabase(hps...)
		if err == nil {
			break
		}
		var ce *hyperscan.CompileError
		if !errors.As(err, &ce) || ce.Expression < 0 || ce.Expression >= len(hps) {
			return nil, refused, fmt.Errorf("hyperscan: compile: %w", err)
		}
		bad := hps[ce.Expression]
		if bad.Flags&hyperscan.UnicodeProperty == 0 {
			bad.Flags |= hyperscan.UnicodeProperty
			continue
		}
		refused = append(refused, Refused{ID: h.ids[bad.Id], Reason: ce.Message})
		hps = slices.Delete(hps, ce.Expression, ce.Expression+1)
	}
	h.scratch, err = hyperscan.NewScratch(h.db)
	if err != nil {
		h.db.Close()
		return nil, refused, fmt.Errorf("hyperscan: scratch: %w", err)
	}
	dbSize, _ := h.db.Size()
	scSize, _ := h.scratch.Size()
	h.native = int64(dbSize + scSize)
	h.handler = func(id uint, _, _ uint64, _ uint, _ any) error {
		h.found = append(h.found, h.ids[id])
		return nil
	}
	return h, refused, nil
}

// Name implements Engine.
func (h *Hyperscan) Name() string { return "hyperscan" }

// NativeBytes is the size of the database and the scratch space.
func (h *Hyperscan) NativeBytes() int64 { return h.native }

// Match implements Engine.
func (h *Hyperscan) Match(text []byte, dst []int) []int {
	h.found = dst[:0]
	if len(text) > 0 {
		// Scan fails only on a bad database or scratch, which
		// NewHyperscan does not return.
		_ = h.db.Scan(text, h.scratch, h.handler, nil)
	}
	dst, h.found = h.found, nil
	slices.Sort(dst)
	return slices.Compact(dst)
}

// Close frees the database and the scratch space.
func (h *Hyperscan) Close() error {
	return errors.Join(h.scratch.Free(), h.db.Close())
}
