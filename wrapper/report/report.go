// Package report builds a usage report for a period over every organization
// of a distributor: one row per usage line, exact totals per currency, and
// the organizations whose usage could not be read. It is built only on the
// public [wrapper.Client] and reads the usage through its fan-out
// ([wrapper.Client.UsageForEach]), with bounded concurrency.
//
// Money is summed exactly, in decimal: see [Amount].
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
	// sums of the rows' amounts.
	Totals []Total

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

// Total is the sum of the rows of one currency.
type Total struct {
	Currency     string
	TotalExclVAT decimal.Decimal
	TotalInclVAT decimal.Decimal
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

	r := &Report{Period: period, Organizations: len(orgs)}
	for i, u := range results {
		org := orgs[i]
		err := u.Err
		if err == nil {
			var rows []Row
			if rows, err = rowsOf(org, u.Statements); err == nil {
				r.Rows = append(r.Rows, rows...)
			}
		}
		if err != nil {
			r.Failed = append(r.Failed, Failure{Organization: org.ID, ClientID: org.ClientID, Err: err})
		}
	}
	r.Totals = totals(r.Rows)
	return r, nil
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

// rowsOf turns one organization's statements into rows. An amount that
// cannot be represented (impossible from JSON, checked anyway) fails the
// whole organization rather than dropping a line.
func rowsOf(org wrapper.Organization, statements []wrapper.UsageStatement) ([]Row, error) {
	var rows []Row
	for _, s := range statements {
		for j, l := range s.Usage {
			row := Row{
				Organization: org.ID, ClientID: org.ClientID, Status: org.Status,
				Name: org.BillingAddress.Name, Country: org.BillingAddress.Country,
				Code: s.Code, Currency: s.Currency, StartDate: s.StartDate, EndDate: s.EndDate,
				Product: l.Product, Variable: l.Variable, Description: l.Description, Unit: l.Unit,
			}
			var err error
			for _, a := range []struct {
				field string
				from  float64
				to    *decimal.Decimal
			}{
				{"quantity", l.Quantity, &row.Quantity},
				{"total-excl-vat", l.TotalExclVAT, &row.TotalExclVAT},
				{"total-incl-vat", l.TotalInclVAT, &row.TotalInclVAT},
			} {
				if *a.to, err = Amount(a.from); err != nil {
					return nil, fmt.Errorf("report: statement %s, usage[%d].%s: %w", s.Code, j, a.field, err)
				}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// totals sums the rows per currency, exactly.
func totals(rows []Row) []Total {
	byCurrency := map[string]*Total{}
	for _, r := range rows {
		t := byCurrency[r.Currency]
		if t == nil {
			t = &Total{Currency: r.Currency}
			byCurrency[r.Currency] = t
		}
		t.TotalExclVAT = t.TotalExclVAT.Add(r.TotalExclVAT)
		t.TotalInclVAT = t.TotalInclVAT.Add(r.TotalInclVAT)
	}
	out := make([]Total, 0, len(byCurrency))
	for _, t := range byCurrency {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Total) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}
