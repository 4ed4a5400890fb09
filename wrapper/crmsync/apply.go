package crmsync

import (
	"context"
	"fmt"

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

// Apply carries the plan out, one customer at a time, in the plan's order:
// creates go through [wrapper.Client.EnsureOrganizationIn] against the
// plan's listing (no listing per customer), the rest through
// ActivateOrganization, SuspendOrganization and TerminateOrganization.
// A failure stops that customer's actions, is reported in its Outcome,
// and does not stop the others; run the sync again to retry. Steps without
// actions send nothing, so applying an up-to-date plan sends no request.
// The error is ctx's, when it ended before every step was tried.
func Apply(ctx context.Context, c *wrapper.Client, p Sync) (Result, error) {
	var res Result
	orgs := p.orgs
	for _, s := range p.Steps {
		if len(s.Actions) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		out := Outcome{ClientID: s.Customer.ClientID, Organization: s.Organization}
		for _, a := range s.Actions {
			var err error
			switch a {
			case Create:
				var created bool
				out.Organization, created, err = c.EnsureOrganizationIn(ctx, orgs, s.Customer.request())
				if created {
					orgs = append(orgs, out.Organization)
				}
			case Activate:
				out.Organization, err = act(ctx, out.Organization, c.ActivateOrganization)
			case Suspend:
				out.Organization, err = act(ctx, out.Organization, c.SuspendOrganization)
			case Terminate:
				_, err = c.TerminateOrganization(ctx, out.Organization.ID)
				if err == nil {
					out.Organization.Status = wrapper.StatusTerminated
				}
			default:
				err = fmt.Errorf("crmsync: unknown action %q", a)
			}
			if err != nil {
				out.Err = fmt.Errorf("%s: %w", a, err)
				break
			}
			out.Done = append(out.Done, a)
		}
		res.Outcomes = append(res.Outcomes, out)
	}
	return res, nil
}

// act runs an action answering the organization; on failure the
// organization is returned as it was.
func act(ctx context.Context, org wrapper.Organization, f func(context.Context, wrapper.ID) (wrapper.Organization, error)) (wrapper.Organization, error) {
	got, err := f(ctx, org.ID)
	if err != nil {
		return org, err
	}
	return got, nil
}
