package contract_test

import (
	"math"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// The step of a quantity is read from the embedded document: the
// multipleOf of usage[].quantity in the metering-transaction body.
func TestQuantityStep(t *testing.T) {
	step, err := contract.QuantityStep()
	if err != nil {
		t.Fatal(err)
	}
	_, _, op, ok := contract.Operation("metering-transaction")
	if !ok {
		t.Fatal("no metering-transaction operation")
	}
	q := op.RequestBody.Value.Content.Get("application/json").Schema.Value.Properties["usage"].Value.Items.Value.Properties["quantity"].Value
	if q.MultipleOf == nil || step.MultipleOf != *q.MultipleOf {
		t.Fatalf("QuantityStep() = %+v, the document's multipleOf is %v", step, q.MultipleOf)
	}
	// What the README documents: at most five decimals.
	if step.Decimals != 5 || step.Scale != 1e5 || !step.PlacesOnly() {
		t.Errorf("QuantityStep() = %+v, want five decimal places", step)
	}
}

func TestNewStep(t *testing.T) {
	for _, c := range []struct {
		m        float64
		decimals int
		scale    float64
		units    int64
		places   bool
	}{
		{0.00001, 5, 1e5, 1, true},
		{0.001, 3, 1e3, 1, true},
		{0.25, 2, 100, 25, false},
		{1, 0, 1, 1, true},
		{10, 0, 1, 10, false},
		{1e-15, 15, 1e15, 1, true},
	} {
		s, err := contract.NewStep(c.m)
		if err != nil {
			t.Errorf("NewStep(%v): %v", c.m, err)
			continue
		}
		if s.MultipleOf != c.m || s.Decimals != c.decimals || s.Scale != c.scale || s.Units() != c.units || s.PlacesOnly() != c.places {
			t.Errorf("NewStep(%v) = %+v (units %d, places only %v), want %+v", c.m, s, s.Units(), s.PlacesOnly(), c)
		}
	}
	for _, m := range []float64{0, -0.00001, 1e-16, math.NaN(), math.Inf(1)} {
		if s, err := contract.NewStep(m); err == nil {
			t.Errorf("NewStep(%v) = %+v, want an error", m, s)
		}
	}
}
