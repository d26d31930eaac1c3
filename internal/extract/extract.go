package extract

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/scamscope/scamscope/internal/textnorm"
)

// Limits on what one page contributes.
const (
	maxURLBytes      = 2048 // longer URLs are cut
	maxEvidenceBytes = 120  // of a Lock's Evidence
	maxWarnings      = 50
)

// Extract returns the features of c. It is pure and never fails: what it
// cannot read it notes in Features.Warnings, and an internal error (a
// panic) is recovered and noted the same way, with whatever was extracted
// before it.
func Extract(c *Content) *Features {
	f, _ := extract(c, true)
	return f
}

// extract is Extract, with the raw text bodies of the markup cut out before
// parsing when cut is set (see rawcut.go), and reports whether they were.
func extract(c *Content, cut bool) (*Features, bool) {
	f := &Features{}
	if c == nil {
		return f, false
	}
	x := &extractor{c: c, f: f, urlSeen: map[string]bool{}, locks: map[LockKind]*Lock{}, noCut: !cut}
	x.protect("reading the content", x.collect)
	x.protect("building the fields", x.finish)
	return f, x.raw != nil
}

// extractor holds the raw material of one page while it is read.
type extractor struct {
	c *Content
	f *Features

	text, hidden []byte   // raw visible and hidden text
	pending      []string // attribute texts of inline elements, flushed at the next block boundary
	meta         []string
	urls         []string
	urlSeen      map[string]bool
	sources      []string // script sources and handler bodies, raw
	strs         []string // prose strings from scripts
	dialogs      []string // static dialog texts
	locks        map[LockKind]*Lock
	nScripts     int
	sheet        styleSheet
	handlers     map[string]scriptResult // by event and body: analysed once per page
	title        string
	titleSet     bool
	raw          *rawCut // the bodies cut out of the markup before parsing, or nil
	noCut        bool    // parse the markup whole (tests compare the two)
}

// protect runs fn, turning a panic into a warning.
func (x *extractor) protect(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			x.warn(fmt.Sprintf("internal error while %s: %v", what, r))
		}
	}()
	fn()
}

func (x *extractor) warn(s string) {
	if len(x.f.Warnings) < maxWarnings {
		x.f.Warnings = append(x.f.Warnings, s)
	} else if len(x.f.Warnings) == maxWarnings {
		x.f.Warnings = append(x.f.Warnings, "further warnings left out")
	}
}

// collect reads the content into the extractor.
func (x *extractor) collect() {
	c := x.c
	if c.URL != nil {
		x.addURL(c.URL.String())
	}
	if len(c.HTML) > 0 {
		body, warns := decode(c.HTML, c.ContentType)
		for _, w := range warns {
			x.warn(w)
		}
		if binary(body) {
			x.warn("content looks binary, not text: read as plain text")
			x.text = append(x.text, body...)
		} else {
			var parsed *scriptResult
			parses := func() bool {
				r := analyzeScript(body)
				parsed = &r
				return r.err == nil
			}
			switch contentKind(body, c.ContentType, c.URL, parses) {
			case kindHTML:
				x.readHTML(body)
			case kindScript:
				x.script("content", body, parsed)
			case kindText:
				x.text = append(x.text, body...)
			}
		}
	}
	for _, s := range c.Scripts {
		name := s.Name
		if name == "" {
			name = "submitted"
		}
		x.script(name, string(s.Source), nil)
	}
}

// binary reports whether s looks like binary data rather than text: NUL
// bytes, or many control or replacement characters, in its first 4 KiB.
func binary(s string) bool {
	head := s[:min(len(s), 4096)]
	if strings.IndexByte(head, 0) >= 0 {
		return true
	}
	bad, n := 0, 0
	for _, r := range head {
		n++
		if r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			bad++
		}
	}
	return n >= 32 && bad*10 > n
}

// script analyses one script (pre is its analysis when already done) and
// takes in its source, findings, dialogs and strings.
func (x *extractor) script(name, src string, pre *scriptResult) {
	x.nScripts++
	x.sources = append(x.sources, src)
	var r scriptResult
	if pre != nil {
		r = *pre
	} else {
		r = analyzeScript(src)
	}
	n := x.nScripts
	x.takeResult(func() string { return fmt.Sprintf("script %d (%s)", n, name) }, r)
}

// handler analyses an inline event-handler attribute.
func (x *extractor) handler(tag, attr, body string) {
	if strings.TrimSpace(body) == "" {
		return
	}
	x.sources = append(x.sources, body)
	// Pages repeat handlers (a button per row, the same onclick on every
	// link): each distinct one is analysed once per page, and its result
	// taken in at each occurrence as before.
	key := attr + "\x00" + body
	r, ok := x.handlers[key]
	if !ok {
		r = analyzeHandler(attr, body)
		if x.handlers == nil {
			x.handlers = map[string]scriptResult{}
		}
		x.handlers[key] = r
	}
	x.takeResult(func() string { return fmt.Sprintf("%s handler on <%s>", attr, tag) }, r)
}

// takeResult takes in a script's analysis; label names the script in a
// warning, made only when there is one.
func (x *extractor) takeResult(label func() string, r scriptResult) {
	if r.err != nil {
		if r.tooLarge {
			x.warn(fmt.Sprintf("%s not analysed: %v", label(), r.err))
		} else {
			x.warn(fmt.Sprintf("%s does not parse: %v", label(), r.err))
		}
	}
	for _, fd := range r.findings {
		x.addLock(fd.kind, fd.count, fd.evidence)
	}
	x.dialogs = append(x.dialogs, r.dialogs...)
	x.strs = append(x.strs, r.strings...)
}

// addLock records a statically found lock, merged by kind.
func (x *extractor) addLock(k LockKind, count int, evidence string) {
	if k == "" || count <= 0 {
		return
	}
	if l := x.locks[k]; l != nil {
		l.Count += count
		return
	}
	x.locks[k] = &Lock{Kind: k, Count: count, Evidence: cut(evidence, maxEvidenceBytes)}
}

// addURL records a URL for FieldURL, once. Fragment-only and javascript:
// URLs are left out; data: URLs are cut to their media type.
func (x *extractor) addURL(u string) {
	u = strings.TrimSpace(u)
	if u == "" || strings.HasPrefix(u, "#") || hasScheme(u, "javascript") {
		return
	}
	if hasScheme(u, "data") {
		if i := strings.IndexByte(u, ','); i >= 0 {
			u = u[:i+1]
		}
	}
	u = cut(u, maxURLBytes)
	if x.urlSeen[u] {
		return
	}
	x.urlSeen[u] = true
	x.urls = append(x.urls, u)
}

// hasScheme reports whether u starts with scheme and a colon, in any case.
func hasScheme(u, scheme string) bool {
	return len(u) > len(scheme) && u[len(scheme)] == ':' && strings.EqualFold(u[:len(scheme)], scheme)
}

// cut shortens s to at most n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// finish builds the fields and finds phones and codes in them.
func (x *extractor) finish() {
	f := x.f
	x.flushPending()
	f.Fields[FieldText] = normalized(x.text)
	f.Title = strings.TrimSpace(x.title)
	f.Fields[FieldTitle] = textnorm.Normalize(x.title)
	f.Fields[FieldMeta] = joinLines(x.meta)
	f.Fields[FieldURL] = joinLines(x.urls)

	// FieldScript: the sources, then the prose strings; strRanges locates
	// the strings, which are searched for phones and codes.
	strsSize := linesSize(x.strs)
	size := linesSize(x.sources) + strsSize
	sb := make([]byte, 0, size+1) // textnorm.Append asks for a byte of room beyond the text
	for _, s := range x.sources {
		sb = appendLine(sb, s)
	}
	var strRanges [][2]int
	for _, s := range x.strs {
		n := len(sb)
		sb = appendLine(sb, s)
		if len(sb) > n {
			start := n
			if n > 0 {
				start++ // after the newline appendLine added
			}
			strRanges = append(strRanges, [2]int{start, len(sb)})
		}
	}
	f.Fields[FieldScript] = byteString(sb)

	// FieldHidden also holds the scripts' prose strings: text a script
	// writes into the page (innerHTML, document.write) is text the visitor
	// may see, and kits that build their overlay in script keep it there.
	// It is the normalised hidden text and strings on lines of their own,
	// white space folded: since normalising is local to the text between
	// ASCII white space, that is the hidden text's normalised form joined
	// by spaces to the strings', which FieldScript holds already.
	hidden := make([]byte, 0, len(x.hidden)+1+strsSize)
	hidden = textnorm.Append(hidden, byteString(x.hidden))
	for _, r := range strRanges {
		if len(hidden) > 0 {
			hidden = append(hidden, ' ')
		}
		hidden = append(hidden, sb[r[0]:r[1]]...)
	}
	f.Fields[FieldHidden] = byteString(hidden)

	dialogs := slices.Clone(x.dialogs)
	dialogs = append(dialogs, x.c.Dialogs...)
	f.Fields[FieldDialog] = joinLinesUnique(dialogs)

	// Locks: static ones by kind, then the observed ones.
	for _, k := range slices.Sorted(maps.Keys(x.locks)) {
		f.Locks = append(f.Locks, *x.locks[k])
	}
	for _, k := range slices.Sorted(maps.Keys(x.c.Behaviors)) {
		if n := x.c.Behaviors[k]; n > 0 && k != "" {
			f.Locks = append(f.Locks, Lock{Kind: LockKind(k), Count: n, Runtime: true, Evidence: "observed at run time"})
		}
	}
	kinds := map[string]bool{}
	for _, l := range f.Locks {
		kinds[textnorm.Normalize(string(l.Kind))] = true
	}
	f.Fields[FieldBehavior] = strings.Join(slices.Sorted(maps.Keys(kinds)), " ")

	x.protect("finding phone numbers", func() { f.Phones = findPhones(f, strRanges, phoneRegions(f.Lang, x.c.URL)) })
	x.protect("finding error codes", func() { f.ErrorCodes = findErrorCodes(f, strRanges) })
}

// linesSize is the bytes of ss one per line: each string and a newline.
func linesSize(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s) + 1
	}
	return n
}

// normalized returns textnorm.Normalize of b's text, without copying b
// first.
func normalized(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	// textnorm.Append asks for one byte of room beyond the text.
	return byteString(textnorm.Append(make([]byte, 0, len(b)+1), byteString(b)))
}

// byteString returns b's bytes as a string without copying them: b must
// not change afterwards, nor while the string is in use.
func byteString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendLine appends the normalised s to b on a line of its own; empty
// results add nothing.
func appendLine(b []byte, s string) []byte {
	n := len(b)
	if n > 0 {
		b = append(b, '\n')
	}
	before := len(b)
	b = textnorm.Append(b, s)
	if len(b) == before {
		b = b[:n] // s was empty after normalisation
	}
	return b
}

func joinLines(ss []string) string {
	var b []byte
	for _, s := range ss {
		b = appendLine(b, s)
	}
	return byteString(b)
}

func joinLinesUnique(ss []string) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		n := textnorm.Normalize(s)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return strings.Join(out, "\n")
}

// pageHost returns the host of u, or "".
func pageHost(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Hostname()
}
