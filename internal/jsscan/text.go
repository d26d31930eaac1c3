package jsscan

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// unquote decodes a JavaScript string literal, quotes included, into its
// value. Malformed escapes decode to themselves; it never fails.
func unquote(lit []byte) string {
	return unescapeJS(unquoted(lit))
}

// unquoted returns a string literal without its quotes, escapes as
// written.
func unquoted(lit []byte) []byte {
	if len(lit) >= 2 && (lit[0] == '"' || lit[0] == '\'') && lit[len(lit)-1] == lit[0] {
		return lit[1 : len(lit)-1]
	}
	return lit
}

// plainLiteral returns the value of a string literal without escapes, its
// text between the quotes, and reports false for a literal with escapes.
// It spares decoding (and a copy) where the text alone decides.
func plainLiteral(lit []byte) ([]byte, bool) {
	in := unquoted(lit)
	return in, bytes.IndexByte(in, '\\') < 0
}

// templateText decodes the text of a template part, dropping the "`", "}",
// "${" delimiters the parser keeps.
func templateText(raw []byte) string {
	raw = bytes.TrimPrefix(raw, []byte("`"))
	raw = bytes.TrimPrefix(raw, []byte("}"))
	if bytes.HasSuffix(raw, []byte("${")) {
		raw = raw[:len(raw)-2]
	} else {
		raw = bytes.TrimSuffix(raw, []byte("`"))
	}
	return unescapeJS(raw)
}

// unescapeJS decodes JavaScript escape sequences.
func unescapeJS(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	var pending []uint16 // UTF-16 code units from \u escapes, to pair surrogates
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
			flush() // line continuation
		case '\r':
			flush()
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case 'x':
			if r, ok := hexVal(s[i+1:], 2); ok {
				flush()
				b.WriteRune(rune(r))
				i += 2
			} else {
				flush()
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

// hexVal parses exactly n hexadecimal digits at the start of s.
func hexVal(s []byte, n int) (uint32, bool) {
	if len(s) < n {
		return 0, false
	}
	var v uint32
	for _, c := range s[:n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

// textCollector gathers dialog texts and prose strings under size caps.
type textCollector struct {
	dialogs      []string
	dialogBytes  int
	strings      []string
	stringBytes  int
	seenDialogs  map[string]struct{}
	seenStrings  map[string]struct{}
	stringsFull  bool
	dialogsFull  bool
	maxStrings   int
	maxDialogs   int
	maxOneString int
}

func newTextCollector() textCollector {
	return textCollector{
		maxStrings:   maxStringsBytes,
		maxDialogs:   maxDialogsBytes,
		maxOneString: maxOneString,
	}
}

// addDialog records the text of an alert, confirm or prompt.
func (t *textCollector) addDialog(s string) {
	s = cleanText(s, t.maxOneString)
	if s == "" || t.dialogsFull {
		return
	}
	if _, ok := t.seenDialogs[s]; ok {
		return
	}
	if t.dialogBytes+len(s) > t.maxDialogs {
		t.dialogsFull = true
		return
	}
	put(&t.seenDialogs, s, struct{}{})
	t.dialogs = append(t.dialogs, s)
	t.dialogBytes += len(s)
}

// proseLiteral reports whether addString could take the value of the
// string literal raw (quotes included), whatever it has taken before: not
// when raw is short, nor when it has no escapes and its text is too short
// or fails maybeProse.
func proseLiteral(raw []byte) bool {
	if len(raw) <= minProseBytes {
		return false
	}
	in, plain := plainLiteral(raw)
	return !plain || len(in) >= minProseBytes && maybeProse(in)
}

// addLiteral records the value of a string literal (raw, quotes
// included) when it reads as prose.
func (t *textCollector) addLiteral(raw []byte) {
	if !t.stringsFull && proseLiteral(raw) {
		t.addString(unquote(raw))
	}
}

// addString records a string literal's value when it reads as prose.
func (t *textCollector) addString(s string) {
	if t.stringsFull || len(s) < minProseBytes || !maybeProse(s) {
		return
	}
	s = cleanText(s, t.maxOneString)
	if !looksProse(s) {
		return
	}
	if _, ok := t.seenStrings[s]; ok {
		return
	}
	if t.stringBytes+len(s) > t.maxStrings {
		t.stringsFull = true
		return
	}
	put(&t.seenStrings, s, struct{}{})
	t.strings = append(t.strings, s)
	t.stringBytes += len(s)
}

// maybeProse is a cheap filter before cleanText: prose has spaces between
// words or is written in a script without them.
func maybeProse[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// cleanText strips markup from s (kits often write HTML from strings),
// unescapes entities, collapses white space and cuts it to max bytes.
func cleanText(s string, max int) string {
	if strings.IndexByte(s, '<') >= 0 && strings.IndexByte(s, '>') >= 0 {
		s = stripTags(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if !collapsed(s) {
		s = collapse(s)
	}
	return truncate(s, max)
}

// collapse returns strings.Join(strings.Fields(s), " ") without the slice
// of fields.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // white space is pending
	for i := 0; i < len(s); {
		n, isSpace := charAt(s, i)
		if isSpace {
			space = true
		} else {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// charAt returns the length of the character at s[i] (1 for an invalid
// byte) and whether it is white space, as strings.Fields tells them.
func charAt(s string, i int) (n int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return 1, unicode.IsSpace(rune(c))
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return n, unicode.IsSpace(r)
}

// codePunct marks the bytes that make a word look like code to looksProse.
var codePunct = func() (t [256]bool) {
	for _, c := range []byte("-_#=/{}();:[]$") {
		t[c] = true
	}
	return t
}()

// collapsed reports whether s is already as strings.Fields and a join
// with single spaces leave it: no white space but single ASCII spaces
// between other characters.
func collapsed(s string) bool {
	space := true // a space here would lead
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case ' ':
				if space {
					return false
				}
				space = true
			case '\t', '\n', '\v', '\f', '\r':
				return false
			default:
				space = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		space = false
		i += n
	}
	return !space || s == ""
}

// stripTags removes <...> runs, replacing each with a space.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
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

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// truncate cuts s to at most max bytes on a rune boundary.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// looksProse reports whether s reads as natural-language text: mostly
// letters, with spaces between words (or written in a script without
// spaces), and not an identifier list, URL, CSS or code.
func looksProse(s string) bool {
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
	// Identifier or class lists: most words carry code punctuation.
	// The words are those of strings.Fields.
	words, codey := 0, 0
	inWord, code := false, false
	for i := 0; i < len(s); {
		c := s[i]
		n, isSpace := charAt(s, i)
		switch {
		case isSpace:
			if inWord && code {
				codey++
			}
			inWord, code = false, false
		case !inWord:
			words++
			inWord, code = true, codePunct[c]
		default:
			code = code || codePunct[c]
		}
		i += n
	}
	if inWord && code {
		codey++
	}
	return codey*2 < words
}

// render writes n as JavaScript, white space collapsed, cut to maxEvidence
// bytes. It stops rendering early once enough is written.
func render(n js.INode) (s string) {
	w := &capWriter{max: maxEvidence * 2}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, full := r.(writerFull); !full {
					panic(r)
				}
			}
		}()
		n.JS(w)
	}()
	return truncate(strings.Join(strings.Fields(string(w.buf)), " "), maxEvidence)
}

// writerFull is the panic value that stops rendering once the evidence
// buffer is full.
type writerFull struct{}

type capWriter struct {
	buf []byte
	max int
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if len(w.buf) >= w.max {
		panic(writerFull{})
	}
	return len(p), nil
}

// lexTexts is the fallback for scripts that do not parse: it walks the
// tokens and keeps prose string literals and the literal arguments of
// alert/confirm/prompt.
func lexTexts(src []byte, t *textCollector) {
	l := js.NewLexer(parse.NewInputBytes(src[:len(src):len(src)]))
	var prev, prev2 []byte // the last two significant tokens
	for i := 0; i < len(src)+1; i++ {
		tt, data := l.Next()
		switch tt {
		case js.ErrorToken:
			return
		case js.WhitespaceToken, js.LineTerminatorToken, js.CommentToken, js.CommentLineTerminatorToken:
			continue
		case js.StringToken, js.TemplateToken:
			var s string
			if tt == js.StringToken {
				s = unquote(data)
			} else {
				s = templateText(data)
			}
			if string(prev) == "(" && isDialogName(string(prev2)) {
				t.addDialog(s)
			} else {
				t.addString(s)
			}
		}
		prev2, prev = prev, data
	}
}

func isDialogName(s string) bool {
	return s == "alert" || s == "confirm" || s == "prompt"
}
