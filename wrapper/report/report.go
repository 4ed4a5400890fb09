// Package report builds a usage report for a period over every organization
// of a distributor: one row per usage line, exact totals per currency, and
// the organizations whose usage could not be read. It is built only on the
// public [wrapper.Client] and reads the usage through its fan-out
// ([wrapper.Client.UsageForEach]), with bounded concurrency.
//
// Money is summed exactly, in decimal: see [Amount]. The totals are the
// statements' own totals, what Exoscale bills; a statement whose lines do
// not add up to them is listed as a [Discrepancy].
//
// [WriteCSV] writes the rows for a spreadsheet: text cells that a
// spreadsheet would run as a formula are neutralised (see [Row.Cells]);
// [WriteCSVWith] writes them with ";" or TAB and a byte order mark, for
// Excel in other locales; [WriteXLSX] writes an Excel workbook, with
// numbers as numbers, dates as dates and the totals on a sheet of their
// own.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/exopartner/exopartner/wrapper"
)

// DefaultConcurrency is the number of usage reads in flight when
// [Options.Concurrency] is not set.
const DefaultConcurrency = 8

// Options tune [Build]. The zero Options report every organization with
// [DefaultConcurrency].
type Options struct {
	// Statuses keeps only the organizations in one of these statuses;
	// empty keeps them all.
	Statuses []wrapper.Status

	// Concurrency bounds the usage reads in flight (default
	// [DefaultConcurrency]).
	Concurrency int

	// Progress, if set, is called with the number of organizations done out
	// of total: once with done = 0 when the listing is known, then after
	// each organization. It is never called concurrently.
	Progress func(done, total int)
}

// Report is the usage of a distributor's organizations for one period.
type Report struct {
	Period wrapper.Period

	// Organizations is how many organizations the report covers (after the
	// status filter), read or failed.
	Organizations int

	// Rows holds one row per usage line, in the listing's order of
	// organizations, then statement and line order.
	Rows []Row

	// Totals holds one total per currency, sorted by currency: the exact
	// sums of the statements' own total-excl-vat and total-incl-vat, what
	// Exoscale bills. When every statement's lines add up to its totals
	// (no Discrepancies) they are also the sums of the rows' amounts.
	Totals []Total

	// Discrepancies lists every statement whose lines do not add up
	// exactly, in decimal, to its own totals (a statement with totals but
	// no lines included), in the listing's order of organizations, then
	// statement order.
	Discrepancies []Discrepancy

	// Failed lists the organizations whose usage could not be read, in the
	// listing's order. Their rows are absent; nothing else is dropped.
	Failed []Failure
}

// Row is one usage line with its organization and statement.
type Row struct {
	Organization wrapper.ID
	ClientID     string
	Name         string // the billing address's name
	Country      string // the billing address's country
	Status       wrapper.Status

	Code      string // the statement's code
	Currency  string // the statement's currency
	StartDate time.Time
	EndDate   time.Time

	Product      string
	Variable     string
	Description  string
	Quantity     decimal.Decimal
	Unit         string
	TotalExclVAT decimal.Decimal
	TotalInclVAT decimal.Decimal
}

// Total is the sum of the statements of one currency.
type Total struct {
	Currency     string
	TotalExclVAT decimal.Decimal
	TotalInclVAT decimal.Decimal
}

// Discrepancy is a statement whose lines do not add up to its own totals:
// both figures, so that a person can tell which to bill and report the
// difference.
type Discrepancy struct {
	Organization wrapper.ID
	ClientID     string
	Code         string // the statement's code
	Currency     string
	Lines        int // how many lines the statement has

	TotalExclVAT decimal.Decimal // the statement's own total-excl-vat (in Totals)
	TotalInclVAT decimal.Decimal // the statement's own total-incl-vat (in Totals)
	LinesExclVAT decimal.Decimal // the sum of its lines' total-excl-vat (in Rows)
	LinesInclVAT decimal.Decimal // the sum of its lines' total-incl-vat (in Rows)
}

// Failure is an organization whose usage could not be read.
type Failure struct {
	Organization wrapper.ID
	ClientID     string
	Err          error
}

// Build lists the distributor's organizations once, keeps those in
// opts.Statuses, and reads each one's usage for period (required: the zero
// Period is a *wrapper.ValidationError). The error is the listing's:
// per-organization failures, ctx ending included, are in Report.Failed,
// and Build still returns every row it read.
func Build(ctx context.Context, c *wrapper.Client, period wrapper.Period, opts Options) (*Report, error) {
	if period.IsZero() {
		p := wrapper.Problem{Field: "period", Rule: "required"}
		return nil, &wrapper.ValidationError{Field: p.Field, Rule: p.Rule, Problems: []wrapper.Problem{p}}
	}
	all, err := c.ListOrganizations(ctx)
	if err != nil {
		return nil, err
	}
	orgs := filter(all, opts.Statuses)
	ids := make([]wrapper.ID, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	concurrency := opts.Concurrency
	if concurrency < 1 {
		concurrency = DefaultConcurrency
	}
	if opts.Progress != nil {
		opts.Progress(0, len(ids))
	}
	results := make([]wrapper.OrganizationUsage, len(ids))
	done := 0
	c.UsageForEach(ctx, ids, period, concurrency, func(i int, u wrapper.OrganizationUsage) {
		results[i] = u
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(ids))
		}
	})

	return assemble(period, orgs, results), nil
}

// assemble turns the fan-out's results, in the order of orgs, into the
// report. Rows and sums are sized once, from the statements read, and
// each organization's rows are appended to them in place.
func assemble(period wrapper.Period, orgs []wrapper.Organization, results []wrapper.OrganizationUsage) *Report {
	r := &Report{Period: period, Organizations: len(orgs)}
	lines, statements := 0, 0
	for _, u := range results {
		statements += len(u.Statements)
		for _, s := range u.Statements {
			lines += len(s.Usage)
		}
	}
	if lines > 0 {
		r.Rows = make([]Row, 0, lines)
	}
	sums := make([]Discrepancy, 0, statements)
	for i, u := range results {
		org := orgs[i]
		err := u.Err
		if err == nil {
			rows, ss := len(r.Rows), len(sums)
			if r.Rows, sums, err = appendRows(r.Rows, sums, org, u.Statements); err != nil {
				r.Rows, sums = r.Rows[:rows], sums[:ss] // the organization fails whole
			}
		}
		if err != nil {
			r.Failed = append(r.Failed, Failure{Organization: org.ID, ClientID: org.ClientID, Err: err})
		}
	}
	r.Totals = totals(sums)
	for _, s := range sums {
		if !s.TotalExclVAT.Equal(s.LinesExclVAT) || !s.TotalInclVAT.Equal(s.LinesInclVAT) {
			r.Discrepancies = append(r.Discrepancies, s)
		}
	}
	return r
}

// filter keeps the organizations in one of statuses (all when empty).
func filter(orgs []wrapper.Organization, statuses []wrapper.Status) []wrapper.Organization {
	if len(statuses) == 0 {
		return orgs
	}
	var out []wrapper.Organization
	for _, o := range orgs {
		if slices.Contains(statuses, o.Status) {
			out = append(out, o)
		}
	}
	return out
}

// appendRows appends one organization's statements to rows, one row per
// usage line, and to sums each statement's lines summed beside its own
// totals (a Discrepancy when they differ). An amount that cannot be
// represented (impossible from JSON, checked anyway) fails the whole
// organization rather than dropping a line: the caller drops what was
// appended.
func appendRows(rows []Row, sums []Discrepancy, org wrapper.Organization, statements []wrapper.UsageStatement) ([]Row, []Discrepancy, error) {
	for _, s := range statements {
		sum := Discrepancy{Organization: org.ID, ClientID: org.ClientID, Code: s.Code, Currency: s.Currency, Lines: len(s.Usage)}
		var err error
		if sum.TotalExclVAT, err = Amount(s.TotalExclVAT); err == nil {
			sum.TotalInclVAT, err = Amount(s.TotalInclVAT)
		}
		if err != nil {
			return rows, sums, fmt.Errorf("report: statement %s: totals: %w", s.Code, err)
		}
		for j, l := range s.Usage {
			row := Row{
				Organization: org.ID, ClientID: org.ClientID, Status: org.Status,
				Name: org.BillingAddress.Name, Country: org.BillingAddress.Country,
				Code: s.Code, Currency: s.Currency, StartDate: s.StartDate, EndDate: s.EndDate,
				Product: l.Product, Variable: l.Variable, Description: l.Description, Unit: l.Unit,
			}
			field := "quantity"
			if row.Quantity, err = Amount(l.Quantity); err == nil {
				field = "total-excl-vat"
				if row.TotalExclVAT, err = Amount(l.TotalExclVAT); err == nil {
					field = "total-incl-vat"
					row.TotalInclVAT, err = Amount(l.TotalInclVAT)
				}
			}
			if err != nil {
				return rows, sums, fmt.Errorf("report: statement %s, usage[%d].%s: %w", s.Code, j, field, err)
			}
			sum.LinesExclVAT = sum.LinesExclVAT.Add(row.TotalExclVAT)
			sum.LinesInclVAT = sum.LinesInclVAT.Add(row.TotalInclVAT)
			rows = append(rows, row)
		}
		sums = append(sums, sum)
	}
	return rows, sums, nil
}

// totals sums the statements' own totals per currency, exactly.
func totals(sums []Discrepancy) []Total {
	byCurrency := map[string]*Total{}
	for _, s := range sums {
		t := byCurrency[s.Currency]
		if t == nil {
			t = &Total{Currency: s.Currency}
			byCurrency[s.Currency] = t
		}
		t.TotalExclVAT = t.TotalExclVAT.Add(s.TotalExclVAT)
		t.TotalInclVAT = t.TotalInclVAT.Add(s.TotalInclVAT)
	}
	out := make([]Total, 0, len(byCurrency))
	for _, t := range byCurrency {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Total) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}
