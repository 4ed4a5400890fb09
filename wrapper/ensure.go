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
// terminated gets a new one. req.ClientID is required, and req is checked
// against the contract before anything is sent (a new organization's
// client-id must be canonical text: see [ClientIDKey]). A live organization
// whose client-id only looks like req.ClientID ("CRM-3" for "crm-3"), or
// several with it, is neither matched nor duplicated: the error is a
// *[ClientIDConflictError] naming them, and nothing is created.
// EnsureOrganization is not a lock: run one provisioning job per client-id
// at a time.
func (c *Client) EnsureOrganization(ctx context.Context, req CreateOrganizationRequest) (org Organization, created bool, err error) {
	// Invalid input sends nothing, not even the list.
	body, err := c.ensureBody(req)
	if err != nil {
		return Organization{}, false, err
	}
	orgs, err := c.ListOrganizations(ctx)
	if err != nil {
		return Organization{}, false, err
	}
	return c.ensureIn(ctx, orgs, req.ClientID, body)
}

// ensureBody is the one check of an ensure's request: the client-id it keys
// on is required, and the request is encoded and checked as a create.
func (c *Client) ensureBody(req CreateOrganizationRequest) ([]byte, error) {
	if req.ClientID == "" {
		return nil, invalid(opCreate.id, clientIDField, "required by EnsureOrganization, which keys on it")
	}
	return c.createBody(req)
}

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
