package rules

import "github.com/scamscope/scamscope/internal/match"

// Patterns returns a copy of the patterns the set compiled into its
// matcher, with the same IDs, in ID order. It is for benchmarks and tools
// that run other engines on the same patterns; Evaluate does not use it.
func (s *Set) Patterns() []match.Pattern {
	ps := make([]match.Pattern, len(s.pats))
	for id, ref := range s.pats {
		p := s.rules[ref.rule].Patterns[ref.pat]
		ps[id] = match.Pattern{ID: id, Literal: p.Literal, Regex: p.Regex, Word: p.Word}
	}
	return ps
}
