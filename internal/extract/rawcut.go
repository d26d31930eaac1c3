package extract

import (
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The bodies of <script> and <style> elements are over two fifths of the
// corpus's markup (22 of 51 MB, most of it the scripts and style sheets of
// ordinary pages). The HTML tokenizer reads them a byte at a time and
// copies them into a token and the token into a text node, only for the
// extractor to hand the text on to the script analyser or the style sheet. cutRaw takes the larger bodies out of
// the markup before it is parsed: each becomes a placeholder, and the
// extractor reads the body from the source instead (rawCut.text).
//
// Finding a body takes the tokenizer's own rules: a start tag read as it
// reads one (quoted attribute values may hold a '>'), and the end found by
// its script-data states (a "<!--" in a script hides a "</script>" that
// follows a "<script"). Where a body begins is only looked for, not
// proven: "<script" may stand in a comment, an attribute value, another
// element's raw text or SVG (whose <script> and <style> hold markup). So
// after parsing, rawCut.placed checks that every placeholder is the whole
// text of an HTML <script> or <style> element, which is what an element's
// body becomes; when one is not, the page is parsed again whole. Since
// placeholders hold a character that a page which is cut does not hold,
// no placeholder can be taken for page text.

// rawMark opens and closes a placeholder: a noncharacter, which pages do
// not use; a page that holds it is not cut.
const rawMark = "\uFDD0"

// minRawCut is the shortest body worth a placeholder.
const minRawCut = 128

// rawCut is markup with element bodies cut out.
type rawCut struct {
	src    string   // the markup
	cuts   [][2]int // the bodies' places in src, in order
	bodies []string // by placeholder: the body, as the tokenizer reads it
}

// reader reads the markup with each body replaced by its placeholder,
// without copying the rest of it.
func (c *rawCut) reader() io.Reader { return &cutReader{c: c} }

type cutReader struct {
	c    *rawCut
	i    int    // the next cut
	at   int    // src[at:] is still to read, up to the next cut
	mark string // what is left of the placeholder being read
}

func (r *cutReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.mark != "" {
			k := copy(p[n:], r.mark)
			r.mark = r.mark[k:]
			n += k
			continue
		}
		end := len(r.c.src)
		if r.i < len(r.c.cuts) {
			end = r.c.cuts[r.i][0]
		}
		if r.at < end {
			k := copy(p[n:], r.c.src[r.at:end])
			r.at += k
			n += k
			continue
		}
		if r.i == len(r.c.cuts) {
			if n == 0 {
				return 0, io.EOF
			}
			break
		}
		r.mark = placeholder(r.i)
		r.at = r.c.cuts[r.i][1]
		r.i++
	}
	return n, nil
}

// placeholder is the text that stands for body i.
func placeholder(i int) string { return rawMark + strconv.Itoa(i) + rawMark }

// cutRaw cuts the bodies of src's <script> and <style> elements (lower
// case tags, outside comments and SVG and MathML) out of src, or returns
// nil when there is none worth cutting.
func cutRaw(src string) *rawCut {
	if strings.Contains(src, rawMark) {
		return nil
	}
	var c *rawCut
	for i := 0; ; {
		j := strings.IndexByte(src[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := src[i+1:]
		var name string
		switch {
		case strings.HasPrefix(rest, "!--"):
			i = after(src, i+4, "-->")
			continue
		case tagNamed(rest, "svg"):
			i = after(src, i, "</svg")
			continue
		case tagNamed(rest, "math"):
			i = after(src, i, "</math")
			continue
		case tagNamed(rest, "script"):
			name = "script"
		case tagNamed(rest, "style"):
			name = "style"
		default:
			i++
			continue
		}
		open := startTagEnd(src, i+1+len(name))
		if open < 0 {
			break // the tag runs to the end of the markup
		}
		var end int
		if name == "script" {
			end = scriptEnd(src, open)
		} else {
			end = rawEnd(src, open, name)
		}
		if end < 0 {
			break // no end tag: the body runs to the end of the markup
		}
		if end-open >= minRawCut {
			if c == nil {
				c = &rawCut{src: src}
			}
			c.cuts = append(c.cuts, [2]int{open, end})
			c.bodies = append(c.bodies, tokenText(src[open:end]))
		}
		i = end
	}
	return c
}

// after returns the index just past the first sub in src[i:], or len(src)
// when there is none.
func after(src string, i int, sub string) int {
	if k := strings.Index(src[i:], sub); k >= 0 {
		return i + k + len(sub)
	}
	return len(src)
}

// tagNamed reports whether s, the markup after a '<', opens a tag with the
// given lower-case name, as the tokenizer ends a tag name.
func tagNamed(s, name string) bool {
	return strings.HasPrefix(s, name) && len(s) > len(name) && endsTagName(s[len(name)])
}

// isHTMLSpace reports whether c is white space to the HTML tokenizer.
func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// endsTagName reports whether c ends a tag name to the HTML tokenizer.
func endsTagName(c byte) bool { return isHTMLSpace(c) || c == '/' || c == '>' }

// startTagEnd returns the index after the '>' that ends the start tag whose
// name ends at src[i], reading attributes as the tokenizer does, or -1.
func startTagEnd(src string, i int) int {
	for {
		i = skipSpace(src, i)
		if i >= len(src) {
			return -1
		}
		if src[i] == '>' {
			return i + 1
		}
		// The attribute's key: a '=' at its start belongs to it.
		k := i
		for ; i < len(src); i++ {
			c := src[i]
			if c == '=' && i == k {
				continue
			}
			if c == '=' || endsTagName(c) {
				break
			}
		}
		if i == k {
			i++ // a '/' the tokenizer passes over
			continue
		}
		// Its value.
		i = skipSpace(src, i)
		if i >= len(src) {
			return -1
		}
		if src[i] != '=' {
			continue
		}
		i = skipSpace(src, i+1)
		if i >= len(src) {
			return -1
		}
		switch q := src[i]; q {
		case '>':
			return i + 1
		case '\'', '"':
			e := strings.IndexByte(src[i+1:], q)
			if e < 0 {
				return -1
			}
			i += 1 + e + 1
		default:
			for ; i < len(src); i++ {
				if isHTMLSpace(src[i]) {
					break
				}
				if src[i] == '>' {
					return i + 1
				}
			}
		}
	}
}

func skipSpace(src string, i int) int {
	for i < len(src) && isHTMLSpace(src[i]) {
		i++
	}
	return i
}

// rawEnd returns where the raw text of a name element that starts at i
// ends: at its end tag, "</" name in any case and a byte that ends a tag
// name. It returns -1 when there is none.
func rawEnd(src string, i int, name string) int {
	for {
		k := strings.Index(src[i:], "</")
		if k < 0 {
			return -1
		}
		i += k
		if ok, _ := nameAt(src, i+2, name); ok {
			return i
		}
		i += 2
	}
}

// scriptState is a state of the tokenizer's script data.
type scriptState int

// The states of script data. Each escaped kind is followed by its states
// after one dash and after two (see dashState).
const (
	data scriptState = iota
	lessThan
	escapeStart
	escapeStartDash
	escaped
	escapedDash
	escapedDashDash
	escapedLessThan
	doubleStart
	double
	doubleDash
	doubleDashDash
	doubleLessThan
)

// dashState is the state after c in escaped or double-escaped script data:
// state is plain, plain+1 (after a dash) or plain+2 (after two), and lt is
// the state after a '<'. Two dashes and a '>' end the escape.
func dashState(c byte, state, plain, lt scriptState) scriptState {
	switch {
	case c == '-' && state == plain:
		return plain + 1
	case c == '-':
		return plain + 2
	case c == '<':
		return lt
	case c == '>' && state == plain+2:
		return data
	}
	return plain
}

// scriptEnd returns where the script data that starts at i ends, or -1
// when no end tag ends it. It is golang.org/x/net/html's readScript state
// for state, with its quirks (a '<' that escapes nothing in escaped data
// goes back to plain data; the way out of double-escaped data), where i is
// the next byte to read and i-- gives one back.
func scriptEnd(src string, i int) int {
	state := data
	for {
		if state == data {
			// The common case, at speed: on to the next '<'.
			k := strings.IndexByte(src[i:], '<')
			if k < 0 {
				return -1
			}
			i += k + 1
			state = lessThan
			continue
		}
		if state == doubleStart {
			i-- // the letter
			if ok, j := nameAt(src, i, "script"); ok {
				i = j + 1
				state = double
			} else if j < 0 {
				return -1
			} else {
				i = j // the first byte that is not the word's, given back
				state = escaped
			}
			continue
		}
		if i >= len(src) {
			return -1
		}
		c := src[i]
		i++
		switch state {
		case lessThan:
			switch c {
			case '/':
				j, done := closes(src, i)
				if done {
					return j
				}
				i = j
				state = data
			case '!':
				state = escapeStart
			default:
				i--
				state = data
			}
		case escapeStart, escapeStartDash:
			switch {
			case c != '-':
				i--
				state = data
			case state == escapeStart:
				state = escapeStartDash
			default:
				state = escapedDashDash
			}
		case escaped, escapedDash, escapedDashDash:
			state = dashState(c, state, escaped, escapedLessThan)
		case escapedLessThan:
			switch {
			case c == '/':
				j, done := closes(src, i)
				if done {
					return j
				}
				i = j
				state = escaped
			case isASCIILetter(c):
				state = doubleStart
			default:
				i--
				state = data
			}
		case double, doubleDash, doubleDashDash:
			state = dashState(c, state, double, doubleLessThan)
		case doubleLessThan:
			if c != '/' {
				i--
				state = double
				continue
			}
			j, done := closes(src, i)
			switch {
			case !done:
				i, state = j, double
			case j < 0:
				return -1
			default: // x/net leaves double escaping past "</script" and one byte
				i, state = j+len("</script>"), escaped
			}
		}
	}
}

// closes reads the name after a "</" in script data, i just after it. When
// it is the script's end tag or src runs out it returns the end of the
// script data (-1: src ran out) and true; otherwise where reading goes on.
func closes(src string, i int) (int, bool) {
	ok, j := nameAt(src, i, "script")
	switch {
	case ok:
		return i - 2, true
	case j < 0:
		return -1, true
	}
	return j, false
}

// nameAt reads name (in any case) at src[i:] and the byte after it, as
// the tokenizer reads the name of a raw text end tag after its "</" and
// the "script" that starts double-escaped script data. It reports whether
// that byte ends a tag name (white space, '/' or '>'), and otherwise
// returns where reading goes on: at the first byte that does not fit,
// given back, or -1 at the end of src.
func nameAt(src string, i int, name string) (bool, int) {
	for k := 0; k < len(name); k++ {
		if i >= len(src) {
			return false, -1
		}
		if c := src[i]; c != name[k] && c != name[k]-('a'-'A') {
			return false, i
		}
		i++
	}
	if i >= len(src) {
		return false, -1
	}
	return endsTagName(src[i]), i
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// tokenText is raw text as the tokenizer gives it: newlines normalised and
// NUL bytes replaced.
func tokenText(s string) string {
	if strings.IndexByte(s, '\r') < 0 && strings.IndexByte(s, 0) < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// index returns the body that n's text stands for, when its whole text is
// a placeholder.
func (c *rawCut) index(n *html.Node) (int, bool) {
	t := n.FirstChild
	if c == nil || t == nil || t != n.LastChild || t.Type != html.TextNode {
		return 0, false
	}
	s, ok := strings.CutPrefix(t.Data, rawMark)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, rawMark)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(c.bodies) {
		return 0, false
	}
	return i, true
}

// text returns the text of a <script> or <style> element: its body when it
// was cut, else its text.
func (c *rawCut) text(n *html.Node, fallback func(*html.Node) string) string {
	if i, ok := c.index(n); ok {
		return c.bodies[i]
	}
	return fallback(n)
}

// placed reports whether every placeholder is the whole text of its own
// HTML <script> or <style> element among nodes, as cutting it from them
// assumed.
func (c *rawCut) placed(nodes []*html.Node) bool {
	seen := make([]bool, len(c.bodies))
	n := 0
	for _, e := range nodes {
		if e.DataAtom != atom.Script && e.DataAtom != atom.Style {
			continue
		}
		i, ok := c.index(e)
		if !ok {
			continue
		}
		if e.Namespace != "" || seen[i] {
			return false
		}
		seen[i] = true
		n++
	}
	return n == len(c.bodies)
}
