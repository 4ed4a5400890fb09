package contract

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Problem is one field that breaks one rule of the contract, as both the
// client (wrapper.ValidationError) and the fake API (partnertest's 400
// messages) report it.
type Problem struct {
	Field string // as on the wire: "billing-address.country", "usage[0].quantity"
	Rule  string // the rule broken: "required", "must be at most 191 characters"
}

// String is "field: rule".
func (p Problem) String() string { return p.Field + ": " + p.Rule }

// Problems turns a schema validation error (a kin-openapi MultiError or
// SchemaError) into one Problem per broken rule. prefix names the value
// that was validated ("" for a request body, "period" for that parameter).
// An error that is not a schema error is one Problem on prefix. multipleOf
// errors are left out: CheckMultipleOf states them exactly.
func Problems(prefix string, err error) []Problem {
	var errs openapi3.MultiError
	if !errors.As(err, &errs) {
		errs = openapi3.MultiError{err}
	}
	var out []Problem
	for _, e := range errs {
		var me openapi3.MultiError
		if errors.As(e, &me) {
			out = append(out, Problems(prefix, me)...)
			continue
		}
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			if se.SchemaField == "multipleOf" {
				continue // inexact (kin-openapi rounds to ten decimals): CheckMultipleOf reports it exactly
			}
			out = append(out, Problem{Field(prefix, se.JSONPointer()...), Rule(se)})
			continue
		}
		out = append(out, Problem{prefix, e.Error()})
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
