package jsscan

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// A third of the corpus's inline-script bytes are data: JSON objects and
// arrays assigned to a variable or property (window.__STATE__ = {...}).
// The parser builds a node for every member of them, and the walkers visit
// each, to find at most the prose among their string values. analyze
// first tries the script with each such literal cut out and an identifier
// (a placeholder) in its place, and reads the literal's strings where the
// walkers meet the placeholder. The result is the whole script's:
//
//   - A literal is cut only where it is the whole right side of an
//     assignment or initialiser to a name (x = {...}, a.b = [...], not
//     a[i] = or == or +=), the name not a handler property (on...), and
//     where an identifier parses as the literal does: no =, =>, ++ or --
//     after it. It must be JSON as JavaScript also writes it: keys may be
//     ASCII identifiers, strings single-quoted, escapes any printable
//     ASCII character, and a container may end in one comma (as the
//     parser reads it, the AST of such a literal has the nodes of strict
//     JSON's, and keys are never walked); no comments, control
//     characters, U+2028, U+2029 or __proto__ key, nested at most
//     maxDataNesting deep.
//   - An identifier and an object are read alike on the right of an
//     assignment (neither is a function, string, call or element), and
//     the walkers take in the literal's string values at the placeholder
//     as they would at the literal's nodes: the collector the short ones
//     that name lock APIs, the finder the prose, unless quiet.
//   - What could read them otherwise gives the try up, and the script is
//     analysed whole: a parse error (a script that parses once PHP tags and
//     CDATA markers are blanked, as parseTolerant first retries, is read so
//     when no literal holds them), a placeholder in string code, met
//     twice or not at all, met by a search that counts nodes against a
//     budget (the literal's nodes would have used it up), or too deep for
//     its members to be walked; or a placeholder's name in the evidence,
//     dialogs or strings. A walker added later that counts nodes against
//     a budget must give the try up where it meets a placeholder
//     (dataLits.meets); TestDataCutCorpus and FuzzDataCut hold the cut to
//     the whole analysis.

// minData is the shortest literal worth cutting out.
const minData = 512

// maxDataNesting bounds the nesting of a literal cut out, far below the
// walkers' maxDepth.
const maxDataNesting = 256

// dataPrefix starts every placeholder's name; a script that holds it is
// not cut.
const dataPrefix = "__scamscope_data_"

// dataLit is a literal cut out: src[start:end], nested so deep, with what
// the walkers would take from its string values: the byte ranges of those
// that may be prose (the finder's), and the lock API names among the
// short ones (the collector's).
type dataLit struct {
	start, end, nesting int
	prose               [][2]int
	apis                []string
}

// dataLits is the literals cut out of one script.
type dataLits struct {
	src  []byte    // the script as written
	lits []dataLit // in source order
	seen []bool    // met by the collector
	bad  bool      // the try is given up
}

// cutData returns src with its data literals replaced by placeholders, and
// the literals, or nil when there are none.
func cutData(src []byte) ([]byte, *dataLits) {
	if len(src) < minData {
		return nil, nil
	}
	var d *dataLits
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '=')
		if j < 0 {
			break
		}
		eq := i + j
		i = eq + 1
		lit, ok := dataAt(src, eq)
		if !ok {
			continue
		}
		if d == nil {
			d = &dataLits{src: src}
		}
		d.lits = append(d.lits, lit)
		i = lit.end
	}
	if d == nil || bytes.Contains(src, []byte(dataPrefix)) {
		return nil, nil
	}
	size := len(src) + 1 // room for the parser's sentinel
	for k, l := range d.lits {
		size += len(dataPrefix) + len(strconv.Itoa(k)) - (l.end - l.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for k, l := range d.lits {
		out = append(out, src[last:l.start]...)
		out = append(out, dataPrefix...)
		out = strconv.AppendInt(out, int64(k), 10)
		last = l.end
	}
	out = append(out, src[last:]...)
	d.seen = make([]bool, len(d.lits))
	return out, d
}

// dataAt returns the data literal assigned by the "=" at src[eq], if it is
// one to cut.
func dataAt(src []byte, eq int) (dataLit, bool) {
	// The literal after, looked at first: it rules out most "=".
	start := eq + 1
	for start < len(src) && parse.IsWhitespace(src[start]) {
		start++
	}
	if start+1 >= len(src) || src[start] != '{' && src[start] != '[' {
		return dataLit{}, false
	}
	// The name before: an identifier character, not "on…", so not "==",
	// "+=" or "a[i] =".
	k := eq - 1
	for k >= 0 && parse.IsWhitespace(src[k]) {
		k--
	}
	n := k
	for n >= 0 && isIdentByte(src[n]) {
		n--
	}
	if n == k || k-n >= 2 && src[n+1] == 'o' && src[n+2] == 'n' {
		return dataLit{}, false
	}
	sc := jsonScan{src: src, i: start}
	if !sc.value(0) || sc.i-start < minData {
		return dataLit{}, false
	}
	end := sc.i
	// What follows must read an identifier as it reads the literal.
	f := end
	for f < len(src) && parse.IsWhitespace(src[f]) {
		f++
	}
	if f < len(src) {
		next := src[f:]
		switch {
		case next[0] == '=' && !(len(next) > 1 && next[1] == '='),
			bytes.HasPrefix(next, []byte("=>")),
			bytes.HasPrefix(next, []byte("++")),
			bytes.HasPrefix(next, []byte("--")):
			return dataLit{}, false
		}
	}
	return dataLit{start: start, end: end, nesting: sc.deepest, prose: sc.prose, apis: sc.apis}, true
}

// isIdentByte reports whether c is an ASCII identifier character: the
// name before a literal's "=" is taken only if it is spelled in them.
func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// jsonScan validates a data literal (JSON as JavaScript also writes it,
// see above), and notes what the walkers would take from its string
// values (see dataLit).
type jsonScan struct {
	src     []byte
	i       int
	deepest int
	prose   [][2]int
	apis    []string
}

func (s *jsonScan) space() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value reads one value at nesting depth.
func (s *jsonScan) value(depth int) bool {
	s.space()
	if s.i >= len(s.src) {
		return false
	}
	rest := s.src[s.i:]
	switch c := rest[0]; {
	case c == '{' || c == '[':
		if depth == maxDataNesting {
			return false
		}
		s.deepest = max(s.deepest, depth+1)
		return s.container(c, depth+1)
	case c == '"' || c == '\'':
		e, ok := jsonString(s.src, s.i)
		if ok {
			s.note(s.i, e)
		}
		s.i = e
		return ok
	case c == '-' || c >= '0' && c <= '9':
		e, ok := jsonNumber(s.src, s.i)
		s.i = e
		return ok
	}
	for _, w := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(rest, []byte(w)) && (len(rest) == len(w) || !isIdentByte(rest[len(w)])) {
			s.i += len(w)
			return true
		}
	}
	return false
}

// note takes in the string value src[start:end] as the collector and
// the finder would read it at its node (apiLiteral, proseLiteral),
// leaving out only what depends on what they have read before.
func (s *jsonScan) note(start, end int) {
	raw := s.src[start:end]
	if api, ok := apiLiteral(raw); ok {
		s.apis = append(s.apis, api)
	}
	if proseLiteral(raw) {
		s.prose = append(s.prose, [2]int{start, end})
	}
}

// container reads an object or array opened by open.
func (s *jsonScan) container(open byte, depth int) bool {
	closer := open + 2 // '}' or ']'
	s.i++
	s.space()
	if s.i < len(s.src) && s.src[s.i] == closer {
		s.i++
		return true
	}
	for {
		if open == '{' {
			s.space()
			if !s.key() {
				return false
			}
			s.space()
			if s.i >= len(s.src) || s.src[s.i] != ':' {
				return false
			}
			s.i++
		}
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.i >= len(s.src) {
			return false
		}
		switch s.src[s.i] {
		case ',':
			s.i++
			if s.space(); s.i < len(s.src) && s.src[s.i] == closer {
				s.i++ // a trailing comma
				return true
			}
		case closer:
			s.i++
			return true
		default:
			return false
		}
	}
}

// key reads an object's key: a string or an ASCII identifier, not
// __proto__ in any spelling.
func (s *jsonScan) key() bool {
	if s.i >= len(s.src) {
		return false
	}
	start := s.i
	if c := s.src[s.i]; c == '"' || c == '\'' {
		e, ok := jsonString(s.src, s.i)
		if !ok {
			return false
		}
		if in, plain := plainLiteral(s.src[start:e]); plain && string(in) == "__proto__" || !plain && unquote(s.src[start:e]) == "__proto__" {
			return false
		}
		s.i = e
		return true
	}
	if c := s.src[s.i]; c >= '0' && c <= '9' {
		return false
	}
	for s.i < len(s.src) && isIdentByte(s.src[s.i]) {
		s.i++
	}
	return s.i > start && string(s.src[start:s.i]) != "__proto__"
}

// jsonString returns the end of the string literal at src[i], quoted with
// src[i] (" or '), on one line, without control characters, U+2028 or
// U+2029, and escaping only printable ASCII: a string that
// JavaScript's lexer ends where it does.
func jsonString(src []byte, i int) (int, bool) {
	quote := src[i]
	for i++; i < len(src); i++ {
		for i < len(src) && !jsonStringStop[src[i]] {
			i++
		}
		if i == len(src) {
			break
		}
		switch c := src[i]; {
		case c == quote:
			return i + 1, true
		case c == '"' || c == '\'':
		case c < 0x20:
			return 0, false
		case c == '\\':
			if i+1 >= len(src) || src[i+1] < 0x20 || src[i+1] > 0x7E {
				return 0, false
			}
			i++
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
			return 0, false // U+2028, U+2029
		}
	}
	return 0, false
}

// jsonStringStop holds the bytes jsonString looks at: the quotes, the
// backslash, control characters and the lead byte of U+2028 and U+2029.
var jsonStringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\''], t['\\'], t[0xE2] = true, true, true, true
	return t
}()

// jsonNumber returns the end of the JSON number at src[i].
func jsonNumber(src []byte, i int) (int, bool) {
	digits := func() bool {
		s := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		return i > s
	}
	if src[i] == '-' {
		i++
	}
	if i < len(src) && src[i] == '0' {
		i++
	} else if !digits() {
		return 0, false
	}
	if i < len(src) && src[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	if i < len(src) && (isIdentByte(src[i]) || src[i] == '.') {
		return 0, false
	}
	return i, true
}

// lit returns the literal a placeholder stands for, or -1 when n is not a
// placeholder.
func (d *dataLits) lit(n any) int {
	if d == nil {
		return -1 // nothing cut: the walkers' common case
	}
	v, ok := n.(*js.Var)
	if !ok || !bytes.HasPrefix(v.Data, []byte(dataPrefix)) {
		return -1
	}
	k, err := strconv.Atoi(string(v.Data[len(dataPrefix):]))
	if err != nil || k < 0 || k >= len(d.lits) {
		d.bad = true
		return -1
	}
	return k
}

// meets reports whether n is a placeholder, and gives the try up if so: a
// walk that calls it would read the literal otherwise than its nodes.
func (d *dataLits) meets(n any) bool {
	if d.lit(n) < 0 {
		return false
	}
	d.bad = true
	return true
}

// holdsMarkup reports whether a literal holds what parseTolerant blanks
// in a script that does not parse as written.
func (d *dataLits) holdsMarkup() bool {
	for _, l := range d.lits {
		if hasTemplateMarkup(d.src[l.start:l.end]) {
			return true
		}
	}
	return false
}

// tooDeep reports whether a walk that meets literal k's placeholder at
// depth would stop at maxDepth inside the literal's nodes (two a level).
func (d *dataLits) tooDeep(k, depth int) bool {
	return depth+2*d.lits[k].nesting+4 >= maxDepth
}

// collect is the collector's reading of literal k at its placeholder: the
// short string values that name lock APIs, as at the literal's nodes.
func (d *dataLits) collect(a *analyzer, c *collector, k int) {
	if c.nesting > 0 || d.seen[k] || d.tooDeep(k, c.depth) {
		d.bad = true
		return
	}
	d.seen[k] = true
	for _, api := range d.lits[k].apis {
		put(&a.apiLits, api, true)
	}
}

// find is the finder's reading of literal k at its placeholder: the prose
// among its string values, unless the place is quiet.
func (d *dataLits) find(f *finder, k int) {
	if d.tooDeep(k, f.depth) {
		d.bad = true
		return
	}
	if !f.quiet {
		for _, r := range d.lits[k].prose {
			f.a.text.addLiteral(d.src[r[0]:r[1]])
		}
	}
}

// spoils reports whether a placeholder's name shows in what the analysis
// of the cut script says.
func (d *dataLits) spoils(r Result) bool {
	for _, f := range r.Findings {
		if strings.Contains(f.Evidence, dataPrefix) {
			return true
		}
	}
	for _, ss := range [][]string{r.Dialogs, r.Strings} {
		for _, s := range ss {
			if strings.Contains(s, dataPrefix) {
				return true
			}
		}
	}
	return false
}
