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

// unescapeJS decodes JavaScript escape sequences. \u escapes are UTF-16
// code units: a surrogate pair makes one character, a lone surrogate
// U+FFFD (as utf16.Decode reads them).
func unescapeJS(s []byte) string {
	i := bytes.IndexByte(s, '\\')
	if i < 0 {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	b.Write(s[:i])
	var high rune // a pending high surrogate from a \u escape, or 0
	flush := func() {
		if high != 0 {
			b.WriteRune(utf8.RuneError)
			high = 0
		}
	}
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			flush()
			b.Write(s[i : i+j])
			i += j
			continue
		}
		if i+1 == len(s) {
			flush()
			b.WriteByte(c)
			break
		}
		i++
		c = s[i]
		if c == 'u' && !(i+1 < len(s) && s[i+1] == '{') {
			if r, ok := hexVal(s[i+1:], 4); ok {
				i += 5
				switch u := rune(r); {
				case high != 0 && u >= 0xDC00 && u < 0xE000:
					b.WriteRune(utf16.DecodeRune(high, u))
					high = 0
				case u >= 0xD800 && u < 0xDC00:
					flush()
					high = u
				case u >= 0xDC00 && u < 0xE000:
					flush()
					b.WriteRune(utf8.RuneError)
				default:
					flush()
					b.WriteRune(u)
				}
				continue
			}
		}
		flush()
		switch c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b', 'f', 'v':
			b.WriteByte(' ')
		case '0':
			b.WriteByte(0)
		case '\n':
			// line continuation
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case 'x':
			if r, ok := hexVal(s[i+1:], 2); ok {
				b.WriteRune(rune(r))
				i += 2
			} else {
				b.WriteByte('x')
			}
		case 'u':
			// \u{...}, or \u not followed by four hex digits
			if i+1 < len(s) && s[i+1] == '{' {
				end := bytes.IndexByte(s[i+1:], '}')
				if end > 1 && end <= 8 {
					if r, ok := hexVal(s[i+2:i+1+end], end-1); ok && r <= unicode.MaxRune {
						b.WriteRune(rune(r))
						i += end + 2
						continue
					}
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(c)
		}
		i++
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
	seenRaw      map[string]struct{} // literals addLiteral has read: views of the analysed source
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
// included) when it reads as prose. A literal without escapes is read
// in place, and copied only when it is kept. A literal read before is
// not read again: it was kept then, and is now a duplicate, or it was
// not, and the reasons (its text, or Strings being full) still hold.
// raw must not change while t is in use.
func (t *textCollector) addLiteral(raw []byte) {
	if t.stringsFull || !proseLiteral(raw) {
		return
	}
	if _, ok := t.seenRaw[view(raw)]; ok {
		return
	}
	put(&t.seenRaw, view(raw), struct{}{})
	if in, plain := plainLiteral(raw); plain {
		t.add(view(in), true)
		return
	}
	t.add(unquote(raw), false)
}

// addString records a string literal's value when it reads as prose.
func (t *textCollector) addString(s string) {
	t.add(s, false)
}

// add is addString for s, which is borrowed when it is a view of bytes
// that the result must not hold.
func (t *textCollector) add(s string, borrowed bool) {
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
	if borrowed {
		s = strings.Clone(s)
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
			i += n
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		// The run of ASCII characters other than white space from here.
		j := i + n
		for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace[s[j]] {
			j++
		}
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}

// charAt returns the length of the character at s[i] (1 for an invalid
// byte) and whether it is white space, as strings.Fields tells them.
func charAt(s string, i int) (n int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return 1, asciiSpace[c]
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return n, unicode.IsSpace(r)
}

// asciiSpace marks the ASCII characters unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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
	for i := 0; i < len(s); {
		// Outside a tag: copy up to the next '<' that opens one.
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		k := i + j
		if !(k+1 < len(s) && (isASCIILetter(s[k+1]) || s[k+1] == '/' || s[k+1] == '!')) {
			b.WriteString(s[i : k+1])
			i = k + 1
			continue
		}
		b.WriteString(s[i:k])
		// Inside the tag: skip to its '>'.
		e := strings.IndexByte(s[k+1:], '>')
		if e < 0 {
			break
		}
		b.WriteByte(' ')
		i = k + 1 + e + 1
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
	for i := 0; i < len(s); {
		runes++
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if c == ' ' {
				spaces++
			} else if isASCIILetter(c) {
				letters++
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsLetter(r) {
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
		n, isSpace := 1, false
		if c < utf8.RuneSelf {
			isSpace = asciiSpace[c]
		} else {
			n, isSpace = charAt(s, i)
		}
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
