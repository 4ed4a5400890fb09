package wrapper

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract"
)

// ErrInvalidInput is matched by every *ValidationError.
var ErrInvalidInput = errors.New("invalid input")

// ValidationError reports input that breaks the API's contract. It is
// returned before anything is sent. Field and Rule describe the first
// problem; Problems lists them all.
type ValidationError struct {
	Operation string // operationId, "" when raised by a parser such as ParseID
	Field     string // as on the wire: "billing-address.country", "usage[0].quantity"
	Rule      string // the rule broken: "required", "must be at most 191 characters"
	Problems  []Problem
}

// Problem is one field that breaks one rule.
type Problem struct {
	Field string
	Rule  string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("exopartner: ")
	if e.Operation != "" {
		b.WriteString(e.Operation + ": ")
	}
	b.WriteString("invalid input: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.Rule)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidInput) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

func invalid(op, field, rule string) *ValidationError {
	return &ValidationError{Operation: op, Field: field, Rule: rule, Problems: []Problem{{field, rule}}}
}

// validationError turns kin-openapi's schema errors, and the numbers that
// are not exact multiples of their multipleOf, into a ValidationError; nil
// when there is no problem. kin-openapi's own multipleOf errors are left
// out: the exact check (contract.CheckMultipleOf) reports each of them.
func validationError(op, prefix string, err error, inexact ...contract.MultipleOfViolation) *ValidationError {
	var errs openapi3.MultiError
	if err != nil && !errors.As(err, &errs) {
		errs = openapi3.MultiError{err}
	}
	v := &ValidationError{Operation: op}
	for _, e := range errs {
		field, rule := prefix, e.Error()
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			if se.SchemaField == "multipleOf" {
				continue
			}
			field = wireField(prefix, se.JSONPointer())
			rule = ruleOf(se)
		}
		v.Problems = append(v.Problems, Problem{field, rule})
	}
	for _, m := range inexact {
		v.Problems = append(v.Problems, Problem{wireField(prefix, m.Pointer), m.Rule()})
	}
	if len(v.Problems) == 0 {
		return nil
	}
	v.Field, v.Rule = v.Problems[0].Field, v.Problems[0].Rule
	return v
}

// wireField joins a JSON pointer the way people write it: a.b[0].c.
func wireField(prefix string, ptr []string) string {
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

// ruleOf states the broken rule, reading the limit from the schema itself.
func ruleOf(se *openapi3.SchemaError) string {
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
		return fmt.Sprintf("must be at most %d characters", *s.MaxLength)
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
		return "must be of type " + strings.Join(s.Type.Slice(), " or ")
	}
	return se.Reason
}

// validator checks inputs against the schemas of the embedded spec; it holds
// no limits of its own.
type validator struct {
	createBody   *openapi3.Schema
	meteringBody *openapi3.Schema
	period       *openapi3.Schema
}

func newValidator() (*validator, error) {
	body := func(op string) (*openapi3.Schema, error) {
		_, _, o, ok := contract.Operation(op)
		if !ok || o.RequestBody == nil || o.RequestBody.Value.Content.Get("application/json") == nil {
			return nil, fmt.Errorf("exopartner: the embedded spec has no JSON request body for %s", op)
		}
		return o.RequestBody.Value.Content.Get("application/json").Schema.Value, nil
	}
	var v validator
	var err error
	if v.createBody, err = body(opCreate.id); err != nil {
		return nil, err
	}
	if v.meteringBody, err = body(opMetering.id); err != nil {
		return nil, err
	}
	_, _, o, _ := contract.Operation(opUsage.id)
	p := o.Parameters.GetByInAndName("query", "period")
	if p == nil {
		return nil, fmt.Errorf("exopartner: the embedded spec has no period parameter for %s", opUsage.id)
	}
	v.period = p.Schema.Value
	return &v, nil
}

// check validates a request body, given as the generic JSON value it
// encodes to (maps, slices, strings, float64s).
func (v *validator) check(op string, schema *openapi3.Schema, doc any) error {
	err := schema.VisitJSON(doc, contract.RequestOptions()...)
	if ve := validationError(op, "", err, contract.CheckMultipleOf(schema, doc)...); ve != nil {
		return ve
	}
	return nil
}

// validatePeriod checks a period string against the spec's parameter schema.
func validatePeriod(op, s string) error {
	v, err := sharedValidator()
	if err != nil {
		return err
	}
	if ve := validationError(op, "period", v.period.VisitJSON(s, contract.SchemaOptions()...)); ve != nil {
		return ve
	}
	return nil
}
