package contract_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract"
)

func TestField(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		ptr    []string
		want   string
	}{
		{"", nil, ""},
		{"period", nil, "period"},
		{"", []string{"billing-address", "country"}, "billing-address.country"},
		{"", []string{"usage", "0", "quantity"}, "usage[0].quantity"},
		{"organizations", []string{"12", "billing-address", "country"}, "organizations[12].billing-address.country"},
		{"", []string{"usage", "3"}, "usage[3]"},
	} {
		if got := contract.Field(tc.prefix, tc.ptr...); got != tc.want {
			t.Errorf("Field(%q, %q) = %q, want %q", tc.prefix, tc.ptr, got, tc.want)
		}
	}
}

// TestProblems validates a metering batch against the embedded spec's own
// schema and expects each broken rule, field named as on the wire.
func TestProblems(t *testing.T) {
	_, _, op, ok := contract.Operation("metering-transaction")
	if !ok {
		t.Fatal("no metering-transaction in the embedded spec")
	}
	schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	doc := map[string]any{
		"organization": "not-a-uuid",
		"usage": []any{
			map[string]any{"product": "sos", "quantity": 1.5},
			map[string]any{"product": 7.0, "quantity": 1.0},
			map[string]any{"product": "sos", "quantity": "many"},
		},
	}
	err := schema.VisitJSON(doc, contract.RequestOptions()...)
	if err == nil {
		t.Fatal("an invalid batch passed")
	}
	got := map[string]string{}
	for _, p := range contract.Problems("", err) {
		got[p.Field] = p.Rule
	}
	want := map[string]string{
		"organization":      "must be a uuid",
		"usage[1].product":  "must be of type string",
		"usage[2].quantity": "must be of type number",
	}
	for f, r := range want {
		if got[f] != r {
			t.Errorf("%s: rule %q, want %q (all: %v)", f, got[f], r, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v, want exactly %v", got, want)
	}

	// A missing required property is named by its own path.
	_, _, create, _ := contract.Operation("create-distributor-organization")
	createSchema := create.RequestBody.Value.Content.Get("application/json").Schema.Value
	err = createSchema.VisitJSON(map[string]any{"display-name": "x", "owner-email": "a@b.ch", "billing-address": map[string]any{
		"name": "n", "street-name": "s", "city": "c", "postal-code": "1"}}, contract.RequestOptions()...)
	if p := contract.Problems("", err); len(p) != 1 || p[0].String() != "billing-address.country: required" {
		t.Errorf("create problems %v, want billing-address.country: required", p)
	}

	// A parameter's problem is named by the prefix.
	p := contract.Problems("period", (&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: "^[0-9]{4}$"}).VisitJSON("x", contract.SchemaOptions()...))
	if len(p) != 1 || p[0].String() != "period: must match ^[0-9]{4}$" {
		t.Errorf("period problems %v", p)
	}
}
