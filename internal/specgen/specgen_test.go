package specgen

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// A small document of its own, so that these tests do not change with the
// Partner API.
const widgets = `openapi: 3.0.3
info: {title: widgets, version: "1"}
tags: [{name: widgets, description: Widgets.}]
servers: [{url: https://widgets.example/v1}]
paths:
  /widget:
    post:
      operationId: create-widget
      tags: [widgets]
      description: Creates a widget.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/widget-input'}
      responses:
        200:
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/widget'}
components:
  schemas:
    widget-input:
      type: object
      description: What makes a widget.
      required: [size, name]
      properties:
        name: {type: string, minLength: 1, maxLength: 20, example: spanner}
        size: {type: number}
        parts:
          type: array
          items: {$ref: '#/components/schemas/widget-input'}
    widget:
      type: object
      properties:
        state: {type: string, enum: ["on", "off"]}
`

// contractOf prints the contract of the document src, revised by edit.
func contractOf(t *testing.T, src string, edit func(*openapi3.T)) string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	edit(doc)
	return Contract(doc)
}

func TestContractShowsTheWireContractOnly(t *testing.T) {
	base := contractOf(t, widgets, func(*openapi3.T) {})
	for _, want := range []string{
		"server https://widgets.example/v1",
		"operation create-widget: POST /widget",
		"  request body (required)\n    application/json\n      type: object\n      required: [name, size]\n",
		"          minLength: 1\n          maxLength: 20\n",
		"            (recursive: #/components/schemas/widget-input)",
		"  response 200\n    application/json\n      type: object\n      properties:\n        state:\n          type: string\n          enum: [off, on]\n",
	} {
		if !strings.Contains(base, want) {
			t.Errorf("the contract lacks %q:\n%s", want, base)
		}
	}
	input := func(d *openapi3.T) *openapi3.Schema { return d.Components.Schemas["widget-input"].Value }
	same := map[string]func(*openapi3.T){
		"descriptions": func(d *openapi3.T) {
			input(d).Description = "\n\nReworded.\n\n"
			d.Paths.Value("/widget").Post.Description = "Makes one."
		},
		"tags":       func(d *openapi3.T) { d.Tags = nil; d.Paths.Value("/widget").Post.Tags = nil },
		"examples":   func(d *openapi3.T) { input(d).Properties["name"].Value.Example = "hammer" },
		"info":       func(d *openapi3.T) { d.Info.Description = "About." },
		"extensions": func(d *openapi3.T) { input(d).Extensions = map[string]any{"x-go-name": "WidgetInput"} },
		"enum order": func(d *openapi3.T) {
			d.Components.Schemas["widget"].Value.Properties["state"].Value.Enum = []any{"off", "on"}
		},
		"required order": func(d *openapi3.T) { input(d).Required = []string{"name", "size"} },
		"unused schema":  func(d *openapi3.T) { d.Components.Schemas["unused"] = openapi3.NewStringSchema().NewRef() },
	}
	for name, edit := range same {
		if got := contractOf(t, widgets, edit); got != base {
			t.Errorf("%s changed the contract:\n%s", name, got)
		}
	}
	m := 0.01
	differ := map[string]func(*openapi3.T){
		"type":       func(d *openapi3.T) { input(d).Properties["size"].Value.Type = &openapi3.Types{"integer"} },
		"format":     func(d *openapi3.T) { input(d).Properties["size"].Value.Format = "double" },
		"required":   func(d *openapi3.T) { input(d).Required = append(input(d).Required, "parts") },
		"pattern":    func(d *openapi3.T) { input(d).Properties["name"].Value.Pattern = "^[a-z]+$" },
		"maxLength":  func(d *openapi3.T) { *input(d).Properties["name"].Value.MaxLength = 19 },
		"multipleOf": func(d *openapi3.T) { input(d).Properties["size"].Value.MultipleOf = &m },
		"minItems":   func(d *openapi3.T) { input(d).Properties["parts"].Value.MinItems = 1 },
		"enum value": func(d *openapi3.T) {
			s := d.Components.Schemas["widget"].Value.Properties["state"].Value
			s.Enum = append(s.Enum, "broken")
		},
		"property": func(d *openapi3.T) { input(d).Properties["colour"] = openapi3.NewStringSchema().NewRef() },
		"operationId": func(d *openapi3.T) {
			d.Paths.Value("/widget").Post.OperationID = "make-widget"
		},
		"body optional": func(d *openapi3.T) { d.Paths.Value("/widget").Post.RequestBody.Value.Required = false },
		"server":        func(d *openapi3.T) { d.Servers[0].URL = "https://widgets.example/v2" },
	}
	for name, edit := range differ {
		if got := contractOf(t, widgets, edit); got == base {
			t.Errorf("a change of %s does not show in the contract", name)
		}
	}
}

func TestWriteJSONKeepsValuesAndOrder(t *testing.T) {
	var root yaml.Node
	src := "b: 1\na: [true, null, 1e-05, 0.5, '007', x]\n200: {z: 2, y: &v {k: 3}}\nc: *v\n"
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, &root); err != nil {
		t.Fatal(err)
	}
	const want = `{"b":1,"a":[true,null,0.00001,0.5,"007","x"],"200":{"z":2,"y":{"k":3}},"c":{"k":3}}`
	if b.String() != want {
		t.Errorf("writeJSON = %s\nwant        %s", b.String(), want)
	}
	if err := yaml.Unmarshal([]byte("n: .inf\n"), &root); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := writeJSON(&b, &root); err == nil {
		t.Errorf("writeJSON wrote .inf as %s", b.String())
	}
}

func TestReadNodeTakesJSONWithTabs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(path, []byte("{\n\t\"openapi\": \"3.0.3\",\n\t\"info\": {\"title\": \"t\\n\\nx\\n\\n\"}\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := readNode(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, root); err != nil || b.String() != `{"openapi":"3.0.3","info":{"title":"t\n\nx\n\n"}}` {
		t.Errorf("%s, %v", b.String(), err)
	}
}

func TestOverlayRequiredIsMergedWithoutRepeats(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.yaml")
	ov := filepath.Join(dir, "ov.yaml")
	if err := os.WriteFile(doc, []byte("components:\n  schemas:\n    a:\n      type: object\n      required: [x]\n      properties: {x: {type: string}, y: {type: string}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ov, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"+
		"  - target: $.components.schemas.a\n    description: x and y are required.\n    update: {required: [x, y]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := readNode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyOverlay(root, ov, doc); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, root); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"required":["x","y"]`) {
		t.Errorf("required merged as %s", b.String())
	}
}

func TestReplaceDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "api")
	if err := ReplaceDir(dir, map[string][]byte{"a.go": []byte("a"), "extra.go": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceDir(dir, map[string][]byte{"a.go": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if got, _ := os.ReadFile(filepath.Join(dir, "a.go")); string(got) != "b" || len(entries) != 1 {
		t.Errorf("after a second ReplaceDir: a.go = %q, %d files", got, len(entries))
	}
	if err := ReplaceDir(dir, map[string][]byte{"a.go": []byte("c"), "../escape.go": []byte("x")}); err == nil {
		t.Error("ReplaceDir accepted a path outside the directory")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.go")); string(got) != "b" {
		t.Errorf("a failed ReplaceDir changed a.go to %q", got)
	}
	siblings, _ := os.ReadDir(filepath.Dir(dir))
	if len(siblings) != 1 {
		t.Errorf("left behind beside api: %v", siblings)
	}
}

// TestOverlayPatternNeedsWords: a pattern an overlay adds must say in words
// what it demands (ruletext.Extension), what people are told when a value
// breaks it; without them the action fails, named.
func TestOverlayPatternNeedsWords(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.yaml")
	if err := os.WriteFile(doc, []byte("components:\n  schemas:\n    a:\n      type: object\n      properties: {x: {type: string}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		update string
		ok     bool
	}{
		{`{pattern: "^[a-z]+$"}`, false},
		{`{pattern: "^[a-z]+$", x-exopartner-messages: {maxLength: "must be short"}}`, false},
		{`{pattern: "^[a-z]+$", x-exopartner-messages: {pattern: "must be lower-case letters"}}`, true},
		{`{maxLength: 3}`, true},
	} {
		ov := filepath.Join(dir, "ov.yaml")
		if err := os.WriteFile(ov, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"+
			"  - target: $.components.schemas.a.properties.x\n    description: x is lower-case.\n    update: "+tc.update+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		root, err := readNode(doc)
		if err != nil {
			t.Fatal(err)
		}
		err = applyOverlay(root, ov, doc)
		if tc.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), "action 1 (x is lower-case): sets pattern without saying in words") {
			t.Errorf("%s: %v", tc.update, err)
		}
	}
}

// TestWrapperDocumentsTheNamedTypes generates the wrapper file of a small
// document: the type the Go names extension names is re-exported, its
// fields listed with JSON names, required or optional, descriptions and
// rules in words; a type nobody named is not.
func TestWrapperDocumentsTheNamedTypes(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		BaseFile:        strings.Replace(widgets, "description: What makes a widget.", "description: What makes a widget.\n      x-go-name: WidgetInput", 1),
		TighteningsFile: "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas['widget-input'].properties.name\n    description: lower case.\n    update: {pattern: '^[a-z]+$', x-exopartner-messages: {pattern: must be lower-case letters}}\n",
		GoNamesFile:     "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.widget.properties.state\n    update: {x-go-type-name: State}\n",
		ConfigFile: "package: api\noutput: api/widgets.gen.go\ngenerate: {models: true}\noutput-options:\n  include-operation-ids: [create-widget]\n  prefer-skip-optional-pointer: true\n" +
			"compatibility: {always-prefix-enum-values: true}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Load(Sources{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, code, err := d.Generate()
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Wrapper(code)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	flat := strings.Join(strings.Fields(strings.ReplaceAll(text, "\t//", "")), " ") // comments unwrapped
	for _, want := range []string{
		`WidgetInput is the API's "widget-input" object: what makes a widget.`,
		`- Name string ("name", required). Rules: must not be empty; must be lower-case letters; must be at most 20 characters.`,
		`- Parts [][WidgetInput] ("parts", optional).`,
		`- Size float32 ("size", required).`,
		`State is the type of "state" of the API's "widget" object.`,
		`- [StateOff] "off"`,
		"WidgetInput = api.WidgetInput", "State = api.State", "StateOn = api.StateOn",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the wrapper file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Widget =") {
		t.Errorf("a type no one named is re-exported:\n%s", text)
	}
	if formatted, err := format.Source(out); err != nil || string(formatted) != text {
		t.Errorf("the wrapper file is not gofmt'ed (%v)", err)
	}
}
