package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is the written form of Features: fields by name.
type golden struct {
	Fields     map[string]string
	Title      string
	Lang       string
	Phones     []goldenPhone `json:",omitempty"`
	ErrorCodes []goldenCode  `json:",omitempty"`
	Locks      []Lock        `json:",omitempty"`
	ScriptURLs []string      `json:",omitempty"`
	Media      []Media       `json:",omitempty"`
	Iframes    []string      `json:",omitempty"`
	Forms      []Form        `json:",omitempty"`
	Warnings   []string      `json:",omitempty"`
}

type goldenPhone struct {
	Raw, E164, Region, Type, Field string
	Start, End                     int
}

type goldenCode struct {
	Code, Field string
	Start, End  int
}

func toGolden(f *Features) golden {
	g := golden{
		Fields: map[string]string{}, Title: f.Title, Lang: f.Lang, Locks: f.Locks, ScriptURLs: f.ScriptURLs,
		Media: f.Media, Iframes: f.Iframes, Forms: f.Forms, Warnings: f.Warnings,
	}
	for i, s := range f.Fields {
		g.Fields[Field(i).String()] = s
	}
	for _, p := range f.Phones {
		g.Phones = append(g.Phones, goldenPhone{p.Raw, p.E164, p.Region, p.Type, p.Field.String(), p.Start, p.End})
	}
	for _, c := range f.ErrorCodes {
		g.ErrorCodes = append(g.ErrorCodes, goldenCode{c.Code, c.Field.String(), c.Start, c.End})
	}
	return g
}

// TestGolden extracts the self-written pages in testdata/golden and
// compares the features with the .json file beside each; run with -update
// to rewrite them after a deliberate change, and review the diff.
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob("testdata/golden/*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden pages: %v", err)
	}
	for _, page := range pages {
		t.Run(filepath.Base(page), func(t *testing.T) {
			src, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			f := Extract(&Content{HTML: src})
			checkInvariants(t, page, f)
			got, err := json.MarshalIndent(toGolden(f), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := strings.TrimSuffix(page, ".html") + ".json"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("features of %s differ from %s (run with -update after a deliberate change):\n%s", page, path, got)
			}
		})
	}
}

// TestFeaturesOwnTheirMemory checks that no feature shares memory with the
// content: Extract reads valid UTF-8 markup in place, and overwriting it
// afterwards must leave the features as they were.
func TestFeaturesOwnTheirMemory(t *testing.T) {
	pages, err := filepath.Glob("testdata/golden/*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden pages: %v", err)
	}
	inputs := map[string][]byte{
		"script": []byte(`var phone = "1-888-555-0100"; alert("Call Microsoft Support at 1-888-555-0100 now");`),
		"text":   []byte("Call us: 0800 123 4567, error code 0x80070424"),
	}
	for _, page := range pages {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(page)] = src
	}
	for name, src := range inputs {
		want, err := json.Marshal(Extract(&Content{HTML: bytes.Clone(src)}))
		if err != nil {
			t.Fatal(err)
		}
		c := &Content{HTML: bytes.Clone(src)}
		f := Extract(c)
		for i := range c.HTML {
			c.HTML[i] = 'X'
		}
		if got, _ := json.Marshal(f); !bytes.Equal(got, want) {
			t.Errorf("%s: features changed when the content was overwritten after Extract", name)
		}
	}
}
