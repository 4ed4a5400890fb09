package contract_test

import (
	"slices"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

func TestEnumReadsTheEmbeddedDocument(t *testing.T) {
	got, err := contract.Enum("organization-output", "status")
	if err != nil || !slices.Equal(got, []string{"active", "created", "suspended", "terminated"}) {
		t.Errorf("Enum(organization-output, status) = %q, %v", got, err)
	}
	for _, c := range [][2]string{{"organization-output", "id"}, {"organization-output", "nope"}, {"nope", "status"}} {
		if got, err := contract.Enum(c[0], c[1]); err == nil {
			t.Errorf("Enum(%s, %s) = %q, want an error", c[0], c[1], got)
		}
	}
}
