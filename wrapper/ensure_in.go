package wrapper

import (
	"context"
	"errors"
)

// EnsureOrganizationIn is [Client.EnsureOrganization] against orgs, a
// listing the caller took earlier in the same run with
// [Client.ListOrganizations], instead of a fresh listing per call: a job
// that ensures many organizations lists them once, not once per
// organization. It lists again only to resolve a create whose outcome is
// unknown.
//
// orgs is not updated: when the same client-id may come again in the run,
// append the organizations this call creates (created is true) to orgs
// before the next call. An organization created by someone else since orgs
// was listed is not seen, so EnsureOrganizationIn belongs in jobs that own
// provisioning for the run, such as a CRM sync.
func (c *Client) EnsureOrganizationIn(ctx context.Context, orgs []Organization, req CreateOrganizationRequest) (org Organization, created bool, err error) {
	if req.ClientID == "" {
		return Organization{}, false, invalid(opCreate.id, "client-id", "required by EnsureOrganization, which keys on it")
	}
	if org, ok := findClientID(orgs, req.ClientID); ok {
		return org, false, nil
	}
	org, err = c.CreateOrganization(ctx, req)
	if err == nil {
		return org, true, nil
	}
	if !errors.Is(err, ErrOutcomeUnknown) {
		return Organization{}, false, err
	}
	// The create may have been applied: look again before giving up.
	if fresh, lerr := c.ListOrganizations(ctx); lerr == nil {
		if found, ok := findClientID(fresh, req.ClientID); ok {
			return found, true, nil
		}
	}
	return Organization{}, false, err
}

// findClientID returns the first non-terminated organization of orgs with
// clientID.
func findClientID(orgs []Organization, clientID string) (Organization, bool) {
	for _, o := range orgs {
		if o.ClientID == clientID && o.Status != StatusTerminated {
			return o, true
		}
	}
	return Organization{}, false
}
