package matchbench_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/matchbench"
	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

var corpusFlag = flag.String("matchbench.corpus", "", "corpus folder for the benchmarks (default: ../shared/corpus when present, else the repository's corpus)")

// benchInput is what the benchmarks share: loaded once per process.
type benchInput struct {
	set   *rules.Set
	pages []matchbench.Page
	texts [][]byte
	size  int64
	vocab []string
	err   error
}

var loadInput = sync.OnceValue(func() *benchInput {
	in := &benchInput{}
	dir := *corpusFlag
	if dir == "" {
		dir = repoCorpus
		if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "corpus", "MANIFEST.tsv")); err == nil {
			dir = filepath.Join("..", "..", "..", "shared", "corpus")
		}
	}
	if in.set, in.err = rules.Load(rulefiles.FS()); in.err != nil {
		return in
	}
	if in.pages, in.err = matchbench.LoadPages(dir, matchbench.FieldsOf(in.set)); in.err != nil {
		return in
	}
	in.texts, in.size = matchbench.Texts(in.pages)
	in.vocab = matchbench.Vocabulary(in.texts, 20000)
	return in
})

func input(b *testing.B) *benchInput {
	b.Helper()
	in := loadInput()
	if in.err != nil {
		b.Fatal(in.err)
	}
	return in
}

// benchEngine runs e over texts, as Measure does.
func benchEngine(b *testing.B, e matchbench.Engine, texts [][]byte) {
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	dst := make([]int, 0, 1024)
	for b.Loop() {
		for _, t := range texts {
			dst = e.Match(t, dst)
		}
	}
}

// engines builds the project matcher, and Hyperscan when built with it.
func engines(b *testing.B, ps []match.Pattern, withRegexp bool) map[string]matchbench.Engine {
	b.Helper()
	es := map[string]matchbench.Engine{}
	p, err := matchbench.NewProject(ps)
	if err != nil {
		b.Fatal(err)
	}
	es["project"] = p
	if withRegexp {
		r, err := matchbench.NewRegexp(ps)
		if err != nil {
			b.Fatal(err)
		}
		es["regexp"] = r
	}
	h, _, err := matchbench.NewHyperscan(ps)
	switch {
	case err == nil:
		b.Cleanup(func() { h.Close() })
		es["hyperscan"] = h
	case !errors.Is(err, matchbench.ErrNoHyperscan):
		b.Fatal(err)
	}
	return es
}

// BenchmarkCorpus runs the shipped rule set's patterns over the corpus
// text with each engine. The regexp baseline scans the first 512 kB only
// (it runs at about 1 MB/s); its MB/s compares all the same.
func BenchmarkCorpus(b *testing.B) {
	in := input(b)
	es := engines(b, in.set.Patterns(), true)
	for _, name := range []string{"project", "regexp", "hyperscan"} {
		e, ok := es[name]
		if !ok {
			continue
		}
		texts := in.texts
		if name == "regexp" {
			texts = prefix(texts, 512<<10)
		}
		b.Run(name, func(b *testing.B) { benchEngine(b, e, texts) })
	}
}

// BenchmarkByKind runs the shipped rule set's literals alone and its
// regexes alone, each compiled as a set of its own, over the corpus text
// with the matcher and Hyperscan (when built with it).
func BenchmarkByKind(b *testing.B) {
	in := input(b)
	for _, k := range matchbench.ByKind(in.set.Patterns()) {
		es := engines(b, k.Patterns, false)
		for _, name := range []string{"project", "hyperscan"} {
			if e, ok := es[name]; ok {
				b.Run(k.Name+"/"+name, func(b *testing.B) { benchEngine(b, e, in.texts) })
			}
		}
	}
}

// BenchmarkScale runs generated rule sets of growing size over the first
// 2 MB of corpus text. Each engine is built inside its sub-benchmark, so
// -bench can leave out the slow Hyperscan compiles of big sets.
func BenchmarkScale(b *testing.B) {
	in := input(b)
	texts := prefix(in.texts, 2<<20)
	for _, n := range []int{100, 1000, 10000} {
		ps := matchbench.Generate(n, 1, in.vocab)
		b.Run(fmt.Sprintf("n=%d/project", n), func(b *testing.B) {
			p, err := matchbench.NewProject(ps)
			if err != nil {
				b.Fatal(err)
			}
			benchEngine(b, p, texts)
		})
		b.Run(fmt.Sprintf("n=%d/hyperscan", n), func(b *testing.B) {
			h, _, err := matchbench.NewHyperscan(ps)
			if errors.Is(err, matchbench.ErrNoHyperscan) {
				b.Skip("built without -tags hyperscan")
			}
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			benchEngine(b, h, texts)
		})
	}
}

// BenchmarkCompile compiles the shipped patterns and the generated sets.
func BenchmarkCompile(b *testing.B) {
	in := input(b)
	sets := map[string][]match.Pattern{"rules": in.set.Patterns()}
	for _, n := range []int{100, 1000, 10000} {
		sets[fmt.Sprintf("n=%d", n)] = matchbench.Generate(n, 1, in.vocab)
	}
	for _, name := range []string{"rules", "n=100", "n=1000", "n=10000"} {
		ps := sets[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := match.Compile(ps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStaticPipeline scans each corpus page's HTML as the service
// does for submitted content (extract, match, score); MB/s of HTML.
func BenchmarkStaticPipeline(b *testing.B) {
	p := pipeline(b)
	ctx := context.Background()
	b.SetBytes(p.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Scan(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOnly parses the same pages with golang.org/x/net/html: the
// floor under any pipeline that reads the DOM.
func BenchmarkParseOnly(b *testing.B) {
	p := pipeline(b)
	b.SetBytes(p.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Parse(); err != nil {
			b.Fatal(err)
		}
	}
}

func pipeline(b *testing.B) *matchbench.Pipeline {
	b.Helper()
	in := input(b)
	p, err := matchbench.NewPipeline(in.set, in.pages)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// prefix returns the first texts up to about limit bytes.
func prefix(texts [][]byte, limit int) [][]byte {
	n := 0
	for i, t := range texts {
		if n >= limit {
			return texts[:i]
		}
		n += len(t)
	}
	return texts
}

// BenchmarkAdversarial runs the shipped rule set plus the pathological
// regexes over the corpus text and over each Adversarial input: the
// matcher stays linear, so each input's MB/s should be within 2x of the
// corpus's.
func BenchmarkAdversarial(b *testing.B) {
	in := input(b)
	ps, inputs := matchbench.Adversarial(in.set.Patterns(), 2<<20, 16<<10, 1)
	p, err := matchbench.NewProject(ps)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("corpus", func(b *testing.B) { benchEngine(b, p, in.texts) })
	for _, a := range inputs {
		b.Run(strings.ReplaceAll(a.Name, " ", "-"), func(b *testing.B) { benchEngine(b, p, a.Pages) })
	}
}
