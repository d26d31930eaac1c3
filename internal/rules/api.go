package rules

import "github.com/scamscope/scamscope/internal/extract"

// Rule is one compiled rule. (Skeleton: the loader fills in the rest.)
type Rule struct {
	ID          string
	Title       string
	Description string
	Category    string
	Languages   []string
	Weight      int
	// Brand and Tool name the impersonated brand or the remote-access tool
	// a rule detects, for indicators; empty for other rules.
	Brand string
	Tool  string
}

// Evidence locates one match of a rule in a field's normalised text.
type Evidence struct {
	Field   extract.Field
	Start   int
	End     int
	Snippet string
}

// Fired is a rule that matched a page, with its evidence.
type Fired struct {
	Rule     *Rule
	Evidence []Evidence
}

// Set is a compiled, immutable rule set, safe for concurrent use.
type Set struct {
	rules   []*Rule
	version string
}

// Version identifies the rule set (a content hash of its files).
func (s *Set) Version() string { return s.version }

// Rules returns the rules in load order.
func (s *Set) Rules() []*Rule { return s.rules }

// Evaluate matches the set against a page's features and returns the rules
// that fired, in rule order.
func (s *Set) Evaluate(f *extract.Features) []Fired { return nil }

// Scoring is the scoring configuration decoded from scoring.yaml.
// (Skeleton: the loader fills it in.)
type Scoring struct{}

// Scoring returns the set's scoring configuration.
func (s *Set) Scoring() Scoring { return Scoring{} }
