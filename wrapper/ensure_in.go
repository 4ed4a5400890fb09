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
// unknown. orgs is matched by [FindClientID]: look-alike client-ids are a
// *[ClientIDConflictError], as for EnsureOrganization.
//
// orgs is not updated: when the same client-id may come again in the run,
// append the organizations this call creates (created is true) to orgs
// before the next call. An organization created by someone else since orgs
// was listed is not seen, so EnsureOrganizationIn belongs in jobs that own
// provisioning for the run, such as a CRM sync.
func (c *Client) EnsureOrganizationIn(ctx context.Context, orgs []Organization, req CreateOrganizationRequest) (org Organization, created bool, err error) {
	body, err := c.ensureBody(req)
	if err != nil {
		return Organization{}, false, err
	}
	return c.ensureIn(ctx, orgs, req.ClientID, body)
}

// ensureIn finds clientID in orgs, or creates the organization from body,
// the create request ensureBody checked.
func (c *Client) ensureIn(ctx context.Context, orgs []Organization, clientID string, body []byte) (Organization, bool, error) {
	if org, ok, err := FindClientID(orgs, clientID); ok || err != nil {
		return org, false, err
	}
	org, err := c.create(ctx, body)
	if err == nil {
		return org, true, nil
	}
	if !errors.Is(err, ErrOutcomeUnknown) {
		return Organization{}, false, err
	}
	// The create may have been applied: look again before giving up.
	if fresh, lerr := c.ListOrganizations(ctx); lerr == nil {
		if found, ok, _ := FindClientID(fresh, clientID); ok {
			return found, true, nil
		}
	}
	return Organization{}, false, err
}
