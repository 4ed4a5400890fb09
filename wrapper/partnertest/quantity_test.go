package partnertest_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The fake refuses a quantity with more than five decimals, as written on
// the wire, and stores and sums the others exactly: nothing is rounded.
func TestQuantityDecimals(t *testing.T) {
	c := newClient(t)
	id := c.create()
	batch := func(q string) string {
		return `{"organization":"` + id + `","usage":[{"product":"p","variable":"v","quantity":1},{"product":"p","variable":"v","quantity":` + q + `}]}`
	}
	for _, q := range []string{"1.123456", "1.00000000001", "0.30000000000000004", "-42.000051", "1e-6"} {
		msg := c.do("POST", "/metering:apply", batch(q)).want(t, 400).message(t)
		contains(t, msg, "usage[1].quantity: must have at most 5 decimals (got "+q+")")
		if strings.Count(msg, "quantity") != 1 {
			t.Errorf("%s: reported more than once: %s", q, msg)
		}
	}
	if got := c.srv.Metering(uuid.MustParse(id)); len(got) != 0 {
		t.Fatalf("refused batches were stored: %+v", got)
	}
	for _, q := range []string{"0.1", "0.2", "-42.00005", "1.000010", "1e-5"} {
		c.do("POST", "/metering:apply", batch(q)).want(t, 204)
	}
	// 5 × 1, plus 0.1 + 0.2 - 42.00005 + 1.00001 + 0.00001 = -35.70003 exactly.
	var statements []struct {
		Usage []struct{ Quantity float64 }
	}
	c.do("GET", "/distributor/organization/"+id+"/usage", "").want(t, 200).decode(t, &statements)
	if len(statements) != 1 || len(statements[0].Usage) != 1 || statements[0].Usage[0].Quantity != -35.70003 {
		t.Errorf("statements %+v, want one line of -35.70003", statements)
	}
}
