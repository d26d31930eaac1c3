package jsscan

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// The finding kinds. They are the names of extract.LockKind.
const (
	KindDialogLoop       = "dialog_loop"
	KindBeforeUnload     = "beforeunload_trap"
	KindHistoryFlood     = "history_flood"
	KindFullscreen       = "fullscreen"
	KindKeyboardLock     = "keyboard_lock"
	KindPointerLock      = "pointer_lock"
	KindContextMenu      = "contextmenu_block"
	KindDevtoolsKeys     = "devtools_key_block"
	KindAudioLoop        = "audio_loop"
	KindPrintLoop        = "print_loop"
	KindDownloadLoop     = "download_loop"
	KindNotificationSpam = "notification_spam"
	KindWindowOpenStorm  = "window_open_storm"
	KindObfuscation      = "obfuscation"
)

// kind indexes the finding kinds; Findings are reported in this order.
type kind int

const (
	kDialogLoop kind = iota
	kBeforeUnload
	kHistoryFlood
	kFullscreen
	kKeyboardLock
	kPointerLock
	kContextMenu
	kDevtoolsKeys
	kAudioLoop
	kPrintLoop
	kDownloadLoop
	kNotificationSpam
	kWindowOpenStorm
	kObfuscation
	numKinds
)

func (k kind) String() string {
	switch k {
	case kDialogLoop:
		return KindDialogLoop
	case kBeforeUnload:
		return KindBeforeUnload
	case kHistoryFlood:
		return KindHistoryFlood
	case kFullscreen:
		return KindFullscreen
	case kKeyboardLock:
		return KindKeyboardLock
	case kPointerLock:
		return KindPointerLock
	case kContextMenu:
		return KindContextMenu
	case kDevtoolsKeys:
		return KindDevtoolsKeys
	case kAudioLoop:
		return KindAudioLoop
	case kPrintLoop:
		return KindPrintLoop
	case kDownloadLoop:
		return KindDownloadLoop
	case kNotificationSpam:
		return KindNotificationSpam
	case kWindowOpenStorm:
		return KindWindowOpenStorm
	case kObfuscation:
		return KindObfuscation
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Limits.
const (
	// MaxInputSize is the largest script Analyze looks at; larger inputs
	// are not analysed and Result.Err wraps ErrTooLarge.
	MaxInputSize = 2 << 20

	maxEvidence     = 120       // bytes of Finding.Evidence
	maxStringsBytes = 128 << 10 // total bytes of Result.Strings
	maxDialogsBytes = 32 << 10  // total bytes of Result.Dialogs
	maxOneString    = 2 << 10   // bytes of one Strings or Dialogs entry
	minProseBytes   = 12        // shorter literals are never prose
	minProseRunes   = 12
	maxDepth        = 4000     // AST nesting the walkers descend
	maxSubScripts   = 32       // string code (setTimeout("..."), setAttribute("onx", "...")) parsed per input
	maxSubScript    = 64 << 10 // bytes of one such string
	maxSubNesting   = 2        // string code inside string code
	maxRetrySize    = 512 << 10
	maxLineRetries  = 4
	longEncoded     = 200 // an encoded literal longer than this is obfuscation when decoded
	obfIdentMin     = 10  // distinct _0x… identifiers that mark javascript-obfuscator output
)

// Errors. Result.Err wraps one of these.
var (
	ErrTooLarge = errors.New("jsscan: script too large")
	ErrSyntax   = errors.New("jsscan: syntax error")
	ErrInternal = errors.New("jsscan: internal error")
)

// SyntaxError is a script that did not parse. It matches ErrSyntax with
// errors.Is.
type SyntaxError struct {
	Line, Column int // 1-based position of the error in the input
	Message      string
	// BlankedLines is how many lines around errors were blanked to get a
	// partial parse; zero when nothing could be analysed from the AST.
	BlankedLines int
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("jsscan: syntax error at line %d, column %d: %s", e.Line, e.Column, e.Message)
	if e.BlankedLines > 0 {
		s += fmt.Sprintf(" (analysed after blanking %d line(s))", e.BlankedLines)
	}
	return s
}

// Is makes errors.Is(err, ErrSyntax) hold.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// Finding is one kind of lock behaviour found in a script.
type Finding struct {
	Kind     string // one of the Kind constants
	Count    int    // number of sites in the source
	Evidence string // the first site, rendered from the AST, at most 120 bytes
}

// Result is what Analyze found in one script.
type Result struct {
	// Findings has at most one entry per kind, in the order of the Kind
	// constants.
	Findings []Finding
	// Dialogs are the static texts passed to alert, confirm and prompt:
	// string literals, concatenations and templates (unknown parts left
	// out), and variables assigned a string once. Deduplicated.
	Dialogs []string
	// Strings are the other string literals (and concatenations) that read
	// as prose, markup stripped, deduplicated, at most 128 KiB in all.
	Strings []string
	// Err is set when the script was too large, did not parse (see
	// SyntaxError; the results are then partial) or the analysis failed.
	Err error
}

// Count returns the number of sites of the finding kind k, or 0.
func (r Result) Count(k string) int {
	for _, f := range r.Findings {
		if f.Kind == k {
			return f.Count
		}
	}
	return 0
}

// Analyze parses a script and reports the lock behaviours, dialog texts and
// prose strings in it. It never panics; Result.Err says what went wrong.
func Analyze(src []byte) Result {
	return analyze(src, false, "", false, false)
}

// AnalyzeString is Analyze for a script held in a string. As Analyze, it
// reads the script in place and copies it only into the parser's input.
func AnalyzeString(src string) Result {
	return analyze(stringBytes(src), false, "", false, false)
}

// stringBytes returns the bytes of s without copying them. They must not
// be written to: analyze, given them as not owned, copies before it
// writes.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// AnalyzeHandler analyses the body of an inline event-handler attribute
// (onload="...", oncontextmenu="return false") for the named event ("load",
// "onload" and "ONLOAD" are the same). The body may return, as an attribute
// handler can. The element the attribute is on is unknown, so handlers of
// click-like and frequent events (blur, mousemove, keydown) are treated as an
// element's; use AnalyzeElementHandler when the element is known.
func AnalyzeHandler(event string, body []byte) Result {
	return AnalyzeElementHandler("", event, body)
}

// AnalyzeElementHandler is AnalyzeHandler for an attribute on the element
// named tag: handlers on <body>, <html> and <frameset> see every event of
// the page, so a body onclick or onblur that opens a dialog is a loop, and a
// body onkeydown="return false" blocks every key.
func AnalyzeElementHandler(tag, event string, body []byte) Result {
	event, global := handlerEvent(tag, event)
	return analyze(body, false, event, global, true)
}

// AnalyzeHandlerString is AnalyzeHandler for a body held in a string,
// copied once as AnalyzeString copies a script.
func AnalyzeHandlerString(event, body string) Result {
	event, global := handlerEvent("", event)
	return analyzeCopy(body, event, global, true)
}

// handlerEvent returns the event an on... attribute on the element named
// tag handles, and whether its handler sees every event of the page.
func handlerEvent(tag, event string) (string, bool) {
	event = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(event)), "on")
	if event == "" {
		event = "unknown"
	}
	switch strings.ToLower(strings.TrimSpace(tag)) {
	case "body", "html", "frameset":
		return event, true
	}
	return event, false
}

// analyzeCopy analyses src from a copy of its own, with room after it
// for the parser's NUL sentinel.
func analyzeCopy(src, event string, global, inline bool) Result {
	if len(src) > MaxInputSize {
		return tooLarge(len(src))
	}
	b := make([]byte, len(src)+1)[:len(src)]
	copy(b, src)
	return analyze(b, true, event, global, inline)
}

func tooLarge(n int) Result {
	return Result{Err: fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, n, MaxInputSize)}
}

// analyze analyses a script, or (inline) the body of a handler of event,
// attached to the window, document or <body> when global. An owned src
// is the analyser's own: the parser may use its spare capacity.
func analyze(src []byte, owned bool, event string, global, inline bool) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{Err: fmt.Errorf("%w: panic: %v", ErrInternal, r)}
		}
	}()
	if len(src) > MaxInputSize {
		return tooLarge(len(src))
	}
	if !inline {
		if cut, d := cutData(src); d != nil {
			if res, ok := analyzeCut(cut, d, event, global); ok {
				return res
			}
		}
	}
	return analyzeWhole(src, owned, event, global, inline)
}

// analyzeWhole is analyze without cutting data literals out.
func analyzeWhole(src []byte, owned bool, event string, global, inline bool) (res Result) {
	a := newAnalyzer()
	ast, blanked, err := parseTolerant(src, owned, inline)
	if ast == nil {
		lexTexts(src, &a.text)
		res.Dialogs, res.Strings, res.Err = a.text.dialogs, a.text.strings, err
		return res
	}
	a.run(ast, event, global)
	for _, r := range blanked {
		lexTexts(src[r[0]:r[1]], &a.text)
	}
	res = a.result()
	res.Err = err
	return res
}

// analyzeCut analyses a script with its data literals cut out (see
// dataLits), and reports whether the result is the whole script's.
func analyzeCut(cut []byte, d *dataLits, event string, global bool) (res Result, ok bool) {
	defer func() {
		if recover() != nil {
			res, ok = Result{}, false // analyzeWhole will say what went wrong
		}
	}()
	ast, err := parseJS(cut, true, false)
	if err != nil && hasTemplateMarkup(cut) && !d.holdsMarkup() {
		ast, _, err = parseBlanked(cut, false) // as parseTolerant retries
	}
	if err != nil {
		return Result{}, false
	}
	a := newAnalyzer()
	a.data = d
	a.run(ast, event, global)
	if d.bad || slices.Contains(d.seen, false) {
		return Result{}, false
	}
	res = a.result()
	return res, !d.spoils(res)
}

// parseJS parses src (which it does not modify) as a script, or as the body
// of an event handler when inline. The parser writes a NUL sentinel after
// an owned src, in its spare capacity if it has some; it copies any other.
func parseJS(src []byte, owned, inline bool) (*js.AST, error) {
	if !owned {
		// A full slice expression makes the parser copy instead of
		// writing into the caller's spare capacity.
		src = src[:len(src):len(src)]
	}
	return js.Parse(parse.NewInputBytes(src), js.Options{Inline: inline})
}

// parseTolerant parses src. When that fails it retries with server-template
// tags (<?php ... ?>, <?= ... ?>) and CDATA markers blanked, which is a
// complete parse of the script part; then, for inputs up to maxRetrySize,
// with the offending lines blanked, which is a partial parse reported with
// the first SyntaxError and the byte ranges blanked. A nil AST means
// nothing could be parsed.
func parseTolerant(src []byte, owned, inline bool) (*js.AST, [][2]int, error) {
	ast, err := parseJS(src, owned, inline)
	if err == nil {
		return ast, nil, nil
	}
	first := syntaxError(err)
	buf, cloned := src, false
	if hasTemplateMarkup(src) {
		ast, spaced, err2 := parseBlanked(src, inline)
		if err2 == nil {
			return ast, nil, nil
		}
		buf, err, cloned = spaced, err2, true
	}
	if len(src) > maxRetrySize {
		return nil, nil, first
	}
	if !cloned {
		buf = bytes.Clone(src)
	}
	var blanked [][2]int
	for i := 0; i < maxLineRetries; i++ {
		start, end, ok := blankLine(buf, syntaxError(err).Line)
		if !ok {
			break
		}
		blanked = append(blanked, [2]int{start, end})
		first.BlankedLines++
		if ast, err = parseJS(buf, true, inline); err == nil {
			return ast, blanked, first
		}
	}
	first.BlankedLines = 0
	return nil, nil, first
}

// parseBlanked parses src with its PHP tags and CDATA markers blanked
// (blankTemplates): with spaces, then with a '0' where a tag stood. Either
// is a complete parse. When neither parses it returns the spaced copy and
// its error, where parseTolerant's line retries start.
func parseBlanked(src []byte, inline bool) (*js.AST, []byte, error) {
	spaced := blankTemplates(src, ' ')
	ast, err := parseJS(spaced, true, inline)
	if err == nil {
		return ast, nil, nil
	}
	if ast, err0 := parseJS(blankTemplates(src, '0'), true, inline); err0 == nil {
		return ast, nil, nil
	}
	return nil, spaced, err
}

// syntaxError converts a parser error.
func syntaxError(err error) *SyntaxError {
	var pe *parse.Error
	if errors.As(err, &pe) {
		return &SyntaxError{Line: pe.Line, Column: pe.Column, Message: pe.Message}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return &SyntaxError{Message: truncate(msg, 200)}
}

func hasTemplateMarkup(src []byte) bool {
	return bytes.Contains(src, []byte("<?")) || bytes.Contains(src, []byte("<![CDATA[")) || bytes.Contains(src, []byte("]]>"))
}

// blankTemplates returns a copy of src with PHP tags and CDATA markers
// overwritten, keeping offsets and newlines. A PHP tag becomes fill followed
// by spaces: ' ' suits tags inside strings and statements, '0' tags that
// stand for a value (var phone = <?= $phone ?>;).
func blankTemplates(src []byte, fill byte) []byte {
	b := bytes.Clone(src)
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte("<?"))
		if j < 0 {
			break
		}
		start := i + j
		end := len(b)
		if k := bytes.Index(b[start+2:], []byte("?>")); k >= 0 {
			end = start + 2 + k + 2
		}
		blank(b[start:end])
		b[start] = fill
		i = end
	}
	for _, m := range [][]byte{[]byte("<![CDATA["), []byte("]]>")} {
		for i := 0; ; {
			j := bytes.Index(b[i:], m)
			if j < 0 {
				break
			}
			blank(b[i+j : i+j+len(m)])
			i += j + len(m)
		}
	}
	return b
}

// blank overwrites b with spaces, keeping line breaks.
func blank(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = ' '
		}
	}
}

// blankLine blanks the 1-based line of b, returning its byte range, and
// reports whether it changed anything.
func blankLine(b []byte, line int) (start, end int, ok bool) {
	if line < 1 {
		return 0, 0, false
	}
	for l := 1; l < line; l++ {
		k := bytes.IndexByte(b[start:], '\n')
		if k < 0 {
			return 0, 0, false
		}
		start += k + 1
	}
	end = len(b)
	if k := bytes.IndexByte(b[start:], '\n'); k >= 0 {
		end = start + k
	}
	if len(bytes.TrimSpace(b[start:end])) == 0 {
		return 0, 0, false
	}
	blank(b[start:end])
	return start, end, true
}
