package contract

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract/ruletext"
)

// kin-openapi (v0.142.0) checks multipleOf on the number printed with ten
// decimals, so 1.00000000001 passes a multipleOf of 0.00001. The rule here
// is exact: the decimal value of the number as written on the wire must be
// an integer multiple. Client and fake both apply it, after the schema
// validation, so that neither rounds anything silently.

// MultipleOfViolation is a number that is not an exact multiple of its
// schema's multipleOf.
type MultipleOfViolation struct {
	Pointer []string // JSON pointer of the number, as kin-openapi gives it
	Schema  *openapi3.Schema
	Number  string // the number as written on the wire
}

// Rule states the broken rule in ruletext's words ("must have at most 5
// decimals" for a multipleOf of 0.00001), with the number.
func (v MultipleOfViolation) Rule() string {
	return ruletext.MultipleOf(*v.Schema.MultipleOf) + " (got " + v.Number + ")"
}

// Problem is the violation as a Problem on its field below prefix.
func (v MultipleOfViolation) Problem(prefix string) Problem {
	return Problem{Field: Field(prefix, v.Pointer...), Rule: v.Rule(), Value: v.Number,
		Ref: RuleRef{Schema: v.Schema, Keyword: "multipleOf", Number: true}}
}

// ExactMultiple reports whether the decimal number num, written as in JSON
// (-42.00005, 1e-7), is an integer multiple of m, in exact arithmetic.
func ExactMultiple(num string, m float64) bool {
	x, ok := new(big.Rat).SetString(num)
	if !ok {
		return false
	}
	d, ok := new(big.Rat).SetString(strconv.FormatFloat(m, 'g', -1, 64))
	if !ok || d.Sign() == 0 {
		return false
	}
	return x.Quo(x, d).IsInt()
}

// CheckMultipleOf walks doc, a JSON document decoded into maps, []any and
// float64s or json.Numbers, along schema and returns every number that is
// not an exact multiple of its schema's multipleOf. A float64 is taken as
// encoding/json writes it: its shortest decimal form.
func CheckMultipleOf(schema *openapi3.Schema, doc any) []MultipleOfViolation {
	var out []MultipleOfViolation
	var walk func(s *openapi3.Schema, v any, ptr []string)
	walk = func(s *openapi3.Schema, v any, ptr []string) {
		if s == nil {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if p := s.Properties[k]; p != nil {
					walk(p.Value, v[k], append(slices.Clip(ptr), k))
				}
			}
		case []any:
			if s.Items != nil {
				for i, x := range v {
					walk(s.Items.Value, x, append(slices.Clip(ptr), strconv.Itoa(i)))
				}
			}
		case float64:
			check(s, strconv.FormatFloat(v, 'g', -1, 64), ptr, &out)
		case json.Number:
			check(s, string(v), ptr, &out)
		}
	}
	walk(schema, doc, nil)
	return out
}

func check(s *openapi3.Schema, num string, ptr []string, out *[]MultipleOfViolation) {
	if s.MultipleOf != nil && !ExactMultiple(num, *s.MultipleOf) {
		*out = append(*out, MultipleOfViolation{Pointer: ptr, Schema: s, Number: num})
	}
}

// HasMultipleOf reports whether schema, or any schema below it (properties,
// items, allOf, anyOf, oneOf), states a multipleOf: where none does,
// CheckMultipleOf has nothing to check.
func HasMultipleOf(schema *openapi3.Schema) bool {
	seen := map[*openapi3.Schema]bool{}
	var has func(s *openapi3.Schema) bool
	has = func(s *openapi3.Schema) bool {
		if s == nil || seen[s] {
			return false
		}
		seen[s] = true
		if s.MultipleOf != nil {
			return true
		}
		for _, p := range s.Properties {
			if has(p.Value) {
				return true
			}
		}
		if s.Items != nil && has(s.Items.Value) {
			return true
		}
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range refs {
				if has(r.Value) {
					return true
				}
			}
		}
		return false
	}
	return has(schema)
}
