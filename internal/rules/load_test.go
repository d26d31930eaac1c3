package rules

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const testScoring = `thresholds:
  scam: 50
  suspicious: 25
  scam_min_categories: 2
categories:
  alarm: {cap: 40}
  brand: {cap: 20}
  benign: {cap: 30}
indicators:
  - id: phone
    kind: phone
    category: alarm
    weight: 5
`

const validRule = `rules:
  - id: alarm.infected
    title: Claims the computer is infected
    category: alarm
    languages: [en]
    weight: 20
    patterns:
      - literal: "your computer is infected"
    examples:
      match: ["Warning! Your computer is infected."]
      no_match: ["Is your computer infected? Read on."]
`

func testFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// loadErrors loads files and returns the messages of the joined errors.
func loadErrors(t *testing.T, files map[string]string) []string {
	t.Helper()
	s, err := Load(testFS(files))
	if err == nil {
		t.Fatalf("Load succeeded with %d rules, want errors", len(s.Rules()))
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Load error %v does not match ErrInvalid", err)
	}
	var msgs []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var re *Error
		if !errors.As(e, &re) {
			t.Errorf("error %q is not a *rules.Error", e)
		}
		msgs = append(msgs, e.Error())
	}
	return msgs
}

// hasError reports whether one of got starts with want's "file:line: "
// and contains the rest of want.
func hasError(got []string, want string) bool {
	loc, rest := want, ""
	if i := strings.Index(want, ": "); i >= 0 {
		loc, rest = want[:i+2], want[i+2:]
	}
	for _, g := range got {
		if strings.HasPrefix(g, loc) && strings.Contains(g[len(loc):], rest) {
			return true
		}
	}
	return false
}

func TestLoadValid(t *testing.T) {
	s, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "a.yaml": validRule}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := len(s.Rules()); n != 1 {
		t.Fatalf("Load: %d rules, want 1", n)
	}
	r := s.Rules()[0]
	if r.ID != "alarm.infected" || r.File != "a.yaml" || r.Line != 2 || r.Weight != 20 || len(r.Fields) != 4 {
		t.Errorf("rule = %+v", r)
	}
	if len(s.Version()) != 12 {
		t.Errorf("Version() = %q, want 12 hex digits", s.Version())
	}
	if got := s.Scoring().RuleSetVersion; got != s.Version() {
		t.Errorf("Scoring().RuleSetVersion = %q, want %q", got, s.Version())
	}
	if errs := s.TestExamples(); len(errs) != 0 {
		t.Errorf("TestExamples() = %v", errs)
	}

	// The version follows the content.
	s2, err := Load(testFS(map[string]string{"scoring.yaml": testScoring, "a.yaml": strings.Replace(validRule, "20", "21", 1)}))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Version() == s.Version() {
		t.Errorf("Version() did not change with the content: %q", s.Version())
	}
}

// TestLoadErrors checks each kind of error, with its file and line.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // "file:line: substring", every one must be reported
	}{
		{
			name:  "unknown key",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "    weight: 20\n", "    weight: 20\n    wieght: 3\n", 1)},
			want:  []string{`a.yaml:7: rule alarm.infected: unknown key "wieght"`},
		},
		{
			name:  "unknown top-level key",
			files: map[string]string{"a.yaml": "rulez: []\n"},
			want:  []string{`a.yaml:1: unknown key "rulez"`, `a.yaml:1: rules missing`},
		},
		{
			name:  "wrong types",
			files: map[string]string{"a.yaml": strings.NewReplacer("weight: 20", "weight: high", "languages: [en]", "languages: en").Replace(validRule)},
			want:  []string{`a.yaml:5: rule alarm.infected: languages: want a list, got a string`, `a.yaml:6: rule alarm.infected: weight: want an integer, got a string`},
		},
		{
			name:  "duplicate id across files",
			files: map[string]string{"a.yaml": validRule, "b.yaml": validRule},
			want:  []string{`b.yaml:2: rule id "alarm.infected" already defined at a.yaml:2`},
		},
		{
			name:  "invalid regex",
			files: map[string]string{"a.yaml": strings.Replace(validRule, `- literal: "your computer is infected"`, `- regex: 'your (pc|computer is infected'`, 1)},
			want:  []string{`a.yaml:8: rule alarm.infected: regex "your (pc|computer is infected": error parsing regexp: missing closing )`},
		},
		{
			name:  "regex matching the empty string",
			files: map[string]string{"a.yaml": strings.Replace(validRule, `- literal: "your computer is infected"`, `- regex: '(infected)?'`, 1)},
			want:  []string{`a.yaml:8: rule alarm.infected: regex "(infected)?": matches the empty string`},
		},
		{
			name:  "unknown category",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "category: alarm", "category: alarms", 1)},
			want:  []string{`a.yaml:4: rule alarm.infected: unknown category "alarms"`},
		},
		{
			name:  "unknown field",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "    weight: 20\n", "    weight: 20\n    fields: [text, body]\n", 1)},
			want:  []string{`a.yaml:7: rule alarm.infected: unknown field "body"`},
		},
		{
			name:  "unknown requirement",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "    weight: 20\n", "    weight: 20\n    requires:\n      - phone\n      - telephone\n", 1)},
			want:  []string{`a.yaml:9: rule alarm.infected: requires "telephone"`},
		},
		{
			name:  "missing no_match example",
			files: map[string]string{"a.yaml": strings.Replace(validRule, `      no_match: ["Is your computer infected? Read on."]`+"\n", "", 1)},
			want:  []string{`a.yaml:9: rule alarm.infected: examples: want at least one no_match example`},
		},
		{
			name:  "missing examples and patterns",
			files: map[string]string{"a.yaml": "rules:\n  - id: x\n    title: X\n    category: alarm\n    languages: [any]\n    weight: 1\n"},
			want:  []string{`a.yaml:2: rule x: patterns missing`, `a.yaml:2: rule x: examples missing`},
		},
		{
			name:  "bad condition",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "    weight: 20\n", "    weight: 20\n    condition: {at_least: 2}\n", 1)},
			want:  []string{`a.yaml:7: rule alarm.infected: at_least 2: want 1..1`},
		},
		{
			name:  "pattern with two kinds",
			files: map[string]string{"a.yaml": strings.Replace(validRule, `- literal: "your computer is infected"`, `- {literal: "infected", regex: "infected"}`, 1)},
			want:  []string{`a.yaml:8: rule alarm.infected: a pattern has exactly one of literal, regex, words`},
		},
		{
			name:  "repeated key",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "    weight: 20\n", "    weight: 20\n    weight: 30\n", 1)},
			want:  []string{`a.yaml:7: rule alarm.infected: key "weight" repeated (first on line 6)`},
		},
		{
			name:  "yaml syntax",
			files: map[string]string{"a.yaml": "rules:\n  - id: x\n    title: x: y\n"},
			want:  []string{`a.yaml:3: invalid YAML: mapping values are not allowed in this context`},
		},
		{
			name:  "aliases",
			files: map[string]string{"a.yaml": strings.Replace(validRule, "languages: [en]", "languages: &l [en]", 1)},
			want:  []string{`a.yaml:5: anchors and aliases are not supported`},
		},
		{
			name:  "scoring missing",
			files: map[string]string{"scoring.yaml": "", "a.yaml": validRule},
			want:  []string{`scoring.yaml:1: empty file`},
		},
		{
			name: "scoring errors",
			files: map[string]string{"scoring.yaml": "thresholds:\n  scam: 20\n  suspicious: 30\n  scam_min_categories: 0\ncategories:\n  alarm: {cap: 0}\n  Brand: {cap: 5}\nindicators:\n  - id: x\n    kind: fax\n    category: nope\n    weight: 0\n    lock: fullscreen\n",
				"a.yaml": validRule},
			want: []string{
				`scoring.yaml:4: thresholds.scam_min_categories: must be at least 1`,
				`scoring.yaml:2: thresholds: suspicious (30) is above scam (20)`,
				`scoring.yaml:6: category alarm: cap must be within 1..100`,
				`scoring.yaml:7: category "Brand": names are lower-case`,
				`scoring.yaml:10: indicator kind "fax" unknown`,
				`scoring.yaml:11: indicator category "nope" is not defined`,
				`scoring.yaml:12: indicator weight must be non-zero`,
				`scoring.yaml:13: indicator x: lock applies only to kind lock`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"scoring.yaml": testScoring}
			for k, v := range tt.files {
				files[k] = v
			}
			got := loadErrors(t, files)
			for _, w := range tt.want {
				if !hasError(got, w) {
					t.Errorf("Load errors %q\nlack %q", got, w)
				}
			}
		})
	}
}

// TestLoadReportsAllErrors checks that problems in several rules and files
// are all reported in one error, each with its own line.
func TestLoadReportsAllErrors(t *testing.T) {
	a := `rules:
  - id: Bad ID
    title: One
    category: alarm
    languages: [en]
    weight: 5
    patterns:
      - literal: "infected"
    examples:
      match: [infected]
      no_match: [clean]
  - id: two
    title: Two
    category: nowhere
    languages: [english]
    weight: 500
    patterns:
      - regex: "(("
      - words: [a, 3]
    examples:
      match: [x]
`
	b := `rules:
  - id: three
    title: Three
    category: brand
    languages: [en]
    weight: 5
    fields: [txt]
    colour: red
    patterns:
      - literal: "microsoft"
        word: "yes"
    examples:
      match: [microsoft]
      no_match: [apple]
`
	got := loadErrors(t, map[string]string{"scoring.yaml": testScoring, "a.yaml": a, "b.yaml": b})
	want := []string{
		"a.yaml:2: rule Bad ID: id must match",
		`a.yaml:14: rule two: unknown category "nowhere"`,
		`a.yaml:15: rule two: language "english"`,
		"a.yaml:16: rule two: weight 500 outside -100..100",
		`a.yaml:18: rule two: regex "((": error parsing regexp`,
		"a.yaml:19: rule two: words: want a string, got an integer",
		"a.yaml:20: rule two: examples: want at least one no_match example",
		`b.yaml:7: rule three: unknown field "txt"`,
		`b.yaml:8: rule three: unknown key "colour"`,
		"b.yaml:11: rule three: word: want true or false, got a string",
	}
	for _, w := range want {
		if !hasError(got, w) {
			t.Errorf("Load errors lack %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Load reported %d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func TestLoadNoScoring(t *testing.T) {
	got := loadErrors(t, map[string]string{"a.yaml": validRule})
	if len(got) != 1 || !strings.HasPrefix(got[0], "scoring.yaml: missing") {
		t.Errorf("Load errors = %q, want scoring.yaml missing", got)
	}
}
