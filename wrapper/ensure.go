package wrapper

import (
	"context"
	"errors"
)

// EnsureOrganization returns the organization whose client-id is
// req.ClientID, creating it only if none exists. It makes provisioning jobs
// safe to run again, including after a create failed with an error matching
// [ErrOutcomeUnknown]: the second run finds the organization the first one
// may have created instead of creating another.
//
// created reports whether this call created the organization. Terminated
// organizations are not matched: a client-id whose organization was
// terminated gets a new one. req.ClientID is required. EnsureOrganization is
// not a lock: run one provisioning job per client-id at a time.
func (c *Client) EnsureOrganization(ctx context.Context, req CreateOrganizationRequest) (org Organization, created bool, err error) {
	if req.ClientID == "" {
		return Organization{}, false, invalid(opCreate.id, "client-id", "required by EnsureOrganization, which keys on it")
	}
	if org, ok, err := c.findByClientID(ctx, req.ClientID); err != nil || ok {
		return org, false, err
	}
	org, err = c.CreateOrganization(ctx, req)
	if err == nil {
		return org, true, nil
	}
	if !errors.Is(err, ErrOutcomeUnknown) {
		return Organization{}, false, err
	}
	// The create may have been applied: look again before giving up.
	if found, ok, lerr := c.findByClientID(ctx, req.ClientID); lerr == nil && ok {
		return found, true, nil
	}
	return Organization{}, false, err
}

// findByClientID returns the non-terminated organization with clientID.
func (c *Client) findByClientID(ctx context.Context, clientID string) (Organization, bool, error) {
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return Organization{}, false, err
	}
	org, ok := findClientID(orgs, clientID)
	return org, ok, nil
}
