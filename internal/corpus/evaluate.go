package corpus

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Call is a classifier's answer for one file.
type Call string

// The calls. Only CallScam is positive; the evaluator needs no other
// knowledge of the classifier's labels.
const (
	CallScam       Call = "SCAM"
	CallSuspicious Call = "SUSPICIOUS"
	CallClean      Call = "CLEAN"
)

// Outcome is what a classifier called one file.
type Outcome struct {
	Call  Call
	Score int
	Rules []string // IDs of the rules that fired, strongest first
}

// Classifier labels one file of a corpus. Implementations must be safe for
// concurrent use: Evaluate calls Classify from several goroutines.
type Classifier interface {
	Classify(ctx context.Context, e Entry, content []byte) (Outcome, error)
}

// ClassifierFunc adapts a function to Classifier.
type ClassifierFunc func(ctx context.Context, e Entry, content []byte) (Outcome, error)

// Classify calls f.
func (f ClassifierFunc) Classify(ctx context.Context, e Entry, content []byte) (Outcome, error) {
	return f(ctx, e, content)
}

// Result is the outcome for one row of the manifest.
type Result struct {
	Entry   Entry
	Outcome Outcome
	Err     error // the file could not be read or classified
}

// CalledScam reports whether the classifier called the row a scam. A row
// that failed is not called a scam.
func (r Result) CalledScam() bool { return r.Err == nil && r.Outcome.Call == CallScam }

// Report is the evaluation of a classifier on a corpus.
//
// Only rows of kind page and hard-negative are gated: they make up Pages and
// the confusion matrix, where SCAM is the positive call and SUSPICIOUS and
// CLEAN are negative. A row that failed counts as not called SCAM and is
// listed in Errors. Asset, borderline and render-only rows are evaluated and
// listed in Ungated only.
type Report struct {
	Pages         int `json:"pages"`          // gated rows
	ScamPages     int `json:"scam_pages"`     // gated rows labelled scam
	BenignPages   int `json:"benign_pages"`   // gated rows labelled benign, hard negatives included
	HardNegatives int `json:"hard_negatives"` // rows of kind hard-negative

	TP int `json:"tp"` // scam called SCAM
	FP int `json:"fp"` // benign called SCAM
	TN int `json:"tn"` // benign called SUSPICIOUS or CLEAN, or failed
	FN int `json:"fn"` // scam called SUSPICIOUS or CLEAN, or failed

	// Suspicious counts gated rows called SUSPICIOUS, by their label.
	Suspicious SuspiciousCounts `json:"suspicious"`

	// Recall is TP over ScamPages: per page, so a kit with many copies
	// counts many times. GroupRecall is the figure to judge.
	Recall float64 `json:"recall"`

	// GroupRecall is GroupsCaught over ScamGroups. The scam groups are the
	// near-duplicate groups of scam rows of kind page (a row without a group
	// is a group of its own). A group is caught when a strict majority of its
	// pages, more than half, is called SCAM: a group of four with two called
	// SCAM is missed.
	GroupRecall  float64  `json:"group_recall"`
	ScamGroups   int      `json:"scam_groups"`
	GroupsCaught int      `json:"groups_caught"`
	MissedGroups []string `json:"missed_groups"`

	// FPR is FP over BenignPages; FPRHardNegative is the same over the
	// hard-negative rows only.
	FPR                  float64 `json:"fpr"`
	FPRHardNegative      float64 `json:"fpr_hard_negative"`
	HardNegativeFalsePos int     `json:"hard_negative_fp"`

	Misses         []string `json:"misses"`          // scam rows not called SCAM, manifest order
	FalsePositives []string `json:"false_positives"` // benign rows called SCAM, manifest order

	// ByFamily and ByLanguage break the gated rows down. Rows without a
	// family are under "(none)", rows without a language under "und".
	ByFamily   map[string]*Breakdown `json:"by_family"`
	ByLanguage map[string]*Breakdown `json:"by_language"`

	Ungated []Row       `json:"ungated"` // asset, borderline and render-only rows, manifest order
	Errors  []PageError `json:"errors"`  // every row that failed, gated or not, manifest order

	// Results holds every row's result in manifest order.
	Results []Result `json:"-"`
}

// SuspiciousCounts counts rows called SUSPICIOUS.
type SuspiciousCounts struct {
	Scam   int `json:"scam"`
	Benign int `json:"benign"`
}

// Breakdown is the evaluation of one family or language. Recall is set when
// it has scam pages, FPR when it has benign pages.
type Breakdown struct {
	Pages      int      `json:"pages"`
	Scam       int      `json:"scam"`
	Benign     int      `json:"benign"`
	CalledScam int      `json:"called_scam"`
	Suspicious int      `json:"suspicious"`
	TP         int      `json:"tp"`
	FP         int      `json:"fp"`
	Recall     *float64 `json:"recall,omitempty"`
	FPR        *float64 `json:"fpr,omitempty"`
}

// Row is an ungated row with its outcome.
type Row struct {
	Path   string   `json:"path"`
	Label  Label    `json:"label"`
	Kind   Kind     `json:"kind"`
	Group  string   `json:"group"`
	Family string   `json:"family"`
	Lang   string   `json:"lang"`
	Called Call     `json:"called"` // empty when it failed
	Score  int      `json:"score"`
	Rules  []string `json:"rules"`
	Error  string   `json:"error,omitempty"`
}

// PageError is a row that could not be read or classified.
type PageError struct {
	Path  string `json:"path"`
	Kind  Kind   `json:"kind"`
	Error string `json:"error"`
}

// Evaluate classifies every row of m with c, GOMAXPROCS rows at a time, and
// reports. The report's order follows the manifest whatever order the rows
// finish in. It fails only when ctx ends; a row that fails is recorded.
func Evaluate(ctx context.Context, m *Manifest, c Classifier) (*Report, error) {
	results := make([]Result, len(m.Entries))
	work := make(chan int)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(len(m.Entries), 1))
	for range workers {
		wg.Go(func() {
			for i := range work {
				results[i] = classify(ctx, m, c, m.Entries[i])
			}
		})
	}
feed:
	for i := range m.Entries {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return Summarize(results), nil
}

func classify(ctx context.Context, m *Manifest, c Classifier, e Entry) Result {
	r := Result{Entry: e}
	content, err := m.Read(e)
	if err != nil {
		r.Err = err // names the file already
		return r
	}
	r.Outcome, r.Err = c.Classify(ctx, e, content)
	return r
}

// Summarize computes the report of results, given in manifest order.
func Summarize(results []Result) *Report {
	r := &Report{
		MissedGroups:   []string{},
		Misses:         []string{},
		FalsePositives: []string{},
		ByFamily:       map[string]*Breakdown{},
		ByLanguage:     map[string]*Breakdown{},
		Ungated:        []Row{},
		Errors:         []PageError{},
		Results:        results,
	}
	type group struct{ pages, scam int }
	groups := map[string]*group{}
	var groupOrder []string
	for _, res := range results {
		e := res.Entry
		if res.Err != nil {
			r.Errors = append(r.Errors, PageError{Path: e.Path, Kind: e.Kind, Error: res.Err.Error()})
		}
		if !e.Kind.Gated() {
			r.Ungated = append(r.Ungated, row(res))
			continue
		}
		called := res.CalledScam()
		suspicious := res.Err == nil && res.Outcome.Call == CallSuspicious
		r.Pages++
		fam := breakdown(r.ByFamily, e.Family, "(none)")
		lang := breakdown(r.ByLanguage, e.Lang, "und")
		for _, b := range []*Breakdown{fam, lang} {
			b.Pages++
			if called {
				b.CalledScam++
			}
			if suspicious {
				b.Suspicious++
			}
		}
		if e.Label == Scam {
			r.ScamPages++
			fam.Scam++
			lang.Scam++
			if suspicious {
				r.Suspicious.Scam++
			}
			if called {
				r.TP++
				fam.TP++
				lang.TP++
			} else {
				r.FN++
				r.Misses = append(r.Misses, e.Path)
			}
			if e.Kind == KindPage {
				k := e.GroupKey()
				g := groups[k]
				if g == nil {
					g = &group{}
					groups[k] = g
					groupOrder = append(groupOrder, k)
				}
				g.pages++
				if called {
					g.scam++
				}
			}
			continue
		}
		r.BenignPages++
		fam.Benign++
		lang.Benign++
		if suspicious {
			r.Suspicious.Benign++
		}
		if e.Kind == KindHardNegative {
			r.HardNegatives++
		}
		if called {
			r.FP++
			fam.FP++
			lang.FP++
			r.FalsePositives = append(r.FalsePositives, e.Path)
			if e.Kind == KindHardNegative {
				r.HardNegativeFalsePos++
			}
		} else {
			r.TN++
		}
	}
	r.ScamGroups = len(groups)
	for _, k := range groupOrder {
		if g := groups[k]; 2*g.scam > g.pages {
			r.GroupsCaught++
		} else {
			r.MissedGroups = append(r.MissedGroups, k)
		}
	}
	r.Recall = ratio(r.TP, r.ScamPages)
	r.GroupRecall = ratio(r.GroupsCaught, r.ScamGroups)
	r.FPR = ratio(r.FP, r.BenignPages)
	r.FPRHardNegative = ratio(r.HardNegativeFalsePos, r.HardNegatives)
	for _, m := range []map[string]*Breakdown{r.ByFamily, r.ByLanguage} {
		for _, b := range m {
			if b.Scam > 0 {
				v := ratio(b.TP, b.Scam)
				b.Recall = &v
			}
			if b.Benign > 0 {
				v := ratio(b.FP, b.Benign)
				b.FPR = &v
			}
		}
	}
	return r
}

func row(res Result) Row {
	e := res.Entry
	w := Row{Path: e.Path, Label: e.Label, Kind: e.Kind, Group: e.Group, Family: e.Family, Lang: e.Lang, Rules: []string{}}
	if res.Err != nil {
		w.Error = res.Err.Error()
		return w
	}
	w.Called = res.Outcome.Call
	w.Score = res.Outcome.Score
	if res.Outcome.Rules != nil {
		w.Rules = res.Outcome.Rules
	}
	return w
}

func breakdown(m map[string]*Breakdown, key, empty string) *Breakdown {
	if key == "" {
		key = empty
	}
	b := m[key]
	if b == nil {
		b = &Breakdown{}
		m[key] = b
	}
	return b
}

// ratio is n/d, or 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// ErrBelowFloor is wrapped by Check's error when a metric misses its floor.
var ErrBelowFloor = errors.New("below the floor")

// Floor is the least a classifier must do on a corpus.
type Floor struct {
	GroupRecall     float64 // at least
	FPR             float64 // at most
	FPRHardNegative float64 // at most
}

// DefaultFloor is the project's release gate.
func DefaultFloor() Floor { return Floor{GroupRecall: 0.95, FPR: 0.01, FPRHardNegative: 0.05} }

// Check reports every metric that misses f, in one error wrapping
// ErrBelowFloor. A metric whose denominator is empty (no scam groups, no
// benign pages, no hard negatives) cannot be checked and fails too: a gate
// on nothing proves nothing.
func (r *Report) Check(f Floor) error {
	var fails []string
	switch {
	case r.ScamGroups == 0:
		fails = append(fails, "group recall: no scam groups to measure")
	case r.GroupRecall < f.GroupRecall:
		fails = append(fails, fmt.Sprintf("group recall %.4f (%d/%d groups) < %.4f", r.GroupRecall, r.GroupsCaught, r.ScamGroups, f.GroupRecall))
	}
	switch {
	case r.BenignPages == 0:
		fails = append(fails, "fpr: no benign pages to measure")
	case r.FPR > f.FPR:
		fails = append(fails, fmt.Sprintf("fpr %.4f (%d/%d pages) > %.4f", r.FPR, r.FP, r.BenignPages, f.FPR))
	}
	switch {
	case r.HardNegatives == 0:
		fails = append(fails, "fpr on hard negatives: no hard negatives to measure")
	case r.FPRHardNegative > f.FPRHardNegative:
		fails = append(fails, fmt.Sprintf("fpr on hard negatives %.4f (%d/%d pages) > %.4f", r.FPRHardNegative, r.HardNegativeFalsePos, r.HardNegatives, f.FPRHardNegative))
	}
	if len(fails) > 0 {
		return fmt.Errorf("%w: %s", ErrBelowFloor, strings.Join(fails, "; "))
	}
	return nil
}
