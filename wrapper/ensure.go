package wrapper

import "context"

// EnsureOrganization returns the organization whose client-id is
// req.ClientID, creating it only if none exists. It makes provisioning jobs
// safe to run again, including after a create failed with an error matching
// [ErrOutcomeUnknown]: the second run finds the organization the first one
// may have created instead of creating another.
//
// created reports whether this call created the organization. Terminated
// organizations are not matched: a client-id whose organization was
// terminated gets a new one. req.ClientID is required, and req is checked
// against the contract before anything is sent. EnsureOrganization is
// not a lock: run one provisioning job per client-id at a time.
func (c *Client) EnsureOrganization(ctx context.Context, req CreateOrganizationRequest) (org Organization, created bool, err error) {
	if req.ClientID == "" {
		return Organization{}, false, invalid(opCreate.id, "client-id", "required by EnsureOrganization, which keys on it")
	}
	// Invalid input sends nothing, not even the list.
	if _, err := c.createBody(req); err != nil {
		return Organization{}, false, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return Organization{}, false, err
	}
	return c.EnsureOrganizationIn(ctx, orgs, req)
}
