// Command matchcost measures the project's matcher on the corpus text and
// on the adversarial inputs (see package matchbench) by cachegrind's counts
// instead of a clock: instructions and simulated cache misses, weighed by
// matchbench.CacheCounts.Cost. The counts do not move with the machine's
// load, so it tells two builds apart where timings on a shared host
// cannot: runs agree to about 1% on the corpus and the costlier inputs,
// 5-10% on the cheap pathological runs. Across inputs its ratios are only
// a guide (see CacheCounts.Cost). It needs valgrind (apt-get install
// valgrind); make bench-match-cost runs it:
//
//	go build -o bin/matchcost ./internal/matchbench/cmd/matchcost && bin/matchcost -corpus ../shared/corpus
//
// -set literals and -set regexes count the rule set's two kinds alone, as
// make bench-match splits it by kind, and -input counts one input only:
//
//	bin/matchcost -set literals -input corpus
//
// For each input it writes the patterns and the text to a file and runs
// itself under cachegrind on it twice, with passes+1 passes of the matcher
// and with one, and reports the difference per byte, so that reading and
// compiling fall out.
package main

import (
	"context"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/matchbench"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/textnorm"
	rulefiles "github.com/scamscope/scamscope/rules"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "matchcost:", err)
		os.Exit(1)
	}
}

// corpusInput names the corpus text among the inputs.
const corpusInput = "corpus"

type config struct {
	dir      string
	passes   int
	minBytes int64  // bytes each input's counted passes scan at least
	set      string // "rules", "adversarial", "literals" or "regexes"
	valgrind string
	only     string // the one input to count, or "" for all
	// runFile, when set, makes this process the measured one: it scans
	// the input written to runFile runPasses times and exits.
	runFile   string
	runPasses int
}

func run(ctx context.Context, args []string, w io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("matchcost", flag.ContinueOnError)
	fs.StringVar(&cfg.dir, "corpus", "", "corpus folder with MANIFEST.tsv (default: ../shared/corpus when present, else corpus)")
	fs.IntVar(&cfg.passes, "passes", 2, "passes of the matcher over each input counted (after one that is subtracted), at least")
	minMB := fs.Float64("min-mb", 4, "MB that each input's counted passes scan at least: the compile's count varies by a little from run to run (map order), and the passes must outweigh that")
	fs.StringVar(&cfg.set, "set", "rules", `patterns: "rules" (the shipped rule set), "adversarial" (with the pathological regexes), or the rule set's "literals" or "regexes" alone (as make bench-match splits it by kind)`)
	fs.StringVar(&cfg.valgrind, "valgrind", "valgrind", "the valgrind command")
	fs.StringVar(&cfg.only, "input", "", `count this input only ("corpus", or an adversarial input's name such as "regex words shuffled")`)
	fs.StringVar(&cfg.runFile, "run-file", "", "internal: scan the input in this file under cachegrind")
	fs.IntVar(&cfg.runPasses, "run-passes", 0, "internal: passes for -run-file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch cfg.set {
	case "rules", "adversarial", "literals", "regexes":
	default:
		return fmt.Errorf(`-set %q: want "rules", "adversarial", "literals" or "regexes"`, cfg.set)
	}
	if cfg.passes < 1 {
		return fmt.Errorf("-passes %d: want at least 1", cfg.passes)
	}
	cfg.minBytes = int64(*minMB * 1e6)
	if cfg.runFile != "" {
		return scan(cfg.runFile, cfg.runPasses)
	}
	if cfg.dir == "" {
		cfg.dir = matchbench.DefaultCorpusDir()
	}
	if _, err := exec.LookPath(cfg.valgrind); err != nil {
		return fmt.Errorf("%w (apt-get install valgrind)", err)
	}
	ps, inputs, err := load(cfg)
	if err != nil {
		return err
	}
	if cfg.only != "" {
		inputs = slices.DeleteFunc(inputs, func(in input) bool { return in.name != cfg.only })
		if len(inputs) == 0 {
			return fmt.Errorf("-input %q: no such input (corpus, or an adversarial input's name)", cfg.only)
		}
	}
	return measure(ctx, cfg, ps, inputs, w)
}

type input struct {
	name  string
	texts [][]byte
	bytes int64
}

// job is what the measured process reads: the patterns and one input.
type job struct {
	Patterns []match.Pattern
	Texts    [][]byte
}

// load returns the patterns of cfg.set and the inputs: the corpus text,
// then matchbench.Adversarial's, as make bench-match builds them.
func load(cfg config) ([]match.Pattern, []input, error) {
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		return nil, nil, fmt.Errorf("load rules: %w", err)
	}
	pages, err := matchbench.LoadPages(cfg.dir, matchbench.FieldsOf(set))
	if err != nil {
		return nil, nil, err
	}
	texts, n := matchbench.Texts(pages)
	ps := set.Patterns()
	aps, adv := matchbench.AdversarialFor(ps, n, 1)
	switch cfg.set {
	case "adversarial":
		ps = aps
	case "literals", "regexes":
		kinds := matchbench.ByKind(ps)
		i := slices.IndexFunc(kinds, func(k matchbench.Kind) bool { return k.Name == cfg.set })
		if i < 0 {
			return nil, nil, fmt.Errorf("-set %s: the rule set has none", cfg.set)
		}
		ps = kinds[i].Patterns
	}
	ins := []input{{name: corpusInput, texts: texts, bytes: n}}
	for _, a := range adv {
		in := input{name: a.Name, texts: a.Pages}
		for _, p := range a.Pages {
			in.bytes += int64(len(p))
		}
		ins = append(ins, in)
	}
	return ps, ins, nil
}

// scan compiles the patterns of the job in file and runs passes passes
// over its text.
func scan(file string, passes int) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var j job
	if err := gob.NewDecoder(f).Decode(&j); err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	m, err := match.CompileFor(j.Patterns, textnorm.CanOccur) // as package rules compiles

	if err != nil {
		return err
	}
	var dst []match.Hit
	for range passes {
		for _, t := range j.Texts {
			dst = m.Find(t, dst[:0])
		}
	}
	return nil
}

// writeJob writes the job of ps over in to file.
func writeJob(file string, ps []match.Pattern, in input) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(job{Patterns: ps, Texts: in.texts}); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", file, err)
	}
	return f.Close()
}

// measure counts each input under cachegrind and writes the table.
func measure(ctx context.Context, cfg config, ps []match.Pattern, inputs []input, w io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "matchcost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(w, "cachegrind: I1 and D1 32 KB 8-way, last level 512 KB 8-way, 64-byte lines; cost = Ir/3 + 12 D1 misses + 40 LL misses; %d patterns (%s)\n\n", len(ps), cfg.set)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "input\tMB\tpasses\tIr/B\tD1 misses/B\tLL misses/B\tcost/B\tvs corpus\t")
	var corpusCost float64
	for _, in := range inputs {
		jobFile := filepath.Join(tmp, "job")
		if err := writeJob(jobFile, ps, in); err != nil {
			return err
		}
		if in.bytes == 0 {
			return errors.New(in.name + ": no text")
		}
		passes := max(int64(cfg.passes), (cfg.minBytes+in.bytes-1)/in.bytes)
		var counts [2]matchbench.CacheCounts
		for i, passes := range []int64{passes + 1, 1} {
			out := filepath.Join(tmp, "cg."+strconv.Itoa(i))
			cmd := exec.CommandContext(ctx, cfg.valgrind, "--tool=cachegrind", "--cache-sim=yes",
				"--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64", "--cachegrind-out-file="+out,
				self, "-run-file", jobFile, "-run-passes", strconv.FormatInt(passes, 10))
			// One thread and no collections: the counts are the
			// matcher's, not the runtime's. And no RDTSCP, which the
			// runtime's clock uses wherever CPUID offers it: on a host
			// whose CPU lacks it (a VM that hides it), valgrind 3.19
			// still offers it and then cannot run it (SIGILL).
			cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "GOGC=off", "GODEBUG="+godebug("cpu.rdtscp=off"))
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: cachegrind: %w\n%s", in.name, err, msg)
			}
			f, err := os.Open(out)
			if err != nil {
				return err
			}
			counts[i], err = matchbench.ParseCachegrind(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", in.name, err)
			}
		}
		d := counts[0].Sub(counts[1])
		b := float64(in.bytes) * float64(passes)
		cost := d.Cost() / b
		if in.name == corpusInput {
			corpusCost = cost
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%.2f\t%.3f\t%.4f\t%.2f\t%.2fx\t\n", in.name, float64(in.bytes)/1e6, passes,
			float64(d.Ir)/b, float64(d.D1Miss)/b, float64(d.LLMiss)/b, cost, corpusCost/cost)
	}
	return tw.Flush()
}

// godebug returns the GODEBUG setting of this process with setting added.
func godebug(setting string) string {
	if v := os.Getenv("GODEBUG"); v != "" {
		return v + "," + setting
	}
	return setting
}
