package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/textnorm"
)

// evalRules is a small set exercising fields, conditions and requires.
const evalRules = `rules:
  - id: brand.defender
    title: Windows Defender
    category: brand
    languages: [en]
    weight: 10
    brand: Microsoft
    patterns:
      - literal: "windows defender"
    examples:
      match: ["Windows Defender alert"]
      no_match: ["Windows update"]
  - id: alarm.any
    title: Infection wording
    category: alarm
    languages: [en]
    weight: 20
    patterns:
      - words: [trojan, spyware]
        word: true
    examples:
      match: ["a Trojan was found"]
      no_match: ["trojans"]
  - id: alarm.all
    title: Blocked and security reasons
    category: alarm
    languages: [en]
    weight: 15
    condition: all
    patterns:
      - literal: "blocked"
      - regex: 'security reasons?'
    examples:
      match: ["Access BLOCKED for Security Reasons"]
      no_match: ["blocked"]
  - id: alarm.two
    title: Two of three
    category: alarm
    languages: [en]
    weight: 5
    condition: {at_least: 2}
    patterns:
      - words: [virus, malware, adware]
    examples:
      match: ["virus and adware"]
      no_match: ["virus virus virus"]
  - id: lock.keyboard
    title: Keyboard lock
    category: alarm
    languages: [any]
    weight: 10
    fields: [behavior]
    patterns:
      - literal: keyboard_lock
        word: true
    examples:
      match: ["fullscreen keyboard_lock"]
      no_match: ["fullscreen"]
  - id: cta.phone
    title: Call support, with a phone number
    category: alarm
    languages: [en]
    weight: 5
    requires: [phone]
    patterns:
      - literal: "call support"
    examples:
      match: ["please call support"]
      no_match: ["support"]
  - id: cta.fullscreen
    title: Call support, with fullscreen
    category: alarm
    languages: [en]
    weight: 5
    requires: [fullscreen, runtime_lock]
    patterns:
      - literal: "call support"
    examples:
      match: ["please call support"]
      no_match: ["support"]
  - id: needs.brand
    title: Support wording with a brand
    category: alarm
    languages: [en]
    weight: 5
    requires: [brand, error_code]
    patterns:
      - literal: "support"
    examples:
      match: ["support"]
      no_match: ["help"]
  - id: title.only
    title: Title only
    category: alarm
    languages: [fr]
    weight: 5
    fields: [title]
    patterns:
      - regex: 'SÉCURITÉ\s+WINDOWS'
    examples:
      match: ["Sécurité Windows"]
      no_match: ["Windows"]
  - id: benign.scam
    title: Scam-awareness wording
    category: benign
    languages: [en, de]
    weight: -10
    patterns:
      - regex: 'tech[- ]support scams?|stra(ß|ss)e'
    examples:
      match: ["How to spot a tech support scam", "Hauptstraße"]
      no_match: ["tech support"]
`

func loadEval(t testing.TB) *Set {
	t.Helper()
	s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "eval.yaml": evalRules}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

// page builds Features with text in the given fields, normalised.
func page(fields map[extract.Field]string) *extract.Features {
	f := &extract.Features{}
	for k, v := range fields {
		f.Fields[k] = textnorm.Normalize(v)
	}
	return f
}

func firedIDs(fs []Fired) []string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.Rule.ID
	}
	return ids
}

func TestEvaluate(t *testing.T) {
	s := loadEval(t)
	text, title, beh := extract.FieldText, extract.FieldTitle, extract.FieldBehavior
	tests := []struct {
		name string
		f    *extract.Features
		want []string
	}{
		{"nothing", page(nil), nil},
		{"clean page", page(map[extract.Field]string{text: "A recipe for apple pie."}), nil},
		{"word boundary", page(map[extract.Field]string{text: "Trojans and spywares"}), nil},
		{"any", page(map[extract.Field]string{text: "Spyware found"}), []string{"alarm.any"}},
		{"all needs every pattern", page(map[extract.Field]string{text: "Access blocked"}), nil},
		{"all across fields", page(map[extract.Field]string{text: "Access blocked", extract.FieldDialog: "for security reasons"}), []string{"alarm.all"}},
		{"at_least counts distinct patterns", page(map[extract.Field]string{text: "virus virus virus"}), nil},
		{"at_least met", page(map[extract.Field]string{text: "virus, then malware"}), []string{"alarm.two"}},
		{"field not read", page(map[extract.Field]string{text: "keyboard_lock", extract.FieldScript: "windows defender"}), nil},
		{"behavior field", page(map[extract.Field]string{beh: "fullscreen keyboard_lock"}), []string{"lock.keyboard"}},
		{"title only", page(map[extract.Field]string{text: "Sécurité Windows"}), nil},
		{"title regex normalised", page(map[extract.Field]string{title: "SÉCURITÉ   WINDOWS"}), []string{"title.only"}},
		{"requires phone unmet", page(map[extract.Field]string{text: "Call support"}), nil},
		{"ß regex", page(map[extract.Field]string{text: "Hauptstrasse 5"}), []string{"benign.scam"}},
		{"rule order", page(map[extract.Field]string{text: "tech support scam: windows defender says spyware"}), []string{"brand.defender", "alarm.any", "benign.scam"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := firedIDs(s.Evaluate(tt.f))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("Evaluate(%q) = %v, want %v", tt.f.Fields, got, tt.want)
			}
		})
	}
}

func TestEvaluateRequires(t *testing.T) {
	s := loadEval(t)
	base := func() *extract.Features {
		return page(map[extract.Field]string{extract.FieldText: "Please call support"})
	}
	phone := []extract.Phone{{Raw: "0800 000 000"}}
	tests := []struct {
		name string
		mod  func(f *extract.Features)
		want []string
	}{
		{"none", func(*extract.Features) {}, nil},
		{"phone", func(f *extract.Features) { f.Phones = phone }, []string{"cta.phone"}},
		{"fullscreen, static", func(f *extract.Features) {
			f.Locks = []extract.Lock{{Kind: extract.LockFullscreen}}
		}, nil},
		{"fullscreen, runtime", func(f *extract.Features) {
			f.Locks = []extract.Lock{{Kind: extract.LockFullscreen, Runtime: true}}
		}, []string{"cta.fullscreen"}},
		{"runtime lock of another kind", func(f *extract.Features) {
			f.Locks = []extract.Lock{{Kind: extract.LockFullscreen}, {Kind: extract.LockAudioLoop, Runtime: true}}
		}, []string{"cta.fullscreen"}},
		{"error code without brand", func(f *extract.Features) {
			f.ErrorCodes = []extract.ErrorCode{{Code: "0x80070424"}}
		}, nil},
		{"error code and brand", func(f *extract.Features) {
			f.ErrorCodes = []extract.ErrorCode{{Code: "0x80070424"}}
			f.Fields[extract.FieldTitle] = "windows defender"
		}, []string{"brand.defender", "needs.brand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.mod(f)
			got := firedIDs(s.Evaluate(f))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateEvidence(t *testing.T) {
	s := loadEval(t)
	long := strings.Repeat("é", 30) // 60 bytes of two-byte runes
	f := page(map[extract.Field]string{
		extract.FieldText:   long + " a trojan here " + long,
		extract.FieldDialog: "spyware!",
	})
	fired := s.Evaluate(f)
	if len(fired) != 1 || fired[0].Rule.ID != "alarm.any" {
		t.Fatalf("Evaluate = %v, want [alarm.any]", firedIDs(fired))
	}
	ev := fired[0].Evidence
	if len(ev) != 2 {
		t.Fatalf("evidence = %+v, want 2 items", ev)
	}
	e := ev[0]
	text := f.Fields[extract.FieldText]
	if e.Field != extract.FieldText || text[e.Start:e.End] != "trojan" {
		t.Errorf("evidence[0] = %+v, want trojan in text", e)
	}
	if !strings.Contains(e.Snippet, "a trojan here") || len(e.Snippet) > len("trojan")+2*snippetContext {
		t.Errorf("snippet %q: want the match with at most %d bytes either side", e.Snippet, snippetContext)
	}
	if !strings.HasPrefix(e.Snippet, "é") || !strings.HasSuffix(e.Snippet, "é") {
		t.Errorf("snippet %q: want it cut at rune boundaries", e.Snippet)
	}
	if d := ev[1]; d.Field != extract.FieldDialog || d.Snippet != "spyware!" || d.Start != 0 || d.End != 7 {
		t.Errorf("evidence[1] = %+v, want spyware in dialog", d)
	}
}

func TestEvaluateEvidenceBounded(t *testing.T) {
	var words []string
	for i := range 20 {
		words = append(words, fmt.Sprintf("word%02d", i))
	}
	rule := fmt.Sprintf(`rules:
  - id: many
    title: Many words
    category: alarm
    languages: [en]
    weight: 1
    patterns:
      - words: [%s]
    examples:
      match: [word01]
      no_match: [word]
`, strings.Join(words, ", "))
	s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "a.yaml": rule}))
	if err != nil {
		t.Fatal(err)
	}
	fired := s.Evaluate(page(map[extract.Field]string{extract.FieldText: strings.Join(words, " ")}))
	if len(fired) != 1 || len(fired[0].Evidence) != maxEvidence {
		t.Errorf("Evaluate: %d rules, evidence %d; want 1 rule with %d", len(fired), len(fired[0].Evidence), maxEvidence)
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct {
		text       string
		start, end int
		want       string
	}{
		{"abc", 1, 2, "abc"},
		{strings.Repeat("x", 50) + "HIT" + strings.Repeat("y", 50), 50, 53, strings.Repeat("x", 40) + "HIT" + strings.Repeat("y", 40)},
		{"日本語のテキスト", 9, 12, "日本語のテキスト"},
		{strings.Repeat("日", 20) + "X" + strings.Repeat("本", 20), 60, 61, strings.Repeat("日", 13) + "X" + strings.Repeat("本", 13)},
	}
	for _, tt := range tests {
		if got := snippet(tt.text, tt.start, tt.end); got != tt.want {
			t.Errorf("snippet(%q, %d, %d) = %q, want %q", tt.text, tt.start, tt.end, got, tt.want)
		}
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	s := loadEval(t)
	pages := []*extract.Features{
		page(map[extract.Field]string{extract.FieldText: "Spyware found"}),
		page(map[extract.Field]string{extract.FieldText: "virus and malware, windows defender"}),
		page(map[extract.Field]string{extract.FieldText: "nothing here"}),
	}
	want := make([][]string, len(pages))
	for i, p := range pages {
		want[i] = firedIDs(s.Evaluate(p))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p := (g + i) % len(pages)
				if got := firedIDs(s.Evaluate(pages[p])); !slices.Equal(got, want[p]) {
					t.Errorf("concurrent Evaluate(page %d) = %v, want %v", p, got, want[p])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestTestExamples(t *testing.T) {
	s := loadEval(t)
	if errs := s.TestExamples(); len(errs) != 0 {
		t.Fatalf("TestExamples() = %v", errs)
	}
	bad := strings.Replace(validRule, `match: ["Warning! Your computer is infected."]`, `match: ["Warning! Your computer is infected.", "Your PC is infected"]`, 1)
	bad = strings.Replace(bad, `no_match: ["Is your computer infected? Read on."]`, `no_match: ["So your computer is infected? Read on."]`, 1)
	s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "a.yaml": bad}))
	if err != nil {
		t.Fatal(err)
	}
	errs := s.TestExamples()
	want := []string{
		`a.yaml:10: rule alarm.infected: example "Your PC is infected" should match`,
		`a.yaml:11: rule alarm.infected: example "So your computer is infected? Read on." should not match`,
	}
	if len(errs) != len(want) {
		t.Fatalf("TestExamples() = %v, want %d errors", errs, len(want))
	}
	for i, e := range errs {
		if e.Error() != want[i] || !errors.Is(e, ErrExample) {
			t.Errorf("TestExamples()[%d] = %q, want %q matching ErrExample", i, e, want[i])
		}
	}
}

func TestLint(t *testing.T) {
	rule := `rules:
  - id: lint.me
    title: Lint me
    category: alarm
    languages: [en]
    weight: 0
    patterns:
      - regex: 'Windows (Defender|Security)'
      - regex: '\bvirus\S*'
      - literal: "pc"
      - literal: "PC"
        word: true
      - literal: "Trojan"
      - literal: "trojan"
    examples:
      match: [trojan]
      no_match: [clean]
`
	s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "a.yaml": rule}))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Lint()
	want := []string{
		"a.yaml:2: rule lint.me: weight 0",
		`a.yaml:8: rule lint.me: regex "Windows (Defender|Security)" has upper-case letters`,
		`a.yaml:10: rule lint.me: literal "pc" is shorter than 4 bytes`,
		`a.yaml:11: rule lint.me: literal "PC" repeats line 10`,
		`a.yaml:14: rule lint.me: literal "trojan" repeats line 13`,
	}
	if len(got) != len(want) {
		t.Errorf("Lint() = %q, want %d warnings", got, len(want))
	}
	for _, w := range want {
		if !hasError(got, w) {
			t.Errorf("Lint() = %q\nlacks %q", got, w)
		}
	}
	// The upper-case regex still matches: its letters are folded at load.
	if fired := s.Evaluate(page(map[extract.Field]string{extract.FieldText: "Windows Defender"})); len(fired) != 1 {
		t.Errorf("Evaluate(Windows Defender) = %v, want lint.me", firedIDs(fired))
	}
	// evalRules is clean but for its deliberately upper-case regex.
	if w := loadEval(t).Lint(); len(w) != 1 || !strings.HasPrefix(w[0], "eval.yaml:99: rule title.only: regex") {
		t.Errorf("Lint() on evalRules = %q, want one warning for title.only", w)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	s := loadEval(b)
	f := page(map[extract.Field]string{
		extract.FieldText:  strings.Repeat("Windows Defender has found spyware. Access blocked for security reasons. ", 40),
		extract.FieldTitle: "Sécurité Windows",
	})
	b.ReportAllocs()
	for b.Loop() {
		s.Evaluate(f)
	}
}
