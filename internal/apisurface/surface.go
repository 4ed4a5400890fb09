// Package apisurface renders the exported Go API of a package: one line per
// exported constant, variable, type (with its fields and their tags) and
// function or method (its signature), sorted, without comments or bodies.
// Two packages with the same lines offer the same API. `make
// check-published` and spec/fixtures_test.go compare it for packages
// generated from different documents (internal/cmd/apisurface prints it).
package apisurface

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
)

// Surface returns the sorted exported declarations of the non-test Go files
// in dir.
func Surface(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution) // no comments
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			lines, err := decl(fset, d)
			if err != nil {
				return nil, err
			}
			out = append(out, lines...)
		}
	}
	slices.Sort(out)
	return out, nil
}

// decl renders the exported parts of one declaration, one line each.
func decl(fset *token.FileSet, d ast.Decl) ([]string, error) {
	var out []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() || d.Recv != nil && !exportedRecv(d.Recv) {
			return nil, nil
		}
		d.Body, d.Doc = nil, nil
		s, err := render(fset, d)
		return []string{s}, err
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			var s string
			var err error
			switch sp := spec.(type) {
			case *ast.TypeSpec:
				if !sp.Name.IsExported() {
					continue
				}
				dropUnexportedFields(sp.Type)
				s, err = render(fset, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{sp}})
			case *ast.ValueSpec:
				exported := false
				for _, n := range sp.Names {
					exported = exported || n.IsExported()
				}
				if !exported {
					continue
				}
				s, err = render(fset, &ast.GenDecl{Tok: d.Tok, Specs: []ast.Spec{sp}})
			default:
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func exportedRecv(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// dropUnexportedFields removes the unexported fields of a struct type.
func dropUnexportedFields(t ast.Expr) {
	st, ok := t.(*ast.StructType)
	if !ok {
		return
	}
	kept := st.Fields.List[:0]
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 || f.Names[0].IsExported() {
			kept = append(kept, f)
		}
	}
	st.Fields.List = kept
}

// render prints a node on one line, whitespace collapsed.
func render(fset *token.FileSet, n any) (string, error) {
	var b bytes.Buffer
	if err := format.Node(&b, fset, n); err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(b.String()), " "), nil
}
