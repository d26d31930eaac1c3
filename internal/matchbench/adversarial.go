package matchbench

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/scamscope/scamscope/internal/match"
)

// Pathological are regexes that hurt backtracking and automaton-based
// engines alike; Adversarial adds them to a rule set as rules would.
var Pathological = []string{
	`(a|aa)*b`,
	`(x+x+)+y`,
	`(?:virus|alert)\W+(?:\w+\W+){0,40}?(?:call now)`,
	`(\w+\s?)*:error`,
	`[a-z0-9]{2,}@[a-z0-9]{2,}\.(?:com|net)`,
}

// AdversarialFor is Adversarial at the sizes make bench-match uses for a
// corpus text of n bytes: inputs as large, up to 512 KB, in pages of 16 KB.
func AdversarialFor(ps []match.Pattern, n int64, seed uint64) ([]match.Pattern, []AdversarialInput) {
	return Adversarial(ps, int(min(n, 512<<10)), 16<<10, seed)
}

// AdversarialInput is one input built to be slow for a matcher.
type AdversarialInput struct {
	Name  string
	Pages [][]byte
}

// Adversarial returns ps with the Pathological regexes added (IDs after
// the largest in ps), and inputs of about size bytes each, split into
// pages of pageSize, built to be slow on them: near-matches of the rules'
// own literals and of the words in their regexes (drawn at random, with
// the last byte changed), those words in random order (atoms that fire
// everywhere and complete nothing), and long runs for the pathological
// regexes.
func Adversarial(ps []match.Pattern, size, pageSize int, seed uint64) ([]match.Pattern, []AdversarialInput) {
	next := 0
	for _, p := range ps {
		next = max(next, p.ID+1)
	}
	out := slices.Clone(ps)
	for i, re := range Pathological {
		out = append(out, match.Pattern{ID: next + i, Regex: re})
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	word := regexp.MustCompile(`\pL[\pL' -]{2,}\pL`)
	var lits, words []string
	for _, p := range ps {
		if p.Literal != "" {
			lits = append(lits, p.Literal)
			continue
		}
		words = append(words, word.FindAllString(p.Regex, -1)...)
	}
	fill := func(gen func(b *strings.Builder)) [][]byte {
		var b strings.Builder
		for b.Len() < size {
			gen(&b)
		}
		return split([]byte(b.String()), pageSize)
	}
	near := func(s string) string {
		if len(s) < 2 {
			return s
		}
		return s[:len(s)-1] + "#"
	}
	inputs := []AdversarialInput{
		{"near-miss literals", fill(func(b *strings.Builder) {
			b.WriteString(near(lits[r.IntN(len(lits))]))
			b.WriteByte(' ')
		})},
		{"near-miss regex words", fill(func(b *strings.Builder) {
			b.WriteString(near(words[r.IntN(len(words))]))
			b.WriteByte(' ')
		})},
		{"regex words shuffled", fill(func(b *strings.Builder) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		})},
		{"pathological runs", fill(func(b *strings.Builder) {
			switch r.IntN(4) {
			case 0:
				b.WriteString(strings.Repeat("a", 2000))
			case 1:
				b.WriteString(strings.Repeat("x", 2000))
			case 2:
				b.WriteString("virus " + strings.Repeat("word ", 400))
			default:
				b.WriteString(strings.Repeat("ab1", 600) + "@" + strings.Repeat("cd", 300))
			}
			b.WriteByte('\n')
		})},
	}
	return out, inputs
}

// split cuts text into pages of at most size bytes, at UTF-8 boundaries.
func split(text []byte, size int) [][]byte {
	var pages [][]byte
	for len(text) > 0 {
		n := min(size, len(text))
		for n < len(text) && text[n]&0xC0 == 0x80 {
			n++
		}
		pages = append(pages, text[:n])
		text = text[n:]
	}
	return pages
}
