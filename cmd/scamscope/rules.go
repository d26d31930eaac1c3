package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// builtinRulesDir is where the built-in rules live in the repository; it
// prefixes their file names in messages so editors can jump to them.
const builtinRulesDir = "rules"

// loadRules loads the rules in dir, or the built-in rules when dir is
// empty. A load failure is returned as *ruleLoadError, whose message lists
// every problem with its file and line.
func loadRules(dir string) (*rules.Set, error) {
	fsys, prefix := rulefiles.FS(), builtinRulesDir
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("rules: %s is not a directory", dir)
		}
		fsys, prefix = os.DirFS(dir), dir
	}
	set, err := rules.Load(fsys)
	if err != nil {
		return nil, &ruleLoadError{problems: problems(err, prefix)}
	}
	return set, nil
}

// ruleLoadError is a rule set that did not load.
type ruleLoadError struct{ problems []string }

func (e *ruleLoadError) Error() string {
	msg := fmt.Sprintf("rules do not load: %d problem(s)", len(e.problems))
	for _, p := range e.problems {
		msg += "\n  " + p
	}
	return msg
}

// problems flattens a joined error into one line each, with rule file
// names made relative to the working directory.
func problems(err error, prefix string) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var re *rules.Error
		if errors.As(err, &re) {
			c := *re
			c.File = filepath.Join(prefix, c.File)
			out = append(out, c.Error())
			return
		}
		out = append(out, err.Error())
	}
	walk(err)
	return out
}

func runRules(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("rules: want a subcommand: test or lint")
	}
	sub := args[0]
	if sub != "test" && sub != "lint" {
		return usagef("rules: unknown subcommand %q (want test or lint)", sub)
	}
	fl := newFlags("rules "+sub, "scamscope rules "+sub+" [--rules DIR]", stderr)
	dir := fl.String("rules", "", "rules `DIR` (scoring.yaml and rule files); the built-in rules when empty")
	if err := parseFlags(fl, args[1:]); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usagef("rules %s: unexpected arguments %q", sub, fl.Args())
	}
	set, err := loadRules(*dir)
	if err != nil {
		var le *ruleLoadError
		if errors.As(err, &le) {
			for _, p := range le.problems {
				fmt.Fprintln(stdout, p)
			}
			return fmt.Errorf("rules do not load: %d problem(s)", len(le.problems))
		}
		return err
	}
	prefix := builtinRulesDir
	if *dir != "" {
		prefix = *dir
	}
	switch sub {
	case "test":
		fails := set.TestExamples()
		for _, p := range problems(errors.Join(fails...), prefix) {
			fmt.Fprintln(stdout, p)
		}
		if len(fails) > 0 {
			return fmt.Errorf("rules test: %d example(s) failed in %d rules", len(fails), len(set.Rules()))
		}
		fmt.Fprintf(stdout, "ok: %d rules, every example passes (rule set %s)\n", len(set.Rules()), set.Version())
	case "lint":
		warns := set.Lint()
		for _, w := range warns {
			fmt.Fprintln(stdout, relWarning(w, prefix))
		}
		fmt.Fprintf(stdout, "%d rules, %d warning(s)\n", len(set.Rules()), len(warns))
	}
	return nil
}

// relWarning prefixes a lint warning ("file:line: ...") with the rules
// folder, so it names a file from the working directory.
func relWarning(w, prefix string) string {
	file, rest, ok := strings.Cut(w, ":")
	if !ok || !fs.ValidPath(file) {
		return w
	}
	return filepath.Join(prefix, file) + ":" + rest
}
