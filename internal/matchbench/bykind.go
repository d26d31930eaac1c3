package matchbench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/scamscope/scamscope/internal/match"
)

// Kind is a part of a rule set: its literals or its regexes.
type Kind struct {
	Name     string
	Patterns []match.Pattern
}

// ByKind splits ps into its literals and its regexes, in that order,
// leaving out a kind ps has none of.
func ByKind(ps []match.Pattern) []Kind {
	lits, res := splitKinds(ps)
	var out []Kind
	if len(lits) > 0 {
		out = append(out, Kind{"literals", lits})
	}
	if len(res) > 0 {
		out = append(out, Kind{"regexes", res})
	}
	return out
}

// splitKinds returns ps's literals and its regexes, each in ps's order.
func splitKinds(ps []match.Pattern) (lits, res []match.Pattern) {
	for _, p := range ps {
		if p.Regex == "" {
			lits = append(lits, p)
		} else {
			res = append(res, p)
		}
	}
	return lits, res
}

// ReferenceRegexes is how many regexes Reference keeps: the issue's
// Hyperscan reference figure is for 295 literals plus 15 regexes in one
// database.
const ReferenceRegexes = 15

// Reference returns a part of ps shaped like the Hyperscan
// reference: every literal, and ReferenceRegexes of the regexes, evenly
// spaced in ps's order (the first, and then every len/ReferenceRegexes-th),
// so that no choice of easy ones is made. It returns false when ps has no
// more regexes than that, and the part would be the whole.
func Reference(ps []match.Pattern) (Kind, bool) {
	lits, res := splitKinds(ps)
	if len(res) <= ReferenceRegexes {
		return Kind{}, false
	}
	out := lits
	for i := range ReferenceRegexes {
		out = append(out, res[i*len(res)/ReferenceRegexes])
	}
	return Kind{fmt.Sprintf("literals+%d", ReferenceRegexes), out}, true
}

// parts returns ps's kinds and, when ps has more regexes than it keeps,
// its Reference part.
func parts(ps []match.Pattern) []Kind {
	ks := ByKind(ps)
	if ref, ok := Reference(ps); ok {
		ks = append(ks, ref)
	}
	return ks
}

// only is an Engine's answers restricted to the IDs in keep.
type only struct {
	e    Engine
	keep map[int]bool
}

func (o only) Name() string { return o.e.Name() }

func (o only) Match(text []byte, dst []int) []int {
	return slices.DeleteFunc(o.e.Match(text, dst), func(id int) bool { return !o.keep[id] })
}

// runByKind writes the throughput on the corpus text of the rule set's
// literals alone, of its regexes alone and of its Reference part, each
// compiled as a rule set of its own, by the matcher and, in builds with it,
// by Hyperscan, the two timed in turns. It says where the full set's time
// goes, and how the matcher does on a set of the kind the Hyperscan
// figures were taken on (literals, and literals with a few regexes). Each
// part's matcher must report what the full set's (full) reports of that
// part's patterns; Hyperscan's differences are listed, not fatal. Then it
// writes the automata of the full set and of each part (writeLayout).
func runByKind(ctx context.Context, cfg Config, w io.Writer, full *Project, ps []match.Pattern, names []string, texts [][]byte) error {
	fmt.Fprintf(w, "\nby pattern kind: the rule set's literals alone, its regexes alone, and its literals with %d of its regexes (evenly spaced; the shape of the issue's Hyperscan reference),\n", ReferenceRegexes)
	fmt.Fprintln(w, "each compiled as a rule set of its own, on the corpus text")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tpatterns\tscamscope/match MB/s\thyperscan MB/s\tvs hyperscan\t")
	// The rule set's scan was timed with the other engines, not in turns
	// with its pass: the two take turns here.
	whole := MeasureTurns(cfg.Passes, Turn{full, texts}, Turn{automatonPass{full.m}, texts})
	layouts := []layoutRow{newLayoutRow("rule set", len(ps), full.m, texts, whole[0], whole[1])}
	for _, k := range parts(ps) {
		if err := ctx.Err(); err != nil {
			return err
		}
		proj, err := NewProject(k.Patterns)
		if err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		keep := make(map[int]bool, len(k.Patterns))
		for _, p := range k.Patterns {
			keep[p.ID] = true
		}
		if diffs, _ := Compare(names, texts, only{full, keep}, proj); len(diffs) > 0 {
			listDiffs(w, diffs, ps, cfg.ListDiffs)
			return fmt.Errorf("%w: the %s alone and the full rule set: %d pages", ErrDisagree, k.Name, len(diffs))
		}
		// The part's automaton pass alone takes its turns with the scan,
		// for the automaton table (newLayoutRow).
		turns := []Turn{{proj, texts}, {automatonPass{proj.m}, texts}}
		hs, refused, err := NewHyperscan(k.Patterns)
		switch {
		case err == nil:
			if diffs, _ := Compare(names, texts, proj, hs); len(diffs) > 0 || len(refused) > 0 {
				fmt.Fprintf(w, "%s: hyperscan differs on %d pages, refused %d patterns (not fatal)\n", k.Name, len(diffs), len(refused))
				listDiffs(w, diffs, ps, cfg.ListDiffs)
			}
			turns = append(turns, Turn{hs, texts})
		case HyperscanBuilt:
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		s := MeasureTurns(cfg.Passes, turns...)
		if hs != nil {
			hs.Close()
		}
		theirs := "-\t-"
		if len(s) > 2 {
			theirs = fmt.Sprintf("%s\t%.2fx", mbps(s[2].MBps()), s[0].MBps()/s[2].MBps())
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", k.Name, len(k.Patterns), mbps(s[0].MBps()), theirs)
		layouts = append(layouts, newLayoutRow(k.Name, len(k.Patterns), proj.m, texts, s[0], s[1]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeLayout(w, layouts)
}

// layoutRow is a matcher's automaton and how much of its table the corpus
// text's steps read (match.Footprint): the bytes of the most-read cache
// lines that serve 90% and 99% of the steps. With them, the matcher's
// scan of the text (Find) and its automaton pass alone (match.Pass), timed
// in turns (for a part, the same turns as its row by kind): what the pass
// costs before any report is handled, and so the most that handling
// reports faster could give.
type layoutRow struct {
	name       string
	patterns   int
	layout     match.Layout
	fp         match.Footprint
	scan, pass Speed
}

func newLayoutRow(name string, patterns int, m *match.Matcher, texts [][]byte, scan, pass Speed) layoutRow {
	return layoutRow{name, patterns, m.Layout(), m.Footprint(texts, 0.9, 0.99), scan, pass}
}

// automatonPass is a matcher's automaton pass alone (match.Matcher.Pass)
// as an Engine, for timing: it handles no report and finds no pattern.
type automatonPass struct{ m *match.Matcher }

func (automatonPass) Name() string { return "automaton pass" }

func (a automatonPass) Match(text []byte, dst []int) []int {
	a.m.Pass(text)
	return dst[:0]
}

// writeLayout writes the automata of rows. The scan is bound by
// first-level cache misses on its table, so these figures say, without a
// clock, why one set scans slower than another; the pass's time says how
// much of the scan that is.
func writeLayout(w io.Writer, rows []layoutRow) error {
	fmt.Fprintln(w, "\nautomaton: dense states and table of the rule set and of each kind alone, the table that the corpus text's steps read (most-read 64-byte lines first),")
	fmt.Fprintln(w, "and the matcher's scan against its automaton pass alone (every report counted, none handled), timed in turns")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tpatterns\tstrings\tstates\tclasses\ttable MB\tKB for 90% of steps\tKB for 99% of steps\tscan MB/s\tpass alone MB/s\tpass / scan time\t")
	for _, r := range rows {
		l := r.layout
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\t%.2f\t\n", r.name, r.patterns, l.Strings, l.States, l.Classes,
			float64(l.TableBytes)/1e6, float64(r.fp.For[0])/1024, float64(r.fp.For[1])/1024,
			mbps(r.scan.MBps()), mbps(r.pass.MBps()), r.scan.MBps()/r.pass.MBps())
	}
	return tw.Flush()
}
