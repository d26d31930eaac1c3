// Package matchbench measures the multi-pattern matcher against other
// engines on the same input and the same patterns.
//
// The input is the page text of a labelled corpus: every page is run
// through extract.Extract and the normalised fields the rule set reads are
// joined, one text per page. The patterns are the rule set's, as compiled
// into its matcher (rules.Set.Patterns), or generated ones for the scale
// curve (Generate).
//
// Engines answer one question: which pattern IDs occur in a text. The
// project's match.Matcher (compiled as package rules compiles it, for
// text in textnorm's matching form), one package regexp per pattern (the
// baseline), and, when built with the hyperscan tag, one Hyperscan database with every
// pattern (github.com/flier/gohs). Before it reports any speed, Run checks
// that the engines agree page by page: a difference between the matcher and
// the regexp baseline is an error, Hyperscan's differences (its \b, case
// folding and anchors are not Go's) are counted and listed.
//
// Run also splits each engine's corpus throughput by label, scam pages
// against the others, timed in turns: the scam pages are full of the
// rules' words, and every hit there is screened and verified. It then
// splits the rule set by kind (ByKind): its literals alone and its regexes
// alone, and its literals with 15 of its regexes (Reference: the shape of
// the Hyperscan reference figure, 295 literals and 15 regexes),
// each compiled as a set of its own and checked against the full set's
// answers, by the matcher and Hyperscan in turns, which says where the
// full set's time goes. For the whole set and each kind it also writes
// the matcher's automaton (match.Matcher.Layout) and how much of its table
// the corpus text's steps read (match.Matcher.Footprint): the scan is
// bound by first-level cache misses on that table, and these figures, which
// no load on the host changes, say why one set scans slower than another.
// Beside them it times the matcher's scan against its automaton pass alone
// (match.Matcher.Pass: every report counted, none handled), in turns: what
// the pass costs, and what handling the reports adds to it.
//
// Adversarial builds inputs meant to be slow (near-misses of the rules'
// literals and regex words, the regex words shuffled, long runs for a few
// pathological regexes added to the rules); Run reports the matcher's
// throughput on each against the corpus text, after checking it against
// the regexp baseline on them too, and Hyperscan's beside it when the
// build has it: how far an input slows the fastest engine there is says
// how hard the input is in itself. Each input's timed passes take turns
// (MeasureTurns) with passes over the corpus text by the same matcher and
// by the rule set's own (the pathological regexes slow the corpus too),
// each after an untimed pass of its own, so that the ratios are taken on
// the same machine state.
//
// MeasurePipeline times the static pipeline (scan.ScanContent on each
// page's HTML, without the network) against parsing alone with
// golang.org/x/net/html, the floor under any pipeline that reads the DOM,
// alternating the two pass by pass; their ratio is the median of the
// passes' ratios, each taken over a pipeline pass and the parsing pass
// right after it.
//
// Throughput is the median of several timed passes over the whole input in
// one goroutine. A pass that would take under 50 ms goes over its input as
// many times as make it last that long, so that one slow burst of a shared
// host cannot fill every pass. The matcher's and Hyperscan's passes take
// turns wherever the two are compared (the corpus, the splits by label and
// by kind, the scale curve), as the adversarial inputs' with the corpus's
// do. On the corpus with the whole rule set, the figure the targets
// are read from, they take their turns in rounds spread over the run (at
// its start, after the automaton section, after the pipeline's; Pool), and
// the table gives the median of all the rounds' passes beside each round's
// own: on a shared host a slow stretch can last longer than a round. Run
// the command with GOMAXPROCS=1 (as make bench-match does) for one core.
// On a shared host timings drift with the load, so command matchcost (make
// bench-match-cost) also counts the matcher under cachegrind:
// ParseCachegrind reads the counts, CacheCounts.Cost weighs them. The
// package does not tune or change the matcher; it only measures it.
package matchbench
