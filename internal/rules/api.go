package rules

import (
	"sync"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/match"
)

// Rule is one compiled rule.
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

	// Fields are the page texts the rule's patterns are matched against.
	Fields []extract.Field
	// Patterns in file order, a words list expanded into one literal each.
	Patterns  []Pattern
	Condition Condition
	// Requires are indicator conditions that must all hold for the rule
	// to fire (see Requirement).
	Requires []Requirement
	Examples Examples

	// File and Line locate the rule's definition.
	File string
	Line int
}

// Pattern is one pattern of a rule, in matching form.
type Pattern struct {
	// Literal is the literal after textnorm.Normalize; Regex the regular
	// expression with the letters of its literal text normalised. Exactly
	// one is set.
	Literal string
	Regex   string
	// Source is the pattern as written in the file.
	Source string
	Word   bool
	Line   int
}

// ConditionKind says how many of a rule's patterns must match.
type ConditionKind uint8

// The condition kinds.
const (
	Any     ConditionKind = iota // at least one pattern
	All                          // every pattern
	AtLeast                      // at least N distinct patterns
)

// Condition is a rule's condition over its distinct matched patterns.
type Condition struct {
	Kind ConditionKind
	N    int // for AtLeast
}

// min returns the number of distinct patterns the condition needs out of n.
func (c Condition) min(n int) int {
	switch c.Kind {
	case All:
		return n
	case AtLeast:
		return c.N
	}
	return 1
}

// Requirement names a page indicator a rule needs besides its patterns:
// "phone", "error_code", "lock", "runtime_lock", "brand" (another rule that
// names a brand fired) or a lock kind such as "fullscreen".
type Requirement string

// Examples are a rule's test texts.
type Examples struct {
	Match   []Example
	NoMatch []Example
}

// Example is one example text and the line it is written on.
type Example struct {
	Text string
	Line int
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
	scoring Scoring

	matcher *match.Matcher
	pats    []patRef        // match pattern ID -> (rule, pattern)
	crules  []compiledRule  // parallel to rules
	fields  []extract.Field // fields some rule reads, in Field order
	scratch sync.Pool       // *scratch
}

// Version identifies the rule set (a content hash of its files).
func (s *Set) Version() string { return s.version }

// Rules returns the rules in load order.
func (s *Set) Rules() []*Rule { return s.rules }

// Scoring returns the scoring configuration loaded with the rules.
func (s *Set) Scoring() Scoring { return s.scoring }

// Evaluate matches the set against a page's features and returns the rules
// that fired, in rule order.
func (s *Set) Evaluate(f *extract.Features) []Fired { return s.evaluate(f, false) }
