package wrapper

import (
	"context"
	"sync"
)

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
// results, which follow the listing's order. Throttling (429) slows the
// fan-out down through the client's retries rather than failing it: a 429
// with Retry-After pauses every worker at once, since the client's calls
// share one pause.
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
	concurrency = max(1, min(concurrency, len(ids)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i].Statements, out[i].Err = c.ListUsage(ctx, ids[i], period)
			}
		}()
	}
	for i, id := range ids {
		out[i].ID = id
		if err := ctx.Err(); err != nil {
			out[i].Err = err
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
