package rulefiles_test

import (
	"testing"

	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// TestRules loads the embedded rule files and runs every rule's examples;
// it is what `go test ./rules/` checks before a rule change lands.
func TestRules(t *testing.T) {
	s, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatalf("Load:\n%v", err)
	}
	for _, e := range s.TestExamples() {
		t.Error(e)
	}
	for _, w := range s.Lint() {
		t.Errorf("lint: %s", w)
	}
	t.Logf("%d rules, version %s", len(s.Rules()), s.Version())
}

// TestRuleCoverage checks that the rule set keeps covering every category
// and the languages the service claims.
func TestRuleCoverage(t *testing.T) {
	s, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]int{}
	langs := map[string]int{}
	for _, r := range s.Rules() {
		cats[r.Category]++
		for _, l := range r.Languages {
			langs[l]++
		}
	}
	sc := s.Scoring()
	for _, ind := range sc.Indicators {
		cats[ind.Category]++
	}
	for _, c := range sc.Categories {
		if cats[c.Name] == 0 {
			t.Errorf("category %s has no rules and no indicators", c.Name)
		}
	}
	for _, l := range []string{"en", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "ja", "zh", "ko"} {
		if langs[l]+langs["any"] == 0 {
			t.Errorf("language %s has no rules", l)
		}
	}
}
