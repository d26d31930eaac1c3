package jsscan

import (
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// collector is the first pass: it finds the functions, what each calls and
// schedules, which variables hold functions, strings and elements, and the
// event handlers. It reports nothing.
type collector struct {
	a       *analyzer
	fn      *funcInfo
	loop    int // loops around the current point, within fn
	depth   int
	nesting int // string code inside string code
}

func (c *collector) visit(n any) {
	if isNil(n) || c.depth >= maxDepth {
		return
	}
	// A panic abandons the whole analysis, so depth need not be restored
	// by a deferred call.
	c.depth++
	c.node(n)
	c.depth--
}

// node is visit's work on a non-nil n.
func (c *collector) node(n any) {
	a := c.a
	switch n := n.(type) {
	case *js.FuncDecl:
		c.function(n, &n.Params, &n.Body, false)
		return
	case *js.ArrowFunc:
		c.function(n, &n.Params, &n.Body, true)
		return
	case *js.MethodDecl:
		c.function(n, &n.Params, &n.Body, false)
		return
	case *js.ForStmt, *js.ForInStmt, *js.ForOfStmt, *js.WhileStmt, *js.DoWhileStmt:
		c.loop++
		children(n, c)
		c.loop--
		return
	case *js.CallExpr:
		a.collectCall(c, n)
	case *js.BinaryExpr:
		if isAssign(n) {
			a.collectAssign(c, n.X, n.Y, n)
		}
	case *js.BindingElement:
		if v, ok := n.Binding.(*js.Var); ok && n.Default != nil {
			a.collectAssign(c, v, n.Default, nil)
		}
	case *js.Var:
		if k := a.data.lit(n); k >= 0 {
			a.data.collect(a, c, k)
			return
		}
		if len(a.obfIdents) < 256 && isObfIdent(string(n.Data)) {
			put(&a.obfIdents, view(n.Data), struct{}{})
		}
		return
	case *js.Property:
		propertyParts(n, c)
		return
	case *js.LiteralExpr:
		if n.TokenType != js.StringToken {
			return
		}
		if s, ok := apiLiteral(n.Data); ok {
			put(&a.apiLits, s, true)
		}
		return
	}
	children(n, c)
}

// apiLiteral returns the value of a short string literal (raw, quotes
// included) that names a lock API.
func apiLiteral(raw []byte) (string, bool) {
	if len(raw) > 40 {
		return "", false
	}
	if in, plain := plainLiteral(raw); plain {
		// A short string(in) that is only compared stays off the heap.
		if isAPILiteral(string(in)) {
			return string(in), true
		}
		return "", false
	}
	s := unquote(raw)
	return s, isAPILiteral(s)
}

// local is the context the current point adds to its function's.
func (c *collector) local() ctxFlags {
	if c.loop > 0 {
		return fLoop
	}
	return 0
}

func (c *collector) function(n js.INode, params *js.Params, body *js.BlockStmt, arrow bool) {
	a := c.a
	fi := a.newFunc(n, body, arrow)
	parent := c.fn
	decl, name := false, (*js.Var)(nil)
	if fd, ok := n.(*js.FuncDecl); ok && fd.Name != nil {
		name = fd.Name
		decl = fd.Name.Decl == js.FunctionDecl
	}
	switch {
	case a.registered[n]:
		// A handler or timer callback runs in the context it was given.
	case a.iife[n]:
		a.pend = append(a.pend, pending{from: parent, toFn: fi, add: c.local(), propagate: true, link: true})
	case decl:
		// Runs where it is called by name.
	default:
		// A function expression passed along (a callback, a method): assume
		// it runs in its definer's context, but not once per loop turn.
		a.pend = append(a.pend, pending{from: parent, toFn: fi, propagate: true, link: true})
	}
	if name != nil {
		r := resolve(name)
		if _, ok := a.varFunc[r]; !ok {
			put(&a.varFunc, r, n)
		}
		if decl && parent.root {
			put(&a.globalFunc, view(name.Data), n)
		}
	}
	// The body is collected in fi, outside any loop of the definer.
	fn, loop := c.fn, c.loop
	c.fn, c.loop = fi, 0
	c.visit(params)
	c.visit(body)
	c.fn, c.loop = fn, loop
}

// collectCall records calls by name, immediately invoked functions, timers
// and handler registrations.
func (a *analyzer) collectCall(c *collector, call *js.CallExpr) {
	recv, name, v := callee(call.X)
	args := call.Args.List
	x := unparen(call.X)
	if isFunc(x) {
		put(&a.iife, js.INode(x), true)
	}
	if recv != nil && (name == "call" || name == "apply") {
		switch r := unparen(recv).(type) {
		case *js.FuncDecl, *js.ArrowFunc:
			put(&a.iife, js.INode(r), true)
		case *js.Var:
			a.pend = append(a.pend, pending{from: c.fn, to: r, add: c.local(), propagate: true, link: true, call: true})
		}
	}
	if v != nil {
		a.pend = append(a.pend, pending{from: c.fn, to: v, add: c.local(), propagate: true, link: true, call: true})
	}
	global := v != nil && isUndeclared(v) || recv != nil && isGlobalObject(recv)
	if tf, ok := timerFlags(name); ok && global && len(args) > 0 {
		a.schedule(c, args[0].Value, tf|c.local())
		return
	}
	a.collectRegistration(c, call, recv, name, args)
}

// schedule gives a timer callback (function, variable or code string) its
// context, and links it from the scheduling function for recursion.
func (a *analyzer) schedule(c *collector, e js.IExpr, flags ctxFlags) {
	e = unbind(unparen(e))
	switch x := e.(type) {
	case *js.FuncDecl, *js.ArrowFunc:
		put(&a.registered, js.INode(x), true)
		a.seeds = append(a.seeds, seed{to: x, add: flags})
		a.pend = append(a.pend, pending{from: c.fn, to: x, link: true})
	case *js.Var:
		a.seeds = append(a.seeds, seed{to: x, add: flags})
		a.pend = append(a.pend, pending{from: c.fn, to: x, link: true})
	default:
		if code, ok := a.codeString(e); ok {
			if root := a.subScript(c, code, false); root != nil {
				a.seeds = append(a.seeds, seed{toFn: root, add: flags})
				a.pend = append(a.pend, pending{from: c.fn, toFn: root, link: true})
			}
		}
	}
}

// unbind turns function(){}.bind(x) into the function.
func unbind(e js.IExpr) js.IExpr {
	if call, ok := e.(*js.CallExpr); ok {
		if recv, name, ok := member(call.X); ok && name == "bind" && isFunc(unparen(recv)) {
			return unparen(recv)
		}
	}
	return e
}

// codeString returns the text of a string literal or a concatenation of
// literals (other parts left out) used as code.
func (a *analyzer) codeString(e js.IExpr) (string, bool) {
	return a.strValue(e, 0)
}

// subScript parses code held in a string and collects from it; nil when it
// is not parsed (limits, syntax errors).
func (a *analyzer) subScript(c *collector, code string, inline bool) *funcInfo {
	if len(a.subs) >= maxSubScripts || c.nesting >= maxSubNesting || len(code) > maxSubScript || strings.TrimSpace(code) == "" {
		return nil
	}
	ast, err := parseJS([]byte(code), true, inline)
	if err != nil {
		return nil
	}
	root := a.newRoot(ast)
	a.subs = append(a.subs, subScript{ast: ast, root: root})
	sub := &collector{a: a, fn: root, depth: c.depth, nesting: c.nesting + 1}
	sub.visit(ast)
	return root
}

// collectRegistration recognises addEventListener, attachEvent, jQuery's
// on/bind/one/live/delegate and shorthands, and setAttribute("on...").
func (a *analyzer) collectRegistration(c *collector, call *js.CallExpr, recv js.IExpr, name string, args []js.Arg) {
	if recv == nil || len(args) == 0 {
		return
	}
	switch name {
	case "addEventListener", "attachEvent":
		if len(args) < 2 {
			return
		}
		ev, ok := stringLit(args[0].Value)
		if !ok {
			return
		}
		ev = strings.ToLower(strings.TrimSpace(ev))
		if name == "attachEvent" {
			ev = strings.TrimPrefix(ev, "on")
		}
		once := len(args) > 2 && onceOption(args[2].Value)
		a.registerOnce(c, []string{ev}, a.isGlobalTarget(recv, c), once, args[1].Value, call)
	case "on", "bind", "one", "live":
		if obj, ok := unparen(args[0].Value).(*js.ObjectExpr); ok {
			delegated := len(args) > 1 && isStringish(args[1].Value)
			for _, p := range obj.List {
				if p.Name == nil || p.Name.IsComputed() {
					continue
				}
				events := splitEvents(unquote(p.Name.Literal.Data))
				a.register(c, events, !delegated && a.isGlobalTarget(recv, c), p.Value, call)
			}
			return
		}
		ev, ok := stringLit(args[0].Value)
		if !ok || len(args) < 2 {
			return
		}
		delegated := len(args) > 2 && isStringish(args[1].Value)
		a.register(c, splitEvents(ev), !delegated && a.isGlobalTarget(recv, c), args[len(args)-1].Value, call)
	case "delegate":
		if len(args) < 3 {
			return
		}
		if ev, ok := stringLit(args[1].Value); ok {
			a.register(c, splitEvents(ev), false, args[len(args)-1].Value, call)
		}
	case "setAttribute":
		if len(args) < 2 {
			return
		}
		attr, ok := stringLit(args[0].Value)
		if !ok {
			return
		}
		attr = strings.ToLower(attr)
		switch {
		case strings.HasPrefix(attr, "on") && domEvent(attr[2:]):
			code, ok := a.codeString(args[1].Value)
			if !ok {
				return
			}
			if root := a.subScript(c, code, true); root != nil {
				events := []string{attr[2:]}
				global := a.isGlobalTarget(recv, c) || windowEvent(attr[2:])
				a.seeds = append(a.seeds, seed{toFn: root, add: eventFlags(events, global)})
				a.regs = append(a.regs, registration{events: events, global: global, fn: root, site: call})
			}
		case attr == "download":
			if r := varOf(recv); r != nil {
				put(&a.facts, r, a.facts[r]|vDownload)
			}
		}
	default:
		if isShorthandEvent(name) {
			h := unbind(unparen(args[len(args)-1].Value))
			if _, ok := h.(*js.Var); ok || isFunc(h) {
				a.register(c, []string{name}, a.isGlobalTarget(recv, c), h, call)
			}
		}
	}
}

// onceOption reports whether addEventListener options say {once: true}.
func onceOption(e js.IExpr) bool {
	obj, ok := unparen(e).(*js.ObjectExpr)
	if !ok {
		return false
	}
	for _, p := range obj.List {
		if p.Name != nil && !p.Name.IsComputed() && unquote(p.Name.Literal.Data) == "once" {
			b, ok := boolValue(p.Value)
			return ok && b
		}
	}
	return false
}

// register records a handler of events.
func (a *analyzer) register(c *collector, events []string, global bool, h js.IExpr, site js.INode) {
	a.registerOnce(c, events, global, false, h, site)
}

// registerOnce records a handler of events; a handler that runs once
// (addEventListener's {once: true}) does not repeat with its event.
func (a *analyzer) registerOnce(c *collector, events []string, global, once bool, h js.IExpr, site js.INode) {
	if len(events) == 0 || h == nil {
		return
	}
	for _, ev := range events {
		if windowEvent(ev) {
			global = true
		}
	}
	h = unbind(unparen(h))
	var target js.INode
	switch x := h.(type) {
	case *js.FuncDecl, *js.ArrowFunc:
		put(&a.registered, js.INode(x), true)
		target = x
	case *js.Var:
		target = x
	default:
		return
	}
	f := eventFlags(events, global)
	if once {
		f &^= fRepeat | fGlobalClick
	}
	if f != 0 {
		a.seeds = append(a.seeds, seed{to: target, add: f})
	}
	a.regs = append(a.regs, registration{events: events, global: global, target: target, site: site})
}

// collectAssign records what an assignment (or a var initialiser) says:
// functions and strings held in variables, element facts, handler
// properties (x.onclick = f) and global functions (window.f = function).
func (a *analyzer) collectAssign(c *collector, lhs, rhs js.IExpr, site js.INode) {
	rv := unparen(rhs)
	switch l := unparen(lhs).(type) {
	case *js.Var:
		r := resolve(l)
		if isFunc(rv) {
			if _, ok := a.varFunc[r]; !ok {
				put(&a.varFunc, r, js.INode(rv))
			}
			if r.Decl == js.NoDecl || c.fn.root && r.Decl == js.VariableDecl {
				if _, ok := a.globalFunc[string(l.Data)]; !ok {
					put(&a.globalFunc, view(l.Data), js.INode(rv))
				}
			}
		}
		if _, ok := a.strConst[r]; !ok && isStringish(rv) {
			put(&a.strConst, r, rv)
		}
		if f := a.exprFacts(rv); f != 0 {
			put(&a.facts, r, a.facts[r]|f)
		}
		if site != nil && r.Decl == js.NoDecl && c.fn.root {
			if name := string(l.Data); strings.HasPrefix(name, "on") && domEvent(name[2:]) {
				a.register(c, []string{name[2:]}, true, rhs, site)
			}
		}
	case *js.DotExpr, *js.IndexExpr:
		recv, name, ok := member(l)
		if !ok {
			return
		}
		lname := strings.ToLower(name)
		// DOM handler properties are lower case; onMouseDown is some
		// object's method.
		if name == lname && strings.HasPrefix(name, "on") && domEvent(name[2:]) && site != nil {
			a.register(c, []string{name[2:]}, a.isGlobalTarget(recv, c), rhs, site)
			return
		}
		if isFunc(rv) && isGlobalObject(recv) {
			if _, ok := a.globalFunc[name]; !ok {
				put(&a.globalFunc, name, js.INode(rv))
			}
			return
		}
		r := varOf(recv)
		if r == nil {
			return
		}
		switch lname {
		case "download":
			put(&a.facts, r, a.facts[r]|vDownload)
		case "href":
			if a.mentionsCall(rv, "createObjectURL", 64) {
				put(&a.facts, r, a.facts[r]|vDownload)
			}
		}
	}
}

// varOf returns the declaration of a variable expression, or nil.
func varOf(e js.IExpr) *js.Var {
	if v, ok := unparen(e).(*js.Var); ok {
		return resolve(v)
	}
	return nil
}

// isStringish reports whether e is a string literal, template or a
// concatenation starting or ending with one.
func isStringish(e js.IExpr) bool {
	switch x := unparen(e).(type) {
	case *js.LiteralExpr:
		return x.TokenType == js.StringToken
	case *js.TemplateExpr:
		return x.Tag == nil
	case *js.BinaryExpr:
		if x.Op != js.AddToken {
			return false
		}
		for i := 0; i < 1000; i++ {
			if isStringish(x.Y) {
				return true
			}
			l, ok := unparen(x.X).(*js.BinaryExpr)
			if !ok || l.Op != js.AddToken {
				return isStringish(x.X)
			}
			x = l
		}
	}
	return false
}

// isGlobalTarget reports whether handlers attached to e see every event of
// the page: window, document, <body>, <html>, and their jQuery wrappers.
func (a *analyzer) isGlobalTarget(e js.IExpr, c *collector) bool {
	e = unparen(e)
	if isGlobalObject(e) || globalNamed(e, "document") {
		return true
	}
	switch x := e.(type) {
	case *js.LiteralExpr:
		// this is the window at a script's top level and <body> in its
		// handler attributes, another element in that element's.
		return x.TokenType == js.ThisToken && c.fn.root && c.nesting == 0 && !a.thisElem
	case *js.DotExpr:
		switch litName(x.Y) {
		case "document":
			return isGlobalObject(x.X)
		case "body", "documentElement":
			return globalNamed(x.X, "document") || isGlobalTarget0(x.X)
		}
	case *js.CallExpr:
		_, name, v := callee(x.X)
		args := x.Args.List
		if v != nil && (name == "$" || name == "jQuery") && len(args) == 1 {
			if s, ok := stringLit(args[0].Value); ok {
				s = strings.ToLower(strings.TrimSpace(s))
				return s == "body" || s == "html" || s == "document" || s == "window"
			}
			return a.isGlobalTarget(args[0].Value, c)
		}
		if name == "querySelector" && len(args) == 1 {
			s, _ := stringLit(args[0].Value)
			return s == "body" || s == "html"
		}
	case *js.IndexExpr:
		if call, ok := unparen(x.X).(*js.CallExpr); ok {
			_, name, _ := callee(call.X)
			if name == "getElementsByTagName" && len(call.Args.List) == 1 {
				s, _ := stringLit(call.Args.List[0].Value)
				s = strings.ToLower(s)
				return s == "body" || s == "html"
			}
		}
	}
	return false
}

// isGlobalTarget0 is window.document.
func isGlobalTarget0(e js.IExpr) bool {
	d, ok := unparen(e).(*js.DotExpr)
	return ok && litName(d.Y) == "document" && isGlobalObject(d.X)
}

// exprFacts says what kind of object an expression evaluates to.
func (a *analyzer) exprFacts(e js.IExpr) varFacts {
	switch x := unparen(e).(type) {
	case *js.NewExpr:
		if globalNamed(x.X, "Audio") {
			return vAudio
		}
	case *js.CallExpr:
		_, name, _ := callee(x.X)
		var arg string
		if len(x.Args.List) > 0 {
			arg, _ = stringLit(x.Args.List[0].Value)
			arg = strings.ToLower(strings.TrimSpace(arg))
		}
		switch name {
		case "createElement":
			switch arg {
			case "a":
				return vAnchor
			case "audio", "video":
				return vAudio
			}
		case "getElementById", "querySelector", "getElementsByTagName", "getElementsByClassName", "querySelectorAll", "getElementsByName":
			if arg == "audio" || strings.HasPrefix(arg, "audio") {
				return vDOM | vAudio
			}
			return vDOM
		}
	case *js.IndexExpr:
		if call, ok := unparen(x.X).(*js.CallExpr); ok {
			_, name, v := callee(call.X)
			if v != nil && (name == "$" || name == "jQuery") {
				return vDOM
			}
			return a.exprFacts(call) & (vDOM | vAudio)
		}
	case *js.DotExpr, *js.BinaryExpr, *js.CondExpr:
		return a.aliasFacts(x)
	}
	return 0
}

// aliasFacts reports whether e (searched to 32 nodes, not into functions)
// reads a fullscreen or a pointer-lock property: vFullscreen and
// vPointerLock. The two are sought in one pass, which finds each exactly
// where a search for it alone would: the nodes are visited in the same
// order, and a node that has one kind of name cannot have the other.
func (a *analyzer) aliasFacts(e js.INode) varFacts {
	s := &a.alias
	*s = aliasSearch{budget: 32, data: a.data}
	s.visit(e)
	return s.facts
}

// aliasSearch is the state of aliasFacts, kept in the analyzer so that
// the search allocates nothing.
type aliasSearch struct {
	budget int
	facts  varFacts
	data   *dataLits
}

func (s *aliasSearch) visit(n any) {
	if isNil(n) || s.facts == vFullscreen|vPointerLock || s.budget <= 0 || s.data.meets(n) {
		return
	}
	s.budget--
	var name string
	switch x := n.(type) {
	case *js.DotExpr:
		name = litName(x.Y)
	case *js.IndexExpr:
		name, _ = stringLit(x.Y)
	case *js.FuncDecl, *js.ArrowFunc, *js.MethodDecl:
		return
	}
	switch {
	case name == "":
	case isFullscreenName(name):
		s.facts |= vFullscreen
	case isPointerLockName(name):
		s.facts |= vPointerLock
	}
	children(n, s)
}

// mentionsCall reports whether e calls a function or method named name.
func (a *analyzer) mentionsCall(e js.INode, name string, budget int) bool {
	s := &searcher{budget: budget, data: a.data, match: func(n any) bool {
		call, ok := n.(*js.CallExpr)
		if !ok {
			return false
		}
		_, cn, _ := callee(call.X)
		return cn == name
	}}
	s.visit(e)
	return s.found != nil
}

// searcher finds the first node matching a predicate within a node budget,
// without entering functions.
type searcher struct {
	budget int
	match  func(any) bool
	found  any
	data   *dataLits
}

func (s *searcher) visit(n any) {
	if isNil(n) || s.found != nil || s.budget <= 0 || s.data.meets(n) {
		return
	}
	s.budget--
	if s.match(n) {
		s.found = n
		return
	}
	switch n.(type) {
	case *js.FuncDecl, *js.ArrowFunc, *js.MethodDecl:
		return
	}
	children(n, s)
}
