package rules

import (
	"fmt"
	"regexp/syntax"
	"unicode"
)

// Lint returns warnings about rules that load but are probably not what
// their author meant, each as "file:line: rule ID: message": a regex with
// upper-case letters (page text is case-folded, so they are folded at load
// and the source misleads), a literal shorter than 4 bytes without word
// boundaries (it matches inside other words), a literal repeated within a
// rule, and a rule of weight 0 (it can never change a score).
func (s *Set) Lint() []string {
	var out []string
	warn := func(r *Rule, line int, format string, args ...any) {
		out = append(out, fmt.Sprintf("%s:%d: rule %s: %s", r.File, line, r.ID, fmt.Sprintf(format, args...)))
	}
	for _, r := range s.rules {
		if r.Weight == 0 {
			warn(r, r.Line, "weight 0: the rule cannot change a score")
		}
		seen := map[string]int{}
		for _, p := range r.Patterns {
			if p.Regex != "" {
				if hasUpper(p.Source) {
					warn(r, p.Line, "regex %q has upper-case letters; page text is case-folded, write them in lower case", p.Source)
				}
				continue
			}
			if len(p.Literal) < 4 && !p.Word {
				warn(r, p.Line, "literal %q is shorter than 4 bytes and has no word: true; it will match inside other words", p.Source)
			}
			if first, dup := seen[p.Literal]; dup {
				warn(r, p.Line, "literal %q repeats line %d (after normalisation)", p.Source, first)
				continue
			}
			seen[p.Literal] = p.Line
		}
	}
	return out
}

// inClass reports whether r is in the class ranges rs.
func inClass(rs []rune, r rune) bool {
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] <= r && r <= rs[i+1] {
			return true
		}
	}
	return false
}

// hasUpper reports whether a regex has an upper-case letter in its literal
// text or in a class of letters (escapes such as \S or \PL do not count).
func hasUpper(src string) bool {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(*syntax.Regexp) bool
	walk = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpLiteral:
			for _, r := range re.Rune {
				if unicode.IsUpper(r) {
					return true
				}
			}
		case syntax.OpCharClass:
			for i := 0; i+1 < len(re.Rune); i += 2 {
				lo, hi := re.Rune[i], re.Rune[i+1]
				if unicode.IsUpper(lo) && unicode.IsUpper(hi) && hi-lo < 26 && !inClass(re.Rune, unicode.ToLower(lo)) {
					return true
				}
			}
		}
		for _, s := range re.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(re)
}
