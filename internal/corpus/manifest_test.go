package corpus

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

const hdr = "label\tpath\tgroup\tfamily\tlang\tkind\tsource_repo\tcommit\tsource_path\tnote\n"

func row10(fields ...string) string { return strings.Join(fields, "\t") + "\n" }

func TestParseValid(t *testing.T) {
	in := hdr +
		row10("scam", "scam/a.html", "G1", "kit", "en", "page", "o/r", "abc", "a.html", "a note, with commas") +
		row10("benign", "b.txt", "", "", "", "hard-negative", "", "", "", "") +
		row10("scam", "x/y.js", "G1", "kit", "", "asset", "", "", "", "") +
		row10("benign", "c.html", "", "", "ja", "borderline", "", "", "", "") +
		row10("scam", "d.html", "", "", "", "render-only", "", "", "", "")
	got, err := Parse(strings.NewReader(in), "M.tsv")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Entry{
		{Line: 2, Label: Scam, Path: "scam/a.html", Group: "G1", Family: "kit", Lang: "en", Kind: KindPage, SourceRepo: "o/r", Commit: "abc", SourcePath: "a.html", Note: "a note, with commas"},
		{Line: 3, Label: Benign, Path: "b.txt", Kind: KindHardNegative},
		{Line: 4, Label: Scam, Path: "x/y.js", Group: "G1", Family: "kit", Kind: KindAsset},
		{Line: 5, Label: Benign, Path: "c.html", Lang: "ja", Kind: KindBorderline},
		{Line: 6, Label: Scam, Path: "d.html", Kind: KindRenderOnly},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v\nwant %+v", got, want)
	}
	if got[1].GroupKey() != "b.txt" || got[0].GroupKey() != "G1" {
		t.Errorf("GroupKey = %q, %q; want %q, %q", got[1].GroupKey(), got[0].GroupKey(), "b.txt", "G1")
	}
	// CRLF line ends and a byte-order mark are tolerated.
	crlf := "\ufeff" + strings.ReplaceAll(in, "\n", "\r\n")
	if got2, err := Parse(strings.NewReader(crlf), "M.tsv"); err != nil || !reflect.DeepEqual(got2, want) {
		t.Errorf("Parse(CRLF) = %+v, %v; want the same entries", got2, err)
	}
}

func TestParseErrors(t *testing.T) {
	ok := row10("scam", "a.html", "", "", "", "page", "", "", "", "")
	tests := []struct {
		name string
		in   string
		want []string // each must appear in the error
	}{
		{"empty", "", []string{"M.tsv:1: empty manifest"}},
		{"wrong header", "label\tpath\n" + ok, []string{"M.tsv:1: header is"}},
		{"reordered header", strings.Replace(hdr, "group\tfamily", "family\tgroup", 1) + ok, []string{"M.tsv:1: header"}},
		{"too few fields", hdr + "scam\ta.html\n", []string{"M.tsv:2: 2 fields, want 10"}},
		{"too many fields", hdr + strings.TrimSuffix(ok, "\n") + "\textra\n", []string{"M.tsv:2: 11 fields"}},
		{"bad label", hdr + row10("Scam", "a.html", "", "", "", "page", "", "", "", ""), []string{`M.tsv:2: label "Scam"`}},
		{"bad kind", hdr + row10("scam", "a.html", "", "", "", "pages", "", "", "", ""), []string{`M.tsv:2: kind "pages"`}},
		{"scam hard negative", hdr + row10("scam", "a.html", "", "", "", "hard-negative", "", "", "", ""), []string{"M.tsv:2: kind \"hard-negative\" with label \"scam\""}},
		{"empty path", hdr + row10("scam", "", "", "", "", "page", "", "", "", ""), []string{`M.tsv:2: path "": empty`}},
		{"absolute path", hdr + row10("scam", "/etc/passwd", "", "", "", "page", "", "", "", ""), []string{"M.tsv:2: path \"/etc/passwd\": must be relative"}},
		{"escaping path", hdr + row10("scam", "../x.html", "", "", "", "page", "", "", "", ""), []string{`M.tsv:2: path "../x.html"`}},
		{"backslash path", hdr + row10("scam", `a\b.html`, "", "", "", "page", "", "", "", ""), []string{"forward slashes"}},
		{"duplicate path", hdr + ok + ok, []string{`M.tsv:3: path "a.html" already listed on line 2`}},
		{"empty line", hdr + ok + "\n" + row10("scam", "b.html", "", "", "", "page", "", "", "", ""), []string{"M.tsv:3: empty line"}},
		{"all errors at once", hdr + row10("x", "a.html", "", "", "", "page", "", "", "", "") + ok + row10("scam", "b.html", "", "", "", "y", "", "", "", ""),
			[]string{`M.tsv:2: label "x"`, `M.tsv:4: kind "y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in), "M.tsv")
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrManifest) {
				t.Errorf("Parse(%q) error %v does not wrap ErrManifest", tt.in, err)
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Errorf("Parse(%q) error %v holds no *LineError", tt.in, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, w)
				}
			}
		})
	}
}

func TestLoadMissingFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here.html"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := hdr + row10("scam", "here.html", "", "", "", "page", "", "", "", "") +
		row10("scam", "gone.html", "", "", "", "page", "", "", "", "") +
		row10("benign", "sub", "", "", "", "page", "", "", "", "")
	file := filepath.Join(dir, "MANIFEST.tsv")
	if err := os.WriteFile(file, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(file)
	if err == nil {
		t.Fatal("Load = nil error, want missing-file errors")
	}
	for _, w := range []string{file + `:3: path "gone.html"`, file + `:4: path "sub" is not a regular file`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Load error = %q, want it to contain %q", err, w)
		}
	}
	if _, err := Load(filepath.Join(dir, "nope.tsv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing manifest) = %v, want os.ErrNotExist", err)
	}
}

// TestLoadCorpora loads the project's own corpus and, when present, the
// shared real-world corpus: both must pass the strict loader.
func TestLoadCorpora(t *testing.T) {
	for _, c := range []struct {
		file     string
		optional bool
	}{
		{"../../corpus/MANIFEST.tsv", false},
		{"../../../shared/corpus/MANIFEST.tsv", true},
	} {
		t.Run(c.file, func(t *testing.T) {
			if _, err := os.Stat(c.file); c.optional && errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s absent: the shared corpus is not on this machine", c.file)
			}
			m, err := Load(c.file)
			if err != nil {
				t.Fatalf("Load(%s): %v", c.file, err)
			}
			if len(m.Entries) == 0 {
				t.Errorf("Load(%s): no entries", c.file)
			}
		})
	}
}

func TestFormatRoundTrip(t *testing.T) {
	in := hdr + row10("scam", "a.html", "G", "f", "en", "page", "o/r", "c", "p", "n") + row10("benign", "b/c.html", "", "", "", "hard-negative", "", "", "", "")
	entries, err := Parse(strings.NewReader(in), "M")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Format(&b, entries); err != nil {
		t.Fatal(err)
	}
	if b.String() != in {
		t.Errorf("Format(Parse(in)) = %q, want %q", b.String(), in)
	}
	if err := Format(&b, []Entry{{Label: Scam, Kind: KindPage, Path: "a", Note: "tab\there"}}); err == nil {
		t.Error("Format with a tab in a field = nil error, want an error")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(hdr + row10("scam", "a.html", "G", "f", "en", "page", "", "", "", "n")))
	f.Add([]byte(hdr + row10("benign", "a/b.html", "", "", "", "hard-negative", "", "", "", "") + "\n"))
	f.Add([]byte(hdr + "scam\t../a\n\r\n"))
	f.Add([]byte("\ufeff" + hdr))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(bytes.NewReader(data), "F")
		if err != nil {
			if !errors.Is(err, ErrManifest) && !strings.Contains(err.Error(), "read manifest") {
				t.Fatalf("Parse error %v is neither ErrManifest nor a read error", err)
			}
			return
		}
		// What parses formats back and parses to the same entries.
		var b bytes.Buffer
		if err := Format(&b, entries); err != nil {
			t.Fatalf("Format(Parse(data)): %v", err)
		}
		again, err := Parse(&b, "F")
		if err != nil {
			t.Fatalf("Parse(Format(Parse(data))): %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("round trip: %d entries, want %d", len(again), len(entries))
		}
		for i := range again {
			again[i].Line, entries[i].Line = 0, 0
		}
		if !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip = %+v, want %+v", again, entries)
		}
	})
}

// TestOwnCorpusCoverage holds the project's corpus to what corpus/README.md
// promises: every language, hard negatives, borderline and asset rows, and
// only self-written files.
func TestOwnCorpusCoverage(t *testing.T) {
	m, err := Load("../../corpus/MANIFEST.tsv")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	count := map[string]int{}
	scamLangs := map[string]bool{}
	for _, e := range m.Entries {
		count[string(e.Label)+"/"+string(e.Kind)]++
		if e.Label == Scam && e.Kind == KindPage {
			scamLangs[e.Lang] = true
		}
		if e.SourceRepo != "self-written" {
			t.Errorf("line %d: source_repo %q, want self-written", e.Line, e.SourceRepo)
		}
		if e.Family == "" || e.Group == "" || e.Lang == "" || e.Note == "" {
			t.Errorf("line %d: family, group, lang and note must be filled in", e.Line)
		}
		b, err := m.Read(e)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			t.Errorf("line %d: %s is not UTF-8", e.Line, e.Path)
		}
	}
	for _, l := range []string{"en", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "ja", "zh", "ko"} {
		if !scamLangs[l] {
			t.Errorf("no scam page in %s", l)
		}
	}
	for k, least := range map[string]int{"scam/page": 12, "benign/page": 8, "benign/hard-negative": 9, "benign/borderline": 2, "scam/asset": 1} {
		if count[k] < least {
			t.Errorf("%d rows of %s, want at least %d", count[k], k, least)
		}
	}
}
