package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks yaml.Node trees of one file and collects every problem it
// finds, each with its line, instead of stopping at the first.
type decoder struct {
	file string
	errs []error
}

func (d *decoder) errorf(line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// parse reads the file's single YAML document and returns its root node,
// or nil after recording why it cannot.
func (d *decoder) parse(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; a rule file must
		// never take the process down.
		if r := recover(); r != nil {
			d.errorf(1, "cannot parse YAML: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(1, "empty file")
		} else {
			d.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(extra.Line, "more than one YAML document")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.errorf(doc.Line, "empty file")
		return nil
	}
	root = doc.Content[0]
	if !d.noAliases(root) {
		return nil
	}
	return root
}

// yamlError records a syntax error from yaml.v3 at the line it names.
func (d *decoder) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			line = n
		}
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	d.errorf(line, "invalid YAML: %s", msg)
}

// noAliases reports whether the tree is free of anchors and aliases, which
// rule files do not use (they would hide where a value is written).
func (d *decoder) noAliases(n *yaml.Node) bool {
	ok := true
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			d.errorf(n.Line, "anchors and aliases are not supported")
			ok = false
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ok
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!bool":
			return "a boolean"
		case "!!float":
			return "a number"
		case "!!null":
			return "nothing"
		}
		return "a scalar " + n.Tag
	}
	return "an unexpected node"
}

// mapping calls fn for every key of the mapping n, in order, after checking
// that keys are strings and not repeated. It reports false if n is not a
// mapping.
func (d *decoder) mapping(n *yaml.Node, what string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s: want a mapping, got %s", what, describe(n))
		return false
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			d.errorf(k.Line, "%s: keys must be strings, got %s", what, describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%s: key %q repeated (first on line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
	return true
}

// str decodes a string scalar.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n.Line, "%s: want a string, got %s (quote it if it is text)", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// integer decodes an integer scalar.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
		d.errorf(n.Line, "%s: want an integer, got %s", what, describe(n))
		return 0, false
	}
	return i, true
}

// boolean decodes a true/false scalar.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n.Line, "%s: want true or false, got %s", what, describe(n))
		return false, false
	}
	return b, true
}

// seq checks that n is a list and returns its items.
func (d *decoder) seq(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "%s: want a list, got %s", what, describe(n))
		return nil, false
	}
	return n.Content, true
}

// strList decodes a list of strings; items that are not strings are
// reported and skipped.
func (d *decoder) strList(n *yaml.Node, what string) ([]string, []int, bool) {
	items, ok := d.seq(n, what)
	if !ok {
		return nil, nil, false
	}
	out := make([]string, 0, len(items))
	lines := make([]int, 0, len(items))
	for _, it := range items {
		if s, ok := d.str(it, what); ok {
			out = append(out, s)
			lines = append(lines, it.Line)
		}
	}
	return out, lines, true
}
