package crmsync

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/exopartner/exopartner/wrapper"
)

// Result is what Apply did.
type Result struct {
	// Outcomes has one outcome per step with actions, in the plan's order.
	Outcomes []Outcome
}

// Outcome is what happened to one customer's organization.
type Outcome struct {
	ClientID     string
	Organization wrapper.Organization // as the last successful call returned it
	Done         []Action             // the actions carried out
	Err          error                // the first action that failed; the later ones were not tried
}

// Failed returns the outcomes with an error.
func (r Result) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Err != nil {
			out = append(out, o)
		}
	}
	return out
}

// DefaultConcurrency is the CLI's number of customers applied at once; see
// [ApplyConcurrently].
const DefaultConcurrency = 8

// Apply carries the plan out, one customer at a time, in the plan's order:
// [ApplyConcurrently] with a concurrency of 1.
func Apply(ctx context.Context, c *wrapper.Client, p Sync) (Result, error) {
	return ApplyConcurrently(ctx, c, p, 1)
}

// ApplyConcurrently carries the plan out for at most concurrency customers
// at a time (values below 1 mean 1), each customer's actions in order:
// creates go through [wrapper.Client.EnsureOrganizationIn] against the
// plan's listing (no listing per customer), the rest through
// ActivateOrganization, SuspendOrganization and TerminateOrganization.
// A failure stops that customer's actions, is reported in its Outcome,
// and does not stop the others; run the sync again to retry. Steps without
// actions send nothing, so applying an up-to-date plan sends no request.
// Outcomes follow the plan's order whatever the order they completed in.
// A 429 pauses every call of the client, so a throttled API is not pressed
// harder. The error is ctx's, when it ended before every step was tried;
// the steps not tried have no outcome.
func ApplyConcurrently(ctx context.Context, c *wrapper.Client, p Sync, concurrency int) (Result, error) {
	var todo []int
	for i, s := range p.Steps {
		if len(s.Actions) > 0 {
			todo = append(todo, i)
		}
	}
	a := &applier{c: c, orgs: p.orgs, busy: map[string]*sync.Mutex{}}
	outs := make([]*Outcome, len(p.Steps))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(concurrency, len(todo))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if ctx.Err() != nil {
					continue
				}
				out := a.step(ctx, p.Steps[i])
				outs[i] = &out
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	var res Result
	for _, o := range outs {
		if o != nil {
			res.Outcomes = append(res.Outcomes, *o)
		}
	}
	if len(res.Outcomes) < len(todo) {
		return res, ctx.Err()
	}
	return res, nil
}

// applier is what the steps of one Apply share.
type applier struct {
	c *wrapper.Client

	mu   sync.Mutex
	orgs []wrapper.Organization // the plan's listing, and the organizations created since
	busy map[string]*sync.Mutex // per client-id: one step at a time
}

// listing is the organizations known now.
func (a *applier) listing() []wrapper.Organization {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clip(a.orgs)
}

func (a *applier) created(org wrapper.Organization) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.orgs = append(a.orgs, org)
}

// lock serialises the steps of one client-id, so that a create sees the
// organization an earlier step of the same client-id created.
func (a *applier) lock(clientID string) func() {
	a.mu.Lock()
	m, ok := a.busy[clientID]
	if !ok {
		m = &sync.Mutex{}
		a.busy[clientID] = m
	}
	a.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// step carries out one customer's actions, in order, until one fails.
func (a *applier) step(ctx context.Context, s Step) Outcome {
	defer a.lock(s.Customer.ClientID)()
	c := a.c
	out := Outcome{ClientID: s.Customer.ClientID, Organization: s.Organization}
	for _, act := range s.Actions {
		var err error
		switch act {
		case Create:
			var created bool
			out.Organization, created, err = c.EnsureOrganizationIn(ctx, a.listing(), s.Customer.request())
			if created {
				a.created(out.Organization)
			}
		case Activate:
			out.Organization, err = do(ctx, out.Organization, c.ActivateOrganization)
		case Suspend:
			out.Organization, err = do(ctx, out.Organization, c.SuspendOrganization)
		case Terminate:
			_, err = c.TerminateOrganization(ctx, out.Organization.ID)
			if err == nil {
				out.Organization.Status = wrapper.StatusTerminated
			}
		default:
			err = fmt.Errorf("crmsync: unknown action %q", act)
		}
		if err != nil {
			out.Err = fmt.Errorf("%s: %w", act, err)
			break
		}
		out.Done = append(out.Done, act)
	}
	return out
}

// do runs an action answering the organization; on failure the
// organization is returned as it was.
func do(ctx context.Context, org wrapper.Organization, f func(context.Context, wrapper.ID) (wrapper.Organization, error)) (wrapper.Organization, error) {
	got, err := f(ctx, org.ID)
	if err != nil {
		return org, err
	}
	return got, nil
}
