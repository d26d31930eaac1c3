// Package match finds many patterns in a text in one pass.
//
// It knows pattern IDs, not rules. Semantics (the fast Matcher and the Naive
// reference agree on them, and a fuzz test holds them to it):
//
//   - A literal is matched byte for byte; the caller normalises (case folds)
//     both text and literals, so the matcher itself is case-sensitive.
//   - A regex is RE2 syntax with Go regexp semantics on the whole text.
//   - For every pattern that occurs, exactly one Hit is reported: its
//     leftmost match (for a literal with Word set, the leftmost occurrence
//     bounded by non-word runes on both sides; for a regex, what
//     regexp.FindIndex reports on the whole text).
//   - Hits are ordered by Start, then End, then ID.
package match
