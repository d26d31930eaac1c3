package jsscan

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// The tests here hold the cheaper paths to the full ones they stand for:
// analyze (which cuts data literals out) to analyzeWhole, AnalyzeString
// to Analyze, and the text functions and textCollector to the reference
// implementations below, which are the ones they replaced.

// refUnescapeJS is unescapeJS as it was: \u code units gathered and
// decoded with utf16.Decode.
func refUnescapeJS(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s)
	}
	var b strings.Builder
	var pending []uint16
	flush := func() {
		if len(pending) > 0 {
			b.WriteString(string(utf16.Decode(pending)))
			pending = pending[:0]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			flush()
			b.WriteByte(c)
			continue
		}
		i++
		c = s[i]
		switch c {
		case 'n':
			flush()
			b.WriteByte('\n')
		case 't':
			flush()
			b.WriteByte('\t')
		case 'r':
			flush()
			b.WriteByte('\r')
		case 'b', 'f', 'v':
			flush()
			b.WriteByte(' ')
		case '0':
			flush()
			b.WriteByte(0)
		case '\n':
			flush()
		case '\r':
			flush()
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case 'x':
			flush()
			if r, ok := hexVal(s[i+1:], 2); ok {
				b.WriteRune(rune(r))
				i += 2
			} else {
				b.WriteByte('x')
			}
		case 'u':
			if i+1 < len(s) && s[i+1] == '{' {
				end := bytes.IndexByte(s[i+1:], '}')
				if end > 1 && end <= 8 {
					if r, ok := hexVal(s[i+2:i+1+end], end-1); ok && r <= unicode.MaxRune {
						flush()
						b.WriteRune(rune(r))
						i += 1 + end
						continue
					}
				}
				flush()
				b.WriteByte('u')
			} else if r, ok := hexVal(s[i+1:], 4); ok {
				pending = append(pending, uint16(r))
				i += 4
			} else {
				flush()
				b.WriteByte('u')
			}
		default:
			flush()
			b.WriteByte(c)
		}
	}
	flush()
	return b.String()
}

// refStripTags is stripTags as it was, a byte at a time.
func refStripTags(s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!'):
			in = true
		case c == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// refLooksProse is looksProse as it was, with strings.Fields for words.
func refLooksProse(s string) bool {
	var runes, letters, spaces, wide int
	for _, r := range s {
		runes++
		switch {
		case r == ' ':
			spaces++
		case r < utf8.RuneSelf:
			if isASCIILetter(byte(r)) {
				letters++
			}
		case unicode.IsLetter(r):
			letters++
			if r >= 0x0E00 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai) {
				wide++
			}
		}
	}
	if runes < minProseRunes && wide < 4 {
		return false
	}
	if letters+spaces < runes*7/10 || letters < runes/2 {
		return false
	}
	if wide >= 4 {
		return true
	}
	if spaces < 2 {
		return false
	}
	if strings.Contains(s, "://") || strings.Contains(s, "function") && strings.Contains(s, "{") {
		return false
	}
	words, codey := 0, 0
	for w := range strings.FieldsSeq(s) {
		words++
		if strings.ContainsAny(w, "-_#=/{}();:[]$") {
			codey++
		}
	}
	return codey*2 < words
}

func refCleanText(s string, max int) string {
	if strings.IndexByte(s, '<') >= 0 && strings.IndexByte(s, '>') >= 0 {
		s = refStripTags(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return truncate(strings.Join(strings.Fields(s), " "), max)
}

// refText is textCollector's prose strings as they were collected: every
// literal decoded (a copy) before it is looked at.
type refText struct {
	strings []string
	bytes   int
	seen    map[string]bool
	full    bool
}

func (t *refText) addLiteral(raw []byte) {
	if !t.full && proseLiteral(raw) {
		t.addString(refUnescapeJS(unquoted(raw)))
	}
}

func (t *refText) addString(s string) {
	if t.full || len(s) < minProseBytes || !maybeProse(s) {
		return
	}
	s = refCleanText(s, maxOneString)
	if !refLooksProse(s) || t.seen[s] {
		return
	}
	if t.bytes+len(s) > maxStringsBytes {
		t.full = true
		return
	}
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	t.seen[s] = true
	t.strings = append(t.strings, s)
	t.bytes += len(s)
}

// sameTexts fails t unless the string and template tokens of src give
// the same prose to textCollector as to refText, and what textCollector
// keeps does not change when the input is overwritten.
func sameTexts(t testing.TB, name string, src []byte) {
	t.Helper()
	// Room for the lexer's sentinel, so that it reads src in place.
	src = append(bytes.Clone(src), 0)[:len(src)]
	tc := newTextCollector()
	var ref refText
	l := js.NewLexer(parse.NewInputBytes(src))
	for i := 0; i <= len(src); i++ {
		tt, data := l.Next()
		switch tt {
		case js.ErrorToken:
			i = len(src)
		case js.StringToken:
			tc.addLiteral(data)
			ref.addLiteral(data)
		case js.TemplateToken:
			tc.addString(templateText(data))
			ref.addString(templateText(data))
		}
	}
	// A literal without escapes is read in place: what is kept must be a
	// copy.
	want := append([]string(nil), tc.strings...)
	for i := range src {
		src[i] = 'x'
	}
	if !reflect.DeepEqual(tc.strings, ref.strings) || !reflect.DeepEqual(tc.strings, want) {
		t.Fatalf("%s: textCollector kept %q (%q before the input was overwritten), the reference %q", name, tc.strings, want, ref.strings)
	}
}

// sameTextFuncs fails t unless the text functions agree with their
// reference implementations on s.
func sameTextFuncs(t testing.TB, s []byte) {
	t.Helper()
	if got, want := unescapeJS(s), refUnescapeJS(s); got != want {
		t.Fatalf("unescapeJS(%q) = %q, want %q", s, got, want)
	}
	str := string(s)
	if got, want := stripTags(str), refStripTags(str); got != want {
		t.Fatalf("stripTags(%q) = %q, want %q", s, got, want)
	}
	if got, want := collapse(str), strings.Join(strings.Fields(str), " "); got != want {
		t.Fatalf("collapse(%q) = %q, want %q", s, got, want)
	}
	if got, want := cleanText(str, 64), refCleanText(str, 64); got != want {
		t.Fatalf("cleanText(%q) = %q, want %q", s, got, want)
	}
	if got, want := looksProse(str), refLooksProse(str); got != want {
		t.Fatalf("looksProse(%q) = %v, want %v", s, got, want)
	}
}

// sameFullPath fails t unless every entry point gives for src what the
// full path (analyzeWhole on a copy of its own) gives.
func sameFullPath(t testing.TB, name string, s pageScript) {
	t.Helper()
	whole := func(event string, global, inline bool) Result {
		return analyzeWhole(append(s.src[:len(s.src):len(s.src)], 0)[:len(s.src)], true, event, global, inline)
	}
	check := func(entry string, got, want Result) {
		t.Helper()
		if !sameResult(got, want) {
			t.Fatalf("%s: %s = %+v\nfull path: %+v", name, entry, got, want)
		}
	}
	if s.event == "" {
		want := whole("", false, false)
		check("Analyze", Analyze(s.src), want)
		check("AnalyzeString", AnalyzeString(string(s.src)), want)
		return
	}
	event, global := handlerEvent(s.tag, s.event)
	check("AnalyzeElementHandler", AnalyzeElementHandler(s.tag, s.event, s.src), whole(event, global, true))
	event, global = handlerEvent("", s.event)
	check("AnalyzeHandlerString", AnalyzeHandlerString(s.event, string(s.src)), whole(event, global, true))
}

// TestFastPathCorpus holds every entry point to the full path, and the
// text collection to its reference, on every script and handler of the
// corpus.
func TestFastPathCorpus(t *testing.T) {
	dir := corpusDir(t)
	scripts := 0
	for _, row := range readManifest(t, dir) {
		page, err := os.ReadFile(filepath.Join(dir, row.path))
		if err != nil {
			t.Fatal(err)
		}
		list := []pageScript{{src: page}}
		if row.kind != "asset" {
			list = pageScripts(page)
		}
		for _, s := range list {
			scripts++
			sameFullPath(t, row.path, s)
			sameTexts(t, row.path, s.src)
		}
	}
	t.Logf("%d scripts and handlers: identical results", scripts)
}

func TestTextFuncs(t *testing.T) {
	for _, s := range []string{
		``, `\`, `a\`, `\u`, `\u12`, `\uD83D\uDE00`, `\uD83D`, `\uDE00`, `\uD83D\uD83D\uDE00`, `\uDE00\uD83D`,
		`\uD83Dx\uDE00`, `\uD800\uDC00`, `\uDBFF\uDFFF`, `\uD7FF\uE000`, `\uDBFF\uE000`, `\uD83D\x41`, `\uD83D\u{1F600}`, `\u{1F600}`, `\u{}`, `\u{110000}`, `\u{41`, `\x4`, `\x41\x`,
		`a\
b`, "a\\\r\nb", "a\\\rb", `\0\b\f\v\n\r\t\'\"\q`, `<b>bold</b> <i`, `a < b > c`, `<!-- x --> y`, `</`, `<a href="x">`,
		" \t lead  trail \n", "a\u00a0b\u3000c\u2028d\u0085e", "\xff\xfe ok", "word-with_code #x", "日本語のテキストです",
	} {
		sameTextFuncs(t, []byte(s))
		sameTexts(t, s, []byte(`"`+s+`" '`+s+`' `+"`"+s+"`"))
	}
}

// FuzzFastPath holds the entry points to the full path and the text
// functions to their references on any input.
func FuzzFastPath(f *testing.F) {
	big := data(600)
	seeds := append(analyzeSeeds(),
		"x = "+big, "x = {a: 'b c d e f g h i j', "+big[1:], "x = {\n 'k': \"\\! \\u{41}\", "+big[1:], "x = ["+big+",\n]",
		`var s = "<p>Your computer &amp; data are at risk</p>"; t = '\uD83D\uDE00 call \x41 now please'`,
		"document.title = `Call ${n} now, your computer is blocked`",
	)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		sameFullPath(t, "script", pageScript{src: src})
		sameFullPath(t, "handler", pageScript{tag: "body", event: "onkeydown", src: src})
		sameTexts(t, "tokens", src)
		sameTextFuncs(t, src)
	})
}
