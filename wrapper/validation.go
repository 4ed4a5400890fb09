package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

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

// Validate… check a whole input before the first request of a job, exactly
// as the calls do before sending.

// ValidateCreateOrganizationRequest checks req against the API's contract
// exactly as [Client.CreateOrganization] does before sending, and sends
// nothing. It returns nil or a *ValidationError listing every field that
// breaks a rule, named as on the wire ("display-name",
// "billing-address.country"), the client-id rule of [ClientIDKey] and the
// UTF-8 rule included. Use it to validate a whole input file before the
// first request of a job.
func ValidateCreateOrganizationRequest(req CreateOrganizationRequest) error {
	_, err := encode(opCreate.opSpec, req, true)
	return err
}

// ValidateMeteringUsage checks usage against the API's contract exactly as
// [Client.ApplyMetering] checks it before sending (at least one record,
// every quantity finite with at most five decimals, the product and
// variable as the spec allows them), and sends nothing. It returns nil or a
// *ValidationError naming usage[i].field. Use it to refuse bad usage before
// the requests that find the organization it is for.
func ValidateMeteringUsage(usage []UsageRecord) error {
	_, err := meteringBody(meteringPlaceholder, usage, true)
	return err
}

// meteringPlaceholder stands in for the organization when only the usage
// is checked: any valid id does.
var meteringPlaceholder = ID{0: 1}

// createBody encodes a create request and checks it against the contract,
// the client-id rule of [ClientIDKey] included.
func (c *Client) createBody(req CreateOrganizationRequest) ([]byte, error) {
	return encode(opCreate.opSpec, req, c.validate)
}

// encode marshals the request body of o and, when validate is set, checks
// the bytes that will be sent against the spec's schema for o. Whether
// validate is set or not, a string that is not valid UTF-8 is refused
// (contract.UTF8Problems): encoding/json would send it silently changed, and
// no server can be sent what JSON cannot carry.
func encode(o opSpec, v any, validate bool) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %s: encoding request: %w", o.id, err)
	}
	var problems []contract.Problem
	if bytes.Contains(body, replacedByte) {
		problems = utf8Problems(v)
	}
	if validate {
		val, err := sharedValidator()
		if err != nil {
			return nil, err
		}
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("exopartner: %s: encoding request: %w", o.id, err)
		}
		for _, p := range val.problems(o.id, doc) {
			// A field that is not UTF-8 is judged as sent (U+FFFD in
			// place): its UTF-8 problem is the one that matters.
			if !slices.ContainsFunc(problems, func(q contract.Problem) bool { return q.Field == p.Field }) {
				problems = append(problems, p)
			}
		}
	}
	if ve := problemsError(o.id, problems); ve != nil {
		return nil, ve
	}
	return body, nil
}

// replacedByte is what encoding/json writes for each byte of a string that
// is not UTF-8; a U+FFFD given as such is written as itself. A body without
// it holds only valid strings, and costs no walk. (A string holding the
// six characters \ufffd also contains it: the walk then finds nothing.)
var replacedByte = []byte(`\ufffd`)

// validator checks inputs against the schemas of the embedded spec; it holds
// no limits of its own. It is built once, on first use (sharedValidator).
type validator struct {
	bodies  map[string]bodySchema // by operationId
	period  *openapi3.Schema
	reqOpts []openapi3.SchemaValidationOption
	opts    []openapi3.SchemaValidationOption
}

// bodySchema is an operation's request body schema, and whether any of it
// states a multipleOf (the exact check, contract.CheckMultipleOf, then runs).
type bodySchema struct {
	schema *openapi3.Schema
	exact  bool
}

// sharedValidator builds the validator from the embedded spec once.
var sharedValidator = sync.OnceValues(newValidator)

func newValidator() (*validator, error) {
	v := &validator{bodies: map[string]bodySchema{}, reqOpts: contract.RequestOptions(), opts: contract.SchemaOptions()}
	for _, id := range []string{opCreate.id, opMetering.id} {
		_, _, o, ok := contract.Operation(id)
		if !ok || o.RequestBody == nil || o.RequestBody.Value.Content.Get(jsonBody) == nil {
			return nil, fmt.Errorf("exopartner: the embedded spec has no JSON request body for %s", id)
		}
		s := o.RequestBody.Value.Content.Get(jsonBody).Schema.Value
		v.bodies[id] = bodySchema{s, contract.HasMultipleOf(s)}
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
	return v, nil
}

// problems lists every rule of the contract the request body doc (the
// generic JSON value it is, decoded from the bytes sent) breaks: the
// schema's, the exact multipleOf, and for a create the client-id rule of
// contract.ClientIDRule (look-alike client-ids), which no schema can state.
func (v *validator) problems(op string, doc any) []contract.Problem {
	b := v.bodies[op]
	var inexact []contract.MultipleOfViolation
	if b.exact {
		inexact = contract.CheckMultipleOf(b.schema, doc)
	}
	out := schemaProblems("", b.schema.VisitJSON(doc, v.reqOpts...), inexact)
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
func validatePeriod(op, s string) error {
	v, err := sharedValidator()
	if err != nil {
		return err
	}
	if ve := validationError(op, "period", v.period.VisitJSON(s, v.opts...)); ve != nil {
		return ve
	}
	return nil
}

// utf8Problems names the strings of v, a generated request type, that are
// not valid UTF-8 (contract.UTF8Problems), with the caller's bytes:
// encoding/json has replaced them in the body.
func utf8Problems(v any) []contract.Problem {
	return contract.UTF8Problems("", rawStrings(reflect.ValueOf(v)))
}

// rawStrings is v's strings as the caller gave them, each under its name
// on the wire (its json tag): structs become maps, slices []any, and what
// holds no string nil. Only the strings matter to the UTF-8 rule.
func rawStrings(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return rawStrings(v.Elem())
		}
	case reflect.String:
		return v.String()
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = rawStrings(v.Index(i))
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.IsExported() && name != "" && name != "-" {
				out[name] = rawStrings(v.Field(i))
			}
		}
		return out
	}
	return nil
}
