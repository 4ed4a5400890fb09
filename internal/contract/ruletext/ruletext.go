// Package ruletext states the rules of a schema in words, for people: what
// a CLI message, a file's bad line and the generated documentation of
// package wrapper say a field must be ("must be an e-mail address", "must
// be at most 191 characters"), where a validation error keeps the precise
// rule (the pattern itself).
//
// The words come from the spec. A rule of ours says what it demands in the
// schema extension [Extension], which its tightening (spec/tightenings.yaml)
// carries into the embedded document; any other rule, a published one
// included, gets a wording derived from its keyword and value. The package
// depends on no generated code, so that the generator (internal/specgen)
// words the documentation as validation words the errors.
package ruletext

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Extension is the schema extension that states a schema's rules in words,
// by keyword:
//
//	x-exopartner-messages:
//	  pattern: must be an e-mail address
//
// Each text is a phrase that follows the field's name in a message
// ("owner-email: must be an e-mail address").
const Extension = "x-exopartner-messages"

// Describe states rule keyword of schema s in words: the schema's own
// words (its [Extension]) when it has them, else a wording derived from the
// keyword and its value. It returns "" for a keyword it has no words for.
func Describe(s *openapi3.Schema, keyword string) string {
	if s == nil {
		return ""
	}
	if m, ok := s.Extensions[Extension].(map[string]any); ok {
		if t, ok := m[keyword].(string); ok && strings.TrimSpace(t) != "" {
			return strings.Join(strings.Fields(t), " ")
		}
	}
	switch keyword {
	case "required":
		return "required"
	case "minLength":
		switch {
		case s.MaxLength != nil && *s.MaxLength == s.MinLength:
			return fmt.Sprintf("must be exactly %d characters", s.MinLength)
		case s.MinLength == 1:
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters", s.MinLength)
	case "maxLength":
		if s.MaxLength == nil {
			return ""
		}
		if *s.MaxLength == s.MinLength {
			return fmt.Sprintf("must be exactly %d characters", s.MinLength)
		}
		return fmt.Sprintf("must be at most %d characters", *s.MaxLength)
	case "pattern":
		if s.Pattern == "" {
			return ""
		}
		// A pattern no tightening words: the pattern itself is all there is.
		if d := strings.TrimSuffix(strings.Join(strings.Fields(s.Description), " "), "."); d != "" {
			return "must match " + s.Pattern + " (" + d + ")"
		}
		return "must match " + s.Pattern
	case "format":
		return format(s.Format)
	case "enum":
		if len(s.Enum) == 0 {
			return ""
		}
		vs := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vs[i] = fmt.Sprint(v)
		}
		return "must be one of " + strings.Join(vs, "|")
	case "const":
		return fmt.Sprintf("must be %v", s.Const)
	case "type":
		return typeWords(s.Type)
	case "multipleOf":
		if s.MultipleOf == nil {
			return ""
		}
		return MultipleOf(*s.MultipleOf)
	case "minimum", "exclusiveMinimum":
		return bound(keyword == "exclusiveMinimum", s.Min, s.ExclusiveMin, "must be greater than ", "must be at least ")
	case "maximum", "exclusiveMaximum":
		return bound(keyword == "exclusiveMaximum", s.Max, s.ExclusiveMax, "must be less than ", "must be at most ")
	case "minItems":
		if s.MinItems == 1 {
			return "must have at least one item"
		}
		return fmt.Sprintf("must have at least %d items", s.MinItems)
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("must have at most %d items", *s.MaxItems)
		}
	case "uniqueItems":
		return "must not repeat an item"
	case "minProperties":
		return fmt.Sprintf("must have at least %d fields", s.MinProps)
	case "maxProperties":
		if s.MaxProps != nil {
			return fmt.Sprintf("must have at most %d fields", *s.MaxProps)
		}
	case "nullable":
		return "must not be null"
	}
	return ""
}

// MultipleOf words a multipleOf of m: "must have at most 5 decimals" for
// 0.00001, else "must be a multiple of m".
func MultipleOf(m float64) string {
	t := strconv.FormatFloat(m, 'f', -1, 64)
	if d, ok := strings.CutPrefix(t, "0."); ok && strings.Trim(d, "0") == "1" {
		return fmt.Sprintf("must have at most %d decimals", len(d))
	}
	return "must be a multiple of " + t
}

// bound words a lower or upper bound: limit (the minimum or maximum), or
// excl's own value under the exclusive keyword (OpenAPI 3.1 states the
// bound there). It is strict under the exclusive keyword, or when excl is
// OpenAPI 3.0's true; "" when the schema states no bound.
func bound(exclusiveKeyword bool, limit *float64, excl openapi3.ExclusiveBound, strict, inclusive string) string {
	switch {
	case exclusiveKeyword && excl.Value != nil:
		return strict + number(*excl.Value)
	case limit == nil:
		return ""
	case exclusiveKeyword || excl.IsTrue():
		return strict + number(*limit)
	}
	return inclusive + number(*limit)
}

// UUID is the rule an id of the API breaks when it is not a UUID in its
// canonical form (contract.ParseUUID).
const UUID = "must be a UUID (8-4-4-4-12 hex digits)"

// format words a string format.
func format(f string) string {
	switch f {
	case "":
		return ""
	case "uuid":
		return UUID
	case "date-time":
		return "must be a date and time as in RFC 3339 (2025-03-01T00:00:00Z)"
	case "date":
		return "must be a date as YYYY-MM-DD"
	case "email":
		return "must be an e-mail address"
	case "uri":
		return "must be a URI"
	case "ipv4", "ipv6":
		return "must be an " + strings.ToUpper(f[:2]) + f[2:] + " address"
	case "int32", "int64":
		return "must be a whole number of " + f[3:] + " bits"
	case "float", "double":
		return ""
	}
	return "must be in the " + f + " format"
}

// typeWords words a type rule.
func typeWords(t *openapi3.Types) string {
	if t == nil || t.IsEmpty() {
		return ""
	}
	var ws []string
	for _, name := range t.Slice() {
		switch name {
		case "string":
			ws = append(ws, "a string")
		case "number":
			ws = append(ws, "a number")
		case "integer":
			ws = append(ws, "a whole number")
		case "boolean":
			ws = append(ws, "true or false")
		case "array":
			ws = append(ws, "a list")
		case "object":
			ws = append(ws, "an object")
		case "null":
			ws = append(ws, "null")
		default:
			ws = append(ws, name)
		}
	}
	return "must be " + strings.Join(ws, " or ")
}

func number(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Rank orders the rules one value breaks, most useful to a person first
// (lower first): a missing or empty value; a value of the wrong type; then
// what the value must be (an enum, a format, a pattern: "Switzerland" is
// first not an ISO 3166-1 alpha-2 code, before it is too long); then its
// precision; then bounds of length, size and count; then the rest.
func Rank(s *openapi3.Schema, keyword string) int {
	switch keyword {
	case "required", "nullable":
		return 0
	case "minLength":
		if s != nil && s.MinLength == 1 {
			return 0 // an empty value: it is missing
		}
		return 4
	case "type":
		return 1
	case "enum", "const", "format", "pattern":
		return 2
	case "multipleOf":
		return 3
	case "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
		"minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties":
		return 4
	}
	return 5
}

// keywords are the keywords [Rules] words, each once, in this order within
// a rank.
var keywords = []string{"minLength", "enum", "const", "format", "pattern", "multipleOf",
	"maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum",
	"minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"}

// Rules words every rule schema s sets on its own value, most useful first
// (by [Rank]), for documentation: ["must not be empty", "must be at most
// 75 characters", "must be an e-mail address"]. Whether the value is
// required is its parent's rule, not listed; nor is its type, which Go
// states, nor the keywords in skip. A minimum and maximum length that are
// equal are one rule.
func Rules(s *openapi3.Schema, skip ...string) []string {
	if s == nil {
		return nil
	}
	var set []string
	for _, k := range keywords {
		if sets(s, k) && !slices.Contains(skip, k) {
			set = append(set, k)
		}
	}
	slices.SortStableFunc(set, func(a, b string) int { return Rank(s, a) - Rank(s, b) })
	var out []string
	for _, k := range set {
		if d := Describe(s, k); d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// sets reports whether s sets rule keyword.
func sets(s *openapi3.Schema, keyword string) bool {
	switch keyword {
	case "minLength":
		return s.MinLength > 0
	case "maxLength":
		return s.MaxLength != nil
	case "enum":
		return len(s.Enum) > 0
	case "const":
		return s.Const != nil
	case "format":
		return s.Format != ""
	case "pattern":
		return s.Pattern != ""
	case "multipleOf":
		return s.MultipleOf != nil
	case "minimum":
		return s.Min != nil && !s.ExclusiveMin.IsTrue()
	case "exclusiveMinimum":
		return s.ExclusiveMin.Value != nil || s.ExclusiveMin.IsTrue() && s.Min != nil
	case "maximum":
		return s.Max != nil && !s.ExclusiveMax.IsTrue()
	case "exclusiveMaximum":
		return s.ExclusiveMax.Value != nil || s.ExclusiveMax.IsTrue() && s.Max != nil
	case "minItems":
		return s.MinItems > 0
	case "maxItems":
		return s.MaxItems != nil
	case "uniqueItems":
		return s.UniqueItems
	case "minProperties":
		return s.MinProps > 0
	case "maxProperties":
		return s.MaxProps != nil
	}
	return false
}
