package extract

import (
	"github.com/scamscope/scamscope/internal/textnorm"
	"slices"
	"strings"
	"unicode/utf8"
)

// Fake error codes.
//
// Two shapes are found in the normalised fields:
//
//   - Hex codes: "0x" and 5 to 8 hex digits (0x80070424, 0x800f0922,
//     0x268d3), or the look-alike "ox" (letter o) and 6 to 8 hex digits of
//     which at least 5 are decimal digits; not preceded by a letter, digit,
//     '_', '$' or '.' (unless the letters are a label written against the
//     code: "code0x268d3"), not followed by a letter, digit or '_'. So JavaScript
//     names such as _0x45cf50, short literals such as 0xff and CSS colours
//     (#268d3f) are not codes.
//   - Labelled codes: a label, then separators (spaces, : # = - ( [ and
//     quotes, at most 8 bytes), then a token of ASCII letters, digits, '-'
//     and '_' (3 to 24 bytes) that contains a digit and, if all digits, has
//     at least 4 of them (so "Error code: 404" is not a fake code). Strong
//     labels in the project's languages: "error code" (also error_code,
//     errorcode, error-code), "error #", "error no", "error number",
//     "code d'erreur", "code erreur", "fehlercode", "fehler-code",
//     "fehlernummer", "código de error", "codigo de error", "codice di
//     errore", "codice errore", "foutcode", "kod błędu", "kod bledu",
//     "felkod", "código de erro", "エラーコード", "错误代码", "错误码",
//     "錯誤代碼", "오류 코드", "오류코드", "에러 코드". Weak labels (the
//     words for "error" alone: error, erreur, fehler, errore, fout, błąd,
//     fel, erro, エラー, 错误, 錯誤, 오류, 에러) count only when followed by
//     ':' and a token of 4 bytes or more with both a letter and a digit
//     ("Error: Ox800VDS").
//     "Ticket ID", "case number" and the like are not error codes and are
//     left to the rules.
//
// Fields searched, in this order: title, text, hidden, dialog, and the
// prose strings of scripts in FieldScript. Codes are upper-cased ("0x"
// stays lower case: 0x80070424, 0x268D3; "ox" becomes "0x") and reported
// once each, where first found.

// strongLabels are followed by a code; weakLabels only by ':' and a code.
var (
	strongLabels = []string{
		"error code", "error_code", "errorcode", "error-code", "error #", "error#", "error no.", "error no ",
		"error number", "error nr", "code d'erreur", "code d’erreur", "code erreur", "code de l'erreur",
		"fehlercode", "fehler-code", "fehlernummer", "código de error", "codigo de error",
		"código del error", "codice di errore", "codice errore", "codice d'errore", "foutcode",
		"kod błędu", "kod bledu", "felkod", "código de erro", "codigo de erro", "エラーコード",
		"エラー コード", "错误代码", "错误码", "錯誤代碼", "錯誤碼", "오류 코드", "오류코드", "에러 코드", "에러코드",
	}
	weakLabels = []string{
		"error", "erreur", "fehler", "errore", "fout", "błąd", "fel", "erro", "エラー", "错误", "錯誤", "오류", "에러",
	}
)

// findErrorCodes finds the fake error codes of a page; strRanges locate
// the prose strings in FieldScript.
func findErrorCodes(f *Features, strRanges [][2]int) []ErrorCode {
	c := &codeSearch{f: f, seen: map[string]bool{}}
	for _, fld := range []Field{FieldTitle, FieldText, FieldHidden, FieldDialog} {
		c.scan(fld, 0, len(f.Fields[fld]))
	}
	for _, r := range strRanges {
		c.scan(FieldScript, r[0], r[1])
	}
	return c.out
}

type codeSearch struct {
	f    *Features
	seen map[string]bool
	out  []ErrorCode
}

func (c *codeSearch) add(fld Field, start, end int, code string) {
	if c.seen[code] {
		return
	}
	c.seen[code] = true
	c.out = append(c.out, ErrorCode{Code: code, Field: fld, Start: start, End: end,
		Snippet: textnorm.Snippet(c.f.Fields[fld], start, end, 40)})
}

// found is one code in a field, before deduplication.
type found struct {
	start, end int
	code       string
}

func (c *codeSearch) scan(fld Field, from, to int) {
	s := c.f.Fields[fld][:to]
	var all []found
	all = hexCodes(s, from, all)
	all = labelledCodes(s, from, all)
	// Report in text order.
	slices.SortStableFunc(all, func(a, b found) int { return a.start - b.start })
	for _, fd := range all {
		c.add(fld, fd.start, fd.end, fd.code)
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// hexCodes appends the hex codes in s[from:].
func hexCodes(s string, from int, out []found) []found {
	for i := from; i < len(s); {
		k := strings.IndexByte(s[i:], 'x')
		if k < 0 {
			return out
		}
		x := i + k
		i = x + 1
		if x == from {
			continue
		}
		p := s[x-1]
		if p != '0' && p != 'o' {
			continue
		}
		start := x - 1
		if start > from {
			if b := s[start-1]; (isAlnum(b) || b == '_' || b == '$' || b == '.') && !gluedLabel(s[from:start]) {
				continue
			}
		}
		j := x + 1
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
			continue
		}
		hex := s[x+1 : j]
		if p == '0' && (len(hex) < 5 || len(hex) > 8) {
			continue
		}
		if p == 'o' && (len(hex) < 6 || len(hex) > 8 || countDigits(hex) < 5) {
			continue
		}
		out = append(out, found{start, j, "0x" + strings.ToUpper(hex)})
		i = j
	}
	return out
}

// gluedLabel reports whether s ends with a label written against the
// code, as in "code0x268d3" or "error0x80070424".
func gluedLabel(s string) bool {
	for _, l := range []string{"code", "error", "erreur", "fehler", "errore", "kod"} {
		if strings.HasSuffix(s, l) {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// labelRoots are parts that labels share ("err" is in "error code", "code
// d'erreur", "codice di errore" ...; "エラー" in "エラーコード", "エラー コード"
// and "エラー"). A label occurs only where its root does, so the root's
// occurrences, found once per search, give the places to try the labels
// at; the other labels are searched for in full.
var labelRoots = [...]string{"err", "fehler", "fout", "kod", "fel", "エラー", "错误", "錯誤", "오류", "에러", "błąd"}

// rootedLabel is a label with its root: the index in labelRoots (-1 for
// none) and the offset of the root in the label.
type rootedLabel struct {
	label  string
	strong bool
	root   int
	offset int
}

// allLabels are the strong labels, then the weak ones, in order.
var allLabels = func() []rootedLabel {
	var ls []rootedLabel
	add := func(l string, strong bool) {
		rl := rootedLabel{label: l, strong: strong, root: -1}
		for i, r := range labelRoots {
			if k := strings.Index(l, r); k >= 0 {
				rl.root, rl.offset = i, k
				break
			}
		}
		ls = append(ls, rl)
	}
	for _, l := range strongLabels {
		add(l, true)
	}
	for _, l := range weakLabels {
		add(l, false)
	}
	return ls
}()

// labelledCodes appends the labelled codes in s[from:].
func labelledCodes(s string, from int, out []found) []found {
	var roots [len(labelRoots)][]int // occurrences in s[from:], nil until looked for
	var looked [len(labelRoots)]bool
	for _, l := range allLabels {
		var at []int // the occurrences of the label, in order
		if l.root < 0 {
			at = indexAll(s, from, l.label)
		} else {
			if !looked[l.root] {
				looked[l.root] = true
				roots[l.root] = indexAll(s, from, labelRoots[l.root])
			}
			for _, p := range roots[l.root] {
				if a := p - l.offset; a >= from && strings.HasPrefix(s[a:], l.label) {
					at = append(at, a)
				}
			}
		}
		if len(at) > 0 {
			out = labelled(s, from, l.label, l.strong, at, out)
		}
	}
	return out
}

// indexAll returns every index in s[from:] (overlapping ones too) at which
// sub starts, in order.
func indexAll(s string, from int, sub string) []int {
	var at []int
	for i := from; ; {
		k := strings.Index(s[i:], sub)
		if k < 0 {
			return at
		}
		at = append(at, i+k)
		i += k + 1
	}
}

// labelled appends the codes after label in s[from:]; occ holds every
// occurrence of label there, in order.
func labelled(s string, from int, label string, strong bool, occ []int, out []found) []found {
	for i := from; i < len(s); {
		for len(occ) > 0 && occ[0] < i {
			occ = occ[1:]
		}
		if len(occ) == 0 {
			return out
		}
		at := occ[0]
		occ = occ[1:]
		i = at + len(label)
		// A Latin label starts a word: "terror code" is not "error code".
		if at > from && label[0] < utf8.RuneSelf {
			if b := s[at-1]; isAlnum(b) || b == '_' || b >= utf8.RuneSelf && latinBefore(s, at) {
				continue
			}
		}
		// A weak label is a whole word, then ':'. "error #" is strong.
		j := at + len(label)
		if !strong {
			if j < len(s) && label[len(label)-1] < utf8.RuneSelf && (isAlnum(s[j]) || s[j] == '_') {
				continue
			}
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j >= len(s) || s[j] != ':' {
				continue
			}
		}
		start, end, ok := codeToken(s, j)
		if !ok {
			continue
		}
		tok := s[start:end]
		if !strong && (len(tok) < 4 || !hasLetter(tok) || countDigits(tok) == 0) {
			continue
		}
		code := strings.ToUpper(tok)
		if len(tok) > 2 && (tok[:2] == "0x" || tok[:2] == "ox") {
			if countDigits(tok[2:]) == 0 && !strong {
				continue
			}
			code = "0x" + strings.ToUpper(tok[2:])
		}
		out = append(out, found{start, end, code})
		i = end
	}
	return out
}

// latinBefore reports whether the rune ending at s[i] is a Latin letter.
func latinBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isLatinLetter(r)
}

func isLatinLetter(r rune) bool {
	return r >= 0xc0 && r <= 0x24f && r != 0xd7 && r != 0xf7
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// codeToken finds the code after a label at s[j:]: separators, then the
// token. It reports the token's bounds.
func codeToken(s string, j int) (start, end int, ok bool) {
	limit := min(len(s), j+8)
	for j < limit {
		switch s[j] {
		case ' ', ':', '#', '=', '-', '(', '[', '"', '\'':
			j++
			continue
		}
		if r, n := utf8.DecodeRuneInString(s[j:]); n > 1 && strings.ContainsRune("«»“”„‘’：＃–—№", r) {
			j += n
			continue
		}
		break
	}
	start = j
	for j < len(s) && j-start <= 24 && (isAlnum(s[j]) || s[j] == '-' || s[j] == '_') {
		j++
	}
	for j > start && (s[j-1] == '-' || s[j-1] == '_') {
		j--
	}
	end = j
	if end-start < 3 || end-start > 24 {
		return 0, 0, false
	}
	if end < len(s) && (isAlnum(s[end]) || s[end] >= utf8.RuneSelf && latinBefore(s, end+utf8RuneLen(s, end))) {
		return 0, 0, false
	}
	tok := s[start:end]
	digits := countDigits(tok)
	if digits == 0 || (digits == len(tok) && digits < 4) {
		return 0, 0, false
	}
	return start, end, true
}

func utf8RuneLen(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}
