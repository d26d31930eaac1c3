package extract

import (
	"strconv"
	"strings"
)

// decls is the visibility-relevant part of a CSS declaration block: the
// last value of each property that can hide an element.
type decls struct {
	display, visibility, opacity, fontSize, color, offset string
}

// parseDecls reads a declaration block ("display:none; color:red") and
// applies it over d: later declarations win, as in CSS.
func (d *decls) parse(block string) {
	for rest, more := block, true; more; {
		var decl string
		decl, rest, more = strings.Cut(rest, ";")
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		var dst *string // the property set to the value; nil: an offset
		switch strings.ToLower(strings.TrimSpace(prop)) {
		case "display":
			dst = &d.display
		case "visibility":
			dst = &d.visibility
		case "opacity":
			dst = &d.opacity
		case "font-size":
			dst = &d.fontSize
		case "color":
			dst = &d.color
		case "left", "top", "text-indent", "margin-left":
		default:
			continue // a property nothing reads: its value is not normalised
		}
		val = strings.ToLower(strings.TrimSpace(val))
		val = strings.TrimSpace(strings.TrimSuffix(val, "!important"))
		switch {
		case dst != nil:
			*dst = val
		case offscreen(val):
			d.offset = val
		default:
			d.offset = ""
		}
	}
}

// over applies o's set properties over d.
func (d *decls) over(o *decls) {
	if o.display != "" {
		d.display = o.display
	}
	if o.visibility != "" {
		d.visibility = o.visibility
	}
	if o.opacity != "" {
		d.opacity = o.opacity
	}
	if o.fontSize != "" {
		d.fontSize = o.fontSize
	}
	if o.color != "" {
		d.color = o.color
	}
	if o.offset != "" {
		d.offset = o.offset
	}
}

// hides reports whether the declarations make an element's content
// invisible: display:none, visibility:hidden or collapse, opacity near 0,
// font-size 0, color transparent, or a large negative offset (left, top,
// text-indent or margin-left of -999px or less).
func (d *decls) hides() bool {
	switch {
	case d.display == "none",
		d.visibility == "hidden" || d.visibility == "collapse",
		d.color == "transparent",
		d.offset != "":
		return true
	}
	if d.opacity != "" {
		v := strings.TrimSuffix(d.opacity, "%")
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			if v != d.opacity {
				f /= 100
			}
			if f < 0.05 {
				return true
			}
		}
	}
	if d.fontSize != "" {
		if f, ok := leadingNumber(d.fontSize); ok && f == 0 {
			return true
		}
	}
	return false
}

// leadingNumber parses the number at the start of a CSS length ("0px").
func leadingNumber(s string) (float64, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+') {
		i++
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	return f, err == nil
}

// offscreen reports whether a length puts content 999px or more off the
// left or top edge.
func offscreen(v string) bool {
	if !strings.HasSuffix(v, "px") && !strings.HasSuffix(v, "em") {
		return false
	}
	f, ok := leadingNumber(v)
	return ok && f <= -999
}

// styleSheet is what the page's own <style> blocks say about simple
// selectors (.class and #id; others are ignored: resolving them needs a
// browser).
type styleSheet struct {
	classes map[string]*decls
	ids     map[string]*decls
}

// addSheet reads a style sheet's text. At-rule blocks (@media, @supports,
// @keyframes ...) are skipped: they apply conditionally.
func (s *styleSheet) addSheet(css string) {
	css = stripCSSComments(css)
	for len(css) > 0 {
		open := strings.IndexByte(css, '{')
		if open < 0 {
			return
		}
		sel := strings.TrimSpace(css[:open])
		end := matchingBrace(css, open)
		body := css[open+1 : end]
		if i := strings.LastIndexAny(sel, ";}"); i >= 0 {
			sel = strings.TrimSpace(sel[i+1:]) // after a stray ; or an @import
		}
		if !strings.HasPrefix(sel, "@") {
			var d decls
			d.parse(body)
			// A rule that sets none of the properties changes nothing
			// (over copies only those set): most rules of a sheet.
			for rest, more := sel, d != (decls{}); more; {
				var one string
				one, rest, more = strings.Cut(rest, ",")
				s.add(strings.TrimSpace(one), &d)
			}
		}
		if end >= len(css) {
			return
		}
		css = css[end+1:]
	}
}

// matchingBrace returns the index of the brace that closes the one at
// css[open], or len(css) when none does. It goes from closing brace to
// closing brace, counting the opening ones between.
func matchingBrace(css string, open int) int {
	depth := 1
	for pos := open + 1; ; {
		c := strings.IndexByte(css[pos:], '}')
		if c < 0 {
			return len(css)
		}
		c += pos
		if depth += strings.Count(css[pos:c], "{") - 1; depth == 0 {
			return c
		}
		pos = c + 1
	}
}

func (s *styleSheet) add(sel string, d *decls) {
	if len(sel) < 2 || (sel[0] != '.' && sel[0] != '#') || !simpleName(sel[1:]) {
		return
	}
	m := &s.classes
	if sel[0] == '#' {
		m = &s.ids
	}
	if *m == nil {
		*m = map[string]*decls{}
	}
	if old := (*m)[sel[1:]]; old != nil {
		old.over(d)
		return
	}
	c := *d
	(*m)[sel[1:]] = &c
}

// simpleName reports whether s is a plain class or id name.
func simpleName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80) {
			return false
		}
	}
	return true
}

func stripCSSComments(css string) string {
	if !strings.Contains(css, "/*") {
		return css
	}
	var b strings.Builder
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			b.WriteString(css)
			return b.String()
		}
		b.WriteString(css[:i])
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		css = css[i+2+j+2:]
	}
}

// hidden reports whether an element with the given class, id and style
// attributes is hidden: the sheet's rules for its classes, then for its
// id, then its own style attribute, the later overriding the earlier.
func (s *styleSheet) hidden(class, id, style string) bool {
	var d decls
	if s.classes != nil && class != "" {
		for c := range strings.FieldsSeq(class) {
			if r := s.classes[c]; r != nil {
				d.over(r)
			}
		}
	}
	if s.ids != nil && id != "" {
		if r := s.ids[strings.TrimSpace(id)]; r != nil {
			d.over(r)
		}
	}
	if style != "" {
		d.parse(style)
	}
	return d.hides()
}
