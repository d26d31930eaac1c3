// Package corpus loads labelled corpora and evaluates a classifier on them.
//
// A corpus is a folder with a MANIFEST.tsv: one row a file, tab-separated,
// with the header
//
//	label  path  group  family  lang  kind  source_repo  commit  source_path  note
//
// Paths are relative to the manifest's folder. Labels are "scam" or "benign";
// kinds are "page", "hard-negative", "borderline", "asset" and "render-only".
// Only pages and hard negatives are gated (they make up the confusion matrix
// and the rates); the other kinds are evaluated and reported apart.
//
// The package does not classify anything itself: Evaluate takes a
// Classifier, so the same report serves the local scanner, a remote server or
// a test's fake.
package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ErrManifest is wrapped by every error in a manifest's contents.
var ErrManifest = errors.New("invalid manifest")

// Header is the manifest's header row, column by column.
var header = []string{"label", "path", "group", "family", "lang", "kind", "source_repo", "commit", "source_path", "note"}

// Header returns the column names a manifest must start with, in order.
func Header() []string { return append([]string(nil), header...) }

// Label is a row's ground truth.
type Label string

// The labels.
const (
	Scam   Label = "scam"
	Benign Label = "benign"
)

// Kind says what a row is and whether it is gated.
type Kind string

// The kinds.
const (
	KindPage         Kind = "page"          // an ordinary page, gated
	KindHardNegative Kind = "hard-negative" // a benign page that looks scary to a naive matcher, gated
	KindBorderline   Kind = "borderline"    // aggressive but real marketing: reported, not gated
	KindAsset        Kind = "asset"         // a kit's script, not a page: reported, not gated
	KindRenderOnly   Kind = "render-only"   // judged only when rendered in a browser: reported, not gated
)

// Gated reports whether rows of kind k count in the confusion matrix.
func (k Kind) Gated() bool { return k == KindPage || k == KindHardNegative }

func (k Kind) valid() bool {
	switch k {
	case KindPage, KindHardNegative, KindBorderline, KindAsset, KindRenderOnly:
		return true
	}
	return false
}

// Entry is one row of a manifest.
type Entry struct {
	Line       int // 1-based line in the manifest
	Label      Label
	Path       string // slash-separated, relative to the manifest's folder
	Group      string // near-duplicate group; empty means the page is its own group
	Family     string
	Lang       string
	Kind       Kind
	SourceRepo string
	Commit     string
	SourcePath string
	Note       string
}

// GroupKey is the entry's near-duplicate group, or its path when it has none.
func (e Entry) GroupKey() string {
	if e.Group == "" {
		return e.Path
	}
	return e.Group
}

// Manifest is a parsed manifest and the folder its paths are relative to.
type Manifest struct {
	Dir     string
	Entries []Entry
}

// LineError is a problem on one line of a manifest.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Unwrap makes every LineError match ErrManifest.
func (e *LineError) Unwrap() error { return ErrManifest }

// Load reads the manifest at file and checks that every file it names exists
// and is a regular file. All problems are returned at once, joined, each a
// *LineError with the line it is on.
func Load(file string) (*Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	defer f.Close()
	entries, err := Parse(f, file)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Dir: filepath.Dir(file), Entries: entries}
	var errs []error
	for _, e := range entries {
		st, err := os.Stat(m.Abs(e))
		switch {
		case err != nil:
			errs = append(errs, &LineError{file, e.Line, fmt.Sprintf("path %q: %v", e.Path, errors.Unwrap(err))})
		case !st.Mode().IsRegular():
			errs = append(errs, &LineError{file, e.Line, fmt.Sprintf("path %q is not a regular file", e.Path)})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// Abs returns the file path of e on disk.
func (m *Manifest) Abs(e Entry) string { return filepath.Join(m.Dir, filepath.FromSlash(e.Path)) }

// Read returns the content of e's file.
func (m *Manifest) Read(e Entry) ([]byte, error) { return os.ReadFile(m.Abs(e)) }

// Parse decodes a manifest strictly: the header must be exactly the ten
// columns in order, every row must have ten fields, a known label and kind,
// a relative path that stays inside the manifest's folder and is not listed
// twice. Hard negatives must be benign. name is used in error messages. All
// problems are returned at once, joined, each a *LineError.
func Parse(r io.Reader, name string) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var (
		entries []Entry
		errs    []error
		seen    = map[string]int{}
		line    int
	)
	bad := func(format string, args ...any) {
		errs = append(errs, &LineError{name, line, fmt.Sprintf(format, args...)})
	}
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			if got := strings.Split(text, "\t"); !slices.Equal(got, header) {
				bad("header is %q, want %q", got, header)
				// Without the right header the rows cannot be read.
				return nil, errors.Join(errs...)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			bad("empty line")
			continue
		}
		if strings.ContainsAny(text, "\r\x00") {
			bad("control character (CR or NUL) inside the line")
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) != len(header) {
			bad("%d fields, want %d", len(cols), len(header))
			continue
		}
		e := Entry{
			Line: line, Label: Label(cols[0]), Path: cols[1], Group: cols[2], Family: cols[3],
			Lang: cols[4], Kind: Kind(cols[5]), SourceRepo: cols[6], Commit: cols[7], SourcePath: cols[8], Note: cols[9],
		}
		ok := true
		if e.Label != Scam && e.Label != Benign {
			bad("label %q, want %q or %q", cols[0], Scam, Benign)
			ok = false
		}
		if !e.Kind.valid() {
			bad("kind %q, want one of page, hard-negative, borderline, asset, render-only", cols[5])
			ok = false
		} else if e.Kind == KindHardNegative && e.Label != Benign {
			bad("kind %q with label %q: hard negatives are benign", e.Kind, e.Label)
			ok = false
		}
		if msg := checkPath(e.Path); msg != "" {
			bad("path %q: %s", e.Path, msg)
			ok = false
		} else if prev, dup := seen[e.Path]; dup {
			bad("path %q already listed on line %d", e.Path, prev)
			ok = false
		} else {
			seen[e.Path] = line
		}
		if ok {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", name, err)
	}
	if line == 0 {
		errs = append(errs, &LineError{name, 1, "empty manifest: no header"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return entries, nil
}

// checkPath returns why p is not an acceptable manifest path, or "".
func checkPath(p string) string {
	switch {
	case p == "":
		return "empty"
	case strings.Contains(p, `\`):
		return "use forward slashes"
	case path.IsAbs(p):
		return "must be relative to the manifest's folder"
	case !fs.ValidPath(p):
		return "must be a clean path inside the manifest's folder (no ., .. or empty elements)"
	}
	return ""
}

// Format writes entries as a manifest, header first. Fields must not hold
// tabs or newlines.
func Format(w io.Writer, entries []Entry) error {
	var b bytes.Buffer
	b.WriteString(strings.Join(header, "\t"))
	b.WriteByte('\n')
	for _, e := range entries {
		row := []string{string(e.Label), e.Path, e.Group, e.Family, e.Lang, string(e.Kind), e.SourceRepo, e.Commit, e.SourcePath, e.Note}
		for _, f := range row {
			if strings.ContainsAny(f, "\t\r\n") {
				return fmt.Errorf("format manifest: line for %q: field %q holds a tab or newline", e.Path, f)
			}
		}
		b.WriteString(strings.Join(row, "\t"))
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}
