//go:build !hyperscan

package matchbench

import "github.com/scamscope/scamscope/internal/match"

// HyperscanBuilt reports whether this build has the Hyperscan engine.
const HyperscanBuilt = false

// Hyperscan stands in for the Hyperscan engine in builds without the
// hyperscan tag: NewHyperscan always fails with ErrNoHyperscan.
type Hyperscan struct{}

// Refused is a pattern Hyperscan would not compile.
type Refused struct {
	ID     int
	Reason string
}

// NewHyperscan returns ErrNoHyperscan: build with -tags hyperscan.
func NewHyperscan([]match.Pattern) (*Hyperscan, []Refused, error) { return nil, nil, ErrNoHyperscan }

// Name implements Engine.
func (*Hyperscan) Name() string { return "hyperscan" }

// Match implements Engine.
func (*Hyperscan) Match(_ []byte, dst []int) []int { return dst[:0] }

// Close does nothing.
func (*Hyperscan) Close() error { return nil }
