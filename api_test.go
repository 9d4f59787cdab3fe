package waauto_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// sourceFiles parses every non-test Go file of the module outside
// testdata, calling fn per file.
func sourceFiles(t *testing.T, fn func(fset *token.FileSet, path string, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		n++
		fn(fset, path, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked only %d files; is the test run from the module root?", n)
	}
}

// TestConstantNames holds the enumerated constants to one rule: a constant
// declared with a named type of its package starts with the type's name, a
// trailing Kind, Status, Type or Mode dropped when a word remains
// (workflow.SendKind: SendFixed; workflow.SessionStatus: SessionConnected;
// workflow.Mode: ModeLive; trigger.Kind: KindNewContact). The YAML and
// database values are unchanged.
func TestConstantNames(t *testing.T) {
	checked := 0
	sourceFiles(t, func(fset *token.FileSet, path string, f *ast.File) {
		local := map[string]bool{}
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.TYPE {
				for _, s := range d.Specs {
					local[s.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
		for _, decl := range f.Decls {
			d, ok := decl.(*ast.GenDecl)
			if !ok || d.Tok != token.CONST {
				continue
			}
			typ := "" // an iota group repeats the last explicit type
			for _, spec := range d.Specs {
				s := spec.(*ast.ValueSpec)
				if s.Type != nil {
					typ = ""
					if id, ok := s.Type.(*ast.Ident); ok && id.IsExported() {
						typ = id.Name
					}
				} else if len(s.Values) > 0 {
					typ = ""
				}
				if typ == "" {
					continue
				}
				prefix := constPrefix(typ)
				for _, n := range s.Names {
					if !n.IsExported() {
						continue
					}
					checked++
					if !strings.HasPrefix(n.Name, prefix) || len(n.Name) == len(prefix) {
						t.Errorf("%s: constant %s of type %s should be named %s…", fset.Position(n.Pos()), n.Name, typ, prefix)
					}
				}
			}
		}
	})
	if checked < 50 {
		t.Fatalf("checked only %d typed constants", checked)
	}
}

// constPrefix is the prefix the constants of type typ carry.
func constPrefix(typ string) string {
	for _, suffix := range []string{"Kind", "Status", "Type", "Mode"} {
		if p, ok := strings.CutSuffix(typ, suffix); ok && p != "" {
			return p
		}
	}
	return typ
}
