package matchbench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/scamscope/scamscope/internal/corpus"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
)

// DefaultCorpusDir is the corpus the commands read when not told: the
// shared one (../shared/corpus) when it is there, else the repository's.
func DefaultCorpusDir() string {
	shared := filepath.Join("..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(shared, "MANIFEST.tsv")); err == nil {
		return shared
	}
	return "corpus"
}

// Page is one corpus page: its markup and its matching text.
type Page struct {
	Path  string // as in the manifest
	Label corpus.Label
	HTML  []byte
	// Text is the page's normalised fields that the rules read, in Field
	// order, each followed by a newline.
	Text []byte
}

// FieldsOf returns the fields some rule of s reads, in Field order.
func FieldsOf(s *rules.Set) []extract.Field {
	var used uint32
	for _, r := range s.Rules() {
		for _, f := range r.Fields {
			used |= 1 << f
		}
	}
	var fs []extract.Field
	for f := extract.Field(0); f < extract.NumFields; f++ {
		if used&(1<<f) != 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

// LoadPages reads the corpus whose MANIFEST.tsv is in dir and extracts
// every page, hard negative and borderline page of it (not assets). Text
// joins the given fields.
func LoadPages(dir string, fields []extract.Field) ([]Page, error) {
	m, err := corpus.Load(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, fmt.Errorf("load pages: %w", err)
	}
	var pages []Page
	for _, e := range m.Entries {
		if !slices.Contains([]corpus.Kind{corpus.KindPage, corpus.KindHardNegative, corpus.KindBorderline}, e.Kind) {
			continue
		}
		html, err := m.Read(e)
		if err != nil {
			return nil, fmt.Errorf("load pages: %w", err)
		}
		pages = append(pages, Page{Path: e.Path, Label: e.Label, HTML: html, Text: PageText(html, fields)})
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("load pages: %w: no pages in %s", ErrNoInput, dir)
	}
	return pages, nil
}

// PageText extracts html and joins the given normalised fields, each
// followed by a newline.
func PageText(html []byte, fields []extract.Field) []byte {
	f := extract.Extract(&extract.Content{HTML: html})
	var b bytes.Buffer
	for _, fld := range fields {
		if s := f.Fields[fld]; s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// Texts returns the pages' texts and their total size in bytes.
func Texts(pages []Page) ([][]byte, int64) {
	ts := make([][]byte, len(pages))
	var n int64
	for i, p := range pages {
		ts[i] = p.Text
		n += int64(len(p.Text))
	}
	return ts, n
}
