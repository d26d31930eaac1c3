package jsscan

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/tdewolff/parse/v2/js"
)

// visitor receives the children of a node from children. A node is passed
// as an any, not a js.INode: the AST's fields are IExpr, IStmt and
// IBinding, and converting one of those to INode looks the node's type up
// at run time, where converting it to any only loads it.
type visitor interface {
	visit(n any)
}

// children calls v.visit for every direct child of n, in source order where
// that is cheap. It mirrors js.Walk (parse/v2 v2.8.20) but lets the caller
// decide, node by node, how to descend.
func children(n any, v visitor) {
	switch n := n.(type) {
	case *js.AST:
		v.visit(&n.BlockStmt)
	case *js.BlockStmt:
		for _, s := range n.List {
			v.visit(s)
		}
	case *js.ExprStmt:
		v.visit(n.Value)
	case *js.IfStmt:
		v.visit(n.Cond)
		v.visit(n.Body)
		v.visit(n.Else)
	case *js.DoWhileStmt:
		v.visit(n.Body)
		v.visit(n.Cond)
	case *js.WhileStmt:
		v.visit(n.Cond)
		v.visit(n.Body)
	case *js.ForStmt:
		v.visit(n.Init)
		v.visit(n.Cond)
		v.visit(n.Post)
		if n.Body != nil {
			v.visit(n.Body)
		}
	case *js.ForInStmt:
		v.visit(n.Init)
		v.visit(n.Value)
		if n.Body != nil {
			v.visit(n.Body)
		}
	case *js.ForOfStmt:
		v.visit(n.Init)
		v.visit(n.Value)
		if n.Body != nil {
			v.visit(n.Body)
		}
	case *js.CaseClause:
		v.visit(n.Cond)
		for _, s := range n.List {
			v.visit(s)
		}
	case *js.SwitchStmt:
		v.visit(n.Init)
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.ReturnStmt:
		v.visit(n.Value)
	case *js.WithStmt:
		v.visit(n.Cond)
		v.visit(n.Body)
	case *js.LabelledStmt:
		v.visit(n.Value)
	case *js.ThrowStmt:
		v.visit(n.Value)
	case *js.TryStmt:
		if n.Body != nil {
			v.visit(n.Body)
		}
		v.visit(n.Binding)
		if n.Catch != nil {
			v.visit(n.Catch)
		}
		if n.Finally != nil {
			v.visit(n.Finally)
		}
	case *js.ExportStmt:
		v.visit(n.Decl)
	case *js.PropertyName:
		v.visit(n.Computed)
	case *js.BindingArray:
		for i := range n.List {
			v.visit(&n.List[i])
		}
		v.visit(n.Rest)
	case *js.BindingObjectItem:
		if n.Key != nil {
			v.visit(n.Key)
		}
		v.visit(&n.Value)
	case *js.BindingObject:
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.BindingElement:
		v.visit(n.Binding)
		v.visit(n.Default)
	case *js.VarDecl:
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.Params:
		for i := range n.List {
			v.visit(&n.List[i])
		}
		v.visit(n.Rest)
	case *js.FuncDecl:
		v.visit(&n.Params)
		v.visit(&n.Body)
	case *js.MethodDecl:
		v.visit(&n.Name)
		v.visit(&n.Params)
		v.visit(&n.Body)
	case *js.ClassElementName:
		v.visit(&n.PropertyName)
	case *js.Field:
		v.visit(&n.Name)
		v.visit(n.Init)
	case *js.ClassDecl:
		v.visit(n.Extends)
		for i := range n.List {
			item := &n.List[i]
			switch {
			case item.StaticBlock != nil:
				v.visit(item.StaticBlock)
			case item.Method != nil:
				v.visit(item.Method)
			default:
				v.visit(&item.Field)
			}
		}
	case *js.Element:
		v.visit(n.Value)
	case *js.ArrayExpr:
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.Property:
		if n.Name != nil {
			v.visit(n.Name)
		}
		v.visit(n.Value)
		v.visit(n.Init)
	case *js.ObjectExpr:
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.TemplatePart:
		v.visit(n.Expr)
	case *js.TemplateExpr:
		v.visit(n.Tag)
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.GroupExpr:
		v.visit(n.X)
	case *js.IndexExpr:
		v.visit(n.X)
		v.visit(n.Y)
	case *js.DotExpr:
		v.visit(n.X)
	case *js.Arg:
		v.visit(n.Value)
	case *js.Args:
		for i := range n.List {
			v.visit(&n.List[i])
		}
	case *js.NewExpr:
		v.visit(n.X)
		if n.Args != nil {
			v.visit(n.Args)
		}
	case *js.CallExpr:
		v.visit(n.X)
		v.visit(&n.Args)
	case *js.UnaryExpr:
		v.visit(n.X)
	case *js.BinaryExpr:
		v.visit(n.X)
		v.visit(n.Y)
	case *js.CondExpr:
		v.visit(n.Cond)
		v.visit(n.X)
		v.visit(n.Y)
	case *js.YieldExpr:
		v.visit(n.X)
	case *js.ArrowFunc:
		v.visit(&n.Params)
		v.visit(&n.Body)
	case *js.CommaExpr:
		for _, e := range n.List {
			v.visit(e)
		}
	}
}

// propertyParts is children for a property, but for its name when that is
// not computed: such a name has no children, and the walkers that call it
// (collector, finder) would do nothing there.
func propertyParts(n *js.Property, v visitor) {
	if n.Name != nil && n.Name.IsComputed() {
		v.visit(n.Name)
	}
	v.visit(n.Value)
	v.visit(n.Init)
}

// isNil reports whether n is a nil interface or a typed nil pointer of the
// node types that the AST leaves nil.
func isNil(n any) bool {
	switch n := n.(type) {
	case nil:
		return true
	case *js.BlockStmt:
		return n == nil
	case *js.Var:
		return n == nil
	case *js.PropertyName:
		return n == nil
	case *js.Args:
		return n == nil
	}
	return false
}

// unparen strips grouping parentheses.
func unparen(e js.IExpr) js.IExpr {
	for i := 0; i < 64; i++ {
		g, ok := e.(*js.GroupExpr)
		if !ok {
			return e
		}
		e = g.X
	}
	return e
}

// resolve follows a variable's links to its declaration.
func resolve(v *js.Var) *js.Var {
	for i := 0; i < 64 && v.Link != nil; i++ {
		v = v.Link
	}
	return v
}

// isUndeclared reports whether v names a variable the script never declares:
// a global such as window or alert.
func isUndeclared(v *js.Var) bool {
	return resolve(v).Decl == js.NoDecl
}

// globalNamed reports whether e is the undeclared identifier name.
func globalNamed(e js.IExpr, name string) bool {
	v, ok := unparen(e).(*js.Var)
	return ok && string(v.Data) == name && isUndeclared(v)
}

// isGlobalObject reports whether e is window or one of its aliases.
func isGlobalObject(e js.IExpr) bool {
	e = unparen(e)
	if v, ok := e.(*js.Var); ok && isUndeclared(v) {
		switch string(v.Data) {
		case "window", "self", "top", "parent", "globalThis", "frames":
			return true
		}
	}
	if d, ok := e.(*js.DotExpr); ok {
		if name := litName(d.Y); name == "window" || name == "self" || name == "top" {
			return isGlobalObject(d.X)
		}
	}
	return false
}

// isGlobalNamed reports whether e is name or window.name (for an undeclared name).
func isGlobalNamed(e js.IExpr, name string) bool {
	e = unparen(e)
	if globalNamed(e, name) {
		return true
	}
	recv, n, ok := member(e)
	return ok && n == name && isGlobalObject(recv)
}

// litName returns the identifier or literal text of a DotExpr's Y.
func litName(e js.IExpr) string {
	switch y := e.(type) {
	case js.LiteralExpr:
		return view(y.Data)
	case *js.LiteralExpr:
		return view(y.Data)
	case *js.Var:
		return view(y.Data)
	}
	return ""
}

// view returns the text of a node's source bytes without copying them.
// The parser's input is not written to once it has parsed, so the string
// stays as it is for as long as the analysis that holds it.
func view(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// member splits a member expression a.b or a["b"] into receiver and name.
func member(e js.IExpr) (recv js.IExpr, name string, ok bool) {
	switch x := unparen(e).(type) {
	case *js.DotExpr:
		return x.X, litName(x.Y), true
	case *js.IndexExpr:
		if s, ok := stringLit(x.Y); ok {
			return x.X, s, true
		}
	}
	return nil, "", false
}

// memberName returns the property name of a member expression, or "".
func memberName(e js.IExpr) string {
	_, name, _ := member(e)
	return name
}

// callee describes what a call calls: a bare identifier (recv nil) or a
// method (recv non-nil).
func callee(x js.IExpr) (recv js.IExpr, name string, v *js.Var) {
	x = unparen(x)
	if vv, ok := x.(*js.Var); ok {
		return nil, view(vv.Data), vv
	}
	recv, name, _ = member(x)
	return recv, name, nil
}

// stringLit returns the value of a string literal or a template without
// substitutions.
func stringLit(e js.IExpr) (string, bool) {
	switch x := unparen(e).(type) {
	case *js.LiteralExpr:
		if x.TokenType == js.StringToken {
			return unquote(x.Data), true
		}
	case *js.TemplateExpr:
		if x.Tag == nil && len(x.List) == 0 {
			return templateText(x.Tail), true
		}
	}
	return "", false
}

// numberLit returns the value of a numeric literal.
func numberLit(e js.IExpr) (float64, bool) {
	x, ok := unparen(e).(*js.LiteralExpr)
	if !ok || !js.IsNumeric(x.TokenType) {
		return 0, false
	}
	s := string(x.Data)
	if i, err := strconv.ParseInt(strings.TrimSuffix(s, "n"), 0, 64); err == nil {
		return float64(i), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil
}

// isFunc reports whether e is a function or arrow function expression.
func isFunc(e js.INode) bool {
	switch e.(type) {
	case *js.FuncDecl, *js.ArrowFunc:
		return true
	}
	return false
}

// boolValue returns the truth value of literal-like expressions: true, false,
// !0, !1, numbers and strings.
func boolValue(e js.IExpr) (val, ok bool) {
	switch x := unparen(e).(type) {
	case *js.LiteralExpr:
		switch x.TokenType {
		case js.TrueToken:
			return true, true
		case js.FalseToken, js.NullToken:
			return false, true
		case js.StringToken:
			return len(x.Data) > 2, true
		}
		if f, ok := numberLit(x); ok {
			return f != 0, true
		}
	case *js.UnaryExpr:
		if x.Op == js.NotToken {
			if b, ok := boolValue(x.X); ok {
				return !b, true
			}
		}
	case *js.Var:
		if string(x.Data) == "undefined" && isUndeclared(x) {
			return false, true
		}
	}
	return false, false
}

// isAssign reports whether b is a plain assignment a = b.
func isAssign(b *js.BinaryExpr) bool {
	return b.Op == js.EqToken
}
