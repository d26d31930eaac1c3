package matchbench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/scamscope/scamscope/internal/corpus"
	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// Config says what Run measures.
type Config struct {
	CorpusDir    string // folder with MANIFEST.tsv
	Passes       int    // timed passes of the matcher and Hyperscan (median reported)
	RegexpPasses int    // timed passes of the regexp baseline (it is slow)
	Scale        []int  // generated rule set sizes for the scale curve; none: no curve
	ScaleBytes   int    // scale curve input: the first pages' text up to this size; 0: all
	Seed         uint64 // for Generate
	ListDiffs    int    // disagreements listed per engine pair
	// PipelinePasses is the timed passes of the static pipeline and of
	// parsing alone; 0: not measured.
	PipelinePasses int
	// Rounds is the rounds in which the matcher and Hyperscan are timed on
	// the corpus with the whole rule set: at the start, after the
	// automaton section and after the pipeline's (more rounds: at the
	// end). The table gives the median of all their passes.
	Rounds int
}

// DefaultConfig is what the command runs without flags.
func DefaultConfig() Config {
	return Config{Passes: 9, RegexpPasses: 3, Scale: []int{100, 1000, 10000}, ScaleBytes: 4 << 20, Seed: 1, ListDiffs: 10, PipelinePasses: 5, Rounds: 3}
}

// Row is one line of a throughput table.
type Row struct {
	Name     string
	Patterns int
	Refused  int
	Built
	Speed
}

// Run loads the shipped rule set and the corpus, checks that the engines
// agree, and writes the throughput table and the scale curve to w. It
// returns an error wrapping ErrDisagree when the matcher and the regexp
// baseline differ on some page.
func Run(ctx context.Context, cfg Config, w io.Writer) error {
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	ps := set.Patterns()
	pages, err := LoadPages(cfg.CorpusDir, FieldsOf(set))
	if err != nil {
		return err
	}
	names := make([]string, len(pages))
	for i, p := range pages {
		names[i] = p.Path
	}
	texts, n := Texts(pages)
	fmt.Fprintf(w, "input: %d pages of %s, %.2f MB of text (fields %v); %d patterns; GOMAXPROCS=%d, %s\n\n",
		len(pages), cfg.CorpusDir, float64(n)/1e6, FieldsOf(set), len(ps), runtime.GOMAXPROCS(0), runtime.Version())

	proj, err := Build(func() (*Project, error) { return NewProject(ps) })
	if err != nil {
		return err
	}
	re, err := Build(func() (*Regexp, error) { return NewRegexp(ps) })
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	diffs, matches := Compare(names, texts, proj.Engine, re.Engine)
	fmt.Fprintf(w, "agreement %s vs %s: %d of %d pages differ (%d page-pattern matches)\n", proj.Engine.Name(), re.Engine.Name(), len(diffs), len(pages), matches)
	listDiffs(w, diffs, ps, len(diffs))
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s and %s differ on %d pages", ErrDisagree, proj.Engine.Name(), re.Engine.Name(), len(diffs))
	}
	rows := []Row{{Name: proj.Engine.Name(), Patterns: len(ps), Built: proj}, {Name: re.Engine.Name(), Patterns: len(ps), Built: re}}

	var refused []Refused
	hs, err := Build(func() (*Hyperscan, error) {
		h, r, err := NewHyperscan(ps)
		refused = r
		return h, err
	})
	switch {
	case err == nil:
		defer hs.Engine.(*Hyperscan).Close()
		for _, r := range refused {
			fmt.Fprintf(w, "hyperscan refused pattern %d %s: %s\n", r.ID, describe(ps, r.ID), r.Reason)
		}
		diffs, _ := Compare(names, texts, proj.Engine, hs.Engine)
		fmt.Fprintf(w, "agreement %s vs hyperscan: %d of %d pages differ (%d patterns refused; not fatal)\n", proj.Engine.Name(), len(diffs), len(pages), len(refused))
		listDiffs(w, diffs, ps, cfg.ListDiffs)
		rows = append(rows, Row{Name: hs.Engine.Name(), Patterns: len(ps) - len(refused), Refused: len(refused), Built: hs})
	case !HyperscanBuilt:
		fmt.Fprintln(w, "hyperscan: not in this build (go run -tags hyperscan; needs libhyperscan-dev)")
	default:
		return err
	}

	// The fast engines take turns (MeasureTurns), so that their ratio is
	// taken on one machine state: measured one after the other, minutes
	// apart with the regexp baseline between, they could fall in different
	// speeds of a shared host. The baseline is timed alone: it is slow.
	// The turns are taken in rounds spread over the run, and the table
	// gives the median of all their passes: on a shared host one slow
	// stretch, seconds long, can cover every pass of a round.
	var turns []Turn
	var turnRows []int
	for i := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rows[i].Name == re.Engine.Name() {
			rows[i].Speed = Measure(rows[i].Built.Engine, texts, cfg.RegexpPasses)
			continue
		}
		turns = append(turns, Turn{Engine: rows[i].Built.Engine, Texts: texts})
		turnRows = append(turnRows, i)
	}
	rounds := make([][]Speed, len(turns))
	round := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for k, s := range MeasureTurns(cfg.Passes, turns...) {
			rounds[k] = append(rounds[k], s)
		}
		return nil
	}
	if err := round(); err != nil {
		return err
	}
	if err := writeByLabel(ctx, w, rows, pages, cfg.Passes, re.Engine.Name()); err != nil {
		return err
	}
	if err := runByKind(ctx, cfg, w, proj.Engine.(*Project), ps, names, texts); err != nil {
		return err
	}
	// The first round was at the start; the second comes here when there
	// are three or more, and the rest after the pipeline's section.
	if cfg.Rounds > 2 {
		if err := round(); err != nil {
			return err
		}
	}
	if err := runAdversarial(ctx, cfg, w, proj.Engine, ps, texts, n); err != nil {
		return err
	}
	if cfg.PipelinePasses > 0 {
		sp, err := MeasurePipeline(ctx, set, pages, cfg.PipelinePasses)
		if err != nil {
			return err
		}
		writePipeline(w, sp)
	}
	for len(rounds[0]) < cfg.Rounds {
		if err := round(); err != nil {
			return err
		}
	}
	for k := range turns {
		rows[turnRows[k]].Speed = Pool(rounds[k]...)
	}
	writeRounds(w, rows, turnRows, rounds, cfg.Passes)
	WriteTable(w, rows)

	if len(cfg.Scale) == 0 {
		return nil
	}
	return runScale(ctx, cfg, w, texts)
}

// writeRounds writes the heading of the rule set's table on the corpus and
// each timed engine's median in each round.
func writeRounds(w io.Writer, rows []Row, turnRows []int, rounds [][]Speed, passes int) {
	fmt.Fprintf(w, "\nthe rule set on the corpus: the fast engines timed in turns in %d rounds spread over the run (%d passes each), the table giving the median of all their passes;\n", len(rounds[0]), max(passes, 1))
	engines := make([]string, len(turnRows))
	for k, i := range turnRows {
		medians := make([]string, len(rounds[k]))
		for j, r := range rounds[k] {
			medians[j] = mbps(r.MBps())
		}
		engines[k] = rows[i].Name + " " + strings.Join(medians, ", ")
	}
	fmt.Fprintf(w, "each round's median MB/s: %s\n\n", strings.Join(engines, "; "))
}

// runAdversarial writes the matcher's throughput on the Adversarial inputs
// against the corpus text, with the pathological regexes in the rule set,
// after checking that it agrees with the regexp baseline on them; and
// against the corpus scanned by rules, the rule set's own matcher, since
// the pathological regexes slow the corpus too (their one-byte atoms). When
// this build has Hyperscan, it writes Hyperscan's on the same inputs and
// rules beside it: how much an input slows the fastest engine there is
// says how hard the input is in itself.
func runAdversarial(ctx context.Context, cfg Config, w io.Writer, rules Engine, ps []match.Pattern, texts [][]byte, n int64) error {
	aps, inputs := AdversarialFor(ps, n, cfg.Seed)
	proj, err := NewProject(aps)
	if err != nil {
		return err
	}
	re, err := NewRegexp(aps)
	if err != nil {
		return err
	}
	hs, refused, err := NewHyperscan(aps)
	switch {
	case err == nil:
		defer hs.Close()
	case HyperscanBuilt:
		return fmt.Errorf("adversarial: %w", err)
	}
	fmt.Fprintf(w, "\nadversarial inputs: the rule set plus %d pathological regexes; each input's passes alternate with passes over the corpus text,\n", len(Pathological))
	fmt.Fprintln(w, "by the same matcher (vs corpus) and by the rule set's own (vs rules alone: adversarial input and rules against ordinary pages and rules)")
	if hs != nil && len(refused) > 0 {
		fmt.Fprintf(w, "hyperscan refused %d of the adversarial rule set's patterns\n", len(refused))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "input\tMB\tMB/s\tcorpus MB/s\tvs corpus\trules alone MB/s\tvs rules alone\thyperscan MB/s\tits corpus MB/s\tits vs corpus\t")
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		names := make([]string, len(in.Pages))
		for i := range names {
			names[i] = fmt.Sprintf("%s page %d", in.Name, i)
		}
		if diffs, _ := Compare(names, in.Pages, proj, re); len(diffs) > 0 {
			listDiffs(w, diffs, aps, cfg.ListDiffs)
			return fmt.Errorf("%w: %s: %d pages", ErrDisagree, in.Name, len(diffs))
		}
		s := MeasureTurns(cfg.Passes, Turn{proj, in.Pages}, Turn{proj, texts}, Turn{rules, texts})
		sp, ordinary, alone := s[0], s[1], s[2]
		theirs := "-\t-\t-"
		if hs != nil {
			if diffs, _ := Compare(names, in.Pages, proj, hs); len(diffs) > 0 {
				fmt.Fprintf(w, "%s: hyperscan differs on %d pages (not fatal)\n", in.Name, len(diffs))
				listDiffs(w, diffs, aps, cfg.ListDiffs)
			}
			hp, hc := MeasureAlternating(hs, in.Pages, texts, cfg.Passes)
			theirs = fmt.Sprintf("%s\t%s\t%.2fx", mbps(hp.MBps()), mbps(hc.MBps()), hp.MBps()/hc.MBps())
		}
		// vs corpus in three places, as the pipeline's ratio: its line is 0.5.
		fmt.Fprintf(tw, "%s\t%.2f\t%s\t%s\t%.3fx\t%s\t%.2fx\t%s\t\n", in.Name, float64(sp.Bytes)/1e6, mbps(sp.MBps()), mbps(ordinary.MBps()), sp.MBps()/ordinary.MBps(),
			mbps(alone.MBps()), sp.MBps()/alone.MBps(), theirs)
	}
	return tw.Flush()
}

// writeByLabel writes each engine's throughput (but the regexp
// baseline's) on the corpus's scam pages and on its other pages, the two
// timed in turns: a scam page is full of the rules' words and phrases,
// and every hit of a regex's atom is screened and verified, where the
// other pages pass through the automaton with few hits.
func writeByLabel(ctx context.Context, w io.Writer, rows []Row, pages []Page, passes int, skip string) error {
	var scam, other [][]byte
	var nScam, nOther int
	for _, p := range pages {
		if p.Label == corpus.Scam {
			scam, nScam = append(scam, p.Text), nScam+len(p.Text)
		} else {
			other, nOther = append(other, p.Text), nOther+len(p.Text)
		}
	}
	if len(scam) == 0 || len(other) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nby label: %d scam pages (%.2f MB of text), %d others (%.2f MB)\n", len(scam), float64(nScam)/1e6, len(other), float64(nOther)/1e6)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tscam pages MB/s\tother pages MB/s\tshare of the corpus's time on scam pages\t")
	for _, r := range rows {
		if r.Name == skip {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sp := MeasureTurns(passes, Turn{Engine: r.Built.Engine, Texts: scam}, Turn{Engine: r.Built.Engine, Texts: other})
		ts, to := float64(nScam)/sp[0].MBps(), float64(nOther)/sp[1].MBps()
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f%%\t\n", r.Name, sp[0].MBps(), sp[1].MBps(), 100*ts/(ts+to))
	}
	return tw.Flush()
}

// runScale writes the scale curve: generated rule sets of each size in
// cfg.Scale, on the first cfg.ScaleBytes of the corpus text, the matcher
// and Hyperscan (when built with it) timed in turns.
func runScale(ctx context.Context, cfg Config, w io.Writer, texts [][]byte) error {
	var sub [][]byte
	var n int
	for _, t := range texts {
		if cfg.ScaleBytes > 0 && n >= cfg.ScaleBytes {
			break
		}
		sub = append(sub, t)
		n += len(t)
	}
	names := make([]string, len(sub))
	for i := range names {
		names[i] = fmt.Sprintf("page %d", i)
	}
	vocab := Vocabulary(texts, 20000)
	fmt.Fprintf(w, "\nscale curve: generated patterns (literals and regexes; Latin with accents, Cyrillic, CJK, and corpus words), %.2f MB of corpus text\n\n", float64(n)/1e6)
	var rows []Row
	for _, size := range cfg.Scale {
		if err := ctx.Err(); err != nil {
			return err
		}
		ps := Generate(size, cfg.Seed, vocab)
		proj, err := Build(func() (*Project, error) { return NewProject(ps) })
		if err != nil {
			return fmt.Errorf("scale %d: %w", size, err)
		}
		var refused []Refused
		hs, err := Build(func() (*Hyperscan, error) {
			h, r, err := NewHyperscan(ps)
			refused = r
			return h, err
		})
		if err != nil {
			if HyperscanBuilt {
				return fmt.Errorf("scale %d: %w", size, err)
			}
			rows = append(rows, Row{Name: proj.Engine.Name(), Patterns: size, Built: proj, Speed: Measure(proj.Engine, sub, cfg.Passes)})
			continue
		}
		diffs, _ := Compare(names, sub, proj.Engine, hs.Engine)
		fmt.Fprintf(w, "%d patterns: hyperscan differs on %d of %d pages, refused %d\n", size, len(diffs), len(sub), len(refused))
		// In turns, as on the corpus: Hyperscan's compile of the larger
		// sets takes minutes, over which the host's speed may change.
		s := MeasureTurns(cfg.Passes, Turn{proj.Engine, sub}, Turn{hs.Engine, sub})
		rows = append(rows, Row{Name: proj.Engine.Name(), Patterns: size, Built: proj, Speed: s[0]},
			Row{Name: hs.Engine.Name(), Patterns: size - len(refused), Refused: len(refused), Built: hs, Speed: s[1]})
		hs.Engine.(*Hyperscan).Close()
	}
	WriteTable(w, rows)
	return nil
}

// WriteTable writes rows as a table, with each row's throughput relative
// to the Hyperscan and regexp rows with the same number of patterns, when
// there are such rows.
func WriteTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tpatterns\tMB/s\tvs hyperscan\tvs regexp\tcompile ms\theap MB\tnative MB\tallocs/MB\t")
	ratio := func(r Row, name string) string {
		for _, o := range rows {
			if o.Name == name && o.Patterns+o.Refused == r.Patterns+r.Refused && o.MBps() > 0 {
				return fmt.Sprintf("%.2fx", r.MBps()/o.MBps())
			}
		}
		return "-"
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t\n", r.Name, r.Patterns, mbps(r.MBps()),
			ratio(r, "hyperscan"), ratio(r, "regexp per pattern"), float64(r.Compile.Microseconds())/1e3,
			float64(r.HeapBytes)/1e6, float64(r.NativeBytes)/1e6, r.AllocsPerMB)
	}
	tw.Flush()
}

// mbps formats a throughput with three significant digits below 100.
func mbps(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.3f", v)
	case v < 100:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// listDiffs writes up to limit disagreements.
func listDiffs(w io.Writer, diffs []Disagreement, ps []match.Pattern, limit int) {
	for i, d := range diffs {
		if i == limit {
			fmt.Fprintf(w, "  ... and %d more pages\n", len(diffs)-limit)
			return
		}
		fmt.Fprintf(w, "  %s:", d.Page)
		for _, id := range d.Missing {
			fmt.Fprintf(w, " only-reference %d %s;", id, describe(ps, id))
		}
		for _, id := range d.Extra {
			fmt.Fprintf(w, " only-%s %d %s;", d.Engine, id, describe(ps, id))
		}
		fmt.Fprintln(w)
	}
}

// describe shows the pattern with ID id.
func describe(ps []match.Pattern, id int) string {
	for _, p := range ps {
		if p.ID == id {
			if p.Literal != "" {
				return fmt.Sprintf("literal %q (word %v)", p.Literal, p.Word)
			}
			return fmt.Sprintf("regex %q", p.Regex)
		}
	}
	return "?"
}
