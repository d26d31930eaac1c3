package jsscan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// corpusDir is the shared real-world corpus; SCAMSCOPE_CORPUS overrides it.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SCAMSCOPE_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		tb.Skipf("real-world corpus not found at %s (set SCAMSCOPE_CORPUS): %v", dir, err)
	}
	return dir
}

type manifestRow struct {
	label, path, group, kind, note string
}

func readManifest(tb testing.TB, dir string) []manifestRow {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		tb.Fatalf("MANIFEST.tsv: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range []string{"label", "path", "group", "kind", "note"} {
		if _, ok := col[c]; !ok {
			tb.Fatalf("MANIFEST.tsv: no %q column in %q", c, header)
		}
	}
	var rows []manifestRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("MANIFEST.tsv: %v", err)
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		rows = append(rows, manifestRow{label: get("label"), path: get("path"), group: get("group"), kind: get("kind"), note: get("note")})
	}
	return rows
}

// pageScript is one piece of JavaScript from a page: a <script> body or an
// inline handler attribute (event set).
type pageScript struct {
	tag, event string
	src        []byte
}

// pageScripts extracts the JavaScript <script> bodies and on* attributes of
// an HTML page.
func pageScripts(page []byte) []pageScript {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []pageScript
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			isScript := string(name) == "script"
			js := true
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := string(k)
				switch {
				case isScript && key == "type":
					t := strings.ToLower(strings.TrimSpace(string(v)))
					js = t == "" || t == "module" || strings.Contains(t, "javascript") || strings.Contains(t, "ecmascript")
				case strings.HasPrefix(key, "on") && len(v) > 0:
					out = append(out, pageScript{tag: string(name), event: key, src: append([]byte(nil), v...)})
				}
			}
			inScript = isScript && js && tt == html.StartTagToken
		case html.EndTagToken:
			inScript = false
		case html.TextToken:
			if inScript {
				if raw := z.Raw(); len(bytes.TrimSpace(raw)) > 0 {
					out = append(out, pageScript{src: append([]byte(nil), raw...)})
				}
			}
		}
	}
}

func analyzeScript(s pageScript) Result {
	if s.event != "" {
		return AnalyzeElementHandler(s.tag, s.event, s.src)
	}
	return Analyze(s.src)
}

// kindTally counts, per kind, the files it fires on and its sites.
type kindTally struct {
	files, sites int
	example      string
}

type corpusStats struct {
	files, scripts, syntaxErrors, partial int
	filesWithFinding                      int
	dialogs, stringBytes                  int
	kinds                                 map[string]*kindTally
	groups                                map[string]bool // groups with at least one finding
	allGroups                             map[string]bool
}

func (st *corpusStats) add(t *testing.T, row manifestRow, scripts []pageScript) {
	t.Helper()
	st.files++
	st.allGroups[row.group] = true
	fileKinds := map[string]int{}
	evidence := map[string]string{}
	for _, s := range scripts {
		st.scripts++
		r := analyzeScript(s)
		if errors.Is(r.Err, ErrInternal) {
			t.Errorf("%s: %v", row.path, r.Err)
		}
		var se *SyntaxError
		if errors.As(r.Err, &se) {
			st.syntaxErrors++
			if se.BlankedLines > 0 {
				st.partial++
			}
		}
		st.dialogs += len(r.Dialogs)
		for _, s := range r.Strings {
			st.stringBytes += len(s)
		}
		for _, f := range r.Findings {
			fileKinds[f.Kind] += f.Count
			if evidence[f.Kind] == "" {
				evidence[f.Kind] = f.Evidence
			}
		}
	}
	if len(fileKinds) > 0 {
		st.groups[row.group] = true
		st.filesWithFinding++
	}
	for k, n := range fileKinds {
		kt := st.kinds[k]
		if kt == nil {
			kt = &kindTally{}
			st.kinds[k] = kt
		}
		kt.files++
		kt.sites += n
		if kt.example == "" {
			kt.example = filepath.Base(row.path) + ": " + evidence[k]
		}
	}
}

func (st *corpusStats) log(t *testing.T, label string) {
	t.Helper()
	t.Logf("%s: %d files, %d scripts (%d syntax errors, %d analysed partially); a finding in %d files, %d/%d groups",
		label, st.files, st.scripts, st.syntaxErrors, st.partial, st.filesWithFinding, len(st.groups), len(st.allGroups))
	t.Logf("  %d dialog texts, %d bytes of prose strings", st.dialogs, st.stringBytes)
	var none []string
	for g := range st.allGroups {
		if !st.groups[g] {
			none = append(none, g)
		}
	}
	sort.Strings(none)
	if len(none) <= 20 {
		t.Logf("  groups without a finding: %s", strings.Join(none, " "))
	}
	names := make([]string, 0, len(st.kinds))
	for k := range st.kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		kt := st.kinds[k]
		t.Logf("  %-20s files=%-3d sites=%-4d e.g. %s", k, kt.files, kt.sites, kt.example)
	}
}

func newStats() *corpusStats {
	return &corpusStats{kinds: map[string]*kindTally{}, groups: map[string]bool{}, allGroups: map[string]bool{}}
}

// assetKinds maps what a manifest note says an asset does to the kinds that
// must be found in it.
func assetKinds(note string) []string {
	var kinds []string
	if strings.Contains(note, "keyboard.lock") {
		kinds = append(kinds, KindKeyboardLock)
	}
	if strings.Contains(note, "contextmenu") {
		kinds = append(kinds, KindContextMenu)
	}
	if strings.Contains(note, "keydown") {
		kinds = append(kinds, KindDevtoolsKeys)
	}
	return kinds
}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	rows := readManifest(t, dir)
	scam, benign := newStats(), newStats()
	assets := 0
	for _, row := range rows {
		b, err := os.ReadFile(filepath.Join(dir, row.path))
		if err != nil {
			t.Errorf("%s: %v", row.path, err)
			continue
		}
		switch {
		case row.kind == "asset":
			assets++
			r := Analyze(b)
			if r.Err != nil {
				t.Errorf("Analyze(%s).Err = %v", row.path, r.Err)
			}
			want := assetKinds(row.note)
			if len(want) == 0 {
				t.Errorf("%s: note %q names no behaviour this test knows", row.path, row.note)
			}
			for _, k := range want {
				if r.Count(k) == 0 {
					t.Errorf("Analyze(%s) = %+v, want %s (note: %s)", row.path, r.Findings, k, row.note)
				}
			}
			t.Logf("asset %s: %v", filepath.Base(row.path), counts(r))
			scam.add(t, row, []pageScript{{src: b}})
		case row.label == "scam":
			scam.add(t, row, pageScripts(b))
		case row.label == "benign" && strings.HasSuffix(strings.ToLower(row.path), ".html"):
			benign.add(t, row, pageScripts(b))
		}
	}
	if assets != 2 {
		t.Errorf("found %d asset rows, want 2", assets)
	}
	scam.log(t, "scam")
	benign.log(t, "benign")
}

// corpusScripts loads every script of the corpus's HTML pages and assets.
func corpusScripts(b testing.TB) ([][]byte, int64) {
	dir := corpusDir(b)
	var out [][]byte
	var size int64
	for _, row := range readManifest(b, dir) {
		page, err := os.ReadFile(filepath.Join(dir, row.path))
		if err != nil {
			b.Fatal(err)
		}
		if row.kind == "asset" {
			out, size = append(out, page), size+int64(len(page))
			continue
		}
		for _, s := range pageScripts(page) {
			if s.event == "" {
				out, size = append(out, s.src), size+int64(len(s.src))
			}
		}
	}
	return out, size
}

func BenchmarkAnalyze(b *testing.B) {
	scripts, size := corpusScripts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ReportMetric(float64(len(scripts)), "scripts")
	for b.Loop() {
		for _, s := range scripts {
			Analyze(s)
		}
	}
}

// BenchmarkAnalyzeSynthetic needs no corpus: a library-like script of
// functions, handlers and strings.
func BenchmarkAnalyzeSynthetic(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		fmt.Fprintf(&sb, `function f%d(a, b) { for (var i = 0; i < a.length; i++) { if (a[i] === b) return "item number %d was found in the list"; } $("#x%d").on("click", function(e){ e.preventDefault(); f%d(a, b + 1); }); return null; }
`, i, i, i, i+1)
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(src)
	}
}
