package specgen

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Contract prints the effective wire contract of doc: the servers, then for
// every operation (by operationId) its parameters, request body and
// responses, each schema in full with references resolved in place, as the
// client and partnertest check it: types, formats, required fields, enums,
// patterns, bounds and multipleOf. Descriptions, summaries, examples, tags,
// info and x- extensions are left out, and unused schemas do not appear;
// lists whose order carries no meaning (enums, required fields, properties,
// response codes) are sorted. Two documents with the same contract print
// the same text, so a diff of two prints shows what differs.
func Contract(doc *openapi3.T) string {
	var b strings.Builder
	for _, s := range doc.Servers {
		fmt.Fprintf(&b, "server %s\n", s.URL)
	}
	type op struct {
		method, path string
		item         *openapi3.PathItem
		op           *openapi3.Operation
	}
	var ops []op
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			ops = append(ops, op{method, path, item, o})
		}
	}
	slices.SortFunc(ops, func(a, b op) int {
		return strings.Compare(a.op.OperationID+" "+a.method+" "+a.path, b.op.OperationID+" "+b.method+" "+b.path)
	})
	for _, o := range ops {
		fmt.Fprintf(&b, "\noperation %s: %s %s\n", o.op.OperationID, o.method, o.path)
		printOperation(&b, o.item, o.op)
	}
	return b.String()
}

func printOperation(b *strings.Builder, item *openapi3.PathItem, op *openapi3.Operation) {
	// Operation parameters override path-level ones with the same location and name.
	params := map[string]*openapi3.Parameter{}
	for _, p := range slices.Concat(item.Parameters, op.Parameters) {
		if p != nil && p.Value != nil {
			params[p.Value.In+" "+p.Value.Name] = p.Value
		}
	}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		p := params[key]
		var attrs []string
		if p.Required {
			attrs = append(attrs, "required")
		}
		if p.Style != "" {
			attrs = append(attrs, "style="+p.Style)
		}
		if p.Explode != nil {
			attrs = append(attrs, "explode="+strconv.FormatBool(*p.Explode))
		}
		fmt.Fprintf(b, "  parameter %s%s\n", key, paren(attrs))
		printSchema(b, 2, p.Schema, nil)
		printContent(b, 2, p.Content)
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		req := ""
		if rb.Value.Required {
			req = " (required)"
		}
		fmt.Fprintf(b, "  request body%s\n", req)
		printContent(b, 2, rb.Value.Content)
	}
	if op.Responses != nil {
		for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
			r := op.Responses.Value(code)
			fmt.Fprintf(b, "  response %s\n", code)
			if r == nil || r.Value == nil {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(r.Value.Headers)) {
				h := r.Value.Headers[name]
				if h == nil || h.Value == nil {
					continue
				}
				req := ""
				if h.Value.Required {
					req = " (required)"
				}
				fmt.Fprintf(b, "    header %s%s\n", name, req)
				printSchema(b, 3, h.Value.Schema, nil)
			}
			printContent(b, 2, r.Value.Content)
		}
	}
}

func printContent(b *strings.Builder, depth int, c openapi3.Content) {
	for _, mt := range slices.Sorted(maps.Keys(c)) {
		fmt.Fprintf(b, "%s%s\n", indent(depth), mt)
		if m := c[mt]; m != nil {
			printSchema(b, depth+1, m.Schema, nil)
		}
	}
}

// printSchema prints a schema at depth, one attribute per line, resolving
// references in place; refs holds the references being printed, so that a
// recursive schema is printed once.
func printSchema(b *strings.Builder, depth int, ref *openapi3.SchemaRef, refs []string) {
	if ref == nil || ref.Value == nil {
		return
	}
	in := indent(depth)
	if ref.Ref != "" {
		if slices.Contains(refs, ref.Ref) {
			fmt.Fprintf(b, "%s(recursive: %s)\n", in, ref.Ref)
			return
		}
		refs = append(slices.Clip(refs), ref.Ref)
	}
	s := ref.Value
	line := func(k string, v any) { fmt.Fprintf(b, "%s%s: %v\n", in, k, v) }
	if s.Type != nil && !s.Type.IsEmpty() {
		line("type", strings.Join(s.Type.Slice(), ","))
	}
	if s.Format != "" {
		line("format", s.Format)
	}
	if len(s.Enum) > 0 {
		var vs []string
		for _, v := range s.Enum {
			vs = append(vs, fmt.Sprint(v))
		}
		slices.Sort(vs)
		line("enum", "["+strings.Join(vs, ", ")+"]")
	}
	if len(s.Required) > 0 {
		line("required", "["+strings.Join(slices.Sorted(slices.Values(s.Required)), ", ")+"]")
	}
	for _, a := range []struct {
		k string
		v any
	}{
		{"nullable", s.Nullable}, {"readOnly", s.ReadOnly}, {"writeOnly", s.WriteOnly},
		{"minLength", s.MinLength}, {"maxLength", s.MaxLength}, {"pattern", s.Pattern},
		{"minimum", s.Min}, {"exclusiveMinimum", s.ExclusiveMin}, {"maximum", s.Max}, {"exclusiveMaximum", s.ExclusiveMax},
		{"multipleOf", s.MultipleOf},
		{"minItems", s.MinItems}, {"maxItems", s.MaxItems}, {"uniqueItems", s.UniqueItems},
		{"minProperties", s.MinProps}, {"maxProperties", s.MaxProps},
		{"default", s.Default},
	} {
		if v, ok := attr(a.v); ok {
			line(a.k, v)
		}
	}
	if s.AdditionalProperties.Has != nil {
		line("additionalProperties", *s.AdditionalProperties.Has)
	}
	if s.Items != nil {
		fmt.Fprintf(b, "%sitems:\n", in)
		printSchema(b, depth+1, s.Items, refs)
	}
	if len(s.Properties) > 0 {
		fmt.Fprintf(b, "%sproperties:\n", in)
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			fmt.Fprintf(b, "%s  %s:\n", in, name)
			printSchema(b, depth+2, s.Properties[name], refs)
		}
	}
	if s.AdditionalProperties.Schema != nil {
		fmt.Fprintf(b, "%sadditionalProperties:\n", in)
		printSchema(b, depth+1, s.AdditionalProperties.Schema, refs)
	}
	for _, group := range []struct {
		k    string
		refs openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		for i, r := range group.refs {
			fmt.Fprintf(b, "%s%s[%d]:\n", in, group.k, i)
			printSchema(b, depth+1, r, refs)
		}
	}
	if s.Not != nil {
		fmt.Fprintf(b, "%snot:\n", in)
		printSchema(b, depth+1, s.Not, refs)
	}
}

// attr renders an attribute's value, and whether it is set (not zero).
func attr(v any) (string, bool) {
	switch v := v.(type) {
	case *uint64:
		if v != nil {
			return strconv.FormatUint(*v, 10), true
		}
	case uint64:
		if v != 0 {
			return strconv.FormatUint(v, 10), true
		}
	case *float64:
		if v != nil {
			return strconv.FormatFloat(*v, 'g', -1, 64), true
		}
	case bool:
		if v {
			return "true", true
		}
	case string:
		if v != "" {
			return v, true
		}
	case openapi3.ExclusiveBound:
		switch {
		case v.Value != nil:
			return strconv.FormatFloat(*v.Value, 'g', -1, 64), true
		case v.Bool != nil && *v.Bool:
			return "true", true
		}
	case nil:
	default:
		return fmt.Sprint(v), true
	}
	return "", false
}

func indent(depth int) string { return strings.Repeat("  ", depth) }

func paren(attrs []string) string {
	if len(attrs) == 0 {
		return ""
	}
	return " (" + strings.Join(attrs, ", ") + ")"
}
