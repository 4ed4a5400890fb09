package report

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/exopartner/exopartner/wrapper"
)

// usageOf is n organizations and their results: one statement each, of 1
// to 4 lines, as partnertest's synthetic statements.
func usageOf(n int) ([]wrapper.Organization, []wrapper.OrganizationUsage) {
	orgs := make([]wrapper.Organization, n)
	results := make([]wrapper.OrganizationUsage, n)
	start := time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
	for i := range orgs {
		orgs[i] = wrapper.Organization{ID: uuid.New(), Status: wrapper.StatusActive, ClientID: fmt.Sprintf("crm-%d", i),
			BillingAddress: wrapper.BillingAddress{Name: fmt.Sprintf("Customer %d AG", i), Country: "CH"}}
		s := wrapper.UsageStatement{Code: fmt.Sprintf("INV-2025-03-%05d", i), Currency: "CHF", StartDate: start, EndDate: start.AddDate(0, 1, 0)}
		for j := range 1 + i%4 {
			l := wrapper.UsageLine{Product: "compute", Variable: fmt.Sprintf("v%d", j), Description: "Standard Medium",
				Unit: "hour", Quantity: 744.5, TotalExclVAT: float64(i%1000) + 0.35, TotalInclVAT: float64(i%1000) + 0.38}
			s.Usage = append(s.Usage, l)
			s.TotalExclVAT += l.TotalExclVAT
			s.TotalInclVAT += l.TotalInclVAT
		}
		results[i] = wrapper.OrganizationUsage{ID: orgs[i].ID, Statements: []wrapper.UsageStatement{s}}
	}
	return orgs, results
}

// An organization one of whose amounts cannot be represented fails whole:
// none of its rows or sums stay in the report, and those of the
// organizations around it are all there.
func TestAssembleDropsAFailedOrganizationWhole(t *testing.T) {
	orgs, results := usageOf(3)
	bad := &results[1].Statements[0]
	if len(bad.Usage) < 2 {
		t.Fatalf("organization 1 has %d lines, want 2 or more", len(bad.Usage))
	}
	bad.Usage[1].TotalInclVAT = math.NaN() // after a row of it was appended
	r := assemble(wrapper.NewPeriod(2025, time.March), orgs, results)
	if len(r.Failed) != 1 || r.Failed[0].Organization != orgs[1].ID {
		t.Fatalf("failed %v, want organization 1 alone", r.Failed)
	}
	t.Log(r.Failed[0].Err)
	want := len(results[0].Statements[0].Usage) + len(results[2].Statements[0].Usage)
	if len(r.Rows) != want {
		t.Errorf("%d rows, want %d (organizations 0 and 2)", len(r.Rows), want)
	}
	for _, row := range r.Rows {
		if row.Organization == orgs[1].ID {
			t.Errorf("a row of the failed organization: %+v", row)
		}
	}
	for _, d := range r.Discrepancies {
		if d.Organization == orgs[1].ID {
			t.Errorf("a sum of the failed organization: %+v", d)
		}
	}
	if len(r.Totals) != 1 || !r.Totals[0].TotalExclVAT.Equal(mustAmount(t, results[0].Statements[0].TotalExclVAT).Add(mustAmount(t, results[2].Statements[0].TotalExclVAT))) {
		t.Errorf("totals %v, want organizations 0 and 2's", r.Totals)
	}
}

func mustAmount(t *testing.T, f float64) decimal.Decimal {
	t.Helper()
	d, err := Amount(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// BenchmarkAssemble is Build's work after the fan-out, for 10 000
// organizations of 1 to 4 lines each: rows, exact decimal sums and totals.
func BenchmarkAssemble(b *testing.B) {
	orgs, results := usageOf(10000)
	period := wrapper.NewPeriod(2025, time.March)
	b.ReportAllocs()
	for b.Loop() {
		if r := assemble(period, orgs, results); len(r.Rows) != 25000 || len(r.Failed) != 0 {
			b.Fatalf("%d rows, failed %v", len(r.Rows), r.Failed)
		}
	}
}
