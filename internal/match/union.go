package match

import (
	"regexp/syntax"
	"unicode/utf8"
)

// A regex that is an alternation at the top, such as "öffnungszeiten|
// horaires d.ouverture", or whose language is a few strings only, such as
// "geek ?squad", is compiled as a union of parts: its branches, each a
// regex of its own, or, for a branch that spells at most maxSetStrings
// strings, those strings as literal groups. A literal needs no verifier
// and is settled at its first occurrence; a branch regex verifies with its
// own smaller program, and a hit of one branch's atom no longer searches
// the others.
//
// Package regexp reports the leftmost match and, among the matches that
// start there, the one its backtracking order prefers: of an alternation,
// the first branch that matches there. So the union's match is the
// leftmost of its parts' matches, and among those that start there, the
// first part's. For a part that is a literal, its match is its first
// occurrence. The strings of a branch without assertions, repetition or
// case folding are its paths, and finiteStrings lists them in package
// regexp's order: the branches of an alternation in turn, a greedy ? with
// its operand first, a concatenation's strings in the order of its parts'
// choices.

// maxSetStrings bounds the strings a branch may expand to.
const maxSetStrings = 64

// union is a regex matched as its parts.
type union struct {
	parts []part // in package regexp's order of preference
	ids   span
}

// part is a literal group or a branch regex (the other is none).
type part struct{ group, re int32 }

// unionRef names a union and the place of a part in it.
type unionRef struct{ union, part int32 }

// unionMatch is the best match of a union's parts so far in a Find.
type unionMatch struct {
	part       int32
	start, end int
}

// topBranches returns the branches of re, a simplified regex, if it is an
// alternation at the top (inside captures), or else re alone.
func topBranches(re *syntax.Regexp) []*syntax.Regexp {
	top := re
	for top.Op == syntax.OpCapture {
		top = top.Sub[0]
	}
	if top.Op == syntax.OpAlternate {
		return top.Sub
	}
	return []*syntax.Regexp{re}
}

// finiteStrings returns the strings that re, a simplified regex, matches,
// in package regexp's order of preference, or false when re can match
// anything else (repetition, any character, assertions, case folding),
// when the strings would be more than maxSetStrings, or when one is empty
// or holds U+FFFD (which package regexp also matches on invalid UTF-8).
func finiteStrings(re *syntax.Regexp) ([]string, bool) {
	if countStrings(re) < 0 {
		return nil, false // without building the strings of its parts
	}
	ss, ok := expand(re)
	if !ok {
		return nil, false
	}
	for _, s := range ss {
		if s == "" || containsRuneError(s) {
			return nil, false
		}
	}
	return ss, true
}

func expand(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var ss []string
		for i := 0; i < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if int(hi-lo)+1+len(ss) > maxSetStrings {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				ss = append(ss, string(r))
			}
		}
		return ss, len(ss) > 0
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpQuest:
		ss, ok := expand(re.Sub[0])
		if !ok || len(ss)+1 > maxSetStrings {
			return nil, false
		}
		if re.Flags&syntax.NonGreedy != 0 {
			return append([]string{""}, ss...), true
		}
		return append(ss, ""), true
	case syntax.OpAlternate:
		var ss []string
		for _, sub := range re.Sub {
			s, ok := expand(sub)
			if !ok || len(ss)+len(s) > maxSetStrings {
				return nil, false
			}
			ss = append(ss, s...)
		}
		return ss, true
	case syntax.OpConcat:
		ss := []string{""}
		for _, sub := range re.Sub {
			s, ok := expand(sub)
			if !ok || len(ss)*len(s) > maxSetStrings {
				return nil, false
			}
			next := make([]string, 0, len(ss)*len(s))
			for _, a := range ss {
				for _, b := range s {
					next = append(next, a+b)
				}
			}
			ss = next
		}
		return ss, true
	}
	return nil, false
}

// countStrings returns how many strings expand would list for re, or -1
// if it would fail.
func countStrings(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return 1
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return -1
		}
		return 1
	case syntax.OpCharClass:
		n := 0
		for i := 0; i < len(re.Rune); i += 2 {
			if n += int(re.Rune[i+1]-re.Rune[i]) + 1; n > maxSetStrings {
				return -1
			}
		}
		return n
	case syntax.OpCapture:
		return countStrings(re.Sub[0])
	case syntax.OpQuest:
		if n := countStrings(re.Sub[0]); n >= 0 && n+1 <= maxSetStrings {
			return n + 1
		}
		return -1
	case syntax.OpAlternate, syntax.OpConcat:
		n := 0
		if re.Op == syntax.OpConcat {
			n = 1
		}
		for _, sub := range re.Sub {
			k := countStrings(sub)
			if k < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n *= k
			} else {
				n += k
			}
			if n > maxSetStrings {
				return -1
			}
		}
		return n
	}
	return -1
}

func containsRuneError(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError {
			return true
		}
	}
	return false
}
