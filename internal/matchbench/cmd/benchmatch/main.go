// Command benchmatch measures the project's multi-pattern matcher against
// one regexp per pattern and, when built with -tags hyperscan, Hyperscan,
// on the page text of a corpus and on generated rule sets (see package
// matchbench). Run it with GOMAXPROCS=1 for single-core figures:
//
//	GOMAXPROCS=1 go run -tags hyperscan ./internal/matchbench/cmd/benchmatch -corpus ../shared/corpus
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/scamscope/scamscope/internal/matchbench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmatch:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := matchbench.DefaultConfig()
	fs := flag.NewFlagSet("benchmatch", flag.ContinueOnError)
	dir := fs.String("corpus", "", "corpus folder with MANIFEST.tsv (default: ../shared/corpus when present, else corpus)")
	fs.IntVar(&cfg.Passes, "passes", cfg.Passes, "timed passes of the matcher and Hyperscan; the median is reported")
	fs.IntVar(&cfg.RegexpPasses, "regexp-passes", cfg.RegexpPasses, "timed passes of the regexp baseline")
	scale := fs.String("scale", joinInts(cfg.Scale), "generated rule set sizes for the scale curve, comma-separated; empty: none")
	fs.IntVar(&cfg.ScaleBytes, "scale-bytes", cfg.ScaleBytes, "bytes of corpus text the scale curve scans (0: all)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the generated rule sets")
	fs.IntVar(&cfg.ListDiffs, "list", cfg.ListDiffs, "Hyperscan disagreements listed")
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds spread over the run in which the matcher and Hyperscan are timed on the corpus with the rule set; the table gives the median of all their passes")
	fs.IntVar(&cfg.PipelinePasses, "pipeline-passes", cfg.PipelinePasses, "timed passes of the static pipeline and of parsing alone; 0: not measured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.CorpusDir = *dir
	if cfg.CorpusDir == "" {
		cfg.CorpusDir = matchbench.DefaultCorpusDir()
	}
	cfg.Scale = nil
	for f := range strings.SplitSeq(*scale, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return fmt.Errorf("-scale: %q is not a positive number", f)
		}
		cfg.Scale = append(cfg.Scale, n)
	}
	if !matchbench.HyperscanBuilt {
		fmt.Println("note: built without -tags hyperscan: no Hyperscan figures")
	}
	err := matchbench.Run(ctx, cfg, os.Stdout)
	if errors.Is(err, matchbench.ErrDisagree) {
		return fmt.Errorf("%w (the table is not reported for engines that disagree)", err)
	}
	return err
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
