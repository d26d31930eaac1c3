package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/apiconv"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/score"
	"github.com/scamscope/scamscope/internal/server"
)

const testRules = "testdata/rules"

// runCLI runs the program with args and returns its output and exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stdout+stderr
	}{
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"help"}, 0, "scamscope eval"},
		{[]string{"scan"}, 2, "want at least one FILE"},
		{[]string{"scan", "--bogus", "x"}, 2, "flag provided but not defined"},
		{[]string{"scan", "-h"}, 0, "--url"},
		{[]string{"scan", "--url", "ftp://x", "a.html"}, 2, "absolute http or https URL"},
		{[]string{"scan", "--server", "127.0.0.1:1", "--rules", "r", "a.html"}, 2, "--rules applies to local scans"},
		{[]string{"rules"}, 2, "test or lint"},
		{[]string{"rules", "check"}, 2, `unknown subcommand "check"`},
		{[]string{"rules", "test", "extra"}, 2, "unexpected arguments"},
		{[]string{"eval"}, 2, "want one MANIFEST.tsv"},
		{[]string{"eval", "--rules", testRules, "nope/MANIFEST.tsv"}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("run(%q) exit %d, want %d; stderr:\n%s", tt.args, code, tt.code, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("run(%q) output lacks %q:\n%s%s", tt.args, tt.want, out, errOut)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := map[string]string{
		"a.js": "application/javascript", "A.JS": "application/javascript", "x/y.mjs": "application/javascript",
		"notes.txt": "text/plain", "about.md": "text/plain", "about.md.txt": "text/plain",
		"page.html": "text/html", "page.htm": "text/html", "page.php": "text/html", "noext": "text/html",
	}
	for name, want := range tests {
		if got := contentType(name); got != want {
			t.Errorf("contentType(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestScanText scans with the test rules: the page names both test phrases,
// so both rules fire and their evidence is printed.
func TestScanText(t *testing.T) {
	out, errOut, code := runCLI(t, "scan", "--rules", testRules, "--url", "https://shop.example.com/x", "testdata/alert.html", "testdata/plain.html")
	if code != 0 {
		t.Fatalf("scan exit %d: %s", code, errOut)
	}
	alert, plain, ok := strings.Cut(out, "testdata/plain.html: ")
	if !ok || !strings.HasPrefix(alert, "testdata/alert.html: ") {
		t.Fatalf("scan output is not one block per file in order:\n%s", out)
	}
	for _, want := range []string{"test.alarm.infected [alarm] Says the computer is infected", "test.brand.defender [brand]"} {
		if !strings.Contains(alert, want) {
			t.Errorf("scan of alert.html lacks %q:\n%s", want, alert)
		}
	}
	// Evidence: field, offsets and the snippet around the match.
	evidence := regexp.MustCompile(`(?m)^ +text \d+-\d+: ".*your computer is infected.*"$`)
	if !evidence.MatchString(alert) {
		t.Errorf("scan of alert.html shows no evidence line matching %v:\n%s", evidence, alert)
	}
	if !strings.HasPrefix(plain, "CLEAN score 0") || !strings.Contains(plain, "fired rules: none") {
		t.Errorf("scan of plain.html = %q, want CLEAN score 0 with no rules", plain)
	}
}

// jsonVerdicts decodes scan --json output.
func jsonVerdicts(t *testing.T, out string) (files []string, verdicts []*scamscopev1.Verdict) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line struct {
			File    string          `json:"file"`
			Verdict json.RawMessage `json:"verdict"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("scan --json line %q: %v", sc.Text(), err)
		}
		v := &scamscopev1.Verdict{}
		if err := protojson.Unmarshal(line.Verdict, v); err != nil {
			t.Fatalf("scan --json verdict %s: %v", line.Verdict, err)
		}
		files = append(files, line.File)
		verdicts = append(verdicts, v)
	}
	return files, verdicts
}

func TestScanJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "scan", "--json", "--rules", testRules, "testdata/alert.html", "testdata/plain.html")
	if code != 0 {
		t.Fatalf("scan --json exit %d: %s", code, errOut)
	}
	files, vs := jsonVerdicts(t, out)
	if want := []string{"testdata/alert.html", "testdata/plain.html"}; !slices.Equal(files, want) {
		t.Fatalf("scan --json files = %q, want %q", files, want)
	}
	var ids []string
	for _, f := range vs[0].GetFiredRules() {
		ids = append(ids, f.GetId())
	}
	slices.Sort(ids)
	if want := []string{"test.alarm.infected", "test.brand.defender"}; !slices.Equal(ids, want) {
		t.Errorf("alert.html fired %q, want %q", ids, want)
	}
	if vs[1].GetLabel() != scamscopev1.Label_LABEL_CLEAN || len(vs[1].GetFiredRules()) != 0 {
		t.Errorf("plain.html verdict = %v, want CLEAN with no rules", vs[1])
	}
	for i, v := range vs {
		if v.GetRuleSetVersion() == "" || len(v.GetTimings()) == 0 {
			t.Errorf("verdict %d lacks rule set version or timings: %v", i, v)
		}
	}
	// Keys are the contract's field names.
	if !strings.Contains(out, `"rule_set_version"`) || !strings.Contains(out, `"fired_rules"`) {
		t.Errorf("scan --json does not use proto field names:\n%s", out)
	}
}

func TestScanFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.html", "")
	out, errOut, code := runCLI(t, "scan", "--rules", testRules, filepath.Join(dir, "missing.html"), empty, "testdata/plain.html")
	if code != 1 {
		t.Errorf("scan with bad files exit %d, want 1", code)
	}
	for _, want := range []string{"missing.html", "empty.html: " + scan.ErrEmpty.Error(), "2 of 3 file(s) failed"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "testdata/plain.html: CLEAN") {
		t.Errorf("the good file was not scanned after the bad ones:\n%s", out)
	}
}

func TestRulesTest(t *testing.T) {
	t.Run("good", func(t *testing.T) {
		out, errOut, code := runCLI(t, "rules", "test", "--rules", testRules)
		if code != 0 || !strings.Contains(out, "ok: 2 rules") {
			t.Errorf("rules test on good rules: exit %d, out %q, err %q", code, out, errOut)
		}
	})
	scoring, err := os.ReadFile(filepath.Join(testRules, "scoring.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("broken", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "scoring.yaml", string(scoring))
		writeFile(t, dir, "bad.yaml", `rules:
  - id: bad.one
    title: Unknown category
    category: nonsense
    languages: [any]
    weight: 10
    patterns:
      - literal: something bad
    examples:
      match: ["something bad"]
      no_match: ["something good"]
  - id: bad.two
    title: Unknown key
    colour: red
    category: alarm
    languages: [any]
    weight: 10
    patterns:
      - literal: other thing
    examples:
      match: ["other thing"]
      no_match: ["nothing"]
`)
		out, errOut, code := runCLI(t, "rules", "test", "--rules", dir)
		if code != 1 {
			t.Errorf("rules test on broken rules exit %d, want 1", code)
		}
		bad := filepath.Join(dir, "bad.yaml")
		for _, want := range []string{bad + ":4: ", `"nonsense"`, bad + ":14: ", `"colour"`} {
			if !strings.Contains(out, want) {
				t.Errorf("rules test output lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(errOut, "rules do not load: 2 problem(s)") {
			t.Errorf("stderr = %q, want the count of problems", errOut)
		}
	})
	t.Run("failing example", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "scoring.yaml", string(scoring))
		writeFile(t, dir, "ex.yaml", `rules:
  - id: ex.one
    title: An example that cannot match
    category: alarm
    languages: [any]
    weight: 10
    patterns:
      - literal: virus detected
    examples:
      match: ["virus found"]
      no_match: ["no virus detected here"]
`)
		out, errOut, code := runCLI(t, "rules", "test", "--rules", dir)
		if code != 1 {
			t.Errorf("rules test with failing examples exit %d, want 1", code)
		}
		ex := filepath.Join(dir, "ex.yaml")
		for _, want := range []string{ex + ":10: rule ex.one", "should match", ex + ":11: rule ex.one", "should not match"} {
			if !strings.Contains(out, want) {
				t.Errorf("rules test output lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(errOut, "2 example(s) failed") {
			t.Errorf("stderr = %q, want the count of failures", errOut)
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		if _, _, code := runCLI(t, "rules", "test", "--rules", filepath.Join(t.TempDir(), "nope")); code != 1 {
			t.Errorf("rules test on a missing dir exit %d, want 1", code)
		}
	})
}

func TestRulesLint(t *testing.T) {
	dir := t.TempDir()
	scoring, err := os.ReadFile(filepath.Join(testRules, "scoring.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "scoring.yaml", string(scoring))
	writeFile(t, dir, "lint.yaml", `rules:
  - id: lint.zero
    title: Weighs nothing
    category: alarm
    languages: [any]
    weight: 0
    patterns:
      - literal: harmless words
    examples:
      match: ["harmless words"]
      no_match: ["other words"]
`)
	out, errOut, code := runCLI(t, "rules", "lint", "--rules", dir)
	if code != 0 {
		t.Fatalf("rules lint exit %d: %s", code, errOut)
	}
	if want := filepath.Join(dir, "lint.yaml") + ":2: rule lint.zero: weight 0"; !strings.Contains(out, want) {
		t.Errorf("rules lint output lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out, "1 rules, 1 warning(s)") {
		t.Errorf("rules lint output lacks the summary:\n%s", out)
	}
}

func TestEvalJSONOwnCorpus(t *testing.T) {
	out, errOut, code := runCLI(t, "eval", "--json", "--rules", testRules, "../../corpus/MANIFEST.tsv")
	if code != 0 {
		t.Fatalf("eval --json exit %d: %s", code, errOut)
	}
	var rep map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json output is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"pages", "tp", "fp", "tn", "fn", "group_recall", "fpr", "fpr_hard_negative", "misses", "false_positives", "by_family", "by_language", "ungated", "errors", "rule_set"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("eval --json lacks key %q", k)
		}
	}
	var figs struct {
		Pages, TP, FP, TN, FN int
		Ungated               []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(out), &figs); err != nil {
		t.Fatal(err)
	}
	if figs.Pages == 0 || figs.TP+figs.FP+figs.TN+figs.FN != figs.Pages {
		t.Errorf("eval --json: tp+fp+tn+fn = %d, pages = %d; want equal and non-zero", figs.TP+figs.FP+figs.TN+figs.FN, figs.Pages)
	}
	kinds := map[string]bool{}
	for _, u := range figs.Ungated {
		kinds[u.Kind] = true
	}
	if !kinds["asset"] || !kinds["borderline"] {
		t.Errorf("eval --json ungated kinds = %v, want asset and borderline rows", kinds)
	}
}

// TestEvalFloor evaluates a corpus whose only scam page shows nothing a rule
// knows: it cannot be caught, so --floor must fail and say why.
func TestEvalFloor(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "scam/quiet.html", "<p>Nothing to see here.</p>")
	writeFile(t, dir, "benign/b.html", "<p>Opening hours: 9 to 5.</p>")
	writeFile(t, dir, "benign/h.html", "<p>We repair laptops.</p>")
	writeFile(t, dir, "MANIFEST.tsv", "label\tpath\tgroup\tfamily\tlang\tkind\tsource_repo\tcommit\tsource_path\tnote\n"+
		"scam\tscam/quiet.html\tG\tk\ten\tpage\t\t\t\t\n"+
		"benign\tbenign/b.html\t\tnews\ten\tpage\t\t\t\t\n"+
		"benign\tbenign/h.html\t\trepair\ten\thard-negative\t\t\t\t\n")
	manifest := filepath.Join(dir, "MANIFEST.tsv")
	for _, flag := range []string{"--floor", "--check"} {
		out, errOut, code := runCLI(t, "eval", "--rules", testRules, flag, manifest)
		if code != 1 {
			t.Errorf("eval %s exit %d, want 1", flag, code)
		}
		if !strings.Contains(errOut, "below the floor: group recall 0.0000 (0/1 groups) < 0.9500") {
			t.Errorf("eval %s stderr = %q, want the group recall below the floor", flag, errOut)
		}
		if !strings.Contains(out, "group recall     0.0000 (0/1 groups)") || !strings.Contains(out, "scam/quiet.html") {
			t.Errorf("eval %s text report:\n%s", flag, out)
		}
	}
	// Without --floor the same evaluation succeeds.
	if _, errOut, code := runCLI(t, "eval", "--rules", testRules, manifest); code != 0 {
		t.Errorf("eval without --floor exit %d: %s", code, errOut)
	}
}

func TestWriteVerdictText(t *testing.T) {
	v := apiconv.Verdict(score.Verdict{
		Label: score.Suspicious, Score: 42, RuleSetVersion: "abc",
		Fired: []score.FiredRule{{ID: "r.one", Title: "Rule one", Category: "alarm", Weight: 12,
			Evidence: []rules.Evidence{{Field: extract.FieldDialog, Start: 3, End: 9, Snippet: "…infected…"}}}},
		Categories: []string{"alarm"},
		Indicators: score.Indicators{
			Phones:      []extract.Phone{{Raw: "(202) 555-0199", E164: "+12025550199", Region: "US", Type: "fixed_line_or_mobile", Field: extract.FieldText}},
			ErrorCodes:  []extract.ErrorCode{{Code: "0x80070424", Field: extract.FieldText}},
			Brands:      []string{"Microsoft"},
			RemoteTools: []string{"AnyDesk"},
			Locks:       []extract.Lock{{Kind: extract.LockKeyboard, Count: 1, Evidence: "navigator.keyboard.lock()"}},
		},
		Warnings: []string{"script 1 does not parse"},
	}, nil)
	var b bytes.Buffer
	if err := writeVerdictText(&b, "p.html", v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"p.html: SUSPICIOUS score 42 (rules abc)",
		"categories: alarm",
		" +12 r.one [alarm] Rule one",
		`dialog 3-9: "…infected…"`,
		`phone: +12025550199 "(202) 555-0199" region US, fixed_line_or_mobile, in text`,
		"error code: 0x80070424 in text",
		"brands: Microsoft",
		"remote-access tools: AnyDesk",
		`lock: keyboard_lock x1 in source: "navigator.keyboard.lock()"`,
		"warning: script 1 does not parse",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("writeVerdictText output lacks %q:\n%s", want, b.String())
		}
	}
}

// TestScanServer scans through a real gRPC server on loopback, built from
// internal/server over the same rules, and checks it answers what the local
// scan answers.
func TestScanServer(t *testing.T) {
	set, err := loadRules(testRules)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	scamscopev1.RegisterScanServiceServer(gs, server.NewScanService(server.Config{}, scan.New(scan.DefaultConfig(), set, nil), log, nil))
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)

	files := []string{"testdata/alert.html", "testdata/plain.html"}
	remote, errOut, code := runCLI(t, append([]string{"scan", "--json", "--server", lis.Addr().String(), "--url", "https://x.example.com/"}, files...)...)
	if code != 0 {
		t.Fatalf("scan --server exit %d: %s", code, errOut)
	}
	local, errOut, code := runCLI(t, append([]string{"scan", "--json", "--rules", testRules, "--url", "https://x.example.com/"}, files...)...)
	if code != 0 {
		t.Fatalf("local scan exit %d: %s", code, errOut)
	}
	rf, rv := jsonVerdicts(t, remote)
	lf, lv := jsonVerdicts(t, local)
	if !slices.Equal(rf, lf) || len(rv) != len(files) {
		t.Fatalf("remote files %q, local files %q, want %q", rf, lf, files)
	}
	for i := range rv {
		if len(rv[i].GetTimings()) == 0 {
			t.Errorf("%s: remote verdict has no timings", rf[i])
		}
		rv[i].Timings, lv[i].Timings = nil, nil
		if !proto.Equal(rv[i], lv[i]) {
			t.Errorf("%s: remote verdict\n%v\nwant the local one\n%v", rf[i], rv[i], lv[i])
		}
	}
	if len(rv[0].GetFiredRules()) == 0 {
		t.Errorf("remote verdict for alert.html has no fired rules")
	}

	// The text form works over the server too, and an empty file is the
	// server's error, reported per file.
	empty := writeFile(t, t.TempDir(), "empty.html", "")
	out, errOut, code := runCLI(t, "scan", "--server", lis.Addr().String(), "testdata/plain.html", empty)
	if code != 1 || !strings.Contains(out, "testdata/plain.html: CLEAN") || !strings.Contains(errOut, "empty.html") {
		t.Errorf("scan --server with an empty file: exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestScanServerUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errb bytes.Buffer
	err = run(ctx, []string{"scan", "--server", addr, "--timeout", "2s", "testdata/plain.html"}, &out, &errb)
	if err == nil || !strings.Contains(errb.String(), "testdata/plain.html") {
		t.Errorf("scan against a closed port = %v, stderr %q; want a per-file error", err, errb.String())
	}
	var ue *usageError
	if errors.As(err, &ue) {
		t.Errorf("an unreachable server is not a usage error: %v", err)
	}
}
