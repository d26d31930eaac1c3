package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/scamscope/scamscope/internal/corpus"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/scan"
)

// scannerClassifier classifies corpus files with the local scanner. Files
// are scanned without a page URL, typed by their extension.
// A page's local scripts (see localScripts) are scanned with it.
type scannerClassifier struct {
	s *scan.Scanner
	m *corpus.Manifest
}

func (c scannerClassifier) Classify(ctx context.Context, e corpus.Entry, content []byte) (corpus.Outcome, error) {
	res, err := c.s.ScanContent(ctx, &extract.Content{HTML: content, Scripts: localScripts(c.m.Abs(e), content), ContentType: contentType(e.Path)})
	if err != nil {
		return corpus.Outcome{}, err
	}
	o := corpus.Outcome{Call: corpus.Call(res.Verdict.Label.String()), Score: res.Verdict.Score}
	for _, f := range res.Verdict.Fired {
		o.Rules = append(o.Rules, f.ID)
	}
	return o, nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	floor := corpus.DefaultFloor()
	fl := newFlags("eval", "scamscope eval [--json] [--rules DIR] [--floor] [--render [--pool N] [--timeout D]] MANIFEST.tsv", stderr)
	asJSON := fl.Bool("json", false, "print the report as one JSON object")
	dir := fl.String("rules", "", "rules `DIR`; the built-in rules when empty")
	check := fl.Bool("floor", false, fmt.Sprintf("exit 1 when below the floor: group_recall >= %.2f, fpr <= %.2f, fpr_hard_negative <= %.2f", floor.GroupRecall, floor.FPR, floor.FPRHardNegative))
	fl.BoolVar(check, "check", false, "same as --floor")
	render := fl.Bool("render", false, "render every page in headless Chromium from a loopback server (egress policy on) instead of scanning the files")
	pool := fl.Int("pool", 2, "with --render: pages rendered at once")
	timeout := fl.Duration("timeout", 20*time.Second, "with --render: bound of one page's scan")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return usagef("eval: want one MANIFEST.tsv, got %d arguments", fl.NArg())
	}
	m, err := corpus.Load(fl.Arg(0))
	if err != nil {
		return err
	}
	set, err := loadRules(*dir)
	if err != nil {
		return err
	}
	var cl corpus.Classifier = scannerClassifier{s: scan.New(scan.DefaultConfig(), set, nil), m: m}
	if *render {
		rc, stop, err := startRender(ctx, m, scan.New(scan.DefaultConfig(), set, nil), *pool, *timeout)
		if err != nil {
			return err
		}
		defer stop()
		cl = rc
	}
	rep, err := corpus.Evaluate(ctx, m, cl)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := struct {
			*corpus.Report
			RuleSet string `json:"rule_set"`
		}{rep, set.Version()}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("eval: encode report: %w", err)
		}
	} else {
		fmt.Fprintf(stdout, "corpus           %s (rules %s)\n", fl.Arg(0), set.Version())
		if err := rep.WriteText(stdout); err != nil {
			return err
		}
	}
	if *check {
		if err := rep.Check(floor); err != nil {
			return fmt.Errorf("eval %s: %w", fl.Arg(0), err)
		}
		fmt.Fprintln(stderr, "scamscope: eval: at or above the floor")
	}
	return nil
}
