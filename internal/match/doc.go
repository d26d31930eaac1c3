// Package match finds many patterns in a text in one pass.
//
// It knows pattern IDs, not rules: a Pattern is a literal or a regex with
// the caller's ID, and a Hit says where it matched. It does not normalise
// text, rank hits or decide anything about them.
//
// # Semantics
//
// The fast Matcher and the Naive reference agree on these, and a fuzz test
// (FuzzMatcherAgreesWithNaive) holds them to it:
//
//   - A literal is matched byte for byte. Text is bytes: the caller
//     normalises (case folds, NFC, ...) both text and literals, so the
//     matcher itself is case-sensitive and does not decode Unicode, except
//     for Word, whose boundaries are UTF-8 aware (a letter, digit, combining
//     mark or underscore on either side is not a boundary; see word.go).
//   - A regex is RE2 syntax with Go regexp semantics on the whole text: ^, $,
//     \b and \B see the whole text, \b is ASCII, (?i) folds case as package
//     regexp does (k also matches the Kelvin sign), and invalid UTF-8 reads
//     as U+FFFD one byte at a time.
//   - For every pattern that occurs, exactly one Hit is reported: its
//     leftmost match (for a literal, its first occurrence; with Word set,
//     the first occurrence bounded by non-word runes on both sides; for a
//     regex, what regexp.FindIndex reports on the whole text).
//   - Patterns are independent: overlapping matches of different patterns
//     are all reported, and patterns with the same content or ID are each
//     reported.
//   - Hits are ordered by Start, then End, then ID.
//
// # How the Matcher works
//
// Compile builds one Aho-Corasick automaton, a dense DFA over byte classes,
// holding every literal and, for every regex, a set of required literals
// ("atoms") found by walking its regexp/syntax tree: every match contains
// one of them at a place the regex fixes. Case-folded literals are
// expanded into their case variants. A regex with no useful atom (such as
// \d+ or .*) is searched on the whole text on every Find.
//
// Find runs the automaton once over the text, as four interleaved streams
// over four stretches of it. A literal is settled at its first valid
// occurrence. A regex is verified only around its atoms' occurrences, in
// windows that every earlier match would have to start in (the bounds come
// from the syntax tree: how far the atom lies from the match start, and
// which bytes can occur before it), by a backtracker that reads the whole
// text for context, so the first match found is the leftmost one. Searches
// too large for the backtracker's memo fall back to package regexp on the
// whole text.
//
// # Complexity
//
// Compile is linear in the total size of the patterns, times the byte
// classes in use, plus package regexp's compilation of each regex. The
// automaton pass is linear in the text, independent of the number of
// patterns (plus the reports at positions where a pattern or atom ends).
// Verifying a regex is linear in the size of its windows times its
// program, and the windows of one regex do not overlap, so it is at worst
// linear in the text per regex, as package regexp is. Find does not
// allocate when dst has room for the hits.
//
// # Concurrency
//
// A Matcher is immutable after Compile and safe for concurrent use; each
// Find takes its scratch space from a pool. Naive is safe for concurrent
// use as well.
package match
