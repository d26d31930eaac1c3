package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/matchbench"
	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// TestMain lets the test binary stand in for the command when measure runs
// it under cachegrind with -run-file.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-run-file" {
		if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestMatchCost counts the matcher on the repository's corpus under
// cachegrind: a row per input with positive counts, and the corpus at 1x.
// (The repository's corpus is small: misses per byte can come out a little
// below zero, the compile's count varying more than its passes add.)
func TestMatchCost(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind is not installed (apt-get install valgrind)")
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-corpus", "../../../../corpus", "-passes", "1", "-min-mb", "0.5"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	row := regexp.MustCompile(`(?m)^ *(corpus|near-miss literals|near-miss regex words|regex words shuffled|pathological runs) +[\d.]+ +\d+ +(-?[\d.]+) +-?[\d.]+ +-?[\d.]+ +(-?[\d.]+) +(-?[\d.]+)x *$`)
	rows := row.FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 5 {
		t.Fatalf("%d input rows, want 5:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		ir, _ := strconv.ParseFloat(r[2], 64)
		cost, _ := strconv.ParseFloat(r[3], 64)
		if ir <= 0 || cost <= 0 {
			t.Errorf("%s: %s instructions and cost %s per byte, want positive", r[1], r[2], r[3])
		}
		if r[1] == "corpus" && r[4] != "1.00" {
			t.Errorf("corpus against itself: %sx", r[4])
		}
	}
}

// TestMatchCostByKind counts the rule set's literals alone on the corpus
// only: the header names as many patterns as the rule set has literals,
// and the corpus is the one row.
func TestMatchCostByKind(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind is not installed (apt-get install valgrind)")
	}
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	want := len(matchbench.ByKind(set.Patterns())[0].Patterns) // literals come first
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-corpus", "../../../../corpus", "-set", "literals", "-input", "corpus", "-passes", "1", "-min-mb", "0.5"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if s := fmt.Sprintf("; %d patterns (literals)", want); !strings.Contains(out.String(), s) {
		t.Errorf("output lacks %q:\n%s", s, out.String())
	}
	rows := regexp.MustCompile(`(?m)^ *(\S.*?) +[\d.]+ +\d+ +-?[\d.]+ +-?[\d.]+ +-?[\d.]+ +-?[\d.]+ +-?[\d.]+x *$`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 1 || rows[0][1] != "corpus" {
		t.Errorf("rows %q, want the corpus alone:\n%s", rows, out.String())
	}
}

// TestMatchCostRefuses checks the flags.
func TestMatchCostRefuses(t *testing.T) {
	for _, args := range [][]string{{"-set", "all"}, {"-input", "no such input"}, {"-passes", "0"}, {"-valgrind", "/nonexistent/valgrind"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
