package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scripted is the evaluator's input for these tests: each fixture file says
// what it is to be called, as "LABEL SCORE RULE..." or "ERROR message".
type scripted struct{ jitter bool }

func (s scripted) Classify(ctx context.Context, e Entry, content []byte) (Outcome, error) {
	if s.jitter {
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
	}
	f := strings.Fields(string(content))
	if len(f) == 0 {
		return Outcome{}, fmt.Errorf("%s: empty fixture", e.Path)
	}
	if f[0] == "ERROR" {
		return Outcome{}, errors.New(strings.Join(f[1:], " "))
	}
	var o Outcome
	switch f[0] {
	case "SCAM":
		o.Call = CallScam
	case "SUSPICIOUS":
		o.Call = CallSuspicious
	case "CLEAN":
		o.Call = CallClean
	default:
		return Outcome{}, fmt.Errorf("%s: bad fixture label %q", e.Path, f[0])
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return Outcome{}, fmt.Errorf("%s: %w", e.Path, err)
	}
	o.Score = n
	o.Rules = f[2:]
	return o, nil
}

func evalFixture(t *testing.T) *Report {
	t.Helper()
	m, err := Load("testdata/eval/MANIFEST.tsv")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	r, err := Evaluate(t.Context(), m, scripted{})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

func TestEvaluateCounts(t *testing.T) {
	r := evalFixture(t)
	// The fixture's manifest notes what each row is called; the figures
	// below are worked out from it by hand.
	ints := []struct {
		name      string
		got, want int
	}{
		{"Pages", r.Pages, 14},
		{"ScamPages", r.ScamPages, 8},
		{"BenignPages", r.BenignPages, 6},
		{"HardNegatives", r.HardNegatives, 2},
		{"TP", r.TP, 4},                 // a1 a2 b1 e1
		{"FP", r.FP, 2},                 // n2 h1
		{"TN", r.TN, 4},                 // n1 n3 n4(error) h2
		{"FN", r.FN, 4},                 // a3 b2 c1(suspicious) d1(error)
		{"ScamGroups", r.ScamGroups, 5}, // A B c1 D E
		{"GroupsCaught", r.GroupsCaught, 2},
		{"HardNegativeFalsePos", r.HardNegativeFalsePos, 1},
		{"Suspicious.Scam", r.Suspicious.Scam, 1},
		{"Suspicious.Benign", r.Suspicious.Benign, 1},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"Recall", r.Recall, 4.0 / 8},
		{"GroupRecall", r.GroupRecall, 2.0 / 5},
		{"FPR", r.FPR, 2.0 / 6},
		{"FPRHardNegative", r.FPRHardNegative, 1.0 / 2},
	}
	for _, c := range floats {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	lists := []struct {
		name      string
		got, want []string
	}{
		{"Misses", r.Misses, []string{"scam/a3.html", "scam/b2.html", "scam/c1.html", "scam/d1.html"}},
		{"FalsePositives", r.FalsePositives, []string{"benign/n2.html", "benign/h1.html"}},
		{"MissedGroups", r.MissedGroups, []string{"B", "scam/c1.html", "D"}},
	}
	for _, c := range lists {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	var errPaths []string
	for _, e := range r.Errors {
		errPaths = append(errPaths, e.Path)
	}
	if want := []string{"scam/d1.html", "benign/n4.html"}; !slices.Equal(errPaths, want) {
		t.Errorf("Errors = %q, want %q", errPaths, want)
	}
	if len(r.Results) != 17 {
		t.Errorf("len(Results) = %d, want 17 (every row)", len(r.Results))
	}
}

func fp(v float64) *float64 { return &v }

func TestEvaluateBreakdowns(t *testing.T) {
	r := evalFixture(t)
	wantFamily := map[string]*Breakdown{
		"kit-a":  {Pages: 3, Scam: 3, CalledScam: 2, TP: 2, Recall: fp(2.0 / 3)},
		"kit-b":  {Pages: 2, Scam: 2, CalledScam: 1, TP: 1, Recall: fp(0.5)},
		"kit-c":  {Pages: 2, Scam: 2, Suspicious: 1, Recall: fp(0)},
		"(none)": {Pages: 1, Scam: 1, CalledScam: 1, TP: 1, Recall: fp(1)},
		"news":   {Pages: 2, Benign: 2, CalledScam: 1, FP: 1, FPR: fp(0.5)},
		"shop":   {Pages: 2, Benign: 2, Suspicious: 1, FPR: fp(0)},
		"repair": {Pages: 2, Benign: 2, CalledScam: 1, FP: 1, FPR: fp(0.5)},
	}
	wantLang := map[string]*Breakdown{
		"en":  {Pages: 5, Scam: 2, Benign: 3, CalledScam: 4, TP: 2, FP: 2, Recall: fp(1), FPR: fp(2.0 / 3)},
		"fr":  {Pages: 2, Scam: 1, Benign: 1, Suspicious: 1, Recall: fp(0), FPR: fp(0)},
		"de":  {Pages: 3, Scam: 2, Benign: 1, CalledScam: 1, TP: 1, Recall: fp(0.5), FPR: fp(0)},
		"ja":  {Pages: 3, Scam: 2, Benign: 1, Suspicious: 1, Recall: fp(0), FPR: fp(0)},
		"und": {Pages: 1, Scam: 1, CalledScam: 1, TP: 1, Recall: fp(1)},
	}
	for _, c := range []struct {
		name      string
		got, want map[string]*Breakdown
	}{{"ByFamily", r.ByFamily, wantFamily}, {"ByLanguage", r.ByLanguage, wantLang}} {
		g, _ := json.Marshal(c.got)
		w, _ := json.Marshal(c.want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s = %s\nwant %s", c.name, g, w)
		}
	}
}

func TestEvaluateUngated(t *testing.T) {
	r := evalFixture(t)
	want := []Row{
		{Path: "other/asset.js", Label: Scam, Kind: KindAsset, Group: "A", Family: "kit-a", Called: "SCAM", Score: 60, Rules: []string{"lock.keyboard"}},
		{Path: "other/bl.html", Label: Benign, Kind: KindBorderline, Group: "BL", Family: "vendor", Lang: "en", Called: "SCAM", Score: 61, Rules: []string{"alarm"}},
		{Path: "other/ro.html", Label: Scam, Kind: KindRenderOnly, Group: "RO", Family: "kit-r", Lang: "en", Called: "CLEAN", Score: 0, Rules: []string{}},
	}
	if !reflect.DeepEqual(r.Ungated, want) {
		t.Errorf("Ungated = %+v\nwant %+v", r.Ungated, want)
	}
	// The borderline row called SCAM is no false positive, and the asset's
	// group A is judged by its pages alone.
	for _, p := range r.FalsePositives {
		if strings.HasPrefix(p, "other/") {
			t.Errorf("FalsePositives holds ungated row %s", p)
		}
	}
}

func TestGroupMajority(t *testing.T) {
	page := func(group string, label Call) Result {
		return Result{Entry: Entry{Label: Scam, Kind: KindPage, Group: group, Path: fmt.Sprintf("p%d", rand.Int())}, Outcome: Outcome{Call: label}}
	}
	failed := Result{Entry: Entry{Label: Scam, Kind: KindPage, Group: "g", Path: "failed"}, Outcome: Outcome{Call: CallScam}, Err: errors.New("boom")}
	S, C, U := CallScam, CallClean, CallSuspicious
	tests := []struct {
		name   string
		labels []Call
		extra  []Result
		caught bool
	}{
		{"one of one", []Call{S}, nil, true},
		{"none of one", []Call{C}, nil, false},
		{"two of three", []Call{S, S, C}, nil, true},
		{"one of three", []Call{S, U, C}, nil, false},
		{"tie two of four", []Call{S, S, C, U}, nil, false},
		{"tie one of two", []Call{S, C}, nil, false},
		{"three of four", []Call{S, S, S, C}, nil, true},
		{"suspicious is not scam", []Call{U, U, U}, nil, false},
		{"an error is not scam", []Call{S}, []Result{failed}, false},
		{"assets do not vote", []Call{S}, []Result{
			{Entry: Entry{Label: Scam, Kind: KindAsset, Group: "g", Path: "a1.js"}, Outcome: Outcome{Call: C}},
			{Entry: Entry{Label: Scam, Kind: KindAsset, Group: "g", Path: "a2.js"}, Outcome: Outcome{Call: C}},
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []Result
			for _, l := range tt.labels {
				rs = append(rs, page("g", l))
			}
			rs = append(rs, tt.extra...)
			r := Summarize(rs)
			if r.ScamGroups != 1 {
				t.Fatalf("ScamGroups = %d, want 1", r.ScamGroups)
			}
			if got := r.GroupsCaught == 1; got != tt.caught {
				t.Errorf("group %v caught = %v, want %v", tt.labels, got, tt.caught)
			}
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	r := Summarize(nil)
	if r.Pages != 0 || r.GroupRecall != 0 || r.FPR != 0 || r.FPRHardNegative != 0 {
		t.Errorf("Summarize(nil) = %+v, want zero figures", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	// Lists are empty arrays, not null, so consumers need no special case.
	for _, k := range []string{"misses", "false_positives", "ungated", "errors", "missed_groups"} {
		if !bytes.Contains(b, []byte(`"`+k+`":[]`)) {
			t.Errorf("JSON of empty report lacks %q: []: %s", k, b)
		}
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	m, err := Load("testdata/eval/MANIFEST.tsv")
	if err != nil {
		t.Fatal(err)
	}
	// Repeat the rows so the workers interleave.
	var big Manifest
	big.Dir = m.Dir
	for range 20 {
		big.Entries = append(big.Entries, m.Entries...)
	}
	var first []byte
	for i := range 3 {
		r, err := Evaluate(t.Context(), &big, scripted{jitter: true})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := r.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(r)
		out := append(buf.Bytes(), j...)
		if i == 0 {
			first = out
			if r.Pages != 20*14 {
				t.Errorf("Pages = %d, want %d", r.Pages, 20*14)
			}
			continue
		}
		if !bytes.Equal(out, first) {
			t.Fatalf("run %d differs from run 0", i)
		}
	}
}

func TestEvaluateCancelled(t *testing.T) {
	m, err := Load("testdata/eval/MANIFEST.tsv")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Evaluate(ctx, m, scripted{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestEvaluateUnreadable(t *testing.T) {
	m := &Manifest{Dir: t.TempDir(), Entries: []Entry{{Line: 2, Label: Scam, Kind: KindPage, Path: "gone.html"}}}
	r, err := Evaluate(t.Context(), m, scripted{})
	if err != nil {
		t.Fatal(err)
	}
	if r.FN != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error, "gone.html") {
		t.Errorf("unreadable page: FN = %d, Errors = %+v; want FN 1 and one error naming the file", r.FN, r.Errors)
	}
}

func TestCheck(t *testing.T) {
	base := Report{ScamGroups: 100, GroupsCaught: 95, GroupRecall: 0.95, BenignPages: 100, FP: 1, FPR: 0.01, HardNegatives: 20, HardNegativeFalsePos: 1, FPRHardNegative: 0.05}
	tests := []struct {
		name  string
		edit  func(r *Report)
		fails []string // substrings of the error; none means it passes
	}{
		{"at the floor", func(*Report) {}, nil},
		{"recall below", func(r *Report) { r.GroupRecall = 0.94 }, []string{"group recall 0.9400"}},
		{"fpr above", func(r *Report) { r.FPR = 0.02 }, []string{"fpr 0.0200"}},
		{"hard negatives above", func(r *Report) { r.FPRHardNegative = 0.1 }, []string{"hard negatives 0.1000"}},
		{"all three", func(r *Report) { r.GroupRecall, r.FPR, r.FPRHardNegative = 0.5, 0.5, 0.5 }, []string{"group recall", "fpr 0.5", "hard negatives 0.5"}},
		{"nothing to measure", func(r *Report) { r.ScamGroups, r.BenignPages, r.HardNegatives = 0, 0, 0 }, []string{"no scam groups", "no benign pages", "no hard negatives"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			err := r.Check(DefaultFloor())
			if len(tt.fails) == 0 {
				if err != nil {
					t.Errorf("Check = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrBelowFloor) {
				t.Fatalf("Check = %v, want ErrBelowFloor", err)
			}
			for _, f := range tt.fails {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("Check = %q, want it to mention %q", err, f)
				}
			}
		})
	}
}

func TestCheckFixture(t *testing.T) {
	err := evalFixture(t).Check(DefaultFloor())
	if !errors.Is(err, ErrBelowFloor) {
		t.Fatalf("Check on fixture = %v, want ErrBelowFloor", err)
	}
	if !strings.Contains(err.Error(), "2/5 groups") || !strings.Contains(err.Error(), "2/6 pages") {
		t.Errorf("Check = %q, want the counts behind the rates", err)
	}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := evalFixture(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"tp 4  fp 2  tn 4  fn 4",
		"group recall     0.4000 (2/5 groups)",
		"fpr              0.3333 (2/6 pages)",
		"fpr hard neg.    0.5000 (1/2 pages)",
		"SUSPICIOUS  45  scam/c1.html  [kit.c]",
		"ERROR           scam/d1.html",
		"SCAM        75  benign/n2.html  [brand.ms]",
		"other/asset.js",
		"scam/d1.html: cannot parse",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteText output lacks %q:\n%s", want, out)
		}
	}
}
