package contract

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The step of a metering quantity is the spec's multipleOf of
// usage[].quantity in the metering-transaction request body (a tightening,
// spec/tightenings.yaml). Code that needs it beside the schema validation
// (a metering file's parser, the fake's exact sums) reads it here, from the
// embedded document, so that a revision of the multipleOf reaches it through
// `make generate` alone.

// meteringOperation is the operationId whose request body carries metering
// quantities.
const meteringOperation = "metering-transaction"

// Step is the multipleOf of a metering quantity and what follows from it.
type Step struct {
	// MultipleOf is the spec's value: 0.00001.
	MultipleOf float64
	// Decimals is how many decimal places MultipleOf has: 5.
	Decimals int
	// Scale is 10^Decimals, exactly: q×Scale is an integer (up to the
	// float64's representation error, which math.Round removes) for every
	// multiple q of MultipleOf.
	Scale float64
}

// PlacesOnly reports whether the step is 10^-Decimals, so that "at most
// Decimals decimal places" states the whole rule; else a quantity must be a
// multiple of MultipleOf.
func (s Step) PlacesOnly() bool { return s.Units() == 1 }

// Units is MultipleOf in units of 1/Scale: 1 for 0.00001, 25 for 0.25.
func (s Step) Units() int64 { return int64(math.Round(s.MultipleOf * s.Scale)) }

// quantityStep reads the step from the embedded document on first use,
// never at import.
var quantityStep = sync.OnceValues(func() (Step, error) {
	_, _, op, ok := Operation(meteringOperation)
	if !ok {
		if _, err := Doc(); err != nil {
			return Step{}, err
		}
		return Step{}, fmt.Errorf("contract: the embedded spec has no operation %s", meteringOperation)
	}
	return stepOf(op)
})

// QuantityStep returns the step of a metering quantity, as the embedded
// document states it.
func QuantityStep() (Step, error) { return quantityStep() }

// stepOf reads the step from the metering operation's request body:
// usage[].quantity's multipleOf.
func stepOf(op *openapi3.Operation) (Step, error) {
	fail := func(what string) (Step, error) {
		return Step{}, fmt.Errorf("contract: the embedded spec's %s request body has no %s", meteringOperation, what)
	}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return fail("body")
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return fail("JSON schema")
	}
	usage := mt.Schema.Value.Properties["usage"]
	if usage == nil || usage.Value == nil || usage.Value.Items == nil || usage.Value.Items.Value == nil {
		return fail("usage array")
	}
	q := usage.Value.Items.Value.Properties["quantity"]
	if q == nil || q.Value == nil {
		return fail("usage[].quantity")
	}
	if q.Value.MultipleOf == nil || !(*q.Value.MultipleOf > 0) {
		return fail("positive multipleOf on usage[].quantity (spec/tightenings.yaml)")
	}
	return NewStep(*q.Value.MultipleOf)
}

// NewStep returns the Step of multipleOf m, a positive number with at most
// 15 decimal places (its shortest decimal form).
func NewStep(m float64) (Step, error) {
	if !(m > 0) || math.IsInf(m, 0) {
		return Step{}, fmt.Errorf("contract: multipleOf %v is not a positive number", m)
	}
	_, frac, _ := strings.Cut(strconv.FormatFloat(m, 'f', -1, 64), ".")
	if len(frac) > 15 {
		return Step{}, fmt.Errorf("contract: multipleOf %v has more than 15 decimal places", m)
	}
	return Step{MultipleOf: m, Decimals: len(frac), Scale: math.Pow10(len(frac))}, nil
}
