package rules

import (
	"errors"
	"regexp"
	"testing"
)

// errLocRE is the form every load error must take: a file and a line.
var errLocRE = regexp.MustCompile(`^(fuzz|scoring)\.yaml:[0-9]+: `)

// FuzzLoad feeds arbitrary bytes as a rule file: Load must never panic,
// every error it reports must name the file and a line, and a set that
// loads must evaluate its own examples without panicking.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(validRule))
	f.Add([]byte(evalRules))
	f.Add([]byte(""))
	f.Add([]byte("rules: []\n"))
	f.Add([]byte("rules:\n  - id: x\n    title: x: y\n"))
	f.Add([]byte("rules:\n  - &a {id: x}\n  - *a\n"))
	f.Add([]byte("rules:\n  - id: x\n    condition: {at_least: -1}\n    patterns: [{regex: '\\\\'}]\n"))
	f.Add([]byte("---\nrules: []\n---\nrules: []\n"))
	f.Add([]byte("rules:\n  - {id: x, title: t, category: alarm, languages: [any], weight: 1, patterns: [{words: [é, ß]}], examples: {match: [ß], no_match: [s]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "fuzz.yaml": string(data)}))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load error %q does not match ErrInvalid", err)
			}
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if !errLocRE.MatchString(e.Error()) {
					t.Errorf("Load error %q lacks file:line", e)
				}
			}
			return
		}
		for _, e := range s.TestExamples() {
			if !errLocRE.MatchString(e.Error()) {
				t.Errorf("TestExamples error %q lacks file:line", e)
			}
		}
		s.Lint()
	})
}
