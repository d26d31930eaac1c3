package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/textnorm"
)

var (
	idRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	langRE = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// defaultFields are the fields a rule reads when it names none: what a
// visitor sees or is shown.
var defaultFields = []extract.Field{extract.FieldText, extract.FieldHidden, extract.FieldTitle, extract.FieldDialog}

// Load reads every *.yaml file at the root of fsys: scoring.yaml, which
// defines categories, indicators and thresholds, and the rule files. It
// decodes them strictly and compiles the rules into one Set. When anything
// is wrong it returns every problem found, joined (errors.Join), each an
// *Error naming its file and line and matching ErrInvalid.
func Load(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list rule files: %w", err)
	}
	slices.Sort(names) // Glob sorts, but the version must not depend on it
	var (
		errs    []error
		scoring Scoring
		catsOK  bool
		sum     = sha256.New()
		data    = make(map[string][]byte, len(names))
	)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("read rule file %s: %w", name, err))
			continue
		}
		data[name] = b
		fmt.Fprintf(sum, "%s\x00%d\x00", name, len(b))
		sum.Write(b)
	}
	version := hex.EncodeToString(sum.Sum(nil))[:12]

	if b, ok := data[ScoringFile]; ok {
		d := &decoder{file: ScoringFile}
		if root := d.parse(b); root != nil {
			scoring, catsOK = decodeScoring(d, root)
		}
		errs = append(errs, d.errs...)
	} else if _, unreadable := fs.Stat(fsys, ScoringFile); unreadable != nil {
		errs = append(errs, &Error{File: ScoringFile, Msg: "missing: categories and thresholds are defined there"})
	}

	var all []*Rule
	ids := map[string]*Rule{}
	nrules := 0
	for _, name := range names {
		b, ok := data[name]
		if name == ScoringFile || !ok {
			continue
		}
		d := &decoder{file: name}
		if root := d.parse(b); root != nil {
			rs := d.decodeRuleFile(root, &scoring, catsOK)
			for _, r := range rs {
				if first, dup := ids[r.ID]; dup {
					d.errorf(r.Line, "rule id %q already defined at %s:%d", r.ID, first.File, first.Line)
					continue
				}
				ids[r.ID] = r
				all = append(all, r)
			}
			nrules += len(rs)
		}
		errs = append(errs, d.errs...)
	}
	if len(errs) == 0 && nrules == 0 {
		errs = append(errs, &Error{File: ".", Msg: "no rules: want *.yaml files with rules beside " + ScoringFile})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	scoring.RuleSetVersion = version
	return compile(all, scoring, version)
}

// decodeRuleFile decodes a rule file's root node; it returns only the
// rules that decoded without problems.
func (d *decoder) decodeRuleFile(root *yaml.Node, sc *Scoring, catsOK bool) []*Rule {
	var out []*Rule
	haveRules := false
	d.mapping(root, "rule file", func(key string, k, v *yaml.Node) {
		if key != "rules" {
			d.errorf(k.Line, "unknown key %q (a rule file has one key: rules)", key)
			return
		}
		haveRules = true
		items, ok := d.seq(v, "rules")
		if !ok {
			return
		}
		if len(items) == 0 {
			d.errorf(v.Line, "rules: empty list")
		}
		for _, it := range items {
			if r := d.decodeRule(it, sc, catsOK); r != nil {
				out = append(out, r)
			}
		}
	})
	if root.Kind == yaml.MappingNode && !haveRules {
		d.errorf(root.Line, "rules missing")
	}
	return out
}

// decodeRule decodes one rule, or returns nil after recording its problems.
func (d *decoder) decodeRule(n *yaml.Node, sc *Scoring, catsOK bool) *Rule {
	before := len(d.errs)
	r := &Rule{File: d.file, Line: n.Line, Fields: defaultFields}
	var (
		have     = map[string]bool{}
		condNode *yaml.Node
	)
	what := "rule"
	// Read the id first so every message can name the rule.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
				what = "rule " + n.Content[i+1].Value
			}
		}
	}
	ok := d.mapping(n, what, func(key string, k, v *yaml.Node) {
		have[key] = true
		switch key {
		case "id":
			if id, ok := d.str(v, what+": id"); ok {
				if !idRE.MatchString(id) {
					d.errorf(v.Line, "%s: id must match [a-z0-9][a-z0-9._-]*", what)
				}
				r.ID = id
			}
		case "title":
			if s, ok := d.str(v, what+": title"); ok {
				if strings.TrimSpace(s) == "" {
					d.errorf(v.Line, "%s: title is empty", what)
				}
				r.Title = s
			}
		case "description":
			r.Description, _ = d.str(v, what+": description")
		case "category":
			if c, ok := d.str(v, what+": category"); ok {
				r.Category = c
				if catsOK {
					if _, known := sc.Category(c); !known {
						names := make([]string, len(sc.Categories))
						for i, c := range sc.Categories {
							names[i] = c.Name
						}
						d.errorf(v.Line, "%s: unknown category %q (want one of %v, from %s)", what, c, names, ScoringFile)
					}
				}
			}
		case "languages":
			langs, lines, ok := d.strList(v, what+": languages")
			if !ok {
				return
			}
			if len(langs) == 0 {
				d.errorf(v.Line, "%s: languages is empty (use [any])", what)
			}
			for i, l := range langs {
				if l == "any" && len(langs) > 1 {
					d.errorf(lines[i], "%s: languages: any stands alone", what)
				} else if l != "any" && !langRE.MatchString(l) {
					d.errorf(lines[i], "%s: language %q: want a lower-case ISO 639 code or any", what, l)
				}
			}
			r.Languages = langs
		case "weight":
			if w, ok := d.integer(v, what+": weight"); ok {
				if w < -100 || w > 100 {
					d.errorf(v.Line, "%s: weight %d outside -100..100", what, w)
				}
				r.Weight = w
			}
		case "brand":
			r.Brand, _ = d.str(v, what+": brand")
		case "tool":
			r.Tool, _ = d.str(v, what+": tool")
		case "fields":
			names, lines, ok := d.strList(v, what+": fields")
			if !ok {
				return
			}
			if len(names) == 0 {
				d.errorf(v.Line, "%s: fields is empty (leave it out for the default)", what)
			}
			r.Fields = nil
			for i, name := range names {
				f, err := extract.ParseField(name)
				if err != nil {
					d.errorf(lines[i], "%s: %v", what, err)
					continue
				}
				if slices.Contains(r.Fields, f) {
					d.errorf(lines[i], "%s: field %s repeated", what, name)
					continue
				}
				r.Fields = append(r.Fields, f)
			}
		case "patterns":
			r.Patterns = d.decodePatterns(v, what)
		case "condition":
			condNode = v
		case "requires":
			reqs, lines, ok := d.strList(v, what+": requires")
			if !ok {
				return
			}
			for i, q := range reqs {
				if !knownRequirement(q) {
					d.errorf(lines[i], "%s: requires %q: want phone, error_code, lock, runtime_lock, brand or a lock kind (%v)", what, q, lockKinds)
					continue
				}
				if slices.Contains(r.Requires, Requirement(q)) {
					d.errorf(lines[i], "%s: requires %s repeated", what, q)
					continue
				}
				r.Requires = append(r.Requires, Requirement(q))
			}
		case "examples":
			r.Examples = d.decodeExamples(k, v, what)
		default:
			d.errorf(k.Line, "%s: unknown key %q", what, key)
		}
	})
	if !ok {
		return nil
	}
	for _, key := range []string{"id", "title", "category", "languages", "weight", "patterns", "examples"} {
		if !have[key] {
			d.errorf(n.Line, "%s: %s missing", what, key)
		}
	}
	if condNode != nil && len(r.Patterns) > 0 {
		r.Condition = d.decodeCondition(condNode, what, len(r.Patterns))
	}
	if len(d.errs) > before {
		return nil
	}
	return r
}

func knownRequirement(q string) bool {
	switch q {
	case "phone", "error_code", "lock", "runtime_lock", "brand":
		return true
	}
	return isLockKind(q)
}

// decodePatterns decodes a rule's pattern list, expanding words.
func (d *decoder) decodePatterns(n *yaml.Node, what string) []Pattern {
	items, ok := d.seq(n, what+": patterns")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n.Line, "%s: patterns is empty", what)
	}
	var out []Pattern
	for _, it := range items {
		var (
			lit, re  *yaml.Node
			words    *yaml.Node
			word     bool
			wordNode *yaml.Node
			kinds    int
		)
		d.mapping(it, what+": pattern", func(key string, k, v *yaml.Node) {
			switch key {
			case "literal":
				lit = v
				kinds++
			case "regex":
				re = v
				kinds++
			case "words":
				words = v
				kinds++
			case "word":
				wordNode = v
				word, _ = d.boolean(v, what+": word")
			default:
				d.errorf(k.Line, "%s: pattern: unknown key %q (want literal, regex, words, word)", what, key)
			}
		})
		if it.Kind != yaml.MappingNode {
			continue
		}
		if kinds != 1 {
			d.errorf(it.Line, "%s: a pattern has exactly one of literal, regex, words", what)
			continue
		}
		switch {
		case lit != nil:
			if s, ok := d.str(lit, what+": literal"); ok {
				if p, ok := d.literal(s, word, lit.Line, what); ok {
					out = append(out, p)
				}
			}
		case words != nil:
			ws, lines, ok := d.strList(words, what+": words")
			if !ok {
				break
			}
			if len(ws) == 0 {
				d.errorf(words.Line, "%s: words is empty", what)
			}
			for i, w := range ws {
				if p, ok := d.literal(w, word, lines[i], what); ok {
					out = append(out, p)
				}
			}
		case re != nil:
			if wordNode != nil {
				d.errorf(wordNode.Line, "%s: word applies to literals; use \\b in a regex", what)
			}
			if s, ok := d.str(re, what+": regex"); ok {
				norm, err := normalizeRegex(s)
				if err != nil {
					d.errorf(re.Line, "%s: regex %q: %v", what, s, err)
					break
				}
				out = append(out, Pattern{Regex: norm, Source: s, Line: re.Line})
			}
		}
	}
	return out
}

// literal builds a literal pattern in matching form.
func (d *decoder) literal(s string, word bool, line int, what string) (Pattern, bool) {
	norm := textnorm.Normalize(s)
	if norm == "" {
		d.errorf(line, "%s: literal %q is empty once normalised", what, s)
		return Pattern{}, false
	}
	return Pattern{Literal: norm, Source: s, Word: word, Line: line}, true
}

// normalizeRegex parses a regex and puts the letters of its literal text
// and of single-letter classes through textnorm.Normalize, so a regex is
// written as the page shows text yet runs on the matching form. It rejects
// regexes that match the empty string: they would fire on every page.
func normalizeRegex(src string) (string, error) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "", err
	}
	normRegexp(re)
	out := re.String()
	cre, err := regexp.Compile(out)
	if err != nil {
		return "", fmt.Errorf("after normalisation (%q): %w", out, err)
	}
	if cre.MatchString("") {
		return "", errors.New("matches the empty string")
	}
	return out, nil
}

func normRegexp(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		var b []rune
		for _, r := range re.Rune {
			b = append(b, normRune(r)...)
		}
		if len(b) > 0 {
			re.Rune = b
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] == re.Rune[i+1] {
				if n := normRune(re.Rune[i]); len(n) == 1 {
					re.Rune[i], re.Rune[i+1] = n[0], n[0]
				}
			}
		}
		// Restore the sorted, non-overlapping form syntax expects.
		re.Rune = cleanClass(re.Rune)
	}
	for _, s := range re.Sub {
		normRegexp(s)
	}
}

// normRune returns the matching form of one rune of regex text: letters and
// non-ASCII runes go through textnorm; spaces and ASCII punctuation stay.
func normRune(r rune) []rune {
	if r < utf8.RuneSelf && !unicode.IsUpper(r) || unicode.IsSpace(r) {
		return []rune{r}
	}
	n := textnorm.Normalize(string(r))
	if n == "" {
		return nil
	}
	return []rune(n)
}

// cleanClass sorts class ranges and merges overlapping ones.
func cleanClass(rs []rune) []rune {
	type rg struct{ lo, hi rune }
	rgs := make([]rg, 0, len(rs)/2)
	for i := 0; i+1 < len(rs); i += 2 {
		rgs = append(rgs, rg{rs[i], rs[i+1]})
	}
	slices.SortFunc(rgs, func(a, b rg) int { return int(a.lo) - int(b.lo) })
	out := rs[:0]
	for _, g := range rgs {
		if n := len(out); n > 0 && g.lo <= out[n-1]+1 {
			out[n-1] = max(out[n-1], g.hi)
			continue
		}
		out = append(out, g.lo, g.hi)
	}
	return out
}

// decodeCondition decodes any, all or {at_least: N}.
func (d *decoder) decodeCondition(n *yaml.Node, what string, npat int) Condition {
	if n.Kind == yaml.ScalarNode {
		s, ok := d.str(n, what+": condition")
		if !ok {
			return Condition{}
		}
		switch s {
		case "any":
			return Condition{Kind: Any}
		case "all":
			return Condition{Kind: All}
		}
		d.errorf(n.Line, "%s: condition %q: want any, all or {at_least: N}", what, s)
		return Condition{}
	}
	c := Condition{Kind: AtLeast}
	have := false
	d.mapping(n, what+": condition", func(key string, k, v *yaml.Node) {
		if key != "at_least" {
			d.errorf(k.Line, "%s: condition: unknown key %q (want at_least)", what, key)
			return
		}
		if i, ok := d.integer(v, what+": at_least"); ok {
			have = true
			c.N = i
			if i < 1 || i > npat {
				d.errorf(v.Line, "%s: at_least %d: want 1..%d (the rule's pattern count)", what, i, npat)
			}
		}
	})
	if n.Kind == yaml.MappingNode && !have {
		d.errorf(n.Line, "%s: condition: at_least missing", what)
	}
	return c
}

// decodeExamples decodes {match: [...], no_match: [...]}, both required.
func (d *decoder) decodeExamples(key, n *yaml.Node, what string) Examples {
	var ex Examples
	var haveMatch, haveNoMatch bool
	list := func(v *yaml.Node, key string) []Example {
		ss, lines, ok := d.strList(v, what+": examples: "+key)
		if !ok {
			return nil
		}
		out := make([]Example, len(ss))
		for i, s := range ss {
			out[i] = Example{Text: s, Line: lines[i]}
		}
		return out
	}
	ok := d.mapping(n, what+": examples", func(key string, k, v *yaml.Node) {
		switch key {
		case "match":
			haveMatch = true
			ex.Match = list(v, key)
		case "no_match":
			haveNoMatch = true
			ex.NoMatch = list(v, key)
		default:
			d.errorf(k.Line, "%s: examples: unknown key %q (want match, no_match)", what, key)
		}
	})
	if !ok {
		return ex
	}
	if !haveMatch || len(ex.Match) == 0 {
		d.errorf(key.Line, "%s: examples: want at least one match example", what)
	}
	if !haveNoMatch || len(ex.NoMatch) == 0 {
		d.errorf(key.Line, "%s: examples: want at least one no_match example", what)
	}
	return ex
}
