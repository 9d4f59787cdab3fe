package waauto_test

import (
	"go/ast"
	"go/token"
	"strings"
	"testing"
)

// startsWith reports whether doc starts with name, optionally after an article.
func startsWith(doc *ast.CommentGroup, name string) bool {
	if doc == nil {
		return false
	}
	text := doc.Text()
	for _, article := range []string{"", "A ", "An ", "The "} {
		if rest, ok := strings.CutPrefix(text, article+name); ok && (rest == "" || !isIdentRune(rest[0])) {
			return true
		}
	}
	return false
}

func isIdentRune(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// TestDocComments holds every exported name of the public packages to a doc
// comment that starts with the name: functions, methods of exported types,
// types, and constants and variables (a name in a parenthesised group may be
// documented by the group's comment instead).
func TestDocComments(t *testing.T) {
	checked := 0
	sourceFiles(t, func(fset *token.FileSet, path string, f *ast.File) {
		bad := func(pos token.Pos, name, why string) {
			t.Errorf("%s: %s %s", fset.Position(pos), name, why)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Recv != nil && !exportedRecv(d.Recv) {
					continue
				}
				checked++
				if !startsWith(d.Doc, d.Name.Name) {
					bad(d.Pos(), d.Name.Name, "needs a doc comment starting with its name")
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						checked++
						doc := s.Doc
						if doc == nil && !d.Lparen.IsValid() {
							doc = d.Doc
						}
						if !startsWith(doc, s.Name.Name) {
							bad(s.Pos(), s.Name.Name, "needs a doc comment starting with its name")
						}
					case *ast.ValueSpec:
						checkValue(d, s, bad)
					}
				}
			}
		}
	})
	if checked < 500 {
		t.Fatalf("checked only %d exported functions, methods and types", checked)
	}
}

func checkValue(d *ast.GenDecl, s *ast.ValueSpec, bad func(token.Pos, string, string)) {
	var exported []string
	for _, n := range s.Names {
		if n.IsExported() {
			exported = append(exported, n.Name)
		}
	}
	if len(exported) == 0 {
		return
	}
	doc := s.Doc
	if doc == nil && !d.Lparen.IsValid() {
		doc = d.Doc
	}
	if doc == nil {
		if d.Lparen.IsValid() && d.Doc != nil {
			return // documented by its group
		}
		bad(s.Pos(), exported[0], "needs a doc comment (or its group one)")
		return
	}
	for _, n := range exported {
		if startsWith(doc, n) {
			return
		}
	}
	bad(s.Pos(), exported[0], "has a doc comment that does not start with its name")
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	for {
		switch x := typ.(type) {
		case *ast.StarExpr:
			typ = x.X
		case *ast.IndexExpr:
			typ = x.X
		case *ast.IndexListExpr:
			typ = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}
