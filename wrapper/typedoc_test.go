package wrapper_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// packageDoc returns the documentation of each type of the package in dir,
// as `go doc` prints it.
func packageDoc(t *testing.T, dir, importPath string) map[string]string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, typ := range p.Types {
		out[typ.Name] = string(p.Text(typ.Doc))
	}
	return out
}

// TestTypeDocsListTheFields: `go doc wrapper.X` shows an alias without its
// fields, so the documentation of each of the API's types lists every field
// of the type, by Go name, with its JSON name and whether it is required,
// and nothing else; and the generated types' own comments say what they
// are (not "UsageStatement defines parameters for …").
func TestTypeDocsListTheFields(t *testing.T) {
	docs := packageDoc(t, ".", "github.com/exopartner/exopartner/wrapper")
	for _, typ := range []reflect.Type{
		reflect.TypeFor[wrapper.Organization](),
		reflect.TypeFor[wrapper.CreateOrganizationRequest](),
		reflect.TypeFor[wrapper.BillingAddress](),
		reflect.TypeFor[wrapper.UsageStatement](),
		reflect.TypeFor[wrapper.UsageLine](),
		reflect.TypeFor[wrapper.UsageRecord](),
	} {
		text, ok := docs[typ.Name()]
		if !ok {
			t.Errorf("wrapper.%s has no documentation", typ.Name())
			continue
		}
		items := regexp.MustCompile(`(?m)^  - (\w+) `).FindAllStringSubmatch(text, -1)
		if len(items) != typ.NumField() {
			t.Errorf("wrapper.%s: its documentation lists %d fields, the type has %d:\n%s", typ.Name(), len(items), typ.NumField(), text)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			wire, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			item := regexp.MustCompile(`(?m)^  - ` + f.Name + ` \S+ \("` + regexp.QuoteMeta(wire) + `", (required|optional)[^)]*\)\.\s+\S`)
			if !item.MatchString(text) {
				t.Errorf("wrapper.%s: the documentation does not list %s (%q, required or optional, then what it is):\n%s",
					typ.Name(), f.Name, wire, text)
			}
		}
	}
	if text := docs["Status"]; !strings.Contains(text, `StatusActive "active"`) {
		t.Errorf("wrapper.Status: its documentation does not list its values:\n%s", text)
	}

	api := packageDoc(t, "../api", "github.com/exopartner/exopartner/api")
	for _, name := range []string{"UsageStatement", "UsageLine"} {
		if text := api[name]; text == "" || strings.Contains(text, "defines parameters") {
			t.Errorf("api.%s is documented as %q", name, text)
		}
	}
}

// TestTypeDocsWordRulesAsValidationDoes: a field's rules are listed in the
// words a *ValidationError's Description uses, from the spec, not its
// pattern.
func TestTypeDocsWordRulesAsValidationDoes(t *testing.T) {
	text := packageDoc(t, ".", "github.com/exopartner/exopartner/wrapper")["CreateOrganizationRequest"]
	err := wrapper.ValidateCreateOrganizationRequest(wrapper.CreateOrganizationRequest{DisplayName: "Acme", OwnerEmail: "nobody",
		BillingAddress: wrapper.BillingAddress{Name: "Acme", StreetName: "S", City: "C", PostalCode: "1", Country: "CH"}})
	ve, ok := err.(*wrapper.ValidationError)
	if !ok || len(ve.Problems) != 1 {
		t.Fatalf("%v, want one problem", err)
	}
	words, _, _ := strings.Cut(ve.Problems[0].Description(), " (got")
	if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, words) || strings.Contains(flat, "^[") {
		t.Errorf("the documentation of OwnerEmail does not say %q (or quotes a pattern):\n%s", words, text)
	}
}
