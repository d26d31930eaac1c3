package corpus

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteText writes r for a person to read: the headline figures, the
// misses and false positives, the breakdowns, the ungated rows and the
// errors.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "pages            %d (%d scam, %d benign of which %d hard negatives)\n", r.Pages, r.ScamPages, r.BenignPages, r.HardNegatives)
	fmt.Fprintf(b, "confusion        tp %d  fp %d  tn %d  fn %d\n", r.TP, r.FP, r.TN, r.FN)
	fmt.Fprintf(b, "suspicious       %d scam, %d benign (counted as not SCAM)\n", r.Suspicious.Scam, r.Suspicious.Benign)
	fmt.Fprintf(b, "group recall     %.4f (%d/%d groups)\n", r.GroupRecall, r.GroupsCaught, r.ScamGroups)
	fmt.Fprintf(b, "page recall      %.4f (%d/%d pages)\n", r.Recall, r.TP, r.ScamPages)
	fmt.Fprintf(b, "fpr              %.4f (%d/%d pages)\n", r.FPR, r.FP, r.BenignPages)
	fmt.Fprintf(b, "fpr hard neg.    %.4f (%d/%d pages)\n", r.FPRHardNegative, r.HardNegativeFalsePos, r.HardNegatives)
	list(b, "missed groups", r.MissedGroups)
	r.outcomes(b, "misses", r.Misses)
	r.outcomes(b, "false positives", r.FalsePositives)
	table(b, "by family", r.ByFamily)
	table(b, "by language", r.ByLanguage)
	if len(r.Ungated) > 0 {
		fmt.Fprintf(b, "\nungated (%d; asset, borderline, render-only; not in the figures above)\n", len(r.Ungated))
		for _, u := range r.Ungated {
			called := string(u.Called)
			if u.Error != "" {
				called = "ERROR " + u.Error
			}
			fmt.Fprintf(b, "  %-6s %-11s %-10s %3d  %s", u.Label, u.Kind, called, u.Score, u.Path)
			if len(u.Rules) > 0 {
				fmt.Fprintf(b, "  [%s]", strings.Join(u.Rules, " "))
			}
			b.WriteByte('\n')
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(b, "\nerrors (%d; counted as not SCAM)\n", len(r.Errors))
		for _, e := range r.Errors {
			fmt.Fprintf(b, "  %s: %s\n", e.Path, e.Error)
		}
	}
	return b.Flush()
}

func list(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d)\n", title, len(items))
	for _, it := range items {
		fmt.Fprintf(w, "  %s\n", it)
	}
}

// outcomes lists paths with what they were called, as far as Results
// tells.
func (r *Report) outcomes(w io.Writer, title string, paths []string) {
	if len(paths) == 0 {
		return
	}
	byPath := make(map[string]Result, len(r.Results))
	for _, res := range r.Results {
		byPath[res.Entry.Path] = res
	}
	fmt.Fprintf(w, "\n%s (%d)\n", title, len(paths))
	for _, p := range paths {
		res, ok := byPath[p]
		switch {
		case !ok:
			fmt.Fprintf(w, "  %s\n", p)
		case res.Err != nil:
			fmt.Fprintf(w, "  %-10s %3s  %s\n", "ERROR", "", p)
		default:
			fmt.Fprintf(w, "  %-10s %3d  %s", res.Outcome.Call, res.Outcome.Score, p)
			if len(res.Outcome.Rules) > 0 {
				fmt.Fprintf(w, "  [%s]", strings.Join(res.Outcome.Rules, " "))
			}
			fmt.Fprintln(w)
		}
	}
}

func table(w io.Writer, title string, m map[string]*Breakdown) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n  %-32s %5s %5s %6s %6s %5s %7s %7s\n", title, "", "pages", "scam", "benign", "called", "susp", "recall", "fpr")
	for _, k := range slices.Sorted(maps.Keys(m)) {
		d := m[k]
		fmt.Fprintf(w, "  %-32s %5d %5d %6d %6d %5d %7s %7s\n", k, d.Pages, d.Scam, d.Benign, d.CalledScam, d.Suspicious, opt(d.Recall), opt(d.FPR))
	}
}

func opt(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *v)
}
