package wrapper

import (
	"context"
	"sync"

	"github.com/exopartner/exopartner/api"
)

// ListUsage returns an organization's usage statements for a period
// (operationId list-distributor-organization-usage). The zero Period asks for
// the current month.
func (c *Client) ListUsage(ctx context.Context, id ID, period Period) ([]UsageStatement, error) {
	return c.listUsage(ctx, id, c.usageQuery(period))
}

// usageQuery is the query of the usage reads of one period, checked
// against the spec: once per fan-out, not once per organization.
type usageQuery struct {
	params *api.ListDistributorOrganizationUsageParams // nil: the current month
	err    error                                       // the period breaks the contract
}

func (c *Client) usageQuery(period Period) usageQuery {
	if period.IsZero() {
		return usageQuery{}
	}
	q := usageQuery{params: &api.ListDistributorOrganizationUsageParams{Period: period.String()}}
	if c.validate {
		q.err = validatePeriod(opUsage.id, q.params.Period)
	}
	return q
}

// listUsage reads one organization's usage with q (shared, read only).
func (c *Client) listUsage(ctx context.Context, id ID, q usageQuery) ([]UsageStatement, error) {
	if err := requireID(opUsage.opSpec, "id", id); err != nil {
		return nil, err
	}
	if q.err != nil {
		return nil, q.err
	}
	return call(ctx, c, opUsage, request{id: id, period: q.params})
}

// OrganizationUsage is one organization's result in [Client.UsageFor] and
// [Client.UsageForAll]: its statements, or the error reading them.
type OrganizationUsage struct {
	ID         ID
	Statements []UsageStatement
	Err        error
}

// UsageForAll lists the distributor's organizations and reads each one's
// usage for period, at most concurrency calls at a time (values below 1 mean
// 1). The error is the listing's; per-organization failures are in the
// results, which follow the listing's order. Throttling slows the fan-out
// down rather than failing it: the client's calls share one pause (see
// [Client]).
func (c *Client) UsageForAll(ctx context.Context, period Period, concurrency int) ([]OrganizationUsage, error) {
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]ID, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	return c.UsageFor(ctx, ids, period, concurrency), nil
}

// UsageFor reads the usage of each organization in ids for period, at most
// concurrency calls at a time. Results are in the order of ids. When ctx ends,
// the organizations not yet read get ctx's error.
func (c *Client) UsageFor(ctx context.Context, ids []ID, period Period, concurrency int) []OrganizationUsage {
	out := make([]OrganizationUsage, len(ids))
	c.UsageForEach(ctx, ids, period, concurrency, func(i int, u OrganizationUsage) { out[i] = u })
	return out
}

// UsageForEach is [Client.UsageFor] that hands each organization's result
// to done as soon as it is read, with the organization's index in ids, for
// callers that report progress or stream results. done is called exactly
// once per id, never concurrently, in completion order; UsageForEach
// returns once every call to done has returned. A slow done slows the
// fan-out down.
func (c *Client) UsageForEach(ctx context.Context, ids []ID, period Period, concurrency int, done func(i int, u OrganizationUsage)) {
	concurrency = max(1, min(concurrency, len(ids)))
	q := c.usageQuery(period)
	next := make(chan int)
	var mu sync.Mutex // serialises done
	report := func(i int, u OrganizationUsage) {
		mu.Lock()
		defer mu.Unlock()
		done(i, u)
	}
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				u := OrganizationUsage{ID: ids[i]}
				u.Statements, u.Err = c.listUsage(ctx, ids[i], q)
				report(i, u)
			}
		}()
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			report(i, OrganizationUsage{ID: id, Err: err})
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
}
