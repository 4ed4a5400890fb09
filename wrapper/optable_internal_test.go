package wrapper

import (
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// TestOperationTableMatchesSpec checks the wrapper's operation table against
// the embedded spec: every operation exists with the declared method (which
// decides idempotency, hence retries), and every operation of the spec is in
// the table. A spec revision that renames or adds an operation fails here,
// not at import.
func TestOperationTableMatchesSpec(t *testing.T) {
	doc, err := contract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, o := range operations {
		inTable[o.id] = true
		_, method, _, ok := contract.Operation(o.id)
		if !ok {
			t.Errorf("%s is not an operation of the embedded spec", o.id)
			continue
		}
		if method != o.method {
			t.Errorf("%s: the table says %s, the spec %s", o.id, o.method, method)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			if !inTable[o.OperationID] {
				t.Errorf("%s %s (%s) is in the spec but not in the wrapper's operation table", method, path, o.OperationID)
			}
		}
	}
}
