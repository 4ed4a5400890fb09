package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract"
)

func TestExactMultiple(t *testing.T) {
	for num, want := range map[string]bool{
		"3.1415": true, "-42.00005": true, "1.00001": true, "1.000010": true, "1e-5": true, "100000000.00001": true, "0": true,
		"1.123456": false, "1.00000000001": false, "0.30000000000000004": false, "-42.000051": false, "1e-6": false, "x": false,
	} {
		if got := contract.ExactMultiple(num, 0.00001); got != want {
			t.Errorf("ExactMultiple(%s, 0.00001) = %v, want %v", num, got, want)
		}
	}
}

// kin-openapi checks multipleOf on ten decimals only: the exact check is
// why the spec's rule is applied by CheckMultipleOf too.
func TestCheckMultipleOfIsStricterThanKinOpenAPI(t *testing.T) {
	m := 0.00001
	s := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"usage": {Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: &openapi3.Schema{
			Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
				"quantity": {Value: &openapi3.Schema{Type: &openapi3.Types{"number"}, MultipleOf: &m}},
			}}}}},
	}}
	a, b := 0.1, 0.2 // variables: a constant 0.1 + 0.2 is exactly 0.3
	for _, q := range []float64{1.00000000001, a + b} {
		doc := map[string]any{"usage": []any{map[string]any{"quantity": 1.0}, map[string]any{"quantity": q}}}
		if err := s.VisitJSON(doc); err != nil {
			t.Logf("kin-openapi now refuses %v: %v", q, err)
		}
		bad := contract.CheckMultipleOf(s, doc)
		if len(bad) != 1 || len(bad[0].Pointer) != 3 || bad[0].Pointer[1] != "1" || bad[0].Rule() == "" {
			t.Errorf("%v: %+v", q, bad)
		}
	}
	var doc any
	_ = json.Unmarshal([]byte(`{"usage":[{"quantity":-42.00005},{"quantity":3.1415}]}`), &doc)
	if bad := contract.CheckMultipleOf(s, doc); len(bad) != 0 {
		t.Errorf("valid quantities refused: %+v", bad)
	}
	if r := (contract.MultipleOfViolation{Schema: s.Properties["usage"].Value.Items.Value.Properties["quantity"].Value, Number: "1.123456"}).Rule(); r != "must have at most 5 decimals (got 1.123456)" {
		t.Errorf("rule %q", r)
	}
}
