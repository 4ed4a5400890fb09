package report

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestTotalsPerCurrency: one exact total per currency, sorted, summed from
// the statements' own totals (never from their lines).
func TestTotalsPerCurrency(t *testing.T) {
	d := decimal.RequireFromString
	sums := []Discrepancy{
		{Currency: "EUR", TotalExclVAT: d("0.1"), TotalInclVAT: d("0.12"), LinesExclVAT: d("99")},
		{Currency: "CHF", TotalExclVAT: d("0.2"), TotalInclVAT: d("0.22")},
		{Currency: "EUR", TotalExclVAT: d("0.2"), TotalInclVAT: d("0.24"), LinesInclVAT: d("-5")},
		{Currency: "USD", TotalExclVAT: d("-1"), TotalInclVAT: d("-1.08")},
	}
	got := totals(sums)
	want := []struct{ cur, excl, incl string }{{"CHF", "0.2", "0.22"}, {"EUR", "0.3", "0.36"}, {"USD", "-1", "-1.08"}}
	if len(got) != len(want) {
		t.Fatalf("totals %v", got)
	}
	for i, w := range want {
		if got[i].Currency != w.cur || !got[i].TotalExclVAT.Equal(d(w.excl)) || !got[i].TotalInclVAT.Equal(d(w.incl)) {
			t.Errorf("total %d = %+v, want %v", i, got[i], w)
		}
	}
}
