package report_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	"github.com/exopartner/exopartner/wrapper/report"
)

// Statements as an API may send them: lines rounded apart from their
// statement's totals, totals without lines, and one that reconciles.
const (
	unreconciledStatements = `[
 {"code": "S-A1", "currency": "CHF", "total-excl-vat": 10.00, "total-incl-vat": 10.81, "usage": [
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60},
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60},
  {"product": "compute", "variable": "h", "quantity": 1, "total-excl-vat": 3.33, "total-incl-vat": 3.60}]},
 {"code": "S-A2", "currency": "EUR", "total-excl-vat": 5.00, "total-incl-vat": 5.40}]`
	reconciledStatements = `[
 {"code": "S-B1", "currency": "CHF", "total-excl-vat": 0.30, "total-incl-vat": 0.33, "usage": [
  {"product": "sos", "variable": "gib", "quantity": 1, "total-excl-vat": 0.10, "total-incl-vat": 0.11},
  {"product": "sos", "variable": "gib", "quantity": 2, "total-excl-vat": 0.20, "total-incl-vat": 0.22}]}]`
)

// injectStatements makes the next usage reads answer these bodies, in order.
func injectStatements(srv *partnertest.Server, bodies ...string) {
	for _, b := range bodies {
		srv.InjectFault(opUsage, 1, partnertest.Fault{Body: b})
	}
}

// TestTotalsAreTheStatements: the per-currency totals add up each
// statement's own totals (a statement with totals and no lines included),
// and every statement whose lines do not add up exactly is a discrepancy
// with both figures.
func TestTotalsAreTheStatements(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ids := srv.AddOrganizations(2)
	injectStatements(srv, unreconciledStatements, reconciledStatements)
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 5 || len(r.Failed) != 0 {
		t.Fatalf("%d rows, failed %v; want 5 rows", len(r.Rows), r.Failed)
	}
	d := decimal.RequireFromString
	assertTotals(t, r.Totals, []report.Total{
		{Currency: "CHF", TotalExclVAT: d("10.30"), TotalInclVAT: d("11.14")},
		{Currency: "EUR", TotalExclVAT: d("5"), TotalInclVAT: d("5.4")},
	})
	want := []report.Discrepancy{
		{Organization: ids[0], ClientID: "seed-1", Code: "S-A1", Currency: "CHF", Lines: 3,
			TotalExclVAT: d("10"), TotalInclVAT: d("10.81"), LinesExclVAT: d("9.99"), LinesInclVAT: d("10.8")},
		{Organization: ids[0], ClientID: "seed-1", Code: "S-A2", Currency: "EUR", Lines: 0,
			TotalExclVAT: d("5"), TotalInclVAT: d("5.4"), LinesExclVAT: d("0"), LinesInclVAT: d("0")},
	}
	if len(r.Discrepancies) != len(want) {
		t.Fatalf("discrepancies %+v, want %+v", r.Discrepancies, want)
	}
	for i, w := range want {
		g := r.Discrepancies[i]
		if g.Organization != w.Organization || g.ClientID != w.ClientID || g.Code != w.Code || g.Currency != w.Currency || g.Lines != w.Lines ||
			!g.TotalExclVAT.Equal(w.TotalExclVAT) || !g.TotalInclVAT.Equal(w.TotalInclVAT) ||
			!g.LinesExclVAT.Equal(w.LinesExclVAT) || !g.LinesInclVAT.Equal(w.LinesInclVAT) {
			t.Errorf("discrepancy %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestNoDiscrepancyWhenLinesAddUp: the fake's own statements (lines rounded
// to cents, totals their sums) reconcile.
func TestNoDiscrepancyWhenLinesAddUp(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	srv.AddOrganizations(3)
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now.AddDate(0, -1, 0)), report.Options{})
	if err != nil || len(r.Rows) == 0 || len(r.Discrepancies) != 0 {
		t.Fatalf("%d rows, discrepancies %+v, %v", len(r.Rows), r.Discrepancies, err)
	}
}
