package ruletext_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract/ruletext"
)

func TestDescribeWordsEachKeyword(t *testing.T) {
	max, m := uint64(255), 0.00001
	str := &openapi3.Schema{Type: &openapi3.Types{"string"}, MinLength: 1, MaxLength: &max, Pattern: "^[a-z]+$", Format: "uuid"}
	two := uint64(2)
	ten, yes := 10.0, true
	for _, tc := range []struct {
		s       *openapi3.Schema
		keyword string
		want    string
	}{
		{str, "required", "required"},
		{str, "minLength", "must not be empty"},
		{str, "maxLength", "must be at most 255 characters"},
		{&openapi3.Schema{MinLength: 2, MaxLength: &two}, "maxLength", "must be exactly 2 characters"},
		{&openapi3.Schema{MinLength: 3}, "minLength", "must be at least 3 characters"},
		{str, "pattern", "must match ^[a-z]+$"},
		{&openapi3.Schema{Pattern: "^x$", Description: "An x.\n"}, "pattern", "must match ^x$ (An x)"},
		{str, "format", "must be a UUID (8-4-4-4-12 hex digits)"},
		{&openapi3.Schema{Enum: []any{"active", "suspended"}}, "enum", "must be one of active|suspended"},
		{&openapi3.Schema{Type: &openapi3.Types{"integer"}}, "type", "must be a whole number"},
		{&openapi3.Schema{MultipleOf: &m}, "multipleOf", "must have at most 5 decimals"},
		{&openapi3.Schema{MinItems: 1}, "minItems", "must have at least one item"},
		{&openapi3.Schema{Min: &m}, "minimum", "must be at least 1e-05"},
		{&openapi3.Schema{Min: &ten, ExclusiveMin: openapi3.ExclusiveBound{Bool: &yes}}, "minimum", "must be greater than 10"},
		{&openapi3.Schema{Min: &ten, ExclusiveMin: openapi3.ExclusiveBound{Bool: &yes}}, "exclusiveMinimum", "must be greater than 10"},
		{&openapi3.Schema{ExclusiveMin: openapi3.ExclusiveBound{Value: &ten}}, "exclusiveMinimum", "must be greater than 10"},
		{&openapi3.Schema{}, "minimum", ""},
		{&openapi3.Schema{Max: &ten}, "maximum", "must be at most 10"},
		{&openapi3.Schema{Max: &ten, ExclusiveMax: openapi3.ExclusiveBound{Bool: &yes}}, "maximum", "must be less than 10"},
		{&openapi3.Schema{ExclusiveMax: openapi3.ExclusiveBound{Value: &ten}}, "exclusiveMaximum", "must be less than 10"},
		{&openapi3.Schema{}, "exclusiveMaximum", ""},
		{str, "discriminator", ""},
		// The spec's own words come first.
		{&openapi3.Schema{Pattern: "^x$", Extensions: map[string]any{ruletext.Extension: map[string]any{"pattern": "must be  an x\n"}}},
			"pattern", "must be an x"},
	} {
		if got := ruletext.Describe(tc.s, tc.keyword); got != tc.want {
			t.Errorf("Describe(%s) = %q, want %q", tc.keyword, got, tc.want)
		}
	}
}

// TestRankPutsWhatTheValueMustBeFirst: for "Switzerland" as a country, the
// pattern (what a country code is) before the length; an empty value is
// first missing.
func TestRankPutsWhatTheValueMustBeFirst(t *testing.T) {
	two := uint64(2)
	country := &openapi3.Schema{Type: &openapi3.Types{"string"}, MinLength: 2, MaxLength: &two, Pattern: "^[A-Z]{2}$",
		Extensions: map[string]any{ruletext.Extension: map[string]any{"pattern": "must be a country code"}}}
	if ruletext.Rank(country, "pattern") >= ruletext.Rank(country, "maxLength") {
		t.Error("the length of a country ranks before its pattern")
	}
	email := &openapi3.Schema{MinLength: 1, Pattern: "@"}
	if ruletext.Rank(email, "minLength") >= ruletext.Rank(email, "pattern") {
		t.Error("an empty value ranks after its pattern")
	}
	if got, want := ruletext.Rules(country), []string{"must be a country code", "must be exactly 2 characters"}; !slices.Equal(got, want) {
		t.Errorf("Rules = %q, want %q", got, want)
	}
	if got := ruletext.Rules(&openapi3.Schema{Format: "date-time", MaxLength: &two}, "format"); !slices.Equal(got, []string{"must be at most 2 characters"}) {
		t.Errorf("Rules skipping format = %q", got)
	}
}
