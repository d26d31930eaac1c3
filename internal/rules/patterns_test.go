package rules_test

import (
	"slices"
	"testing"

	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/textnorm"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// TestPatternsAreTheRules checks that Patterns lists every rule pattern once,
// in rule then file order, with dense IDs.
func TestPatternsAreTheRules(t *testing.T) {
	s, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Patterns()
	var want []match.Pattern
	for _, r := range s.Rules() {
		for _, p := range r.Patterns {
			want = append(want, match.Pattern{ID: len(want), Literal: p.Literal, Regex: p.Regex, Word: p.Word})
		}
	}
	if !slices.Equal(ps, want) {
		t.Fatalf("Patterns() has %d patterns, want %d in rule order", len(ps), len(want))
	}
	ps[0].ID = -1 // a copy: the set must not change
	if got := s.Patterns()[0].ID; got != 0 {
		t.Errorf("Patterns()[0].ID after the caller changed its copy = %d, want 0", got)
	}
}

// TestPatternsMatchLikeEvaluate checks that a matcher compiled from
// Patterns fires the rules Evaluate fires on a page.
func TestPatternsMatchLikeEvaluate(t *testing.T) {
	s, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Patterns()
	m, err := match.Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	owner := make([]*rules.Rule, 0, len(ps))
	for _, r := range s.Rules() {
		for range r.Patterns {
			owner = append(owner, r)
		}
	}
	for _, r := range s.Rules() {
		for _, ex := range r.Examples.Match {
			text := textnorm.Normalize(ex.Text)
			hit := false
			for _, h := range m.Find([]byte(text), nil) {
				hit = hit || owner[h.ID] == r
			}
			if !hit {
				t.Errorf("rule %s: no pattern of Patterns() matches its example %q", r.ID, ex.Text)
			}
		}
	}
}
