package yamlpos

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Field is one key of a mapping with its value.
type Field struct {
	Key string
	// Path is the path of the value: the mapping's path plus Key.
	Path    string
	KeyNode ast.Node
	Value   ast.Node
}

// Unwrap returns the value under tags and anchors (`!!str 12` → 12).
func Unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		default:
			return n
		}
	}
}

// IsNull reports whether n is absent or an explicit null.
func IsNull(n ast.Node) bool {
	n = Unwrap(n)
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// Mapping returns the keys of mapping n in order. It records an error and
// returns false when n is not a mapping. Keys must be scalars.
func (c *Collector) Mapping(n ast.Node, path string) ([]Field, bool) {
	m, ok := Unwrap(n).(ast.MapNode)
	if !ok || IsNull(n) {
		c.WrongType(n, path, WordMapping)
		return nil, false
	}
	var out []Field
	it := m.MapRange()
	for it.Next() {
		k := it.Key()
		key := scalarText(k)
		out = append(out, Field{Key: key, Path: Key(path, key), KeyNode: k, Value: it.Value()})
	}
	return out, true
}

// Known records an "unknown key" error for every field not in known.
func (c *Collector) Known(fields []Field, known ...string) {
	for _, f := range fields {
		if !contains(known, f.Key) {
			c.Say(f.KeyNode, f.Path, CodeUnknownKey, f.Key, strings.Join(known, ", "))
		}
	}
}

// One requires a one-key mapping and returns its field; what is the word
// code (Words, Collector.Words) naming the expected key, e.g. "action".
func (c *Collector) One(n ast.Node, path, what string) (Field, bool) {
	fields, ok := c.Mapping(n, path)
	if !ok {
		return Field{}, false
	}
	if len(fields) != 1 {
		keys := make([]string, len(fields))
		for i, f := range fields {
			keys[i] = f.Key
		}
		c.add(n, &Error{Path: path, Code: CodeOneKey, Args: []string{strconv.Itoa(len(fields)), strings.Join(keys, ", ")}, Want: what})
		return Field{}, false
	}
	return fields[0], true
}

// List returns the items of sequence n, or records an error.
func (c *Collector) List(n ast.Node, path string) ([]ast.Node, bool) {
	s, ok := Unwrap(n).(*ast.SequenceNode)
	if !ok {
		c.WrongType(n, path, WordList)
		return nil, false
	}
	return s.Values, true
}

// String returns the text of a scalar; numbers and booleans are taken as
// written. Null and collections are errors.
func (c *Collector) String(n ast.Node, path string) (string, bool) {
	if !isScalar(n) {
		c.WrongType(n, path, WordString)
		return "", false
	}
	return scalarText(n), true
}

// Bool reads true or false.
func (c *Collector) Bool(n ast.Node, path string) (bool, bool) {
	b, ok := Unwrap(n).(*ast.BoolNode)
	if !ok {
		c.WrongType(n, path, WordBool)
		return false, false
	}
	return b.Value, true
}

// Int reads a whole number.
func (c *Collector) Int(n ast.Node, path string) (int, bool) {
	if _, ok := Unwrap(n).(*ast.IntegerNode); ok {
		if v, err := strconv.Atoi(scalarText(n)); err == nil {
			return v, true
		}
	}
	c.WrongType(n, path, WordInt)
	return 0, false
}

// Strings reads a list of strings; with one true, a single string is also
// accepted as a list of one.
func (c *Collector) Strings(n ast.Node, path string, one bool) ([]string, bool) {
	if one && isScalar(n) {
		return []string{scalarText(n)}, true
	}
	items, ok := Unwrap(n).(*ast.SequenceNode)
	if !ok {
		want := WordStrings
		if one {
			want = WordStringOrStrings
		}
		c.WrongType(n, path, want)
		return nil, false
	}
	out := make([]string, 0, len(items.Values))
	good := true
	for i, it := range items.Values {
		s, ok := c.String(it, Index(path, i))
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// WrongType records that n is not what was wanted (a word code: Words,
// Collector.Words), quoting scalar values: `"abc" is not true or false`,
// `is a list (want a string)`.
func (c *Collector) WrongType(n ast.Node, path, want string) {
	switch {
	case IsNull(n):
		c.add(n, &Error{Path: path, Code: CodeEmpty, Want: want})
	case isScalar(n):
		c.add(n, &Error{Path: path, Code: CodeNot, Args: []string{Quote(n)}, Want: want})
	default:
		c.add(n, &Error{Path: path, Code: CodeKind, Got: kind(n), Want: want})
	}
}

// Quote renders a scalar's text quoted, or the kind of a collection.
func Quote(n ast.Node) string {
	if isScalar(n) {
		return strconv.Quote(scalarText(n))
	}
	return Kind(n)
}

// Kind names what n is: "a mapping", "a list", "a string", "empty", ...
func Kind(n ast.Node) string { return words[kind(n)] }

// kind is the word code of Kind.
func kind(n ast.Node) string {
	switch Unwrap(n).(type) {
	case nil, *ast.NullNode:
		return WordEmpty
	case ast.MapNode:
		return WordMappingKind
	case *ast.SequenceNode:
		return WordList
	case *ast.AliasNode:
		return WordAlias
	}
	return WordScalar
}

func isScalar(n ast.Node) bool {
	switch Unwrap(n).(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

func scalarText(n ast.Node) string {
	switch v := Unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		return v.Value.Value
	case nil:
		return ""
	default:
		if tk := v.GetToken(); tk != nil {
			return tk.Value
		}
		return fmt.Sprint(v)
	}
}

// Text returns the text of a scalar node as written ("" for non-scalars).
func Text(n ast.Node) string {
	if !isScalar(n) {
		return ""
	}
	return scalarText(n)
}

// Find returns the value at a relative dotted path ("a.b[2].c") under n, or
// nil when absent.
func Find(n ast.Node, rel string) ast.Node {
	for _, part := range splitPath(rel) {
		n = Unwrap(n)
		if i, err := strconv.Atoi(part); err == nil {
			s, ok := n.(*ast.SequenceNode)
			if !ok || i < 0 || i >= len(s.Values) {
				return nil
			}
			n = s.Values[i]
			continue
		}
		m, ok := n.(ast.MapNode)
		if !ok {
			return nil
		}
		var next ast.Node
		for it := m.MapRange(); it.Next(); {
			if scalarText(it.Key()) == part {
				next = it.Value()
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

func splitPath(p string) []string {
	p = strings.NewReplacer("[", ".", "]", "").Replace(p)
	var out []string
	for _, s := range strings.Split(p, ".") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
