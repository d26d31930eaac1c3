// Package match finds many patterns in a text in one pass.
//
// It knows pattern IDs, not rules: a Pattern is a literal or a regex with
// the caller's ID, and a Hit says where it first matched. It does not
// normalise text, rank hits or decide anything about them.
//
// # Semantics
//
// The fast Matcher and the Naive reference agree on these, and a fuzz test
// (FuzzMatcherAgreesWithNaive) holds them to it:
//
//   - Text is bytes. A literal is matched byte for byte: the caller
//     normalises (case folds, ...) both text and literals, so the matcher
//     itself is case-sensitive. Word boundaries are UTF-8 aware: a letter,
//     digit, combining mark or underscore on either side of a Word literal
//     disqualifies that occurrence (see word.go).
//   - A regex is RE2 syntax with Go regexp semantics on the whole text: ^,
//     $, \b and \B see the whole text (\b is ASCII), (?i) folds case as
//     package regexp does (k also matches the Kelvin sign), and invalid
//     UTF-8 reads as U+FFFD one byte at a time.
//   - For every pattern that occurs, exactly one Hit is reported: its
//     leftmost match. For a literal that is its first occurrence; with Word
//     set, the first occurrence bounded by non-word runes on both sides;
//     for a regex, what regexp.FindIndex reports on the whole text.
//   - Patterns are independent: overlapping matches of different patterns
//     are all reported, and patterns with the same content or ID are each
//     reported.
//   - Hits are ordered by Start, then End, then ID.
//
// # How the Matcher works
//
// Compile builds one Aho-Corasick automaton, a dense DFA over byte classes
// (with the strings' rarer tails, when the table would outgrow its budget
// or the 65,536 states of 16-bit entries, and below depth 20, left to a
// walk of the trie), holding every literal and, for every regex, a set of
// required literals ("atoms") found by walking its regexp/syntax tree:
// every match contains one of them at a place the regex fixes (atoms.go).
// A regex without a useful atom (such as \d+ or .*) is searched on the
// whole text on every Find. A regex that is an alternation at the top is
// split into its branches, and a branch (or a regex) that spells a few
// strings only ("geek ?squad", "(blocked|locked) for security reasons")
// becomes those strings as literals: the regex's match is the leftmost of
// its parts' matches, the first part's where several start there, as
// package regexp prefers them (union.go).
//
// The transition table is column-major with 16-bit states numbered by how
// likely text is to reach them (automaton.go): the states a scan visits
// most share the first cache lines of each byte class's column, so the
// hot part of a table of megabytes stays in the first-level cache. Past
// the few hundred likeliest, states are grouped by the byte their strings
// go on with, so that text inside a rule's words (as in a scam page, or
// an adversary's) reads entries that share cache lines too.
//
// Where each column starts is chosen too (columnStarts): the hot lines of
// the columns are spread over the first-level cache's sets, so that no set
// holds more of them than it has ways.
//
// Find runs the automaton once over the text, as eight interleaved
// streams over eight stretches of it (scan.go); on amd64 the stepping is
// an assembly kernel that keeps the eight states in registers, reads the
// text transposed (a step's eight bytes in one load), passes over reports
// already settled for their stream and records the others in a buffer
// without returning (scanblock_amd64.s); elsewhere, and with the purego
// build tag, the same steps run in Go (scanblock.go). A literal is settled at its first
// valid occurrence. An atom hit is first screened cheaply (can a match
// start where it must, does what the regex requires after the atom
// follow? for a regex that is an alternation at the top, by the branch
// the atom belongs to), and a regex is then verified only in windows
// around the hits that pass, windows that any earlier match would have to
// start in. The verifier tries the starts of a window leftmost first,
// reading the whole text for context, so the first match it finds is the
// leftmost one. A start is run through a lazy DFA of the regex's program
// (dfa.go): package regexp's Pike VM with its thread lists made states,
// built as searches ask for them into an arena the pooled finder keeps,
// a byte of ASCII text per table load. Where the DFA cannot tell (a
// non-ASCII byte, its states used up, or a window where it has read four
// times the window's bytes), the backtracker (backtrack.go) takes the
// start: it runs a compact copy of the program (no captures, a run of
// literal instructions as one, what a step reads in one record), takes
// such a run in one comparison and passes over the branches of an
// alternation that cannot go on with the next byte, and its memo, shared
// by the starts of a search, keeps the search linear; searches too large
// for the memo fall back to package regexp on the whole text.
//
// CompileFor builds a Matcher for text that holds only some runes, such as
// text in package textnorm's matching form, which holds no capitals: the
// literals and atoms with other runes cannot occur there and stay out of
// the automaton. A case-insensitive regex's atoms come in every mix of
// cases, and at 10,000 generated patterns (a twelfth of them (?i)) that
// is 116,111 automaton strings against 10,645.
//
// # Complexity
//
// Compile is linear in the total size of the patterns times the byte
// classes in use, plus package regexp's compilation of each regex. The
// automaton pass is linear in the text whatever the number of patterns,
// plus a report wherever a literal or atom ends. The windows of one regex
// do not overlap, and the backtracker visits each (position, instruction)
// of a window at most once, so verifying a regex is linear in the text
// times its program, as package regexp is. Find does not allocate when dst
// has room for the hits (its scratch space is pooled).
//
// # What bounds the speed
//
// The automaton pass is bound by first-level cache misses on the transition
// table, and those grow with the states that text visits, which the number
// of patterns does not decide. Matcher.Layout and Matcher.Footprint measure
// this without a clock, and make bench-match prints them for the rule set
// and each kind alone ("automaton"): on the text of the real corpus, the
// shipped rules' 441 literals alone make 4,459 states, and 90% of their
// steps read 6 KB of table (99%, 27 KB). Their 232 regexes alone make 6,570
// strings (atoms, and the parts of split regexes), mostly phrases
// multiplied out of alternations ("access to your ", "account being
// suspended"). The whole set's automaton has 40,139 states, and 90% of its
// steps read 34 KB (99%, 190 KB): more than the first-level cache holds.
// Ordinary words step into those phrases' prefixes (" the ", " and ",
// "ver", "auf"). In cachegrind's counts (make bench-match-cost
// BENCH_MATCH_COST_FLAGS="-set literals -input corpus", then -set regexes,
// then the whole rule set) the literals alone miss 0.033 times a byte and
// the whole set 0.178, for 17% more instructions. Numbering the states by
// how often real text visits them instead of by the byte model gains
// little: learned on half of the corpus's pages and measured on the other
// half, it read a fifth less table for 90% of the steps and scanned 4 to
// 8% faster, in scratch experiments that no command reproduces.
//
// Handling the reports is the rest of a scan's time. Matcher.Pass runs the
// automaton pass alone (every report counted, none handled), and the same
// section of make bench-match times it against Find in turns. On the corpus
// text the whole set's pass took about two thirds of its scan's time (0.59
// to 0.70) in every run on two hosts, so the reports take a third; the
// literals' pass took about nine tenths of theirs. On a 2 GHz Zen 1 host
// the whole set's pass ran at 819 to 961 MB/s, so its scan stayed under
// 1 GB/s there whatever the reports cost (547 to 657 MB/s). On a 3.6 GHz
// Zen 5 host (48 KB of first-level cache) the pass ran at 1,168 to 2,481
// MB/s and the scan at 772 to 1,621 MB/s; the spread is the host's, whose
// speed changed by up to half within minutes (Hyperscan's on the same set
// too, 212 to 314 MB/s).
//
// # Concurrency
//
// A Matcher is immutable after Compile and safe for concurrent use. Naive
// is too.
package match
