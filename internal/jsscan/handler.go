package jsscan

import (
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// handlerFacts is what a handler's body (nested functions excluded) does
// with its event.
type handlerFacts struct {
	returnsString   bool // returns a string (literal, template, concatenation, string variable)
	returnsOther    bool // returns a call's or unknown variable's value
	returnsFalse    bool // return false / !1
	preventDefault  bool
	setsReturnValue bool // event.returnValue = ...
	returnValueOff  bool // event.returnValue = false
	uncondCancel    bool // cancels in a statement that always runs

	keyProp, buttonProp    bool // reads keyCode/which/key/code/charCode, button/which
	ctrl, shift, alt, meta bool
	values                 map[string]bool // literals the handler compares against (numbers as decimal text)
}

// cancels reports whether the handler cancels the event's default action.
func (h *handlerFacts) cancels() bool {
	return h.preventDefault || h.returnsFalse || h.returnValueOff
}

func (h *handlerFacts) has(vals ...string) bool {
	for _, v := range vals {
		if h.values[v] {
			return true
		}
	}
	return false
}

// devtoolsKeys reports whether the handler singles out F12, Ctrl+Shift+I/J/C
// (Cmd+Opt on a Mac) or Ctrl+U.
func (h *handlerFacts) devtoolsKeys() bool {
	if !h.keyProp {
		return false
	}
	if h.has("123", "F12", "f12") {
		return true
	}
	mod := h.ctrl || h.meta
	if mod && (h.shift || h.alt) && h.has("73", "105", "I", "i", "KeyI", "74", "106", "J", "j", "KeyJ", "67", "99", "C", "c", "KeyC") {
		return true
	}
	return mod && h.has("85", "117", "U", "u", "KeyU")
}

// rightButton reports whether the handler tests for the right mouse button.
func (h *handlerFacts) rightButton() bool {
	return h.buttonProp && h.has("2", "3")
}

// inspect reads a handler's body once.
func (a *analyzer) inspect(fi *funcInfo) *handlerFacts {
	if fi.handler != nil {
		return fi.handler
	}
	h := &handlerFacts{}
	fi.handler = h
	if fi.body == nil {
		return h
	}
	hv := &a.hv
	*hv = handlerVisitor{a: a, h: h, budget: 20000}
	hv.visit(fi.body)
	for _, s := range fi.body.List {
		if a.isCancelStmt(s) {
			h.uncondCancel = true
		}
		if t, ok := s.(*js.TryStmt); ok && t.Body != nil {
			for _, s := range t.Body.List {
				if a.isCancelStmt(s) {
					h.uncondCancel = true
				}
			}
		}
	}
	return h
}

// isCancelStmt reports whether s cancels the event: return false,
// e.preventDefault(), e.returnValue = false (alone or in a comma list).
func (a *analyzer) isCancelStmt(s js.IStmt) bool {
	switch s := s.(type) {
	case *js.ReturnStmt:
		if s.Value == nil {
			return false
		}
		if b, ok := boolValue(s.Value); ok && !b && !isNullish(s.Value) {
			return true
		}
		return isCancelExpr(s.Value)
	case *js.ExprStmt:
		return isCancelExpr(s.Value)
	}
	return false
}

func isCancelExpr(e js.IExpr) bool {
	switch x := unparen(e).(type) {
	case *js.CallExpr:
		return memberName(x.X) == "preventDefault"
	case *js.BinaryExpr:
		if isAssign(x) && memberName(x.X) == "returnValue" {
			b, ok := boolValue(x.Y)
			return ok && !b
		}
		if x.Op == js.AndToken {
			return isCancelExpr(x.Y)
		}
	case *js.CommaExpr:
		for _, e := range x.List {
			if isCancelExpr(e) {
				return true
			}
		}
	}
	return false
}

// isNullish reports whether e is null, undefined or void x.
func isNullish(e js.IExpr) bool {
	switch x := unparen(e).(type) {
	case *js.LiteralExpr:
		return x.TokenType == js.NullToken
	case *js.Var:
		return string(x.Data) == "undefined" && isUndeclared(x)
	case *js.UnaryExpr:
		return x.Op == js.VoidToken
	}
	return false
}

type handlerVisitor struct {
	a      *analyzer
	h      *handlerFacts
	budget int
}

func (v *handlerVisitor) visit(n any) {
	if isNil(n) || v.budget <= 0 || v.a.data.meets(n) {
		return
	}
	v.budget--
	h := v.h
	switch n := n.(type) {
	case *js.FuncDecl, *js.ArrowFunc, *js.MethodDecl:
		return
	case *js.ReturnStmt:
		if n.Value != nil && !isNullish(n.Value) {
			switch b, ok := boolValue(n.Value); {
			case ok && !b && !isStringish(n.Value):
				h.returnsFalse = true
			case ok && !isStringish(n.Value):
			case isStringish(n.Value) || v.a.isStringVar(n.Value):
				h.returnsString = true
			default:
				h.returnsOther = true
			}
		}
	case *js.CallExpr:
		if memberName(n.X) == "preventDefault" {
			h.preventDefault = true
		}
		// 'I'.charCodeAt(0)
		if recv, name, ok := member(n.X); ok && name == "charCodeAt" {
			if s, ok := stringLit(recv); ok {
				put(&h.values, s, true)
			}
		}
	case *js.BinaryExpr:
		switch n.Op {
		case js.EqToken:
			if memberName(n.X) == "returnValue" {
				h.setsReturnValue = true
				if b, ok := boolValue(n.Y); ok && !b {
					h.returnValueOff = true
				}
			}
		case js.EqEqToken, js.EqEqEqToken, js.NotEqToken, js.NotEqEqToken:
			h.value(n.X)
			h.value(n.Y)
		}
	case *js.CaseClause:
		if n.Cond != nil {
			h.value(n.Cond)
		}
	case *js.DotExpr:
		switch litName(n.Y) {
		case "keyCode", "key", "code", "charCode", "keyIdentifier":
			h.keyProp = true
		case "which":
			h.keyProp, h.buttonProp = true, true
		case "button", "buttons":
			h.buttonProp = true
		case "ctrlKey":
			h.ctrl = true
		case "shiftKey":
			h.shift = true
		case "altKey":
			h.alt = true
		case "metaKey":
			h.meta = true
		}
	}
	children(n, v)
}

// value records a compared literal.
func (h *handlerFacts) value(e js.IExpr) {
	if len(h.values) > 256 {
		return
	}
	if f, ok := numberLit(e); ok {
		if f == float64(int64(f)) {
			put(&h.values, strconv.FormatInt(int64(f), 10), true)
		}
		return
	}
	if s, ok := stringLit(e); ok && len(s) <= 16 {
		put(&h.values, s, true)
	}
}

// isStringVar reports whether e is a variable assigned a string.
func (a *analyzer) isStringVar(e js.IExpr) bool {
	r := varOf(e)
	if r == nil {
		return false
	}
	_, ok := a.strConst[r]
	return ok
}

// checkRegistrations reports the traps that are a matter of what a handler
// does: beforeunload traps, context-menu blocks and devtools key blocks.
func (a *analyzer) checkRegistrations() {
	for i := range a.regs {
		reg := &a.regs[i]
		fi := reg.fn
		if fi == nil {
			fi = a.resolveTarget(reg.target)
		}
		if fi == nil {
			continue
		}
		h := a.inspect(fi)
		var found [numKinds]bool
		for _, ev := range reg.events {
			switch strings.ToLower(ev) {
			case "beforeunload", "unload":
				// An arrow's expression body is a return to the parser, so
				// only a string counts there; a function returning a call's
				// value (return myFunction()) is a trap too.
				if h.returnsString || h.returnsOther && !fi.arrow || h.setsReturnValue || h.preventDefault {
					found[kBeforeUnload] = true
				}
			case "contextmenu":
				if h.cancels() {
					found[kContextMenu] = true
				}
			case "mousedown", "mouseup":
				if h.cancels() && h.rightButton() {
					found[kContextMenu] = true
				}
			case "keydown", "keyup", "keypress":
				if h.cancels() && (h.devtoolsKeys() || h.uncondCancel && reg.global) {
					found[kDevtoolsKeys] = true
				}
			}
		}
		for k, ok := range found {
			if ok {
				a.hit(kind(k), reg.site)
			}
		}
	}
}
