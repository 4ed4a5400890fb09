package wrapper

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract"
)

// ErrInvalidInput is matched by every *ValidationError.
var ErrInvalidInput = errors.New("invalid input")

// ValidationError reports input that breaks the API's contract, or that
// cannot be sent as it is: a string that is not valid UTF-8 (checked even
// with [WithoutValidation]: encoding/json would send U+FFFD in its place). It
// is returned before anything is sent. Field and Rule describe the first
// problem; Problems lists them all.
type ValidationError struct {
	Operation string // operationId, "" when raised by a parser such as ParseID
	Field     string // as on the wire: "billing-address.country", "usage[0].quantity"
	Rule      string // the rule broken: "required", "must be at most 191 characters"
	Problems  []Problem
}

// Problem is one field that breaks one rule. Field is named as on the wire
// ("usage[0].quantity"), the way partnertest names it too; Rule is the rule,
// precisely ("must match ^[A-Z]{2}$ (…)"), and [Problem.Description] the
// same in words for people. A field that breaks several rules is reported
// once, with the most useful: the pattern of a country "Switzerland"
// before its length.
type Problem struct {
	Field string
	Rule  string
	// Value is the value that breaks the rule when it is a string (as
	// given) or a number (its shortest decimal form); "" otherwise.
	Value string

	ref contract.RuleRef // the schema's rule, worded by Description
}

// Description states the problem for people, in the spec's words: the rule
// as the spec describes it (its x-exopartner-messages, else a wording
// derived from the rule's keyword), then the value, cut to 40 bytes, or its
// length for a rule of length: `must be an e-mail address (got "nobody")`
// where Rule holds the pattern, `must be at most 191 characters (got 192)`. A rule the spec does not state (valid
// UTF-8, a canonical client-id) is its Rule. Description words the rule
// when it is called; validating words nothing.
func (p Problem) Description() string { return p.ref.Describe(p.Rule, p.Value) }

// Description is the first problem's [Problem.Description] (that of Field
// and Rule), or Rule when the error lists no problem.
func (e *ValidationError) Description() string {
	if len(e.Problems) == 0 {
		return e.Rule
	}
	return e.Problems[0].Description()
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
	return &ValidationError{Operation: op, Field: field, Rule: rule, Problems: []Problem{{Field: field, Rule: rule}}}
}

// validationError turns kin-openapi's schema errors, and the numbers that
// are not exact multiples of their multipleOf, into a ValidationError, each
// field and rule stated by contract.Problems (as partnertest states them);
// nil when there is no problem. kin-openapi's own multipleOf errors are left
// out (contract.Problems skips them): the exact check
// (contract.CheckMultipleOf) reports each of them.
func validationError(op, prefix string, err error, inexact ...contract.MultipleOfViolation) *ValidationError {
	return problemsError(op, schemaProblems(prefix, err, inexact))
}

// schemaProblems are the problems of one schema validation: kin-openapi's
// errors and the inexact multiples.
func schemaProblems(prefix string, err error, inexact []contract.MultipleOfViolation) []contract.Problem {
	var out []contract.Problem
	if err != nil {
		out = contract.Problems(prefix, err)
	}
	for _, m := range inexact {
		out = append(out, m.Problem(prefix))
	}
	return out
}

// problemsError is the ValidationError listing problems, nil for none.
func problemsError(op string, problems []contract.Problem) *ValidationError {
	if len(problems) == 0 {
		return nil
	}
	v := &ValidationError{Operation: op, Problems: make([]Problem, len(problems))}
	for i, p := range problems {
		v.Problems[i] = Problem{Field: p.Field, Rule: p.Rule, Value: p.Value, ref: p.Ref}
	}
	v.Field, v.Rule = v.Problems[0].Field, v.Problems[0].Rule
	return v
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
	_, _, o, ok := contract.Operation(opUsage.id)
	if !ok {
		return nil, fmt.Errorf("exopartner: the embedded spec has no operation %s", opUsage.id)
	}
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
	if ve := problemsError(op, v.problems(op, schema, doc)); ve != nil {
		return ve
	}
	return nil
}

// problems lists every rule of the contract doc breaks: the schema's, the
// exact multipleOf, and for a create the client-id rule of
// contract.ClientIDRule (look-alike client-ids), which no schema can state.
func (v *validator) problems(op string, schema *openapi3.Schema, doc any) []contract.Problem {
	out := schemaProblems("", schema.VisitJSON(doc, contract.RequestOptions()...), contract.CheckMultipleOf(schema, doc))
	if m, ok := doc.(map[string]any); ok && op == opCreate.id {
		if id, ok := m[clientIDField].(string); ok {
			if rule := contract.ClientIDRule(id); rule != "" {
				out = append(out, contract.Problem{Field: clientIDField, Rule: rule})
			}
		}
	}
	return out
}

// clientIDField is the create request's client-id on the wire.
const clientIDField = "client-id"

// validatePeriod checks a period string against the spec's parameter schema.
// A period that passed is remembered: a job reads many organizations' usage
// for the same few months, and the schema does not change.
func validatePeriod(op, s string) error {
	if _, ok := validPeriods.Load(s); ok {
		return nil
	}
	v, err := sharedValidator()
	if err != nil {
		return err
	}
	if ve := validationError(op, "period", v.period.VisitJSON(s, contract.SchemaOptions()...)); ve != nil {
		return ve
	}
	if validPeriodCount.Add(1) <= maxValidPeriods {
		validPeriods.Store(s, struct{}{})
	}
	return nil
}

// validPeriods holds up to maxValidPeriods period strings that passed.
var (
	validPeriods     sync.Map
	validPeriodCount atomic.Int64
)

const maxValidPeriods = 1024
