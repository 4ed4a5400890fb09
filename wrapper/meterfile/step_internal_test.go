package meterfile

import (
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// The parser takes its limit on a quantity from the step it is given (the
// spec's multipleOf, contract.QuantityStep, in Parse), never from a
// constant of its own: another multipleOf gives other messages.
func TestParseFollowsTheSpecsStep(t *testing.T) {
	const head = "organization,product,variable,quantity\n6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f,p,v,"
	for _, c := range []struct {
		multipleOf float64
		cell, want string // want "": accepted
	}{
		{0.001, "1.234", ""},
		{0.001, "1.2340", ""},
		{0.001, "1.0001", `m.csv:2: quantity: at most 3 decimal places, got "1.0001"`},
		{0.25, "-3.75", ""},
		{0.25, "0.1", `m.csv:2: quantity: must be a multiple of 0.25, got "0.1"`},
	} {
		step, err := contract.NewStep(c.multipleOf)
		if err != nil {
			t.Fatal(err)
		}
		p := parser{name: "m.csv", step: step}
		txs := p.parse(strings.NewReader(head + c.cell + "\n"))
		switch {
		case c.want == "" && (len(p.problems) > 0 || len(txs) != 1):
			t.Errorf("multipleOf %v, %s: %v, want it accepted", c.multipleOf, c.cell, p.problems)
		case c.want != "" && p.problems.Error() != c.want:
			t.Errorf("multipleOf %v, %s: %q, want %q", c.multipleOf, c.cell, p.problems.Error(), c.want)
		}
	}
}
