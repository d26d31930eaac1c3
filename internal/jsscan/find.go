package jsscan

import (
	"bytes"
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// finder is the second pass: with every function's context known, it
// reports the sites of each kind and gathers dialog texts and prose.
type finder struct {
	a     *analyzer
	fn    *funcInfo
	loop  int  // loops around the current point, within fn
	exits bool // the current statement is followed by a return/break/throw in its block
	quiet bool // string literals here are code or dialog text, not prose
	depth int
}

func (f *finder) visit(n any) {
	if isNil(n) || f.depth >= maxDepth {
		return
	}
	// A panic abandons the whole analysis, so depth need not be restored
	// by a deferred call.
	f.depth++
	f.node(n)
	f.depth--
}

// node is visit's work on a non-nil n.
func (f *finder) node(n any) {
	switch n := n.(type) {
	case *js.FuncDecl:
		f.function(n, &n.Params, &n.Body)
		return
	case *js.ArrowFunc:
		f.function(n, &n.Params, &n.Body)
		return
	case *js.MethodDecl:
		f.function(n, &n.Params, &n.Body)
		return
	case *js.ForStmt, *js.ForInStmt, *js.ForOfStmt, *js.WhileStmt, *js.DoWhileStmt:
		exits := f.exits
		f.exits = false
		f.loop++
		children(n, f)
		f.loop--
		f.exits = exits
		return
	case *js.BlockStmt:
		f.list(n.List, false)
		return
	case *js.CaseClause:
		f.visit(n.Cond)
		f.list(n.List, true)
		return
	case *js.ReturnStmt, *js.ThrowStmt:
		exits := f.exits
		f.exits = true
		children(n, f)
		f.exits = exits
		return
	case *js.CallExpr:
		f.call(n)
		return
	case *js.Var:
		if k := f.a.data.lit(n); k >= 0 {
			f.a.data.find(f, k)
		}
		return // no children
	case *js.Property:
		propertyParts(n, f)
		return
	case *js.NewExpr:
		if globalNamed(n.X, "Function") && n.Args != nil {
			f.obfSink(n, n.Args.List, false)
		}
	case *js.BinaryExpr:
		if isAssign(n) {
			f.assign(n)
		}
		if n.Op == js.AddToken {
			f.concat(n)
			return
		}
	case *js.LiteralExpr:
		if n.TokenType == js.StringToken && !f.quiet {
			f.a.text.addLiteral(n.Data)
		}
		return
	case *js.TemplateExpr:
		if n.Tag == nil && !f.quiet {
			if s, ok := f.a.strValue(n, 0); ok {
				f.a.text.addString(s)
			}
		}
	}
	children(n, f)
}

// list walks a statement list, marking the statements that a return, throw
// or break (not a switch's) later in the list follows.
func (f *finder) list(stmts []js.IStmt, inCase bool) {
	last := -1
	for i, s := range stmts {
		switch s := s.(type) {
		case *js.ReturnStmt, *js.ThrowStmt:
			last = i
		case *js.BranchStmt:
			if s.Type == js.BreakToken && !inCase {
				last = i
			}
		}
	}
	exits := f.exits
	for i, s := range stmts {
		f.exits = exits || i < last
		f.visit(s)
	}
	f.exits = exits
}

func (f *finder) function(n js.INode, params *js.Params, body *js.BlockStmt) {
	fi := f.a.funcs[n]
	if fi == nil {
		fi = &funcInfo{node: n, body: body}
	}
	saved := *f
	f.fn, f.loop, f.exits, f.quiet = fi, 0, false, false
	f.visit(params)
	f.visit(body)
	f.fn, f.loop, f.exits, f.quiet = saved.fn, saved.loop, saved.exits, saved.quiet
}

// ctx is the context of the current point. A dialog followed by a return or
// break in its block does not repeat with the loop around it (form
// validation: for (...) if (bad) { alert(...); return false; }).
func (f *finder) ctx(dialog bool) ctxFlags {
	c := f.fn.flags
	if f.loop > 0 && !(dialog && f.exits) {
		c |= fLoop
	}
	return c
}

func (f *finder) call(n *js.CallExpr) {
	a := f.a
	recv, name, v := callee(n.X)
	args := n.Args.List
	global := v != nil && isUndeclared(v) || recv != nil && isGlobalObject(recv)
	quietArg := -1
	switch {
	case global && isDialogName(name):
		if len(args) > 0 {
			if s, ok := a.strValue(args[0].Value, 0); ok {
				a.text.addDialog(s)
			}
			quietArg = 0
		}
		if f.ctx(true)&dialogCtx != 0 {
			a.hit(kDialogLoop, n)
		}
	case global && name == "print":
		if f.ctx(false)&repeatCtx != 0 {
			a.hit(kPrintLoop, n)
		}
	case global && name == "open":
		if f.ctx(false)&openCtx != 0 {
			a.hit(kWindowOpenStorm, n)
		}
	case global && name == "eval":
		f.obfSink(n, args, false)
		quietArg = 0
	case global && name == "Function":
		f.obfSink(n, args, false)
	case global && (name == "setTimeout" || name == "setInterval"):
		if len(args) > 0 {
			switch unparen(args[0].Value).(type) {
			case *js.FuncDecl, *js.ArrowFunc, *js.Var:
			default:
				f.obfSink(n, args[:1], false)
				quietArg = 0
			}
		}
	case recv == nil && v == nil:
		// (el.requestFullscreen || el.webkitRequestFullscreen)()
		f.alias(n, a.exprFacts(n.X))
	case recv == nil:
		if !isUndeclared(v) {
			f.alias(n, a.facts[resolve(v)])
		}
	case (name == "write" || name == "writeln") && (globalNamed(recv, "document") || isGlobalTarget0(recv)):
		f.obfSink(n, args, true)
	case isFullscreenName(name):
		a.hit(kFullscreen, n)
	case isPointerLockName(name):
		a.hit(kPointerLock, n)
	case name == "lock" && memberName(recv) == "keyboard":
		a.hit(kKeyboardLock, n)
	case name == "requestPermission" && isGlobalNamed(recv, "Notification"):
		a.hit(kNotificationSpam, n)
	case (name == "pushState" || name == "replaceState") && isGlobalNamed(recv, "history"):
		// replaceState adds no entry, so only pushState traps the Back
		// button from a popstate handler.
		ctx := f.ctx(false)
		if name == "replaceState" {
			ctx &^= fPopstate
		}
		if ctx&historyCtx != 0 {
			a.hit(kHistoryFlood, n)
		}
	case (name == "go" || name == "forward") && isGlobalNamed(recv, "history"):
		if f.ctx(false)&fPopstate != 0 {
			a.hit(kHistoryFlood, n)
		}
	case name == "play":
		if f.ctx(false)&audioCtx != 0 && a.audioish(recv) {
			a.hit(kAudioLoop, n)
		}
	case name == "setAttribute" && len(args) >= 2:
		attr, _ := stringLit(args[0].Value)
		attr = strings.ToLower(attr)
		switch {
		case attr == "loop" && a.audioish(recv):
			a.hit(kAudioLoop, n)
		case strings.HasPrefix(attr, "on"):
			quietArg = 1
		}
	case name == "click" && len(args) == 0:
		if f.ctx(false)&repeatCtx != 0 && a.anchorish(recv) {
			a.hit(kDownloadLoop, n)
		}
	case (name == "assign" || name == "replace") && isLocation(recv):
		if f.ctx(false)&repeatCtx != 0 && len(args) > 0 && a.downloadish(args[0].Value) {
			a.hit(kDownloadLoop, n)
		}
	case name == "call" || name == "apply":
		f.alias(n, a.exprFacts(recv)|a.varFacts(recv))
	}
	if a.isDecoderCall(n) && !a.consumed[n] {
		for i := range args {
			if a.encodedLit(args[i].Value, longEncoded) {
				a.hit(kObfuscation, n)
				break
			}
		}
	}
	f.visit(n.X)
	for i := range args {
		if i == quietArg {
			quiet := f.quiet
			f.quiet = true
			f.visit(&args[i])
			f.quiet = quiet
			continue
		}
		f.visit(&args[i])
	}
}

// alias reports a call through a variable or expression that holds a
// fullscreen or pointer-lock method.
func (f *finder) alias(n js.INode, facts varFacts) {
	if facts&vFullscreen != 0 {
		f.a.hit(kFullscreen, n)
	}
	if facts&vPointerLock != 0 {
		f.a.hit(kPointerLock, n)
	}
}

func (a *analyzer) varFacts(e js.IExpr) varFacts {
	if r := varOf(e); r != nil {
		return a.facts[r]
	}
	return 0
}

// assign reports looping audio (x.loop = true) and downloads through
// location in a loop or timer.
func (f *finder) assign(n *js.BinaryExpr) {
	a := f.a
	recv, name, ok := member(n.X)
	if ok && name == "loop" {
		if b, ok := boolValue(n.Y); ok && b && a.audioish(recv) {
			a.hit(kAudioLoop, n)
		}
	}
	if f.ctx(false)&repeatCtx != 0 && (isLocation(n.X) || ok && name == "href" && isLocation(recv)) && a.downloadish(n.Y) {
		a.hit(kDownloadLoop, n)
	}
}

// concat collects a string concatenation as one string and walks its
// non-literal operands.
func (f *finder) concat(n *js.BinaryExpr) {
	ops := flattenAdd(n)
	if !f.quiet {
		for _, op := range ops {
			if isStringish(op) {
				if s, ok := f.a.strValue(n, 0); ok {
					f.a.text.addString(s)
				}
				break
			}
		}
	}
	for _, op := range ops {
		switch x := unparen(op).(type) {
		case *js.LiteralExpr:
		case *js.TemplateExpr:
			if x.Tag != nil {
				f.visit(x)
				continue
			}
			for i := range x.List {
				f.visit(x.List[i].Expr)
			}
		default:
			f.visit(op)
		}
	}
}

// flattenAdd returns the operands of a left-leaning chain a + b + c.
func flattenAdd(e js.IExpr) []js.IExpr {
	var rev []js.IExpr
	x := unparen(e)
	for {
		b, ok := x.(*js.BinaryExpr)
		if !ok || b.Op != js.AddToken {
			break
		}
		rev = append(rev, b.Y)
		x = unparen(b.X)
	}
	rev = append(rev, x)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// strValue evaluates a string expression statically: literals, templates,
// concatenations and variables assigned a string; other parts are left
// out. ok is false when no part is a string.
func (a *analyzer) strValue(e js.IExpr, depth int) (string, bool) {
	if depth > 4 || e == nil {
		return "", false
	}
	var b strings.Builder
	ok := false
	for _, op := range flattenAdd(e) {
		if b.Len() > 2*maxOneString {
			break
		}
		switch x := unparen(op).(type) {
		case *js.LiteralExpr:
			if x.TokenType == js.StringToken {
				b.WriteString(unquote(x.Data))
				ok = true
			} else if js.IsNumeric(x.TokenType) {
				b.Write(x.Data)
			}
		case *js.TemplateExpr:
			if x.Tag != nil {
				continue
			}
			for _, p := range x.List {
				b.WriteString(templateText(p.Value))
				if s, ok := a.strValue(p.Expr, depth+1); ok {
					b.WriteString(s)
				}
			}
			b.WriteString(templateText(x.Tail))
			ok = true
		case *js.Var:
			if c, found := a.strConst[resolve(x)]; found {
				if s, found := a.strValue(c, depth+1); found {
					b.WriteString(s)
					ok = true
				}
			}
		case *js.BinaryExpr:
			if s, found := a.strValue(x, depth+1); found {
				b.WriteString(s)
				ok = true
			}
		}
	}
	return b.String(), ok
}

// audioish reports whether e looks like an audio element or object.
func (a *analyzer) audioish(e js.IExpr) bool {
	switch x := unparen(e).(type) {
	case *js.Var:
		return a.facts[resolve(x)]&(vAudio|vDOM) != 0 || audioName(string(x.Data))
	case *js.NewExpr:
		return globalNamed(x.X, "Audio")
	case *js.CallExpr, *js.IndexExpr:
		return a.exprFacts(x)&(vAudio|vDOM) != 0
	case *js.DotExpr:
		return audioName(litName(x.Y))
	}
	return false
}

// anchorish reports whether e is a link created by the script or one given
// a download attribute.
func (a *analyzer) anchorish(e js.IExpr) bool {
	switch x := unparen(e).(type) {
	case *js.Var:
		return a.facts[resolve(x)]&(vAnchor|vDownload) != 0
	case *js.CallExpr:
		return a.exprFacts(x)&vAnchor != 0
	}
	return false
}

// downloadish reports whether e is a download URL.
func (a *analyzer) downloadish(e js.IExpr) bool {
	if s, ok := a.strValue(e, 0); ok && downloadURL(s) {
		return true
	}
	return a.mentionsCall(e, "createObjectURL", 64)
}

// isLocation reports whether e is location, window.location or
// document.location.
func isLocation(e js.IExpr) bool {
	if isGlobalNamed(e, "location") {
		return true
	}
	recv, name, ok := member(e)
	return ok && name == "location" && globalNamed(recv, "document")
}

// isDecoderCall reports whether n is atob, unescape, decodeURI(Component)
// or String.fromCharCode.
func (a *analyzer) isDecoderCall(n *js.CallExpr) bool {
	recv, name, v := callee(n.X)
	if v != nil {
		return isDecoderName(name) && isUndeclared(v)
	}
	if recv == nil {
		return false
	}
	if name == "fromCharCode" {
		return isGlobalNamed(recv, "String")
	}
	return isDecoderName(name) && isGlobalObject(recv)
}

// obfSink reports code execution or writing fed by decoded text: eval,
// Function, string timers (strict false) or document.write (strict true,
// where the decoder's input must itself look encoded: the old Google
// Analytics loader writes unescape("%3Cscript ...") and is not hiding
// anything).
func (f *finder) obfSink(n js.INode, args []js.Arg, strict bool) {
	a := f.a
	if !strict && len(args) > 0 {
		// eval(function(p,a,c,k,e,d){...}(...)): the packer's signature.
		if c, ok := unparen(args[0].Value).(*js.CallExpr); ok && isFunc(unparen(c.X)) {
			a.hit(kObfuscation, n)
			return
		}
	}
	found := false
	for i := range args {
		s := &searcher{budget: 2000, data: a.data, match: func(m any) bool {
			c, ok := m.(*js.CallExpr)
			if !ok || !a.isDecoderCall(c) {
				return false
			}
			if !strict || a.decodesEncoded(c) {
				put(&a.consumed, js.INode(c), true)
				found = true
			}
			return false // keep searching: mark every decoder in the sink
		}}
		s.visit(args[i].Value)
	}
	if !found && !strict {
		for i := range args {
			if a.encodedLit(args[i].Value, longEncoded) {
				found = true
				break
			}
		}
	}
	if found {
		a.hit(kObfuscation, n)
	}
}

// decodesEncoded reports whether a decoder call's input looks encoded.
func (a *analyzer) decodesEncoded(c *js.CallExpr) bool {
	if _, name, _ := callee(c.X); name == "fromCharCode" {
		nums := 0
		for _, arg := range c.Args.List {
			if _, ok := numberLit(arg.Value); ok {
				nums++
			}
		}
		return nums >= 8
	}
	for _, arg := range c.Args.List {
		if a.encodedLit(arg.Value, 40) {
			return true
		}
	}
	return false
}

// encodedLit reports whether e is (or is a variable holding, or a
// concatenation containing) a string literal of at least min bytes of
// base64, hex, or mostly %xx / \xXX / \uXXXX escapes.
func (a *analyzer) encodedLit(e js.IExpr, min int) bool {
	for _, op := range flattenAdd(e) {
		switch x := unparen(op).(type) {
		case *js.LiteralExpr:
			if x.TokenType == js.StringToken && isEncoded(x.Data, min) {
				return true
			}
		case *js.Var:
			if c, ok := a.strConst[resolve(x)]; ok {
				if l, ok := unparen(c).(*js.LiteralExpr); ok && l.TokenType == js.StringToken && isEncoded(l.Data, min) {
					return true
				}
			}
		}
	}
	return false
}

// isEncoded classifies a raw string literal (quotes included).
func isEncoded(raw []byte, min int) bool {
	if len(raw) >= 2 {
		raw = raw[1 : len(raw)-1]
	}
	if len(raw) < min {
		return false
	}
	esc := 0
	b64, hex := true, true
	var digit, upper, lower bool
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '%' {
			if _, ok := hexVal(raw[i+1:], 2); ok {
				esc += 3
				i += 3
				continue
			}
		}
		if c == '\\' && i+1 < len(raw) {
			if _, ok := hexVal(raw[i+2:], 2); ok && raw[i+1] == 'x' {
				esc += 4
				i += 4
				continue
			}
			if _, ok := hexVal(raw[i+2:], 4); ok && raw[i+1] == 'u' {
				esc += 6
				i += 6
				continue
			}
		}
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		case c >= 'g' && c <= 'z':
			lower, hex = true, false
		case c >= 'G' && c <= 'Z':
			upper, hex = true, false
		case c == '+' || c == '/' || c == '=' || c == '-' || c == '_':
			hex = false
		default:
			b64, hex = false, false
		}
		i++
	}
	if esc*2 >= len(raw) {
		return true
	}
	if hex && digit && len(raw)%2 == 0 {
		return true
	}
	return b64 && digit && upper && lower && !binaryMedia(raw)
}

// binaryMedia reports whether base64 text starts like an image, font, audio,
// PDF or WebAssembly file: decoded data, not hidden code.
func binaryMedia(b64 []byte) bool {
	for _, p := range []string{"iVBORw0KGgo", "R0lGOD", "/9j/", "UklGR", "AGFzbQ", "d09GR", "d09GMg", "JVBERi0", "AAAA", "SUQz", "T2dnUw", "Qk0"} {
		if bytes.HasPrefix(b64, []byte(p)) {
			return true
		}
	}
	return false
}
