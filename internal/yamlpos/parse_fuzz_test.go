package yamlpos_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/internal/yamlpos"
)

// depth is the nesting of collections under n, as the decoders recurse.
func depth(n ast.Node) int {
	switch v := n.(type) {
	case *ast.TagNode:
		return depth(v.Value)
	case *ast.AnchorNode:
		return depth(v.Value)
	case *ast.MappingKeyNode:
		return depth(v.Value)
	case *ast.MappingValueNode:
		return max(depth(v.Key), depth(v.Value))
	case *ast.MappingNode:
		d := 0
		for _, mv := range v.Values {
			d = max(d, depth(mv))
		}
		return 1 + d
	case *ast.SequenceNode:
		d := 0
		for _, it := range v.Values {
			d = max(d, depth(it))
		}
		return 1 + d
	}
	return 0
}

// FuzzParse: Parse never panics, refuses with an *Error, and what it
// accepts is nested at most MaxDepth deep: the nesting measured on the
// tokens bounds the tree the parser builds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a:\n  b:\n    - x\n    - {c: 7}\n", "[[x]]", "- - x", "? a\n: b\n",
		"a: &x {b: [1, 2]}\nc: *x\n", "a: !!str 12\n", "- |\n  text\n- >\n  more\n", `{"a": [1, {"b": null}]}`} {
		f.Add([]byte(s))
	}
	// At the limit, so that one more level is a mutation away.
	f.Add([]byte(strings.Repeat("- a: ", 32) + "x"))
	f.Add([]byte(strings.Repeat("[{a: ", 32) + "x" + strings.Repeat("}]", 32)))
	f.Add([]byte(strings.Repeat("? ", 64) + "x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := yamlpos.Parse(data)
		if err != nil {
			var e *yamlpos.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		if d := depth(n); d > yamlpos.MaxDepth {
			t.Fatalf("accepted a document %d levels deep", d)
		}
	})
}
