package matchbench_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/matchbench"
	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

const repoCorpus = "../../corpus"

func TestPatternRegex(t *testing.T) {
	tests := []struct {
		name string
		p    match.Pattern
		text string
		want bool
	}{
		{"literal is quoted", match.Pattern{Literal: "a.b"}, "axb", false},
		{"literal matches itself", match.Pattern{Literal: "a.b(c"}, "xa.b(cx", true},
		{"word at text edges", match.Pattern{Literal: "virus", Word: true}, "virus", true},
		{"word between spaces", match.Pattern{Literal: "virus", Word: true}, "a virus found", true},
		{"word inside a word", match.Pattern{Literal: "virus", Word: true}, "antivirus", false},
		{"word before an accented letter", match.Pattern{Literal: "alert", Word: true}, "alerté", false},
		{"word before a digit", match.Pattern{Literal: "error", Word: true}, "error5", false},
		{"word before an underscore", match.Pattern{Literal: "error", Word: true}, "error_x", false},
		{"word before a combining mark", match.Pattern{Literal: "e", Word: true}, "e\u0301", false},
		{"word before punctuation", match.Pattern{Literal: "error", Word: true}, "error: 0x80", true},
		{"word next to CJK", match.Pattern{Literal: "pc", Word: true}, "电脑pc", false},
		{"regex unchanged", match.Pattern{Regex: `\d{3}-\d{4}`}, "call 555-0123", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr := matchbench.PatternRegex(tt.p)
			re, err := regexp.Compile(expr)
			if err != nil {
				t.Fatalf("PatternRegex(%+v) = %q: %v", tt.p, expr, err)
			}
			if got := re.MatchString(tt.text); got != tt.want {
				t.Errorf("PatternRegex(%+v) = %q matches %q: %v, want %v", tt.p, expr, tt.text, got, tt.want)
			}
			// The baseline and the matcher's reference say the same.
			tt.p.ID = 7
			rx, err := matchbench.NewRegexp([]match.Pattern{tt.p})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rx.Match([]byte(tt.text), nil)) == 1; got != tt.want {
				t.Errorf("Regexp engine with %+v matches %q: %v, want %v", tt.p, tt.text, got, tt.want)
			}
			n, err := match.CompileNaive([]match.Pattern{tt.p})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(n.Find([]byte(tt.text))) == 1; got != tt.want {
				t.Errorf("match.Naive with %+v matches %q: %v, want %v (the test's expectation is wrong)", tt.p, tt.text, got, tt.want)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	vocab := []string{"bonjour", "ошибка", "ウイルス"}
	ps := matchbench.Generate(600, 3, vocab)
	if len(ps) != 600 {
		t.Fatalf("Generate(600) returned %d patterns", len(ps))
	}
	if again := matchbench.Generate(600, 3, vocab); !slices.Equal(ps, again) {
		t.Error("Generate with the same seed returned other patterns")
	}
	if other := matchbench.Generate(600, 4, vocab); slices.Equal(ps, other) {
		t.Error("Generate with another seed returned the same patterns")
	}
	var lits, words, regexes, fromVocab int
	scripts := map[string]bool{}
	for i, p := range ps {
		if p.ID != i {
			t.Fatalf("pattern %d has ID %d", i, p.ID)
		}
		switch {
		case p.Regex != "":
			regexes++
		case p.Word:
			words++
		default:
			lits++
		}
		s := p.Literal + p.Regex
		for _, v := range vocab {
			if strings.Contains(s, v) {
				fromVocab++
			}
		}
		for _, r := range s {
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				scripts["cyrillic"] = true
			case unicode.In(r, unicode.Han, unicode.Katakana):
				scripts["cjk"] = true
			case r > 0x7f && unicode.Is(unicode.Latin, r):
				scripts["latin accents"] = true
			}
		}
		if _, err := regexp.Compile(matchbench.PatternRegex(p)); err != nil {
			t.Errorf("pattern %d %+v: %v", i, p, err)
		}
	}
	if lits == 0 || words == 0 || regexes == 0 || fromVocab == 0 {
		t.Errorf("Generate(600): %d literals, %d word literals, %d regexes, %d from the vocabulary; want some of each", lits, words, regexes, fromVocab)
	}
	if len(scripts) != 3 {
		t.Errorf("Generate(600) uses scripts %v, want Latin with accents, Cyrillic and CJK", scripts)
	}
	if _, err := match.Compile(ps); err != nil {
		t.Errorf("match.Compile(Generate(600)): %v", err)
	}
}

func TestByKind(t *testing.T) {
	ps := []match.Pattern{{ID: 4, Literal: "a"}, {ID: 2, Regex: "b+"}, {ID: 9, Literal: "c", Word: true}}
	ks := matchbench.ByKind(ps)
	if len(ks) != 2 || ks[0].Name != "literals" || ks[1].Name != "regexes" {
		t.Fatalf("ByKind = %+v, want literals then regexes", ks)
	}
	if !slices.Equal(ks[0].Patterns, []match.Pattern{ps[0], ps[2]}) || !slices.Equal(ks[1].Patterns, []match.Pattern{ps[1]}) {
		t.Errorf("ByKind = %+v, want the literals and the regex in their order", ks)
	}
	if ks := matchbench.ByKind(ps[:1]); len(ks) != 1 || ks[0].Name != "literals" {
		t.Errorf("ByKind of literals only = %+v, want one kind", ks)
	}
}

func TestReference(t *testing.T) {
	var ps []match.Pattern
	for i := range 40 {
		ps = append(ps, match.Pattern{ID: i, Regex: fmt.Sprintf("r%d+", i)}, match.Pattern{ID: 100 + i, Literal: fmt.Sprint("l", i)})
	}
	ref, ok := matchbench.Reference(ps)
	if !ok || ref.Name != "literals+15" {
		t.Fatalf("Reference = %v, %v; want the literals+15 part", ref.Name, ok)
	}
	var lits, res []int
	for _, p := range ref.Patterns {
		if p.Regex == "" {
			lits = append(lits, p.ID)
		} else {
			res = append(res, p.ID)
		}
	}
	// Every literal; the regexes 0, 2, 5, 8, ... (i*40/15), in order.
	want := []int{0, 2, 5, 8, 10, 13, 16, 18, 21, 24, 26, 29, 32, 34, 37}
	if len(lits) != 40 || !slices.Equal(res, want) {
		t.Errorf("Reference holds %d literals and regexes %v, want 40 and %v", len(lits), res, want)
	}
	if _, ok := matchbench.Reference(ps[:30]); ok {
		t.Errorf("Reference of 15 regexes and 15 literals: a part, want none (it would be the whole)")
	}
}

func TestVocabulary(t *testing.T) {
	texts := [][]byte{[]byte("the virus alert, virus 12345 ошибка"), []byte("call now ウイルス alert")}
	got := matchbench.Vocabulary(texts, 0)
	want := []string{"virus", "alert", "ошибка", "call", "ウイルス"}
	if !slices.Equal(got, want) {
		t.Errorf("Vocabulary = %q, want %q", got, want)
	}
	if got := matchbench.Vocabulary(texts, 2); len(got) != 2 || got[0] != "virus" {
		t.Errorf("Vocabulary(limit 2) = %q, want 2 words from virus on", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{4, 1, 3, 100}, 3},
	}
	for _, tt := range tests {
		if got := matchbench.Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestPool pools rounds whose passes went over the input a different
// number of times: each pass counts as one time over the input, and the
// median is taken over all of them.
func TestPool(t *testing.T) {
	a := matchbench.Speed{Bytes: 1e6, Reps: 2, Passes: []time.Duration{2 * time.Millisecond, 4 * time.Millisecond, 6 * time.Millisecond}, AllocsPerMB: 1}
	b := matchbench.Speed{Bytes: 1e6, Reps: 1, Passes: []time.Duration{10 * time.Millisecond, 5 * time.Millisecond}, AllocsPerMB: 3}
	p := matchbench.Pool(a, b)
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond}
	if !slices.Equal(p.Passes, want) || max(p.Reps, 1) != 1 || p.Bytes != 1e6 || p.AllocsPerMB != 3 {
		t.Fatalf("Pool = %+v, want passes %v of one time over 1e6 bytes, 3 allocs/MB", p, want)
	}
	if got := p.MBps(); got != 1/0.003 {
		t.Errorf("pooled MBps = %v, want the median's %v", got, 1/0.003)
	}
}

// TestCompare runs two real matchers, one missing a pattern and one with
// an extra one, and checks the disagreements.
func TestCompare(t *testing.T) {
	all := []match.Pattern{{ID: 1, Literal: "virus"}, {ID: 2, Regex: `0x[0-9a-f]{8}`}, {ID: 3, Literal: "call", Word: true}}
	ref, err := matchbench.NewProject(all[:2])
	if err != nil {
		t.Fatal(err)
	}
	other, err := matchbench.NewProject([]match.Pattern{all[0], all[2]})
	if err != nil {
		t.Fatal(err)
	}
	texts := [][]byte{[]byte("virus found"), []byte("virus 0x80070424, call now"), []byte("nothing")}
	diffs, matches := matchbench.Compare([]string{"a", "b", "c"}, texts, ref, other)
	if matches != 3 {
		t.Errorf("Compare counted %d reference matches, want 3", matches)
	}
	want := []matchbench.Disagreement{{Page: "b", Engine: other.Name(), Missing: []int{2}, Extra: []int{3}}}
	if len(diffs) != 1 || diffs[0].Page != want[0].Page || !slices.Equal(diffs[0].Missing, want[0].Missing) || !slices.Equal(diffs[0].Extra, want[0].Extra) {
		t.Errorf("Compare = %+v, want %+v", diffs, want)
	}
}

func TestLoadPages(t *testing.T) {
	pages, err := matchbench.LoadPages(repoCorpus, []extract.Field{extract.FieldText, extract.FieldTitle})
	if err != nil {
		t.Fatal(err)
	}
	var withText int
	for _, p := range pages {
		if strings.HasSuffix(p.Path, ".js") {
			t.Errorf("LoadPages loaded asset %s", p.Path)
		}
		if len(p.Text) > 0 {
			withText++
		}
		if want := matchbench.PageText(p.HTML, []extract.Field{extract.FieldText, extract.FieldTitle}); !bytes.Equal(p.Text, want) {
			t.Errorf("%s: Text is not PageText(HTML)", p.Path)
		}
	}
	if withText < len(pages)/2 {
		t.Errorf("LoadPages: %d of %d pages have text", withText, len(pages))
	}
	if _, err := matchbench.LoadPages(t.TempDir(), nil); err == nil {
		t.Error("LoadPages(empty folder) did not fail")
	}
}

func TestPageTextJoinsFields(t *testing.T) {
	html := []byte(`<html><head><title>Security Alert</title></head><body><p>Your PC is infected</p><div style="display:none">hidden note</div></body></html>`)
	f := extract.Extract(&extract.Content{HTML: html})
	got := string(matchbench.PageText(html, []extract.Field{extract.FieldText, extract.FieldHidden, extract.FieldTitle}))
	want := f.Fields[extract.FieldText] + "\n" + f.Fields[extract.FieldHidden] + "\n" + f.Fields[extract.FieldTitle] + "\n"
	if got != want {
		t.Errorf("PageText = %q, want %q", got, want)
	}
}

// TestRunRepoCorpus runs the whole harness on the repository's corpus: the
// matcher and the regexp baseline must agree on every page.
func TestRunRepoCorpus(t *testing.T) {
	var out bytes.Buffer
	cfg := matchbench.Config{CorpusDir: repoCorpus, Passes: 1, RegexpPasses: 1, Scale: []int{50}, Seed: 1, Rounds: 2}
	if err := matchbench.Run(context.Background(), cfg, &out); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"vs regexp per pattern: 0 of", "scamscope/match", "regexp per pattern", "MB/s", "corpus MB/s", "regex words shuffled", "scale curve", "scam pages MB/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("Run output lacks %q:\n%s", want, s)
		}
	}
	if regexp.MustCompile(`(?m)^ *hyperscan +\d`).MatchString(s) != matchbench.HyperscanBuilt {
		t.Errorf("Run output with HyperscanBuilt=%v:\n%s", matchbench.HyperscanBuilt, s)
	}
	// The rule set's table on the corpus pools the rounds: each fast
	// engine's figure lies between its rounds' medians.
	rounds := regexp.MustCompile(`(?m)^each round's median MB/s: (.*)$`).FindStringSubmatch(s)
	if rounds == nil {
		t.Fatalf("Run output lacks the rounds line:\n%s", s)
	}
	engines := strings.Split(rounds[1], "; ")
	if want := map[bool]int{false: 1, true: 2}[matchbench.HyperscanBuilt]; len(engines) != want {
		t.Fatalf("rounds line names %d engines, want %d: %q", len(engines), want, rounds[1])
	}
	for _, e := range engines {
		name, list, _ := strings.Cut(e, " ")
		if name == "scamscope/match" || name == "hyperscan" {
			var lo, hi float64
			vals := strings.Split(list, ", ")
			if len(vals) != cfg.Rounds {
				t.Errorf("%s: %d rounds, want %d: %q", name, len(vals), cfg.Rounds, list)
			}
			for i, v := range vals {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f <= 0 {
					t.Fatalf("%s: round %q is not a speed", name, v)
				}
				if i == 0 || f < lo {
					lo = f
				}
				hi = max(hi, f)
			}
			row := regexp.MustCompile(`(?m)^ *` + regexp.QuoteMeta(name) + ` +\d+ +([\d.]+) `).FindStringSubmatch(s)
			if row == nil {
				t.Fatalf("no table row for %s", name)
			}
			// Medians are printed rounded: allow the last digit.
			if f, _ := strconv.ParseFloat(row[1], 64); f < lo*0.999-0.01 || f > hi*1.001+0.01 {
				t.Errorf("%s: table gives %v MB/s, outside its rounds' medians %v..%v", name, f, lo, hi)
			}
		} else {
			t.Errorf("rounds line names %q", name)
		}
	}
	// The split by label has a row per engine but the regexp baseline,
	// with both speeds and the scam pages' share of the time.
	split := regexp.MustCompile(`(?m)^ *(scamscope/match|hyperscan|regexp per pattern) +([\d.]+) +([\d.]+) +(\d+)% *$`).FindAllStringSubmatch(s, -1)
	if want := map[bool]int{false: 1, true: 2}[matchbench.HyperscanBuilt]; len(split) != want || split[0][1] != "scamscope/match" {
		t.Errorf("Run output has %d rows by label, want %d, the matcher's first:\n%s", len(split), want, s)
	}
	for _, row := range split {
		if share, _ := strconv.Atoi(row[4]); row[2] == "0.0" || row[3] == "0.0" || share <= 0 || share >= 100 {
			t.Errorf("row by label %q: a speed is zero or the share is not within (0, 100)%%", row[0])
		}
	}
	// The split by kind has a row for the literals and one for the
	// regexes, which add up to the rule set, with Hyperscan's speed and
	// the ratio when this build has it, and dashes when it has not.
	kinds := regexp.MustCompile(`(?m)^ *(literals|regexes) +(\d+) +([\d.]+) +(\S+) +(\S+) *$`).FindAllStringSubmatch(s, -1)
	if len(kinds) != 2 || kinds[0][1] != "literals" || kinds[1][1] != "regexes" {
		t.Fatalf("Run output has %d rows by kind, want literals then regexes:\n%s", len(kinds), s)
	}
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	nl, _ := strconv.Atoi(kinds[0][2])
	nr, _ := strconv.Atoi(kinds[1][2])
	if nl == 0 || nr == 0 || nl+nr != len(set.Patterns()) {
		t.Errorf("rows by kind count %d literals and %d regexes, want both and %d in all", nl, nr, len(set.Patterns()))
	}
	// The reference row: every literal and 15 regexes.
	ref := regexp.MustCompile(`(?m)^ *(literals\+15) +(\d+) +([\d.]+) +(\S+) +(\S+) *$`).FindStringSubmatch(s)
	if ref == nil {
		t.Fatalf("Run output lacks the literals+15 row:\n%s", s)
	}
	if n, _ := strconv.Atoi(ref[2]); n != nl+matchbench.ReferenceRegexes {
		t.Errorf("literals+15 row counts %d patterns, want %d literals and %d regexes", n, nl, matchbench.ReferenceRegexes)
	}
	kinds = append(kinds, ref)
	for _, k := range kinds {
		if k[3] == "0.0" || (k[4] == "-") == matchbench.HyperscanBuilt || (k[5] == "-") == matchbench.HyperscanBuilt {
			t.Errorf("row by kind %q with HyperscanBuilt=%v", k[0], matchbench.HyperscanBuilt)
		}
	}
	// The automaton rows: the rule set, then each kind alone, with the
	// table its steps read growing with the share of steps served.
	layout := regexp.MustCompile(`(?m)^ *(rule set|literals|regexes|literals\+15) +(\d+) +(\d+) +(\d+) +(\d+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) *$`).FindAllStringSubmatch(s, -1)
	if len(layout) != 4 || layout[0][1] != "rule set" || layout[1][1] != "literals" || layout[2][1] != "regexes" || layout[3][1] != "literals+15" {
		t.Fatalf("Run output has %d automaton rows, want the rule set, literals, regexes and literals+15:\n%s", len(layout), s)
	}
	num := func(x string) float64 {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if num(layout[0][2]) != num(layout[1][2])+num(layout[2][2]) {
		t.Errorf("automaton rows: the kinds' patterns do not add up to the rule set's")
	}
	for _, row := range layout {
		strs, states, classes, table, kb90, kb99 := num(row[3]), num(row[4]), num(row[5]), num(row[6]), num(row[7]), num(row[8])
		if strs == 0 || states <= strs || classes == 0 || table == 0 || kb90 == 0 || kb99 < kb90 {
			t.Errorf("automaton row %q: a count is zero or 99%% of the steps read less than 90%%", row[0])
		}
		// The scan and the pass alone are both timed; their ratio is
		// the one the row gives.
		scan, pass, share := num(row[9]), num(row[10]), num(row[11])
		if scan == 0 || pass == 0 || math.Abs(share-scan/pass) > 0.01+0.01*share {
			t.Errorf("automaton row %q: scan %v and pass %v MB/s, pass / scan time %v", row[0], scan, pass, share)
		}
		if row[1] != "rule set" && states > num(layout[0][4]) {
			t.Errorf("automaton row %q has more states than the whole rule set's", row[0])
		}
	}
	// The adversarial rows give the ratio against the rule set's own
	// matcher, and Hyperscan's figures on the same input when this build
	// has it, and dashes when it has not.
	row := regexp.MustCompile(`(?m)^ *regex words shuffled +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+x +[\d.]+ +[\d.]+x +(\S+) +(\S+) +(\S+) *$`).FindStringSubmatch(s)
	if row == nil {
		t.Fatalf("Run output lacks the shuffled words row with Hyperscan's columns:\n%s", s)
	}
	if ours := regexp.MustCompile(`^[\d.]+x$`).MatchString(row[3]); ours != matchbench.HyperscanBuilt || (row[1] == "-") == matchbench.HyperscanBuilt {
		t.Errorf("shuffled words row's Hyperscan columns %q with HyperscanBuilt=%v", row[1:], matchbench.HyperscanBuilt)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := matchbench.Run(ctx, matchbench.Config{CorpusDir: repoCorpus, Passes: 1, RegexpPasses: 1}, &bytes.Buffer{})
	if err == nil {
		t.Error("Run with a cancelled context did not fail")
	}
}

// TestMeasurePipeline runs the static pipeline against parsing on the
// repository's corpus: both take time, and every accepted page counts.
func TestMeasurePipeline(t *testing.T) {
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	pages, err := matchbench.LoadPages(repoCorpus, matchbench.FieldsOf(set))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := matchbench.MeasurePipeline(context.Background(), set, pages, 3)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Pages != len(pages) || sp.Pipeline <= 0 || sp.ParseOnly <= 0 || len(sp.Ratios) != 3 {
		t.Fatalf("MeasurePipeline = %+v, want all %d pages timed in 3 passes", sp, len(pages))
	}
	if r := sp.Ratio(); r <= 0 || r < slices.Min(sp.Ratios) || r > slices.Max(sp.Ratios) {
		t.Errorf("Ratio() = %v, want a positive figure among the passes' %v", r, sp.Ratios)
	}
}

// TestPipelineRatio takes the median of the passes' ratios, and the ratio
// of the medians when there are none.
func TestPipelineRatio(t *testing.T) {
	for _, c := range []struct {
		sp   matchbench.PipelineSpeed
		want float64
	}{
		{matchbench.PipelineSpeed{Pipeline: 4 * time.Second, ParseOnly: 2 * time.Second, Ratios: []float64{0.6, 0.4, 0.5}}, 0.5},
		{matchbench.PipelineSpeed{Pipeline: 4 * time.Second, ParseOnly: 2 * time.Second, Ratios: []float64{0.7, 0.4, 0.6, 0.5}}, 0.55},
		{matchbench.PipelineSpeed{Pipeline: 4 * time.Second, ParseOnly: time.Second}, 0.25},
	} {
		if got := c.sp.Ratio(); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%+v.Ratio() = %v, want %v", c.sp, got, c.want)
		}
	}
}

// TestMeasureAlternating times the project's matcher over two inputs in
// turn: each gets every pass, its own bytes, and no allocations.
func TestMeasureAlternating(t *testing.T) {
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	p, err := matchbench.NewProject(set.Patterns())
	if err != nil {
		t.Fatal(err)
	}
	a := [][]byte{[]byte("your computer is infected with a virus, call microsoft support now")}
	b := [][]byte{bytes.Repeat([]byte("an ordinary page of text about gardening. "), 100), []byte("and another")}
	sa, sb := matchbench.MeasureAlternating(p, a, b, 3)
	if len(sa.Passes) != 3 || len(sb.Passes) != 3 {
		t.Fatalf("passes: %d and %d, want 3 each", len(sa.Passes), len(sb.Passes))
	}
	if sa.Bytes != int64(len(a[0])) || sb.Bytes != int64(len(b[0])+len(b[1])) {
		t.Errorf("bytes: %d and %d, want %d and %d", sa.Bytes, sb.Bytes, len(a[0]), len(b[0])+len(b[1]))
	}
	for _, s := range []matchbench.Speed{sa, sb} {
		if s.MBps() <= 0 || s.AllocsPerMB != 0 || !slices.IsSorted(s.Passes) {
			t.Errorf("speed %+v: want a positive throughput, sorted passes and no allocations", s)
		}
	}
}

// seenEngine is an Engine that matches nothing and counts the bytes it is
// given.
type seenEngine struct{ bytes int }

func (*seenEngine) Name() string { return "seen" }

func (e *seenEngine) Match(text []byte, dst []int) []int {
	e.bytes += len(text)
	return dst[:0]
}

// slowEngine is an Engine that takes d over every text.
type slowEngine struct{ d time.Duration }

func (*slowEngine) Name() string { return "slow" }

func (e *slowEngine) Match(_ []byte, dst []int) []int {
	time.Sleep(e.d)
	return dst[:0]
}

// TestMeasureRepeatsShortPasses: a pass that takes less than the minimum
// goes over its input several times, and its throughput counts them all;
// a pass that takes longer goes over it once.
func TestMeasureRepeatsShortPasses(t *testing.T) {
	in := [][]byte{[]byte("abcdefgh")}
	fast := matchbench.Measure(&seenEngine{}, in, 2)
	if fast.Reps <= 1 || fast.Bytes != 8 || fast.MBps() <= 0 {
		t.Errorf("fast engine: %+v, want its 8 bytes repeated", fast)
	}
	if got, want := fast.MBps(), float64(8*fast.Reps)/1e6/matchbench.Median(fast.Passes).Seconds(); got != want {
		t.Errorf("fast engine MB/s = %v, want %v: every repetition counts", got, want)
	}
	slow := matchbench.Measure(&slowEngine{d: 60 * time.Millisecond}, in, 1)
	if slow.Reps != 1 {
		t.Errorf("slow engine: %d reps, want 1", slow.Reps)
	}
}

// TestMeasurePair times two engines over their own inputs in turn: each
// engine sees only its own input, once per pass, its warm-up and its
// untimed pass before each timed one.
func TestMeasurePair(t *testing.T) {
	var ea, eb seenEngine
	a := [][]byte{[]byte("abc"), []byte("de")}
	b := [][]byte{[]byte("fghijkl")}
	const passes = 3
	sa, sb := matchbench.MeasurePair(&ea, a, &eb, b, passes)
	if len(sa.Passes) != passes || len(sb.Passes) != passes {
		t.Fatalf("passes: %d and %d, want %d each", len(sa.Passes), len(sb.Passes), passes)
	}
	if sa.Bytes != 5 || sb.Bytes != 7 {
		t.Errorf("bytes: %d and %d, want 5 and 7", sa.Bytes, sb.Bytes)
	}
	// AllocsPerRun's warm-up and run and the run that sizes a pass, then
	// an untimed and a timed pass each, a pass going over the input Reps
	// times: these inputs take microseconds, so many.
	if sa.Reps <= 1 || sb.Reps <= 1 {
		t.Errorf("reps: %d and %d, want a short input repeated", sa.Reps, sb.Reps)
	}
	if want := (3 + 2*passes*sa.Reps) * 5; ea.bytes != want {
		t.Errorf("engine a saw %d bytes, want %d", ea.bytes, want)
	}
	if want := (3 + 2*passes*sb.Reps) * 7; eb.bytes != want {
		t.Errorf("engine b saw %d bytes, want %d", eb.bytes, want)
	}
}
