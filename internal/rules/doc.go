// Package rules loads rule files and evaluates them against a page's
// features.
//
// A rule names a category of evidence (categories, their caps and the
// thresholds live in scoring.yaml beside the rules), a weight, the page
// fields it reads and its patterns: literals, word lists and RE2 regexes,
// all matched against text in textnorm's matching form (the loader puts
// literals, and the letters of regexes, through textnorm.Normalize). Load
// decodes the files strictly: unknown keys, wrong types, repeated ids,
// invalid regexes, unknown categories, fields or requirements, and rules
// without both a match and a no_match example are errors, and all of them
// are reported at once, each as "file:line: message". The format is
// documented in rules/README.md at the root of the module.
//
// Every pattern of every rule is compiled into one match.Matcher, for text
// in matching form (match.CompileFor with textnorm.CanOccur). Evaluate
// runs it once per field that some rule reads, maps each hit to its rule,
// keeps hits only in fields the rule reads, counts the distinct patterns a
// rule matched against its condition (any, all, at_least N), checks the
// rule's requires against the extracted indicators, and returns the rules
// that fired with their evidence (field, offsets and a snippet). A Set is
// immutable and safe for concurrent use; Evaluate allocates only what it
// returns.
//
// The package does not score: internal/score turns fired rules into a
// verdict using the Scoring that Load decodes.
package rules
