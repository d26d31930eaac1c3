package extract

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"
)

// parse parses markup with scripting off, so that <noscript> content is
// read as markup (it is what visitors without JavaScript see).
func parse(src string) (*html.Node, error) { return parseReader(strings.NewReader(src)) }

func parseReader(r io.Reader) (*html.Node, error) {
	return html.ParseWithOptions(r, html.ParseOptionEnableScripting(false))
}

// readHTML reads a page's markup.
func (x *extractor) readHTML(src string) {
	src, php := stripPHP(src)
	for _, code := range php {
		x.hidden = append(x.hidden, ' ')
		x.hidden = append(x.hidden, code...)
		x.hidden = append(x.hidden, ' ')
	}
	if c := x.cutRaw(src); c != nil {
		// Parsed with the bodies cut out, when they all land where they
		// were cut from (see rawcut.go); else as it is.
		if doc, err := parseReader(c.reader()); err == nil {
			if nodes := headNodes(doc); c.placed(nodes) {
				x.raw = c
				x.readTree(doc, nodes, len(src))
				return
			}
		}
	}
	doc, err := parse(src)
	if err != nil {
		// x/net/html refuses nesting deeper than 512 elements.
		x.warn(fmt.Sprintf("markup does not parse (%v): nesting below depth %d flattened", err, maxNesting))
		doc, err = parse(flattenDeep(src, maxNesting))
		if err != nil {
			doc, err = parse(flattenDeep(src, 0))
		}
		if err != nil {
			x.warn(fmt.Sprintf("markup does not parse even flattened (%v): read as text", err))
			x.text = append(x.text, tagText(src)...)
			return
		}
	}
	x.readTree(doc, headNodes(doc), len(src))
}

// readTree reads a parsed page of size bytes of markup: the head nodes
// (headNodes), then the whole tree.
func (x *extractor) readTree(doc *html.Node, head []*html.Node, size int) {
	x.readHead(head)
	// Room for the text of most pages, which is a fraction of their
	// markup: growing the buffer from nothing copies it many times over.
	x.text = slices.Grow(x.text, size/textShare)
	x.walk(doc)
}

// cutRaw cuts the page's raw text bodies out, unless told not to.
func (x *extractor) cutRaw(src string) *rawCut {
	if x.noCut {
		return nil
	}
	return cutRaw(src)
}

// textShare is what share of a page's markup (1/textShare) its visible
// text is given room for before the walk; the corpus's pages average
// about a seventh.
const textShare = 4

// headSelector selects what readHead reads, and the scripts whose bodies
// rawCut.placed checks; one selector group is one pass over the tree, its
// matches in document order.
var headSelector = cascadia.MustCompile("style, title, html, meta, script")

// headNodes returns the nodes of root that headSelector selects.
func headNodes(root *html.Node) []*html.Node {
	return goquery.NewDocumentFromNode(root).FindMatcher(headSelector).Nodes
}

// readHead reads, from the head nodes (headNodes) before the walk (which
// needs the whole style sheet), the <style> blocks, the title, meta data
// and language. Elements are matched by name in any namespace and
// attributes by key, except that an SVG <title> is a tooltip, not the
// page's.
func (x *extractor) readHead(nodes []*html.Node) {
	var lang, contentLang, ogLocale string
	htmlSeen := false
	for _, n := range nodes {
		switch n.Data {
		case "style":
			x.sheet.addSheet(x.raw.text(n, nodeText))
		case "title":
			if !x.titleSet && n.Namespace == "" {
				x.title, x.titleSet = nodeText(n), true
			}
		case "html":
			if !htmlSeen {
				htmlSeen = true
				lang = strings.TrimSpace(anyAttr(n, "lang"))
			}
		case "meta":
			name, ok := lookupAnyAttr(n, "name")
			if !ok {
				name = anyAttr(n, "property")
			}
			name = strings.ToLower(strings.TrimSpace(name))
			content := strings.TrimSpace(anyAttr(n, "content"))
			equiv := strings.ToLower(strings.TrimSpace(anyAttr(n, "http-equiv")))
			switch {
			case equiv == "content-language":
				if contentLang == "" {
					contentLang, _, _ = strings.Cut(content, ",")
				}
			case equiv == "refresh":
				if i := strings.Index(strings.ToLower(content), "url="); i >= 0 {
					x.addURL(strings.Trim(content[i+4:], `'" `))
				}
			case name == "og:locale":
				ogLocale = content
			case metaText(name, content):
				x.meta = append(x.meta, content)
			}
		}
	}
	for _, l := range []string{lang, contentLang, ogLocale} {
		l = strings.ReplaceAll(strings.TrimSpace(l), "_", "-")
		if l == "" {
			continue
		}
		if _, err := language.Parse(l); err == nil {
			x.f.Lang = l
			break
		}
	}
}

// next returns the node after n in document order within root's subtree,
// into n's children when down, or nil at the end.
func next(root, n *html.Node, down bool) *html.Node {
	if down && n.FirstChild != nil {
		return n.FirstChild
	}
	for n != root {
		if n.NextSibling != nil {
			return n.NextSibling
		}
		n = n.Parent
	}
	return nil
}

// nodeText returns the text of the text nodes under n, in document order.
func nodeText(n *html.Node) string {
	return joinText(n, func(c *html.Node) *html.Node { return next(n, c, true) })
}

// childText returns the text of n's text children.
func childText(n *html.Node) string {
	return joinText(n, func(c *html.Node) *html.Node {
		if c == n {
			return n.FirstChild
		}
		return c.NextSibling
	})
}

// joinText joins the text nodes that step visits from n, taking the common
// case, a single text child, without copying.
func joinText(n *html.Node, step func(*html.Node) *html.Node) string {
	if c := n.FirstChild; c != nil && c.NextSibling == nil && c.Type == html.TextNode {
		return c.Data
	}
	var b strings.Builder
	for c := step(n); c != nil; c = step(c) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// anyAttr returns the value of the first attribute with the key in any
// namespace, or "".
func anyAttr(n *html.Node, key string) string {
	v, _ := lookupAnyAttr(n, key)
	return v
}

func lookupAnyAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// metaText reports whether a meta element's content is page text for
// FieldMeta: description, keywords, og:title/description/site_name and the
// twitter:* texts (not images, cards or URLs).
func metaText(name, content string) bool {
	if content == "" {
		return false
	}
	switch name {
	case "description", "keywords", "og:title", "og:description", "og:site_name":
		return true
	}
	if strings.HasPrefix(name, "twitter:") {
		if strings.HasPrefix(name, "twitter:image") || name == "twitter:card" || name == "twitter:url" {
			return false
		}
		return !strings.Contains(content, "://")
	}
	return false
}

// walk visits the tree in document order without recursion (the tree may
// be deep), collecting text, hidden text, scripts, media, iframes, forms
// and URLs.
func (x *extractor) walk(root *html.Node) {
	w := walker{x: x}
	n := root
	for n != nil {
		if w.enter(n) && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil {
			w.leave(n)
			if n == root {
				return
			}
			if n.NextSibling != nil {
				n = n.NextSibling
				break
			}
			n = n.Parent
		}
	}
}

// walker is the state of one walk.
type walker struct {
	x          *extractor
	hiddenRoot *html.Node // the outermost hidden element the walk is in
	forms      []int      // indexes into Features.Forms of the open forms
	media      int        // 1 + the index in Features.Media of the open audio or video element; 0 if none
	mediaMuted bool       // it has the muted attribute
}

// out returns the buffer text goes to: hidden text inside a hidden element.
func (w *walker) out() *[]byte {
	if w.hiddenRoot != nil {
		return &w.x.hidden
	}
	return &w.x.text
}

// separate ends a block: a line break in the current buffer, after any
// pending attribute texts.
func (w *walker) separate() {
	if w.hiddenRoot == nil {
		w.x.flushPending()
	}
	b := w.out()
	if n := len(*b); n > 0 && (*b)[n-1] != '\n' {
		*b = append(*b, '\n')
	}
}

// flushPending writes the attribute texts of inline elements.
func (x *extractor) flushPending() {
	for _, s := range x.pending {
		x.text = append(x.text, ' ')
		x.text = append(x.text, s...)
		x.text = append(x.text, ' ')
	}
	x.pending = x.pending[:0]
}

// attrText adds an attribute's text: at once, set apart by spaces, for
// block and replaced elements and inside hidden ones; at the next block
// boundary for inline elements, so that a title on a <span> inside a word
// does not split the word.
func (w *walker) attrText(n *html.Node, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if w.hiddenRoot == nil && !separates(n) {
		w.x.pending = append(w.x.pending, s)
		return
	}
	b := w.out()
	*b = append(*b, ' ')
	*b = append(*b, s...)
	*b = append(*b, ' ')
}

func (w *walker) enter(n *html.Node) bool {
	x := w.x
	switch n.Type {
	case html.TextNode:
		b := w.out()
		*b = append(*b, n.Data...)
		return false
	case html.DocumentNode:
		return true
	case html.ElementNode:
	default:
		return false
	}

	tag := n.Data
	for _, a := range n.Attr {
		if eventAttr(a) {
			x.handler(tag, a.Key, a.Val)
		}
	}
	switch n.DataAtom {
	case atom.Script:
		x.inlineScript(n)
		return false
	case atom.Style, atom.Meta, atom.Base:
		return false
	case atom.Title:
		if n.Namespace == "" {
			return false // read by readHead
		}
	case atom.Link:
		x.addURL(attr(n, "href"))
		return false
	case atom.Iframe, atom.Frame:
		if src := strings.TrimSpace(attr(n, "src")); src != "" {
			x.f.Iframes = append(x.f.Iframes, src)
			x.addURL(src)
		}
		w.attrText(n, attr(n, "title"))
		if doc := attr(n, "srcdoc"); doc != "" {
			// An inline document: its text shows in the frame.
			w.separate()
			b := w.out()
			*b = append(*b, tagText(doc)...)
			w.separate()
		}
		return false // its children are fallback markup read as raw text
	case atom.A, atom.Area:
		href := strings.TrimSpace(attr(n, "href"))
		if hasScheme(href, "javascript") {
			body := href[len("javascript:"):]
			if u, err := url.PathUnescape(body); err == nil {
				body = u
			}
			x.script("javascript: URL", body, nil)
		} else {
			x.addURL(href)
		}
	case atom.Audio, atom.Video, atom.Embed, atom.Bgsound:
		w.mediaElement(n)
	case atom.Source:
		if src := strings.TrimSpace(attr(n, "src")); src != "" {
			x.addURL(src)
			if w.media > 0 && x.f.Media[w.media-1].Src == "" {
				x.f.Media[w.media-1].Src = src
			}
		}
	case atom.Form:
		x.f.Forms = append(x.f.Forms, Form{
			Action: strings.TrimSpace(attr(n, "action")),
			Method: strings.ToLower(strings.TrimSpace(attr(n, "method"))),
		})
		w.forms = append(w.forms, len(x.f.Forms)-1)
		x.addURL(attr(n, "action"))
	case atom.Input, atom.Select, atom.Textarea:
		w.formField(n)
	}

	if w.hiddenRoot == nil && x.hiddenElement(n) {
		w.hiddenRoot = n
		x.hidden = append(x.hidden, ' ')
	}
	if separates(n) {
		w.separate()
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "alt", "title", "placeholder", "aria-label":
			w.attrText(n, a.Val)
		}
	}
	if n.DataAtom == atom.Input {
		switch t := strings.ToLower(attr(n, "type")); t {
		case "hidden":
			if v := strings.TrimSpace(attr(n, "value")); v != "" {
				x.hidden = append(x.hidden, ' ')
				x.hidden = append(x.hidden, v...)
				x.hidden = append(x.hidden, ' ')
			}
		case "", "text", "submit", "button", "reset", "search", "email", "tel", "url":
			w.attrText(n, attr(n, "value"))
		}
	}
	return true
}

func (w *walker) leave(n *html.Node) {
	if n.Type != html.ElementNode {
		return
	}
	switch n.DataAtom {
	case atom.Form:
		if len(w.forms) > 0 {
			w.forms = w.forms[:len(w.forms)-1]
		}
	case atom.Audio, atom.Video:
		w.endMedia()
	}
	if separates(n) {
		w.separate()
	}
	if n == w.hiddenRoot {
		w.hiddenRoot = nil
		w.x.hidden = append(w.x.hidden, ' ')
	}
}

// eventAttr reports whether a is an inline event handler: "on" and a
// lower-case event name.
func eventAttr(a html.Attribute) bool {
	if len(a.Key) < 3 || !strings.HasPrefix(a.Key, "on") || a.Namespace != "" {
		return false
	}
	for i := 2; i < len(a.Key); i++ {
		if c := a.Key[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// hiddenElement reports whether an element and its content are hidden
// from a visitor: <template>, a closed <dialog>, the hidden attribute,
// aria-hidden="true", or hiding CSS in its style attribute or in a rule of
// the page's own style sheet for one of its classes or its id.
func (x *extractor) hiddenElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Template:
		return true
	case atom.Dialog:
		if !hasAttr(n, "open") {
			return true
		}
	}
	var class, id, style string
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "class":
			class = a.Val
		case "id":
			id = a.Val
		case "style":
			style = a.Val
		}
	}
	if class == "" && id == "" && style == "" {
		return false
	}
	return x.sheet.hidden(class, id, style)
}

// separates reports whether an element starts a new line or box: block
// elements, table cells, list items, line breaks, and replaced elements
// (images, inputs, buttons, media). Inline elements do not: "Mic<b>ro</b>
// soft" stays one word.
func separates(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Br, atom.Button,
		atom.Canvas, atom.Caption, atom.Center, atom.Dd, atom.Details, atom.Dialog, atom.Dir, atom.Div,
		atom.Dl, atom.Dt, atom.Embed, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer,
		atom.Form, atom.Frameset, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head,
		atom.Header, atom.Hgroup, atom.Hr, atom.Html, atom.Iframe, atom.Img, atom.Input, atom.Legend,
		atom.Li, atom.Listing, atom.Main, atom.Marquee, atom.Menu, atom.Nav, atom.Noscript,
		atom.Object, atom.Ol, atom.Optgroup, atom.Option, atom.P, atom.Plaintext, atom.Pre,
		atom.Section, atom.Select, atom.Summary, atom.Table, atom.Tbody, atom.Td, atom.Textarea,
		atom.Tfoot, atom.Th, atom.Thead, atom.Tr, atom.Ul, atom.Video, atom.Audio, atom.Xmp,
		atom.Template, atom.Svg, atom.Math:
		return true
	}
	return false
}

// inlineScript takes in a <script> element: its src, and its body by type.
func (x *extractor) inlineScript(n *html.Node) {
	if src := strings.TrimSpace(attr(n, "src")); src != "" {
		x.f.ScriptURLs = append(x.f.ScriptURLs, src)
		x.addURL(src)
	}
	body := x.raw.text(n, childText)
	if strings.TrimSpace(body) == "" {
		return
	}
	switch scriptType(attr(n, "type")) {
	case scriptJS:
		x.script("inline", body, nil)
	case scriptTemplate:
		x.hidden = append(x.hidden, ' ')
		x.hidden = append(x.hidden, tagText(body)...)
		x.hidden = append(x.hidden, ' ')
	}
}

type scriptKind int

const (
	scriptJS       scriptKind = iota
	scriptData                // JSON, import maps, speculation rules: not read
	scriptTemplate            // client-side templates and other non-script types: hidden text
)

// scriptType classifies a <script type>.
func scriptType(t string) scriptKind {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript",
		"application/ecmascript", "application/x-javascript", "application/x-ecmascript",
		"text/x-javascript", "text/x-ecmascript", "text/jscript", "text/livescript",
		"text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3",
		"text/javascript1.4", "text/javascript1.5", "text/babel", "text/jsx":
		return scriptJS
	case "importmap", "speculationrules":
		return scriptData
	}
	if strings.Contains(t, "json") {
		return scriptData
	}
	return scriptTemplate
}

// mediaElement takes in an audio, video, embed or bgsound element.
func (w *walker) mediaElement(n *html.Node) {
	x := w.x
	m := Media{Tag: n.Data, Src: strings.TrimSpace(attr(n, "src"))}
	switch n.DataAtom {
	case atom.Audio, atom.Video:
		m.Autoplay, m.Loop = hasAttr(n, "autoplay"), hasAttr(n, "loop")
	case atom.Embed:
		m.Autoplay = truthy(attr(n, "autostart")) || truthy(attr(n, "autoplay"))
		m.Loop = truthy(attr(n, "loop"))
	case atom.Bgsound:
		m.Autoplay = true
		l := strings.ToLower(strings.TrimSpace(attr(n, "loop")))
		m.Loop = l == "infinite" || l == "-1" || l == "true"
	}
	if m.Src != "" {
		x.addURL(m.Src)
	}
	x.f.Media = append(x.f.Media, m)
	if n.DataAtom == atom.Audio || n.DataAtom == atom.Video {
		// <source> children may give the src; the lock is judged at the end.
		w.endMedia() // a media element inside another: judge the outer one now
		w.media = len(x.f.Media)
		w.mediaMuted = hasAttr(n, "muted")
		return
	}
	x.mediaLock(&m, false, attr(n, "type"))
}

func (w *walker) endMedia() {
	if w.media == 0 {
		return
	}
	w.x.mediaLock(&w.x.f.Media[w.media-1], w.mediaMuted, "")
	w.media = 0
}

var audioExt = regexp.MustCompile(`(?i)\.(mp3|wav|ogg|oga|m4a|aac|mid|midi|wma|flac|opus)(\?|#|$)`)

// mediaLock records an audio_loop lock for media that plays sound by
// itself: audio and bgsound that autoplay or loop, video that autoplays
// and loops unmuted, an embed of audio that autostarts or loops.
func (x *extractor) mediaLock(m *Media, muted bool, typ string) {
	lock := false
	switch m.Tag {
	case "audio", "bgsound":
		lock = m.Autoplay || m.Loop
	case "video":
		lock = m.Autoplay && m.Loop && !muted
	case "embed":
		lock = (m.Autoplay || m.Loop) && (audioExt.MatchString(m.Src) || strings.HasPrefix(strings.ToLower(typ), "audio/"))
	}
	if !lock {
		return
	}
	ev := "<" + m.Tag
	if m.Autoplay {
		ev += " autoplay"
	}
	if m.Loop {
		ev += " loop"
	}
	if m.Src != "" {
		ev += " src=" + m.Src
	}
	x.addLock(LockAudioLoop, 1, ev+">")
}

// truthy reads a legacy boolean attribute value.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "-1", "infinite", "autostart", "autoplay":
		return true
	}
	return false
}

// sensitiveName matches input names, ids and autocomplete tokens that ask
// for a card, a password or similar.
var sensitiveName = regexp.MustCompile(`(?i)(^|[^a-z])(cvv2?|cvc2?|csc|ssn|pin)($|[^a-z])|card.?num|cc.?(num|number|exp|csc)|credit.?card|card.?no|expir|exp.?(date|month|year|mm|yy)|passw|passwd|security.?code`)

// formField counts a form's fields and notes sensitive ones.
func (w *walker) formField(n *html.Node) {
	if len(w.forms) == 0 {
		return
	}
	f := &w.x.f.Forms[w.forms[len(w.forms)-1]]
	t := strings.ToLower(strings.TrimSpace(attr(n, "type")))
	if n.DataAtom == atom.Input {
		switch t {
		case "hidden", "submit", "button", "reset", "image":
			return
		case "password":
			f.Sensitive = true
		}
	}
	f.Inputs++
	if t == "tel" {
		f.AsksPhone = true
	}
	// Neither pattern matches an empty value (absent attributes are).
	for _, k := range []string{"name", "id", "autocomplete"} {
		v := attr(n, k)
		if v == "" {
			continue
		}
		if mayHold(v, sensitiveWords) && sensitiveName.MatchString(v) {
			f.Sensitive = true
		}
		if mayHold(v, phoneWords) && phoneName.MatchString(v) {
			f.AsksPhone = true
		}
	}
	for _, k := range []string{"placeholder", "aria-label", "title"} {
		if v := attr(n, k); v != "" && mayHold(v, phoneWords) && phoneName.MatchString(v) {
			f.AsksPhone = true
		}
	}
}

// sensitiveWords and phoneWords are words that every match of
// sensitiveName, respectively of phoneName's ASCII alternatives, holds
// (in lower case), for mayHold.
var (
	sensitiveWords = []string{"cvv", "cvc", "csc", "ssn", "pin", "card", "cc", "credit", "exp", "passw", "security"}
	phoneWords     = []string{"phone", "mobile", "tel", "portable", "handy", "celular", "cellulare"}
)

// mayHold reports whether v may match a pattern that every ASCII match of
// holds one of words, in any case: v is not ASCII (case-insensitive
// patterns match "K" to the Kelvin sign and "s" to the long s, and have
// alternatives beyond ASCII), or one of words is in v, ASCII letters
// lowered. It spares the regexp the common values that match nothing.
func mayHold(v string, words []string) bool {
	var buf [64]byte
	if len(v) > len(buf) {
		return true
	}
	low := buf[:len(v)]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	for _, w := range words {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	return false
}

// phoneName matches input names, ids, autocomplete tokens and placeholders
// that ask for a phone number, in the project's languages.
var phoneName = regexp.MustCompile(`(?i)phone|mobile|^tel($|[^a-z])|telef|téléphone|portable|handy|celular|cellulare|telefoon|komórk|電話|携帯|手机|电话|전화|휴대`)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return true
		}
	}
	return false
}
