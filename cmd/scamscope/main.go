// Command scamscope is the analysts' and rule authors' tool: it scans saved
// pages and creatives (locally or through a scamscoped server), tests and
// lints rule files, and evaluates the classifier on a labelled corpus.
//
// Usage:
//
//	scamscope scan [--json] [--rules DIR] [--url PAGEURL] FILE...
//	scamscope scan --server ADDR [--json] [--url PAGEURL] FILE...
//	scamscope rules test [--rules DIR]
//	scamscope rules lint [--rules DIR]
//	scamscope eval [--json] [--rules DIR] [--floor] MANIFEST.tsv
//
// Flags go before the files. Without --rules the rules built into the
// binary (the repository's rules/ folder) are used. The exit status is 0 on
// success, 1 when something failed (a file, a rule example, the floor) and 2
// on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

const usage = `scamscope: scan pages, test rules and evaluate corpora.

Usage:
  scamscope scan [--json] [--rules DIR] [--url PAGEURL] FILE...
  scamscope scan --server ADDR [--json] [--url PAGEURL] FILE...
  scamscope rules test [--rules DIR]
  scamscope rules lint [--rules DIR]
  scamscope eval [--json] [--rules DIR] [--floor] MANIFEST.tsv

Run "scamscope COMMAND -h" for a command's flags.
`

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run is the whole program but for the process: it reads args (without the
// program name) and writes to stdout and stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command")
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", args[0])
}

// newFlags returns a flag set that reports to stderr and returns errors.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

// exitCode reports err on w and returns the status to exit with.
func exitCode(err error, w io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(w, "scamscope: %v\n", err)
		return 2
	}
	fmt.Fprintf(w, "scamscope: %v\n", err)
	return 1
}
