package extract

import (
	"bytes"
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// kind is what the submitted content is read as.
type kind int

const (
	kindHTML kind = iota
	kindScript
	kindText
)

func (k kind) String() string {
	return [...]string{"html", "script", "text"}[k]
}

// decode returns src as valid UTF-8. Valid UTF-8 is taken as it is (a BOM
// dropped), without a copy: the text shares src's memory, so nothing may
// keep it, or a part of it, beyond Extract; otherwise the charset declared
// by the content type, a BOM or a <meta> in the first 1024 bytes is used,
// and failing that every invalid byte run becomes U+FFFD.
func decode(src []byte, contentType string) (string, []string) {
	if utf8.Valid(src) {
		return byteString(bytes.TrimPrefix(src, []byte("\ufeff"))), nil
	}
	if enc, name := declaredCharset(src, contentType); enc != nil {
		out, _, err := transform.Bytes(enc.NewDecoder(), src)
		if err == nil {
			return strings.ToValidUTF8(string(out), "\ufffd"), nil
		}
		return strings.ToValidUTF8(string(src), "\ufffd"),
			[]string{"content is not valid " + name + ": invalid bytes replaced"}
	}
	return strings.ToValidUTF8(string(src), "\ufffd"),
		[]string{"content is not valid UTF-8 and declares no charset: invalid bytes replaced"}
}

// declaredCharset returns the encoding src declares (by a BOM, the content
// type's charset parameter or a <meta> charset in its first 1024 bytes) and
// its name, or nil when it declares none.
func declaredCharset(src []byte, contentType string) (encoding.Encoding, string) {
	enc, name, certain := charset.DetermineEncoding(src, contentType)
	if certain || (name != "windows-1252" && name != "utf-8") {
		return enc, name
	}
	head := src[:min(len(src), 1024)]
	if name == "windows-1252" && bytes.Contains(bytes.ToLower(head), []byte("charset")) {
		return enc, name // declared, and that is what it maps to
	}
	return nil, ""
}

// jsTypes are the content types read as one script.
var jsTypes = map[string]bool{
	"application/javascript": true, "text/javascript": true, "application/x-javascript": true,
	"application/ecmascript": true, "text/ecmascript": true, "text/jscript": true,
	"application/x-ecmascript": true, "text/x-javascript": true,
}

// textTypes are the content types read as plain text.
var textTypes = map[string]bool{
	"text/plain": true, "text/markdown": true, "text/x-markdown": true, "application/json": true,
}

// contentKind decides how to read body: by the content type when it names
// HTML, a script or plain text; else by the URL's file extension; else by
// sniffing. parses reports whether the body parses as a script.
func contentKind(body, contentType string, u *url.URL, parses func() bool) kind {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt = strings.ToLower(mt); {
		case mt == "text/html" || mt == "application/xhtml+xml":
			return kindHTML
		case jsTypes[mt]:
			return kindScript
		case textTypes[mt]:
			return kindText
		}
	}
	if u != nil {
		switch strings.ToLower(path.Ext(u.Path)) {
		case ".js", ".mjs":
			return kindScript
		case ".txt", ".md", ".markdown":
			return kindText
		case ".html", ".htm", ".php", ".xhtml", ".asp", ".aspx", ".jsp":
			return kindHTML
		}
	}
	return sniff(body, parses)
}

// sniff reads body as HTML when it starts with '<' (after white space) or
// has common tags in its first 4 KiB, as a script when it parses as one and
// has some code punctuation, and as plain text otherwise.
func sniff(body string, parses func() bool) kind {
	t := strings.TrimLeft(body, " \t\r\n\f\ufeff")
	if strings.HasPrefix(t, "<") {
		return kindHTML
	}
	head := strings.ToLower(t[:min(len(t), 4096)])
	for _, tag := range []string{"<html", "<body", "<head", "<div", "<script", "<p>", "<!doctype", "<br", "<a ", "<span", "<table", "<meta"} {
		if strings.Contains(head, tag) {
			return kindHTML
		}
	}
	if strings.ContainsAny(t, ";(){}=") && parses() {
		return kindScript
	}
	return kindText
}

// stripPHP removes server-template blocks (<?php ... ?> and <?= ... ?>,
// to the end of the input when unterminated) from markup, so that they
// neither show as text nor confuse the HTML parser, and returns the code it
// removed.
func stripPHP(src string) (string, []string) {
	if indexPHP(src) < 0 {
		return src, nil
	}
	var b strings.Builder
	var code []string
	for {
		i := indexPHP(src)
		if i < 0 {
			b.WriteString(src)
			return b.String(), code
		}
		b.WriteString(src[:i])
		rest := src[i+2:]
		end := strings.Index(rest, "?>")
		if end < 0 {
			code = append(code, strings.TrimPrefix(rest, "php"))
			return b.String(), code
		}
		c := rest[:end]
		if len(c) >= 3 && strings.EqualFold(c[:3], "php") {
			c = c[3:]
		} else {
			c = strings.TrimPrefix(c, "=")
		}
		code = append(code, c)
		src = rest[end+2:]
	}
}

// indexPHP returns the index of the first "<?php" (any case) or "<?=" in s,
// or -1. It looks for the '?', which markup has far fewer of than '<'.
func indexPHP(s string) int {
	for off := 1; off < len(s); {
		q := strings.IndexByte(s[off:], '?')
		if q < 0 {
			return -1
		}
		q += off
		off = q + 1
		if s[q-1] != '<' {
			continue
		}
		r := s[q+1:]
		if strings.HasPrefix(r, "=") || len(r) >= 3 && strings.EqualFold(r[:3], "php") {
			return q - 1
		}
	}
	return -1
}

// maxNesting is the element depth flattenDeep keeps; x/net/html refuses
// documents nested deeper than 512.
const maxNesting = 256

// voidElements have no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true,
	"wbr": true, "keygen": true,
}

// flattenDeep rewrites markup so that no element is nested deeper than
// limit, by dropping the start and end tags of elements below that depth
// (their text stays, in place). Everything else is copied byte for byte.
// Depth is counted naively from start and end tags, which bounds the tree
// that the parser builds in all but contrived cases; the caller falls back
// further when it does not.
func flattenDeep(src string, limit int) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	b.Grow(len(src))
	var stack []string
	dropped := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken:
			name, _ := z.TagName()
			n := string(name)
			if voidElements[n] {
				break
			}
			if len(stack) >= limit && !rawTextElement(n) {
				dropped[n]++
				continue
			}
			stack = append(stack, n)
		case html.EndTagToken:
			name, _ := z.TagName()
			n := string(name)
			if dropped[n] > 0 {
				dropped[n]--
				continue
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == n {
					stack = stack[:i]
					break
				}
			}
		}
		b.Write(raw)
	}
}

// rawTextElement reports whether the tokenizer reads the element's content
// as raw text (so its tags must be kept for the content to stay raw).
func rawTextElement(n string) bool {
	switch n {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
}

// tagText returns the text of markup with the tags removed and the content
// of script and style elements left out, without building a tree.
func tagText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := ""
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip = string(name)
			case "br", "p", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == skip {
				skip = ""
			}
		}
	}
}
