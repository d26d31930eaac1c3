package jsscan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// ctxFlags say how often, or on what, a function runs.
type ctxFlags uint16

const (
	fLoop        ctxFlags = 1 << iota // inside a loop, or called from one
	fInterval                         // a setInterval callback
	fTimeout                          // a one-shot setTimeout/requestAnimationFrame callback
	fRecursive                        // part of a call cycle (including rescheduling itself with a timer)
	fUnload                           // a beforeunload/unload/pagehide handler
	fPopstate                         // a popstate/hashchange handler (not passed on to the functions it calls)
	fRepeat                           // a handler of a frequent event on the window or document (blur, mousemove, keydown, ...)
	fGlobalClick                      // a click-like handler on the window or document
)

// directOnly are the contexts that do not flow along calls by name: a
// router's popstate handler calling its navigate() is no trap, a handler
// pushing state itself is.
const directOnly = fPopstate

// The contexts in which each kind counts.
const (
	repeatCtx  = fLoop | fInterval | fRecursive
	dialogCtx  = repeatCtx | fUnload | fRepeat | fGlobalClick
	historyCtx = repeatCtx | fPopstate | fUnload
	openCtx    = repeatCtx | fUnload | fPopstate | fRepeat | fGlobalClick
	audioCtx   = repeatCtx | fUnload | fRepeat | fGlobalClick
)

// funcInfo is a function of the script, or the script itself (root).
type funcInfo struct {
	node  js.INode // *js.FuncDecl, *js.ArrowFunc, *js.MethodDecl, or *js.AST for a root
	body  *js.BlockStmt
	arrow bool
	root  bool
	flags ctxFlags
	out   []edge      // flags flow along these
	links []*funcInfo // call-graph edges, for recursion

	handler *handlerFacts // what inspect read of its body

	index, low int // Tarjan's SCC
	onStack    bool
	visited    bool
}

// edge makes the target run in the source's context plus add.
type edge struct {
	to   *funcInfo
	add  ctxFlags
	call bool // a call by name, which does not pass on directOnly contexts
}

// pending is an edge whose target (a variable or function node) is resolved
// after the whole script has been read.
type pending struct {
	from      *funcInfo
	to        js.INode // *js.Var or function node
	toFn      *funcInfo
	add       ctxFlags
	propagate bool
	link      bool
	call      bool
}

// seed gives a function a context of its own (timer or handler).
type seed struct {
	to   js.INode
	toFn *funcInfo
	add  ctxFlags
}

// varFacts is what an assignment says about a variable's value.
type varFacts uint8

const (
	vAudio       varFacts = 1 << iota // new Audio(), createElement("audio")
	vDOM                              // an element looked up in the document
	vAnchor                           // createElement("a")
	vDownload                         // .download or a blob href was set on it
	vFullscreen                       // an alias of requestFullscreen
	vPointerLock                      // an alias of requestPointerLock
)

// registration is an event handler attached to something.
type registration struct {
	events []string
	global bool     // attached to window, document, <body> or <html>
	target js.INode // handler: function node or *js.Var
	fn     *funcInfo
	site   js.INode
}

// subScript is JavaScript source held in a string: setTimeout("f()"),
// setAttribute("onclick", "...").
type subScript struct {
	ast  *js.AST
	root *funcInfo
}

type analyzer struct {
	thisElem bool // the script is the body of an element's handler attribute: this is the element
	text     textCollector
	counts   [numKinds]int
	evidence [numKinds]string

	funcs      map[js.INode]*funcInfo
	order      []*funcInfo
	varFunc    map[*js.Var]js.INode
	globalFunc map[string]js.INode
	strConst   map[*js.Var]js.IExpr
	facts      map[*js.Var]varFacts
	registered map[js.INode]bool
	iife       map[js.INode]bool
	pend       []pending
	seeds      []seed
	regs       []registration
	subs       []subScript

	obfIdents map[string]struct{}
	apiLits   map[string]bool
	consumed  map[js.INode]bool

	data *dataLits // the literals cut out of the script, or nil

	// The walkers' state, kept here so that a walk allocates nothing.
	alias aliasSearch // aliasFacts's
	col   collector
	fin   finder
	hv    handlerVisitor
}

// newAnalyzer returns an analyzer; its maps are made on first write (most
// scripts and handlers fill only a few).
func newAnalyzer() *analyzer {
	return &analyzer{text: newTextCollector()}
}

// put sets m[k] to v, making the map first when it is nil.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
}

// run analyses ast: the collecting pass, context resolution, handler
// checks, then the finding pass. A non-empty event makes the script the
// body of a handler of that event, attached to the window, document or
// <body> when global.
func (a *analyzer) run(ast *js.AST, event string, global bool) {
	root := a.newRoot(ast)
	if event != "" {
		a.thisElem = !global
		global = global || windowEvent(event)
		a.seeds = append(a.seeds, seed{toFn: root, add: eventFlags([]string{event}, global)})
		a.regs = append(a.regs, registration{events: []string{event}, global: global, fn: root, site: ast})
	}
	c := &a.col
	*c = collector{a: a, fn: root}
	c.visit(ast)
	a.link()
	a.checkRegistrations()
	f := &a.fin
	*f = finder{a: a, fn: root}
	f.visit(ast)
	for _, s := range a.subs {
		*f = finder{a: a, fn: s.root}
		f.visit(s.ast)
	}
	a.checkObfuscator()
}

// newRoot returns the funcInfo of a script's top level. Roots are not in
// a.funcs: nothing looks a root up by its node.
func (a *analyzer) newRoot(ast *js.AST) *funcInfo {
	fi := &funcInfo{node: ast, body: &ast.BlockStmt, root: true}
	a.order = append(a.order, fi)
	return fi
}

func (a *analyzer) newFunc(n js.INode, body *js.BlockStmt, arrow bool) *funcInfo {
	if fi, ok := a.funcs[n]; ok {
		return fi
	}
	fi := &funcInfo{node: n, body: body, arrow: arrow}
	put(&a.funcs, n, fi)
	a.order = append(a.order, fi)
	return fi
}

// hit records a site of kind k.
func (a *analyzer) hit(k kind, site js.INode) {
	a.counts[k]++
	if a.evidence[k] == "" && site != nil {
		a.evidence[k] = render(site)
	}
}

// hitText records a site of kind k with evidence text.
func (a *analyzer) hitText(k kind, evidence string) {
	a.counts[k]++
	if a.evidence[k] == "" {
		a.evidence[k] = truncate(evidence, maxEvidence)
	}
}

func (a *analyzer) result() Result {
	var r Result
	for k := kind(0); k < numKinds; k++ {
		if a.counts[k] > 0 {
			r.Findings = append(r.Findings, Finding{Kind: k.String(), Count: a.counts[k], Evidence: a.evidence[k]})
		}
	}
	r.Dialogs = a.text.dialogs
	r.Strings = a.text.strings
	return r
}

// resolveTarget finds the function a variable or function node stands for.
func (a *analyzer) resolveTarget(n js.INode) *funcInfo {
	v, ok := n.(*js.Var)
	if !ok {
		return a.funcs[n]
	}
	r := resolve(v)
	if fn, ok := a.varFunc[r]; ok {
		return a.funcs[fn]
	}
	if r.Decl == js.NoDecl {
		if fn, ok := a.globalFunc[string(r.Data)]; ok {
			return a.funcs[fn]
		}
	}
	return nil
}

// link resolves the pending edges and seeds, marks call cycles recursive and
// propagates contexts along the call edges to a fixed point.
func (a *analyzer) link() {
	for _, p := range a.pend {
		to := p.toFn
		if to == nil {
			to = a.resolveTarget(p.to)
		}
		if to == nil || p.from == nil {
			continue
		}
		if p.propagate {
			p.from.out = append(p.from.out, edge{to: to, add: p.add, call: p.call})
		}
		if p.link {
			p.from.links = append(p.from.links, to)
		}
	}
	for _, s := range a.seeds {
		to := s.toFn
		if to == nil {
			to = a.resolveTarget(s.to)
		}
		if to != nil {
			to.flags |= s.add
		}
	}
	a.markRecursion()
	work := append([]*funcInfo(nil), a.order...)
	for len(work) > 0 {
		f := work[len(work)-1]
		work = work[:len(work)-1]
		for _, e := range f.out {
			from := f.flags
			if e.call {
				from &^= directOnly
			}
			nf := e.to.flags | from | e.add
			if nf != e.to.flags {
				e.to.flags = nf
				work = append(work, e.to)
			}
		}
	}
}

// markRecursion flags the functions on call cycles (Tarjan's algorithm,
// iterative so deep call chains cannot exhaust the stack).
func (a *analyzer) markRecursion() {
	index := 0
	var stack []*funcInfo
	type frame struct {
		f *funcInfo
		i int
	}
	var calls []frame
	for _, start := range a.order {
		if start.visited {
			continue
		}
		calls = append(calls[:0], frame{f: start})
		start.visited, start.index, start.low, start.onStack = true, index, index, true
		index++
		stack = append(stack, start)
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			f := top.f
			if top.i < len(f.links) {
				w := f.links[top.i]
				top.i++
				if !w.visited {
					w.visited, w.index, w.low, w.onStack = true, index, index, true
					index++
					stack = append(stack, w)
					calls = append(calls, frame{f: w})
				} else if w.onStack && w.index < f.low {
					f.low = w.index
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				if p := calls[len(calls)-1].f; f.low < p.low {
					p.low = f.low
				}
			}
			if f.low != f.index {
				continue
			}
			// f is the root of a strongly connected component: the stack
			// from f up.
			i := len(stack) - 1
			for stack[i] != f {
				i--
			}
			scc := stack[i:]
			for _, w := range scc {
				w.onStack = false
			}
			if len(scc) > 1 || selfLinked(f) {
				for _, w := range scc {
					w.flags |= fRecursive
				}
			}
			stack = stack[:i]
		}
	}
}

func selfLinked(f *funcInfo) bool {
	for _, w := range f.links {
		if w == f {
			return true
		}
	}
	return false
}

// checkObfuscator reports javascript-obfuscator output: many _0x… names;
// in such scripts the lock APIs are reached through a string table, so the
// table's entries stand in for the calls that cannot be seen.
func (a *analyzer) checkObfuscator() {
	if len(a.obfIdents) < obfIdentMin {
		return
	}
	names := make([]string, 0, len(a.obfIdents))
	for n := range a.obfIdents {
		names = append(names, n)
	}
	sort.Strings(names)
	names = names[:3]
	a.hitText(kObfuscation, fmt.Sprintf("javascript-obfuscator identifiers (%d+ like %s)", len(a.obfIdents), strings.Join(names, ", ")))
	apis := make([]string, 0, len(a.apiLits))
	for n := range a.apiLits {
		apis = append(apis, n)
	}
	sort.Strings(apis)
	for _, n := range apis {
		var k kind
		switch {
		case isFullscreenName(n):
			k = kFullscreen
		case isPointerLockName(n):
			k = kPointerLock
		default:
			continue
		}
		if a.counts[k] == 0 {
			a.hitText(k, fmt.Sprintf("string table entry %q in obfuscated script", n))
		}
	}
	if a.apiLits["keyboard"] && a.apiLits["lock"] && a.counts[kKeyboardLock] == 0 {
		a.hitText(kKeyboardLock, `string table entries "keyboard", "lock" in obfuscated script`)
	}
}
