package matchbench

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"unicode"

	"github.com/scamscope/scamscope/internal/match"
)

// Generate returns n patterns (IDs 0..n-1) made from seed: about two thirds
// literals (a quarter of them Word literals), one third regexes, spread over
// Latin with accents, Cyrillic and CJK. The same n and seed give the same
// patterns, all valid for match.Compile and package regexp. When vocab is
// not empty, a third of the words are drawn from it instead (see
// Vocabulary), so that some patterns occur in real text.
func Generate(n int, seed uint64, vocab []string) []match.Pattern {
	// syllables of the scripts the generated words are made of: Latin with
	// accents, Cyrillic and CJK (which has no spaces, so its "words" are runs of
	// ideographs or kana).
	syllables := [][]string{
		{"ba", "ré", "ño", "çu", "lä", "mo", "ti", "sé", "gö", "pa", "ve", "dí", "ka", "rù", "nê", "fo", "ßi", "za", "łe", "ją"},
		{"ка", "ро", "ми", "те", "ль", "ск", "на", "во", "жу", "ще", "пи", "ды", "бо", "ге", "зя"},
		{"警告", "病毒", "电脑", "支持", "ウイ", "ルス", "感染", "電話", "安全", "系统", "保護", "サポ", "ート", "錯誤", "解除"},
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	word := func(script int) string {
		if len(vocab) > 0 && r.IntN(3) == 0 {
			return vocab[r.IntN(len(vocab))]
		}
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syllables[script][r.IntN(len(syllables[script]))])
		}
		return b.String()
	}
	ps := make([]match.Pattern, n)
	for i := range ps {
		sc := r.IntN(len(syllables))
		p := match.Pattern{ID: i}
		switch k := r.IntN(12); {
		case k < 6:
			p.Literal = word(sc) + " " + word(sc)
			if sc == 2 {
				p.Literal = word(sc) + word(sc)
			}
		case k < 8:
			p.Literal, p.Word = word(sc), sc != 2
		case k == 8:
			p.Regex = fmt.Sprintf(`%s\s+%s`, regexp.QuoteMeta(word(sc)), regexp.QuoteMeta(word(sc)))
		case k == 9:
			p.Regex = fmt.Sprintf(`(?i)%s(?:%s|%s)`, regexp.QuoteMeta(word(sc)), regexp.QuoteMeta(word(sc)), regexp.QuoteMeta(word(sc)))
		case k == 10:
			p.Regex = fmt.Sprintf(`%s\W{0,3}\d{3,4}`, regexp.QuoteMeta(word(sc)))
		default:
			p.Regex = fmt.Sprintf(`%s.{0,20}%s`, regexp.QuoteMeta(word(sc)), regexp.QuoteMeta(word(sc)))
		}
		ps[i] = p
	}
	return ps
}

// Vocabulary returns up to limit distinct words of at least four bytes
// from texts, spread evenly over their order of first appearance: letters
// only, so that they are literal text in any pattern.
func Vocabulary(texts [][]byte, limit int) []string {
	seen := map[string]bool{}
	var all []string
	for _, t := range texts {
		for w := range strings.FieldsFuncSeq(string(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) >= 4 && !seen[w] {
				seen[w] = true
				all = append(all, w)
			}
		}
	}
	if limit <= 0 || len(all) <= limit {
		return all
	}
	out := make([]string, limit)
	for i := range out {
		out[i] = all[i*len(all)/limit]
	}
	return out
}
