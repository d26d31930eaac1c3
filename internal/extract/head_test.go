package extract

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// TestHeadElementsMatchSelector holds headElements to the selector it
// stands for, on the golden pages and on markup with foreign and repeated
// head elements.
func TestHeadElementsMatchSelector(t *testing.T) {
	sel := cascadia.MustCompile("style, title, html, meta")
	pages := []string{
		`<html><head><title>A</title><meta name="x" content="y"><style>p{}</style></head><body><svg><title>t</title><style>s</style></svg><math><meta/></math><p><title>late</title></p></body></html>`,
		`<meta charset="utf-8"><TITLE>x</TITLE><html lang="fr"><body><template><style></style></template><noscript><meta http-equiv="refresh" content="0;url=/x"></noscript>`,
		``,
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.html"))
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(b))
	}
	for i, p := range pages {
		root, err := parse(p)
		if err != nil {
			t.Fatal(err)
		}
		doc := goquery.NewDocumentFromNode(root)
		got, want := doc.FindMatcher(headElements{}).Nodes, doc.FindMatcher(sel).Nodes
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("page %d: headElements found %d nodes, the selector %d", i, len(got), len(want))
		}
		if got, want := (headElements{}).Filter(want), sel.Filter(want); !slices.Equal(got, want) {
			t.Errorf("page %d: Filter kept %d nodes, the selector %d", i, len(got), len(want))
		}
	}
}
