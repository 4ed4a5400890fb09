package spec_test

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// referencePath is the published Partner API document. It exists only in the
// development workspace, next to the module root; elsewhere the comparison skips.
const referencePath = "../../shared/reference/partner-api.json"

// TestWireContractMatchesPublished compares our base document with the
// published one, fact by fact: the wire contract must be the same, so that
// the published document can replace ours as it is. Our own rules are in
// spec/tightenings.yaml, never in the base document: this fails when one is
// put there (a dropped-in document would lose it), and `make
// check-published` shows the effective contract that results.
func TestWireContractMatchesPublished(t *testing.T) {
	if _, err := os.Stat(referencePath); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("reference document %s is absent: this comparison runs only where the published document is available", referencePath)
	} else if err != nil {
		t.Fatal(err)
	}
	published := flatten(loadSpec(t, referencePath))
	ours := flatten(loadSpec(t, specPath))
	if missing, extra := diff(published, ours); len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s differs from %s on the wire:%s", specPath, referencePath, formatDiff(missing, extra))
	}
	t.Logf("compared %d published facts with %d of ours", len(published), len(ours))
}

// comparatorFixture is a small document of its own, so that this test does
// not change when the Partner API spec (and its reference) are revised.
const comparatorFixture = "testdata/comparator-fixture.yaml"

// TestComparatorDetectsDifferences proves that flatten and diff can fail: it
// compares a fixed fixture with a mutated copy of itself and expects every
// mutation, and nothing else, to be reported. It runs on a fixture, not on
// our spec, so an additive revision of the spec cannot break it.
func TestComparatorDetectsDifferences(t *testing.T) {
	original := flatten(loadSpec(t, comparatorFixture))
	if missing, extra := diff(original, flatten(loadSpec(t, comparatorFixture))); len(missing)+len(extra) > 0 {
		t.Fatalf("fixture differs from itself:%s", formatDiff(missing, extra))
	}

	doc := loadSpec(t, comparatorFixture) // a separate load, so mutations touch nothing else
	schemas := doc.Components.Schemas
	state := schemas["widget"].Value.Properties["state"].Value
	state.Enum = append(state.Enum, "broken") // an added enum value
	*schemas["widget-input"].Value.Properties["name"].Value.MaxLength = 19
	doc.Paths.Value("/widget/{id}:pause").Put.OperationID = "pause"
	input := schemas["widget-input"].Value
	input.Required = slices.DeleteFunc(input.Required, func(s string) bool { return s == "colour" })
	input.Properties["size"] = openapi3.NewIntegerSchema().NewRef() // an added optional property
	doc.Paths.Value("/widget/{id}/usage").Get.Parameters.GetByInAndName("query", "period").Schema.Value.Pattern = "^[0-9]{4}$"
	// Rename ok-map to ok-object, updating its one $ref as a rename would.
	schemas["ok-object"] = schemas["ok-map"]
	delete(schemas, "ok-map")
	doc.Paths.Value("/widget/{id}:pause").Put.Responses.Value("204").Value.Content["application/json"].Schema.Ref = "#/components/schemas/ok-object"

	const ok = "PUT /widget/{id}:pause response 204 application/json schema $ref="
	const period = "GET /widget/{id}/usage param query period pattern="
	wantMissing := []string{
		"component widget properties.state enum=[off on]",
		"component widget-input properties.name maxLength=20",
		"PUT /widget/{id}:pause operationId=pause-widget",
		"component widget-input required=[colour name]",
		"component widget-input properties=[colour name]",
		period + "^[0-9]{4}-[0-9]{2}$",
		"component-schema ok-map", ok + "ok-map",
		"component ok-map type=object", "component ok-map properties=[ok]", "component ok-map properties.ok type=boolean",
	}
	wantExtra := []string{
		"component widget properties.state enum=[broken off on]",
		"component widget-input properties.name maxLength=19",
		"PUT /widget/{id}:pause operationId=pause",
		"component widget-input required=[name]",
		"component widget-input properties=[colour name size]",
		"component widget-input properties.size type=integer",
		period + "^[0-9]{4}$",
		"component-schema ok-object", ok + "ok-object",
		"component ok-object type=object", "component ok-object properties=[ok]", "component ok-object properties.ok type=boolean",
	}
	slices.Sort(wantMissing)
	slices.Sort(wantExtra)
	missing, extra := diff(original, flatten(doc))
	if !slices.Equal(missing, wantMissing) || !slices.Equal(extra, wantExtra) {
		t.Errorf("reported:%s\nwant:%s", formatDiff(missing, extra), formatDiff(wantMissing, wantExtra))
	}
}

// flatten reduces doc to a sorted set of wire-relevant facts, one attribute per
// line ("<location> <attribute>=<value>"), so that an added or changed attribute
// is a fact of its own. Descriptions, summaries, examples, tags, info,
// externalDocs and x-* extensions are ignored. Component schemas named in omit
// are left out.
func flatten(doc *openapi3.T, omit ...string) []string {
	facts := map[string]bool{}
	add := func(loc, attr string) { facts[strings.TrimSpace(loc+" "+attr)] = true }
	sorted := func(vs []string) string { vs = slices.Clone(vs); slices.Sort(vs); return fmt.Sprint(vs) }

	// walk records the schema at path (relative to head) and everything below it.
	var walk func(head, path string, ref *openapi3.SchemaRef)
	walk = func(head, path string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		loc := strings.TrimSpace(head + " " + path)
		child := func(seg string) string { return strings.TrimPrefix(path+"."+seg, ".") }
		if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
			// The target is flattened once under its own component name, so a
			// change to a shared component is reported once, not at every use.
			add(loc, "$ref="+name)
			return
		} else if ref.Ref != "" {
			add(loc, "$ref="+ref.Ref)
		}
		s := ref.Value
		if s.Type != nil && !s.Type.IsEmpty() {
			add(loc, "type="+strings.Join(s.Type.Slice(), ","))
		}
		if s.Format != "" {
			add(loc, "format="+s.Format)
		}
		if len(s.Enum) > 0 {
			var vs []string
			for _, v := range s.Enum {
				vs = append(vs, fmt.Sprint(v))
			}
			add(loc, "enum="+sorted(vs))
		}
		if len(s.Required) > 0 {
			add(loc, "required="+sorted(s.Required))
		}
		if len(s.Properties) > 0 {
			add(loc, "properties="+sorted(slices.Collect(maps.Keys(s.Properties))))
		}
		for attr, v := range map[string]any{
			"minLength": s.MinLength, "maxLength": s.MaxLength, "minItems": s.MinItems, "maxItems": s.MaxItems,
			"pattern": s.Pattern, "readOnly": s.ReadOnly, "writeOnly": s.WriteOnly, "nullable": s.Nullable,
			"minimum": s.Min, "maximum": s.Max, "multipleOf": s.MultipleOf, "uniqueItems": s.UniqueItems,
			"default": s.Default, "additionalProperties": s.AdditionalProperties.Has,
		} {
			switch v := v.(type) {
			case *uint64:
				if v != nil {
					add(loc, fmt.Sprintf("%s=%d", attr, *v))
				}
			case *float64:
				if v != nil {
					add(loc, fmt.Sprintf("%s=%g", attr, *v))
				}
			case *bool:
				if v != nil {
					add(loc, fmt.Sprintf("%s=%t", attr, *v))
				}
			default: // plain values: record unless zero (absent) or nil
				if v != nil && v != uint64(0) && v != "" && v != false {
					add(loc, fmt.Sprintf("%s=%v", attr, v))
				}
			}
		}
		for name, p := range s.Properties {
			walk(head, child("properties."+name), p)
		}
		walk(head, child("items"), s.Items)
		walk(head, child("additionalProperties"), s.AdditionalProperties.Schema)
		walk(head, child("not"), s.Not)
		for kind, refs := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf} {
			for i, r := range refs {
				walk(head, child(fmt.Sprintf("%s[%d]", kind, i)), r)
			}
		}
	}
	// content records the media types of a body and their schemas.
	content := func(head string, c openapi3.Content) {
		for mt, m := range c {
			add(head, mt)
			walk(head+" "+mt, "schema", m.Schema)
		}
	}

	for _, s := range doc.Servers {
		add("server", s.URL)
	}
	if doc.Components != nil {
		for name, ref := range doc.Components.Schemas {
			if !slices.Contains(omit, name) {
				add("component-schema", name)
				walk("component "+name, "", ref)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			head := method + " " + path
			add(head, "operationId="+op.OperationID)
			// Operation parameters override path-level ones with the same location and name.
			params := map[string]*openapi3.Parameter{}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				params[p.Value.In+" "+p.Value.Name] = p.Value
			}
			for key, p := range params {
				h := head + " param " + key
				add(h, fmt.Sprintf("required=%t", p.Required))
				if p.Style != "" {
					add(h, "style="+p.Style)
				}
				if p.Explode != nil {
					add(h, fmt.Sprintf("explode=%t", *p.Explode))
				}
				walk(h, "", p.Schema)
				content(h, p.Content)
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				add(head, fmt.Sprintf("requestBody required=%t", rb.Value.Required))
				content(head+" requestBody", rb.Value.Content)
			}
			for code, r := range op.Responses.Map() {
				h := head + " response " + code
				add(h, "")
				for name, hr := range r.Value.Headers {
					add(h+" header "+name, fmt.Sprintf("required=%t", hr.Value.Required))
					walk(h+" header "+name, "", hr.Value.Schema)
				}
				content(h, r.Value.Content)
			}
		}
	}
	return slices.Sorted(maps.Keys(facts))
}

// diff returns the facts only in published (missing from ours) and the facts
// only in ours (extra), both sorted. Its inputs are flatten results.
func diff(published, ours []string) (missing, extra []string) {
	for _, f := range published {
		if _, found := slices.BinarySearch(ours, f); !found {
			missing = append(missing, f)
		}
	}
	for _, f := range ours {
		if _, found := slices.BinarySearch(published, f); !found {
			extra = append(extra, f)
		}
	}
	return missing, extra
}

// formatDiff renders missing and extra facts one per line for a test failure.
func formatDiff(missing, extra []string) string {
	var b strings.Builder
	for _, f := range missing {
		fmt.Fprintf(&b, "\n  - only in published: %s", f)
	}
	for _, f := range extra {
		fmt.Fprintf(&b, "\n  + only in ours:      %s", f)
	}
	return b.String()
}
