package score

import (
	"bufio"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/textnorm"
	rulefiles "github.com/scamscope/scamscope/rules"
)

var (
	corpusFlag = flag.Bool("corpus", false, "score the shared real-world corpus and print per-page verdicts")
	corpusDir  = flag.String("corpus.dir", filepath.Join("..", "..", "..", "shared", "corpus"), "the corpus folder (with MANIFEST.tsv)")
	corpusAll  = flag.Bool("corpus.all", false, "print every page, not only the interesting ones")
	corpusWhy  = flag.Bool("corpus.why", false, "print the rules that fired on each printed page")
)

// TestCorpusScores prints the verdict of every page in the shared corpus
// with the embedded rules, for tuning rules and weights. It is off unless
// -corpus is given:
//
//	go test ./internal/score/ -run CorpusScores -corpus -v
//
// It uses extract.Extract, and a crude tag stripper while Extract yields no
// text. It reports figures; it does not gate.
func TestCorpusScores(t *testing.T) {
	if !*corpusFlag {
		t.Skip("corpus scoring is off; run with -corpus")
	}
	manifest := filepath.Join(*corpusDir, "MANIFEST.tsv")
	fh, err := os.Open(manifest)
	if err != nil {
		t.Skipf("no corpus at %s: %v", *corpusDir, err)
	}
	defer fh.Close()
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	cfg := set.Scoring()

	type row struct {
		label, path, group, family, kind string
		v                                Verdict
	}
	var rows []row
	crude := false
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 || cols[5] == "asset" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(*corpusDir, cols[1]))
		if err != nil {
			t.Errorf("read %s: %v", cols[1], err)
			continue
		}
		f := extract.Extract(&extract.Content{HTML: b})
		if f == nil || allEmpty(f) {
			f, crude = crudeFeatures(b), true
		}
		rows = append(rows, row{cols[0], cols[1], cols[2], cols[3], cols[5], Score(f, set.Evaluate(f), cfg)})
	}
	if crude {
		t.Log("extract.Extract gave no text: using the crude tag stripper for some pages")
	}

	sort.Slice(rows, func(i, j int) bool { return rows[i].v.Score > rows[j].v.Score })
	groups := map[string]Label{}
	counts := map[string]map[Label]int{}
	for _, r := range rows {
		key := r.label + "/" + r.kind
		if counts[key] == nil {
			counts[key] = map[Label]int{}
		}
		counts[key][r.v.Label]++
		if r.label == "scam" && r.v.Label > groups[r.group] {
			groups[r.group] = r.v.Label
		} else if r.label == "scam" {
			if _, ok := groups[r.group]; !ok {
				groups[r.group] = r.v.Label
			}
		}
		interesting := (r.label == "scam" && r.v.Label != Scam) || (r.label == "benign" && r.v.Label != Clean) || r.kind == "hard-negative"
		if *corpusAll || interesting {
			var cats []string
			for _, b := range r.v.Breakdown {
				cats = append(cats, fmt.Sprintf("%s:%d", b.Category, b.Score))
			}
			t.Logf("%-6s %-10s %3d %-13s %-40.40s %s", r.label, r.v.Label, r.v.Score, r.kind, filepath.Base(r.path), strings.Join(cats, " "))
			if *corpusWhy {
				for _, fr := range r.v.Fired {
					snip := ""
					if len(fr.Evidence) > 0 {
						snip = fr.Evidence[0].Snippet
					}
					t.Logf("        %+4d %-32s %q", fr.Weight, fr.ID, snip)
				}
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := counts[k]
		t.Logf("%-22s SCAM %3d  SUSPICIOUS %3d  CLEAN %3d", k, c[Scam], c[Suspicious], c[Clean])
	}
	g := map[Label]int{}
	for _, l := range groups {
		g[l]++
	}
	t.Logf("scam groups: %d SCAM, %d SUSPICIOUS, %d CLEAN of %d", g[Scam], g[Suspicious], g[Clean], len(groups))
}

func allEmpty(f *extract.Features) bool {
	for _, s := range f.Fields {
		if s != "" {
			return false
		}
	}
	return true
}

var (
	crudeDropRE   = regexp.MustCompile(`(?is)<(script|style|noscript)\b.*?</(script|style|noscript)\s*>|<!--.*?-->`)
	crudeScriptRE = regexp.MustCompile(`(?is)<script\b[^>]*>(.*?)</script\s*>`)
	crudeTagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	crudeTitleRE  = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	crudeAlertRE  = regexp.MustCompile(`(?:alert|confirm|prompt)\(\s*["']([^"']{4,})["']`)
	crudeLocks    = []struct {
		re   *regexp.Regexp
		kind extract.LockKind
	}{
		{regexp.MustCompile(`(?i)requestFullscreen|webkitRequestFullScreen|mozRequestFullScreen`), extract.LockFullscreen},
		{regexp.MustCompile(`keyboard\.lock\(`), extract.LockKeyboard},
		{regexp.MustCompile(`requestPointerLock`), extract.LockPointer},
		{regexp.MustCompile(`(?i)onbeforeunload|["']beforeunload["']`), extract.LockBeforeUnload},
		{regexp.MustCompile(`pushState\(`), extract.LockHistoryFlood},
		{regexp.MustCompile(`(?i)oncontextmenu|["']contextmenu["']`), extract.LockContextMenu},
		{regexp.MustCompile(`(?i)keyCode\s*==+\s*123|["']F12["']`), extract.LockDevtoolsKeys},
		{regexp.MustCompile(`(?is)<(audio|video)\b[^>]*\b(loop|autoplay)\b`), extract.LockAudioLoop},
	}
)

// crudeFeatures approximates extract for the corpus printer: visible text
// by stripping tags, the title, static alert texts and lock tokens found
// by regular expressions in the scripts.
func crudeFeatures(b []byte) *extract.Features {
	src := string(b)
	f := &extract.Features{}
	if m := crudeTitleRE.FindStringSubmatch(src); m != nil {
		f.Fields[extract.FieldTitle] = textnorm.Normalize(html.UnescapeString(m[1]))
	}
	var scripts strings.Builder
	for _, m := range crudeScriptRE.FindAllStringSubmatch(src, -1) {
		scripts.WriteString(m[1])
		scripts.WriteByte('\n')
	}
	text := crudeTagRE.ReplaceAllString(crudeDropRE.ReplaceAllString(src, " "), " ")
	f.Fields[extract.FieldText] = textnorm.Normalize(html.UnescapeString(text))
	var dialogs []string
	for _, m := range crudeAlertRE.FindAllStringSubmatch(scripts.String(), -1) {
		dialogs = append(dialogs, m[1])
	}
	f.Fields[extract.FieldDialog] = textnorm.Normalize(strings.Join(dialogs, "\n"))
	var tokens []string
	for _, l := range crudeLocks {
		if l.re.MatchString(scripts.String()) || (l.kind == extract.LockAudioLoop && l.re.MatchString(src)) {
			f.Locks = append(f.Locks, extract.Lock{Kind: l.kind, Count: 1})
			tokens = append(tokens, string(l.kind))
		}
	}
	f.Fields[extract.FieldBehavior] = strings.Join(tokens, " ")
	return f
}
