package matchbench

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/textnorm"
)

// Errors.
var (
	// ErrNoInput is returned when there is nothing to measure.
	ErrNoInput = errors.New("no input")
	// ErrDisagree is returned when the matcher and the regexp baseline
	// report different patterns for a page.
	ErrDisagree = errors.New("engines disagree")
	// ErrNoHyperscan is returned by NewHyperscan in builds without the
	// hyperscan tag.
	ErrNoHyperscan = errors.New("built without the hyperscan tag")
)

// Engine reports which patterns occur in a text. An Engine keeps scratch
// space between calls: it is not safe for concurrent use.
type Engine interface {
	Name() string
	// Match appends to dst[:0] the IDs of the patterns that occur in text,
	// sorted, each once.
	Match(text []byte, dst []int) []int
}

// Project is the project's match.Matcher as an Engine.
type Project struct {
	m    *match.Matcher
	hits []match.Hit
}

// NewProject compiles ps as package rules compiles the rule set: with
// match.CompileFor for text in textnorm's matching form, which every
// input of the benchmarks is (the corpus's fields, and the adversarial
// inputs made of the rules' words and of lower-case runs). The agreement
// checks against the other engines would show it if one were not.
func NewProject(ps []match.Pattern) (*Project, error) {
	m, err := match.CompileFor(ps, textnorm.CanOccur)
	if err != nil {
		return nil, fmt.Errorf("project matcher: %w", err)
	}
	return &Project{m: m, hits: make([]match.Hit, 0, 256)}, nil
}

// Name implements Engine.
func (p *Project) Name() string { return "scamscope/match" }

// Match implements Engine.
func (p *Project) Match(text []byte, dst []int) []int {
	p.hits = p.m.Find(text, p.hits[:0])
	dst = dst[:0]
	for _, h := range p.hits {
		dst = append(dst, h.ID)
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// Regexp is the baseline: one package regexp per pattern, each asked
// whether it matches. A Word literal is its quoted literal, with the word
// boundaries checked around each occurrence in Go (package regexp's \b is
// ASCII only, and spelling the boundary as a character class would cost the
// regexp its literal prefix search).
type Regexp struct {
	res  []*regexp.Regexp
	word []bool
	ids  []int
}

// NewRegexp compiles each pattern of ps with regexp.Compile.
func NewRegexp(ps []match.Pattern) (*Regexp, error) {
	r := &Regexp{res: make([]*regexp.Regexp, len(ps)), word: make([]bool, len(ps)), ids: make([]int, len(ps))}
	for i, p := range ps {
		expr := p.Regex
		if p.Literal != "" {
			expr = regexp.QuoteMeta(p.Literal)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("regexp baseline: pattern %d: %w", p.ID, err)
		}
		r.res[i], r.word[i], r.ids[i] = re, p.Literal != "" && p.Word, p.ID
	}
	return r, nil
}

// Name implements Engine.
func (r *Regexp) Name() string { return "regexp per pattern" }

// Match implements Engine.
func (r *Regexp) Match(text []byte, dst []int) []int {
	dst = dst[:0]
	for i, re := range r.res {
		if r.word[i] && matchWord(re, text) || !r.word[i] && re.Match(text) {
			dst = append(dst, r.ids[i])
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// matchWord reports whether literal re occurs in text between word
// boundaries: no letter, decimal digit, nonspacing mark or underscore on
// either side (match.Pattern.Word).
func matchWord(re *regexp.Regexp, text []byte) bool {
	for off := 0; off < len(text); {
		loc := re.FindIndex(text[off:])
		if loc == nil {
			return false
		}
		start, end := off+loc[0], off+loc[1]
		if boundaryBefore(text, start) && boundaryAfter(text, end) {
			return true
		}
		_, n := utf8.DecodeRune(text[start:])
		off = start + n
	}
	return false
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func boundaryBefore(text []byte, i int) bool {
	r, _ := utf8.DecodeLastRune(text[:i])
	return i == 0 || !isWordRune(r)
}

func boundaryAfter(text []byte, i int) bool {
	r, _ := utf8.DecodeRune(text[i:])
	return i == len(text) || !isWordRune(r)
}

// What may stand next to a Word literal in PatternRegex: not a letter,
// decimal digit, nonspacing mark or underscore, or the text's edge.
const (
	wordBefore = `(?:\A|[^\pL\p{Nd}\p{Mn}_])`
	wordAfter  = `(?:[^\pL\p{Nd}\p{Mn}_]|\z)`
)

// PatternRegex returns p as one regex (RE2 syntax, which Hyperscan reads
// too) that matches where p does: a literal is quoted, and a Word literal is
// wrapped in its boundaries (consumed rather than asserted, which is the
// same for asking whether it matches).
func PatternRegex(p match.Pattern) string {
	if p.Literal == "" {
		return p.Regex
	}
	q := regexp.QuoteMeta(p.Literal)
	if p.Word {
		return wordBefore + q + wordAfter
	}
	return q
}
