package rules

import (
	"fmt"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/textnorm"
)

// TestExamples runs every rule's examples through the compiled set: each
// example, normalised, becomes the text of every field the rule reads (and
// only those), and the rule must fire for a match example and must not for
// a no_match example. Requires are not checked. It returns one *Error
// (matching ErrExample) per failed example, each naming its file and line.
func (s *Set) TestExamples() []error {
	var errs []error
	var f extract.Features
	for _, r := range s.rules {
		run := func(ex Example, want bool) {
			norm := textnorm.Normalize(ex.Text)
			for _, fld := range r.Fields {
				f.Fields[fld] = norm
			}
			got := false
			for _, fr := range s.evaluate(&f, true) {
				got = got || fr.Rule == r
			}
			for _, fld := range r.Fields {
				f.Fields[fld] = ""
			}
			if got != want {
				verb := "should match"
				if !want {
					verb = "should not match"
				}
				errs = append(errs, &Error{File: r.File, Line: ex.Line, Err: ErrExample,
					Msg: fmt.Sprintf("rule %s: example %q %s", r.ID, ex.Text, verb)})
			}
		}
		for _, ex := range r.Examples.Match {
			run(ex, true)
		}
		for _, ex := range r.Examples.NoMatch {
			run(ex, false)
		}
	}
	return errs
}
