package partnertest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
)

// The fake sums exactly in units of the step it is given (the spec's
// multipleOf, contract.QuantityStep), and draws synthetic quantities as
// multiples of it: another multipleOf reaches both.
func TestUsageFollowsTheSpecsStep(t *testing.T) {
	step, err := contract.NewStep(0.25)
	if err != nil {
		t.Fatal(err)
	}
	var usage []api.UsageRecord
	for range 3 {
		usage = append(usage, api.UsageRecord{Product: "p", Variable: "v", Quantity: 0.25}, api.UsageRecord{Product: "p", Variable: "v", Quantity: 0.5})
	}
	if lines := aggregate(usage, step); len(lines) != 1 || lines[0].Quantity != 2.25 {
		t.Errorf("aggregate = %+v, want one line of 2.25", lines)
	}
	for range 20 {
		for _, l := range synthetic(uuid.New(), "2024-01", step) {
			if q := l.Quantity; q < 0 || q >= 1000 || q*4 != float64(int64(q*4)) {
				t.Errorf("synthetic quantity %v: want a multiple of 0.25 below 1000", q)
			}
		}
	}
	// The embedded spec's step: what the statements of every test use.
	if got := quantityStep(); got.Decimals != 5 {
		t.Errorf("quantityStep() = %+v, want the spec's five decimals", got)
	}
}
