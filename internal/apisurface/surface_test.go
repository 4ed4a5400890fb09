package apisurface

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSurface(t *testing.T) {
	dir := t.TempDir()
	src := `package p

// T is documented.
type T struct {
	A string ` + "`json:\"a,omitzero\"`" + ` // a comment
	b int
}

type hidden struct{ C int }

const (
	E1 T = 1
	e2   = 2
)

var V, w = 1, 2

func (t T) M(x int) error { return nil }
func (h hidden) N() {}
func F() {}
func g() {}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\nfunc TestX() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Surface(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"const E1 T = 1",
		"func (t T) M(x int) error",
		"func F()",
		"type T struct { A string `json:\"a,omitzero\"` }",
		"var V, w = 1, 2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("surface:\n%q\nwant\n%q", got, want)
	}
}
