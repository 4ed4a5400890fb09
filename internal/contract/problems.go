package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract/ruletext"
)

// Problem is one field that breaks one rule of the contract, as both the
// client (wrapper.ValidationError) and the fake API (partnertest's 400
// messages) report it.
type Problem struct {
	Field string // as on the wire: "billing-address.country", "usage[0].quantity"
	Rule  string // the rule broken, precisely: "required", "must match ^[A-Z]{2}$ (…)"
	// Value is the value that breaks the rule when it is a string (as it
	// is) or a number (its shortest decimal form); "" otherwise.
	Value string
	// Ref is the rule of the schema broken, which Description words; zero
	// for a rule no schema states (valid UTF-8, a canonical client-id),
	// whose Rule is already in words.
	Ref RuleRef
}

// RuleRef names the rule of a schema a value breaks: it is all it takes to
// word the rule later, when an error is formatted.
type RuleRef struct {
	Schema  *openapi3.Schema
	Keyword string // "pattern", "maxLength", "required", …
	Number  bool   // the value is a number, shown unquoted
}

// String is "field: rule".
func (p Problem) String() string { return p.Field + ": " + p.Rule }

// Description states the problem for people ([RuleRef.Describe]).
func (p Problem) Description() string { return p.Ref.Describe(p.Rule, p.Value) }

// Describe states the problem of a value breaking the rule r for people:
// the rule in the spec's words (ruletext.Describe: "must be an e-mail
// address" where rule, the precise rule, holds the pattern), then the value
// that breaks it, cut to 40 bytes (`must be an e-mail address (got
// "nobody")`), or its length for a rule of length (`must be at most 191
// characters (got 192)`). A rule without words is rule as it is. It is worded on each
// call: validation itself words nothing.
func (r RuleRef) Describe(rule, value string) string {
	d := ""
	if r.Schema != nil {
		d = ruletext.Describe(r.Schema, r.Keyword)
	}
	switch {
	case d == "":
		return rule
	case value == "":
		return d
	case r.Number:
		return d + " (got " + value + ")"
	case r.Keyword == "minLength" || r.Keyword == "maxLength":
		return fmt.Sprintf("%s (got %d)", d, length(value))
	}
	return d + " (got " + quoteCut(value) + ")"
}

// length is the length of s as JSON Schema counts it, and kin-openapi
// checks it: in UTF-16 code units.
func length(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// ref is the RuleRef of a schema error.
func ref(se *openapi3.SchemaError) RuleRef {
	_, isString := se.Value.(string)
	return RuleRef{Schema: se.Schema, Keyword: se.SchemaField, Number: !isString && value(se.Value) != ""}
}

// value is v as Problem.Value holds it: a string as it is, a number in its
// shortest decimal form, anything else "".
func value(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case json.Number:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

// Problems turns a schema validation error (a kin-openapi MultiError or
// SchemaError) into one Problem per broken rule. prefix names the value
// that was validated ("" for a request body, "period" for that parameter).
// An error that is not a schema error is one Problem on prefix. multipleOf
// errors are left out: CheckMultipleOf states them exactly. The problems of
// one field are listed together, the most useful first (ruletext.Rank):
// for a country "Switzerland", its pattern before its length.
func Problems(prefix string, err error) []Problem {
	out := problems(prefix, err)
	// Fields in the order they first appear, each one's rules by rank.
	first := map[string]int{}
	for i, p := range out {
		if _, ok := first[p.Field]; !ok {
			first[p.Field] = i
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int {
		if c := first[a.Field] - first[b.Field]; c != 0 {
			return c
		}
		return ruletext.Rank(a.Ref.Schema, a.Ref.Keyword) - ruletext.Rank(b.Ref.Schema, b.Ref.Keyword)
	})
	return out
}

func problems(prefix string, err error) []Problem {
	var errs openapi3.MultiError
	if !errors.As(err, &errs) {
		errs = openapi3.MultiError{err}
	}
	var out []Problem
	for _, e := range errs {
		var me openapi3.MultiError
		if errors.As(e, &me) {
			out = append(out, problems(prefix, me)...)
			continue
		}
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			if se.SchemaField == "multipleOf" {
				continue // inexact (kin-openapi rounds to ten decimals): CheckMultipleOf reports it exactly
			}
			out = append(out, Problem{Field: Field(prefix, se.JSONPointer()...), Rule: Rule(se),
				Value: value(se.Value), Ref: ref(se)})
			continue
		}
		out = append(out, Problem{Field: prefix, Rule: e.Error()})
	}
	return out
}

// Field joins a JSON pointer below prefix the way people write a field:
// a.b[0].c. It is the one formatter of field names in exopartner.
func Field(prefix string, ptr ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, s := range ptr {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// Rule states the rule a schema error breaks, reading the limit from the
// schema itself.
func Rule(se *openapi3.SchemaError) string {
	s := se.Schema
	switch se.SchemaField {
	case "required":
		return "required"
	case "minLength":
		if s.MinLength == 1 {
			return "required (must not be empty)"
		}
		return fmt.Sprintf("must be at least %d characters", s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("must be at most %d characters", *s.MaxLength)
		}
	case "pattern":
		if s.Description != "" { // the spec says in words what the pattern means
			return "must match " + s.Pattern + " (" + strings.TrimSuffix(s.Description, ".") + ")"
		}
		return "must match " + s.Pattern
	case "format":
		return "must be a " + s.Format
	case "minItems":
		return fmt.Sprintf("must have at least %d item(s)", s.MinItems)
	case "enum":
		return fmt.Sprintf("must be one of %v", s.Enum)
	case "type":
		if s.Type != nil {
			return "must be of type " + strings.Join(s.Type.Slice(), " or ")
		}
	}
	if se.Reason == "" && se.Origin != nil {
		return se.Origin.Error()
	}
	return se.Reason
}
