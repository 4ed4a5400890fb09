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

// TestProblemsMostUsefulFirst: a country "Switzerland" breaks its length
// and its pattern; the pattern, which says what a country is, comes first,
// whatever order kin-openapi checks them in. Each problem keeps the precise
// rule and the value, and words the rule from the embedded spec (the
// tightening's x-exopartner-messages) only when asked.
func TestProblemsMostUsefulFirst(t *testing.T) {
	s := contract.MustDoc().Components.Schemas["billing-address"].Value
	err := s.VisitJSON(map[string]any{"name": "n", "street-name": "s", "city": "c", "postal-code": "1", "country": "Switzerland"},
		contract.RequestOptions()...)
	p := contract.Problems("billing-address", err)
	if len(p) != 2 || p[0].Ref.Keyword != "pattern" || p[1].Ref.Keyword != "maxLength" {
		t.Fatalf("problems %+v, want the pattern, then the length", p)
	}
	country := s.Properties["country"].Value
	words := country.Extensions["x-exopartner-messages"].(map[string]any)["pattern"].(string)
	if p[0].Field != "billing-address.country" || p[0].Rule != "must match "+country.Pattern+" (ISO 3166-1 alpha-2 country code, upper case)" ||
		p[0].Value != "Switzerland" {
		t.Errorf("problem %+v, want the precise rule and the value", p[0])
	}
	if got, want := p[0].Description(), words+` (got "Switzerland")`; got != want {
		t.Errorf("Description() = %q, want %q", got, want)
	}
	if got, want := p[1].Description(), "must be exactly 2 characters (got 11)"; got != want {
		t.Errorf("Description() = %q, want %q", got, want)
	}
	// A rule no schema states is in words already.
	if p := contract.UTF8Problems("", map[string]any{"city": "Z\xfcrich"}); len(p) != 1 || p[0].Description() != p[0].Rule {
		t.Errorf("UTF-8 problem %+v", p)
	}
}
