package match

import (
	"regexp/syntax"
	"unicode/utf8"
)

// A regex whose language is a small finite set of strings, such as
// "geek ?squad" or "prendre rendez-vous|termin vereinbaren", needs no
// verifier: Compile turns it into literal groups, one per string, and its
// match is read off their first occurrences (litSet).
//
// Package regexp reports the leftmost match and, among the matches that
// start there, the one its backtracking order prefers. For a regex
// without assertions, repetition or case folding, every path through it
// spells one string, and finiteStrings lists them in that order: the
// branches of an alternation in turn, a greedy ? with its operand first, a
// concatenation's strings in the order of its parts' choices. So the match
// starts at the least first occurrence of any of the strings, and there it
// is the first string in the list that occurs: a string that occurs there
// has its first occurrence there, as none is earlier.

// maxSetStrings bounds the strings a regex may expand to.
const maxSetStrings = 64

// litSet is a regex matched as literal groups.
type litSet struct {
	groups []int32 // in package regexp's order of preference
	ids    span
}

// finiteStrings returns the strings that re, a simplified regex, matches,
// in package regexp's order of preference, or false when re can match
// anything else (repetition, any character, assertions, case folding),
// when the strings would be more than maxSetStrings, or when one is empty
// or holds U+FFFD (which package regexp also matches on invalid UTF-8).
func finiteStrings(re *syntax.Regexp) ([]string, bool) {
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

func containsRuneError(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError {
			return true
		}
	}
	return false
}
