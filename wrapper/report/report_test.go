package report_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	"github.com/exopartner/exopartner/wrapper/report"
)

const opUsage = "list-distributor-organization-usage"

// unitProduct is a product the fake charges exactly 1 per unit, so that a
// line's total-excl-vat is its quantity rounded to cents.
const unitProduct = "p1564"

// now is the fake's fixed clock: the metering below lands in its month
// whatever the time when the test runs.
var now = time.Now().UTC()

func start(t *testing.T) (*partnertest.Server, *wrapper.Client) {
	t.Helper()
	if p := partnertest.UnitPrice(unitProduct); p != 1 {
		t.Fatalf("UnitPrice(%q) = %v, want 1", unitProduct, p)
	}
	srv := partnertest.NewServer(partnertest.WithTB(t), partnertest.WithClock(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL),
		wrapper.WithRetry(3, time.Millisecond, 10*time.Millisecond),
		// 10 000-line answers take seconds under -race on a busy machine:
		// the attempt timeout is only a safety net here.
		wrapper.WithAttemptTimeout(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// meter applies one metering transaction of quantities, one line each
// (distinct variables), to a new organization, and returns it.
func meter(t *testing.T, c *wrapper.Client, srv *partnertest.Server, quantities []float64) wrapper.ID {
	t.Helper()
	id := srv.AddOrganizations(1)[0]
	usage := make([]wrapper.UsageRecord, len(quantities))
	for i, q := range quantities {
		usage[i] = wrapper.UsageRecord{Product: unitProduct, Variable: fmt.Sprintf("v%06d", i), Quantity: q}
	}
	if err := c.ApplyMetering(context.Background(), id, usage); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestExactTotals: 10 000 lines of 0.10 total exactly 1000.00 (and
// 1100.00 with VAT), where a float64 sum of the same amounts drifts.
func TestExactTotals(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	const n = 10_000
	meter(t, c, srv, slices.Repeat([]float64{0.1}, n))
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != n || len(r.Failed) != 0 || r.Organizations != 1 {
		t.Fatalf("%d rows, %d failed, %d organizations; want %d, 0, 1", len(r.Rows), len(r.Failed), r.Organizations, n)
	}
	var floatExcl float64
	for _, row := range r.Rows {
		f, _ := row.TotalExclVAT.Float64()
		floatExcl += f
	}
	if floatExcl == 1000 {
		t.Fatalf("a float64 sum came out exact (%v): the test proves nothing", floatExcl)
	}
	want := []report.Total{{Currency: "CHF", TotalExclVAT: decimal.RequireFromString("1000"), TotalInclVAT: decimal.RequireFromString("1100")}}
	assertTotals(t, r.Totals, want)
	if got := report.Money(r.Totals[0].TotalExclVAT); got != "1000.00" {
		t.Errorf("Money = %q, want 1000.00", got)
	}
	t.Logf("float64 sum: %v; decimal sum: %s", floatExcl, r.Totals[0].TotalExclVAT)
}

// TestExactTotalsMixed: lines of varied amounts, positive and negative,
// over two organizations: the totals equal the integer sum of the cents,
// computed without any decimal library.
func TestExactTotalsMixed(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	var quantities [2][]float64
	var wantExclCents int64
	const n = 4_000
	for i := range n {
		cents := int64(i*7919%100_000) - 20_000 // -200.00 .. 799.99
		quantities[i%2] = append(quantities[i%2], float64(cents)/100)
		wantExclCents += cents
	}
	meter(t, c, srv, quantities[0])
	meter(t, c, srv, quantities[1])
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != n || len(r.Failed) != 0 {
		t.Fatalf("%d rows, %d failed; want %d, 0", len(r.Rows), len(r.Failed), n)
	}
	var wantInclCents int64 // the fake computes VAT per line; sum its cents
	for _, row := range r.Rows {
		f, _ := row.TotalInclVAT.Float64()
		wantInclCents += int64(math.Round(f * 100))
	}
	want := []report.Total{{Currency: "CHF",
		TotalExclVAT: decimal.New(wantExclCents, -2), TotalInclVAT: decimal.New(wantInclCents, -2)}}
	assertTotals(t, r.Totals, want)
}

func assertTotals(t *testing.T, got, want []report.Total) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("totals %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Currency != want[i].Currency || !got[i].TotalExclVAT.Equal(want[i].TotalExclVAT) ||
			!got[i].TotalInclVAT.Equal(want[i].TotalInclVAT) {
			t.Errorf("total %d: %s %s / %s, want %s %s / %s", i, got[i].Currency, got[i].TotalExclVAT, got[i].TotalInclVAT,
				want[i].Currency, want[i].TotalExclVAT, want[i].TotalInclVAT)
		}
	}
}

// TestRows: every row carries its organization, statement and line, as the
// API sent them.
func TestRows(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	id := meter(t, c, srv, []float64{3.14159, -42.5})
	r, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 {
		t.Fatalf("rows %+v, want 2", r.Rows)
	}
	first := wrapper.PeriodOf(now).Start()
	row := r.Rows[0]
	if row.Organization != id || row.ClientID != "seed-1" || row.Name != "Seeded organization" || row.Country != "CH" ||
		row.Status != wrapper.StatusActive || row.Currency != "CHF" || row.Code == "" ||
		!row.StartDate.Equal(first) || !row.EndDate.Equal(first.AddDate(0, 1, 0)) ||
		row.Product != unitProduct || row.Variable != "v000000" || row.Description != unitProduct+" v000000" || row.Unit != "unit" ||
		row.Quantity.String() != "3.14159" || row.TotalExclVAT.String() != "3.14" || row.TotalInclVAT.String() != "3.39" {
		t.Errorf("row %+v", row)
	}
	if got := r.Rows[1]; got.Quantity.String() != "-42.5" || got.TotalExclVAT.String() != "-42.5" {
		t.Errorf("second row %+v", got)
	}
}

// TestStatusFilter: only organizations in the given statuses are read.
func TestStatusFilter(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	ids := srv.AddOrganizations(6)
	for _, id := range ids[:2] {
		if _, err := c.SuspendOrganization(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.TerminateOrganization(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	srv.ResetCounts()
	past := wrapper.PeriodOf(now.AddDate(0, -2, 0)) // synthetic statements with 1 to 4 lines
	r, err := report.Build(ctx, c, past, report.Options{Statuses: []wrapper.Status{wrapper.StatusSuspended, wrapper.StatusTerminated}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Organizations != 3 || srv.Requests(opUsage) != 3 {
		t.Fatalf("%d organizations, %d usage requests; want 3 and 3", r.Organizations, srv.Requests(opUsage))
	}
	seen := map[wrapper.ID]bool{}
	for _, row := range r.Rows {
		seen[row.Organization] = true
		if row.Status != wrapper.StatusSuspended && row.Status != wrapper.StatusTerminated {
			t.Errorf("row of a %s organization", row.Status)
		}
	}
	if len(seen) != 3 || !seen[ids[0]] || !seen[ids[1]] || !seen[ids[2]] {
		t.Errorf("rows of %v, want %v", seen, ids[:3])
	}
}

// TestFailuresListed: an organization whose usage cannot be read is listed
// with its error; every other organization's rows are still there, and
// progress counts every organization.
func TestFailuresListed(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ids := srv.AddOrganizations(5)
	srv.InjectFault(opUsage, 1, partnertest.Fault{Status: http.StatusNotFound})
	var progress [][2]int
	past := wrapper.PeriodOf(now.AddDate(0, -1, 0))
	r, err := report.Build(context.Background(), c, past, report.Options{Concurrency: 1,
		Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 1 || r.Failed[0].Organization != ids[0] || r.Failed[0].ClientID != "seed-1" ||
		!errors.Is(r.Failed[0].Err, wrapper.ErrNotFound) {
		t.Fatalf("failed %+v, want %s with a not-found error", r.Failed, ids[0])
	}
	seen := map[wrapper.ID]bool{}
	for _, row := range r.Rows {
		seen[row.Organization] = true
	}
	if len(seen) != 4 || seen[ids[0]] {
		t.Errorf("rows of %d organizations (%v), want the 4 that did not fail", len(seen), seen)
	}
	want := [][2]int{{0, 5}, {1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}}
	if !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
}

// TestListingFails: without a listing there is no report.
func TestListingFails(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	srv.InjectFault("list-distributor-organizations", 1, partnertest.Fault{Status: http.StatusForbidden})
	if _, err := report.Build(context.Background(), c, wrapper.PeriodOf(now), report.Options{}); !errors.Is(err, wrapper.ErrAuth) {
		t.Fatalf("got %v, want the listing's 403", err)
	}
	if _, err := report.Build(context.Background(), c, wrapper.Period{}, report.Options{}); !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Fatalf("zero period: got %v, want invalid input", err)
	}
	if n := srv.Requests(opUsage); n != 0 {
		t.Errorf("%d usage requests, want 0", n)
	}
}

func TestAmountAndMoney(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := report.Amount(f); err == nil {
			t.Errorf("Amount(%v): no error", f)
		}
	}
	for f, want := range map[float64]string{0.1: "0.10", 1000: "1000.00", -42.00005: "-42.00005", 1234567.89: "1234567.89", 0: "0.00", 1e-5: "0.00001"} {
		d, err := report.Amount(f)
		if err != nil || report.Money(d) != want {
			t.Errorf("Money(Amount(%v)) = %q, %v; want %q", f, report.Money(d), err, want)
		}
	}
}

// TestCancelled: when ctx ends mid-way, the organizations not read are
// listed as failed with ctx's error; nothing is dropped.
func TestCancelled(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ids := srv.AddOrganizations(4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	past := wrapper.PeriodOf(now.AddDate(0, -1, 0))
	r, err := report.Build(ctx, c, past, report.Options{Concurrency: 1, Progress: func(done, _ int) {
		if done == 1 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 3 || len(r.Rows) == 0 {
		t.Fatalf("%d rows, failed %+v; want the first organization's rows and 3 failures", len(r.Rows), r.Failed)
	}
	for i, f := range r.Failed {
		if f.Organization != ids[i+1] || !errors.Is(f.Err, context.Canceled) {
			t.Errorf("failure %d: %+v, want %s with context.Canceled", i, f, ids[i+1])
		}
	}
	for _, row := range r.Rows {
		if row.Organization != ids[0] {
			t.Errorf("row of %s", row.Organization)
		}
	}
}
