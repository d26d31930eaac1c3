package match

import (
	"math/rand/v2"
	"regexp"
	"strings"
)

// source yields the decisions of the generators: from fuzz bytes, or from
// a seeded random source.
type source interface {
	intn(n int) int
}

// byteSource reads decisions from fuzz input; once it runs dry, every
// decision is 0, so short inputs give small cases.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) intn(n int) int {
	if s.i >= len(s.b) || n <= 1 {
		return 0
	}
	v := int(s.b[s.i])
	s.i++
	return v % n
}

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return s.r.IntN(n)
}

// Tokens overlap on purpose: few letters, case pairs, multi-byte runes
// whose case folds differ in length (K and the Kelvin sign, s and the long
// s), broken UTF-8, and separators that matter to \b and Word.
var (
	textTokens = []string{
		"a", "b", "c", "x", "a", "b", " ", " ", "-", "\n", "1", "2", "_", ".", "#",
		"é", "日", "\u212a", "k", "K", "s", "S", "\u017f", "A", "B",
		"\xff", "\x80", "\xe6\x97", "ab", "abc", "aab", "\u00e9t\u00e9",
	}
	litTokens = []string{
		"a", "b", "c", "x", "aa", "ab", "ba", " ", "-", "1", "_", "é", "日",
		"k", "\u212a", "\x97", "A", "\xff",
	}
	reLits = []string{
		"a", "b", "ab", "ba", "x", "c", "é", "日", "1", "-", `\.`, " ", "k", "s", "aab", "abc", "a  b",
		`\x{212A}`, "A", `\n`,
	}
	reClasses = []string{
		"[ab]", "[^a]", "[a-c]", `\d`, `\w`, `\s`, `\S`, ".", "[é日]", `[^\n]`, `\pL`,
		"[0-9a-f]", `[\x{FFFD}]`, "[kK]", `\W`, "[a-z]", "[ \t]", `[\n ]`,
	}
	reAnchors = []string{"^", "$", `\A`, `\z`, `\b`, `\B`}
	reQuants  = []string{"?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}", "*?", "+?", "??", "{1,3}?"}
	reFlags   = []string{"", "", "", "(?i)", "(?m)", "(?s)", "(?U)", "(?im)"}
)

func genRegexNode(src source, depth int) string {
	k := src.intn(10)
	if depth > 2 && k >= 6 {
		k %= 6
	}
	switch k {
	case 0, 1, 2:
		s := reLits[src.intn(len(reLits))]
		for src.intn(3) == 2 {
			s += reLits[src.intn(len(reLits))]
		}
		return s
	case 3, 4:
		return reClasses[src.intn(len(reClasses))]
	case 5:
		return reAnchors[src.intn(len(reAnchors))]
	case 6:
		pre := []string{"(", "(?:", "(?i:", "(?-i:"}[src.intn(4)]
		return pre + genRegexNode(src, depth+1) + ")"
	case 7:
		s := genRegexNode(src, depth+1) + "|" + genRegexNode(src, depth+1)
		if src.intn(2) == 0 {
			s = "(?:" + s + ")"
		}
		return s
	case 8:
		return "(?:" + genRegexNode(src, depth+1) + ")" + reQuants[src.intn(len(reQuants))]
	default:
		s := ""
		for n := 2 + src.intn(3); n > 0; n-- {
			s += genRegexNode(src, depth+1)
		}
		return s
	}
}

func genRegex(src source) string {
	re := reFlags[src.intn(len(reFlags))] + genRegexNode(src, 0)
	if _, err := regexp.Compile(re); err != nil {
		return "a"
	}
	return re
}

func genPatterns(src source) []Pattern {
	n := 1 + src.intn(12)
	ps := make([]Pattern, 0, n)
	for i := range n {
		p := Pattern{ID: src.intn(8)}
		if src.intn(4) == 0 {
			p.ID = i
		}
		if src.intn(3) == 0 {
			p.Regex = genRegex(src)
		} else {
			var b strings.Builder
			for l := 1 + src.intn(4); l > 0; l-- {
				b.WriteString(litTokens[src.intn(len(litTokens))])
			}
			p.Literal = b.String()
			p.Word = src.intn(2) == 0
		}
		ps = append(ps, p)
	}
	return ps
}

// genText maps raw bytes onto the token alphabet (bytes from 0xF8 stay
// raw), and sometimes repeats the result past the length at which the scan
// splits into streams.
func genText(src source, raw []byte) []byte {
	var b []byte
	for _, c := range raw {
		if c >= 0xF8 {
			b = append(b, c)
			continue
		}
		b = append(b, textTokens[int(c)%len(textTokens)]...)
	}
	if len(b) > 0 && src.intn(3) == 0 {
		target := 1100 + 40*src.intn(100)
		base := b
		for len(b) < target {
			b = append(b, base...)
			if src.intn(4) == 0 {
				b = append(b, textTokens[src.intn(len(textTokens))]...)
			}
		}
	}
	return b
}

func randomText(src source, n int) []byte {
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(src.intn(256))
	}
	return raw
}

func randSourceFor(seed, stream int) randSource {
	return randSource{rand.New(rand.NewPCG(uint64(seed), uint64(stream)))}
}
