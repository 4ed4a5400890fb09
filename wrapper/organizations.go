package wrapper

import "context"

// ListOrganizations returns every organization of the distributor
// (operationId list-distributor-organizations).
func (c *Client) ListOrganizations(ctx context.Context) ([]Organization, error) {
	return call(ctx, c, opList, request{})
}

// GetOrganization returns one organization (operationId
// get-distributor-organization). An unknown id fails with an *APIError
// matching [ErrNotFound].
func (c *Client) GetOrganization(ctx context.Context, id ID) (Organization, error) {
	return callID(ctx, c, opGet, id)
}

// ActivateOrganization re-activates a suspended organization and returns it
// (operationId activate-distributor-organization). How a repeat answered
// 409 is resolved: see [Client].
func (c *Client) ActivateOrganization(ctx context.Context, id ID) (Organization, error) {
	return callID(ctx, c, opActivate, id)
}

// SuspendOrganization suspends an organization and returns it (operationId
// suspend-distributor-organization).
func (c *Client) SuspendOrganization(ctx context.Context, id ID) (Organization, error) {
	return callID(ctx, c, opSuspend, id)
}

// CreateOrganization creates an organization and returns it (operationId
// create-distributor-organization). It is not idempotent (see [Client]):
// when it fails with an error matching [ErrOutcomeUnknown], the
// organization may exist; prefer [Client.EnsureOrganization] in jobs that
// may run again.
//
// req is checked before anything is sent: against the API's contract, and
// req.ClientID, when given, must be canonical text (no leading or trailing
// space, no control, invisible or non-ASCII space character, Unicode NFC;
// see [ClientIDKey]), so that no organization gets a client-id that only
// looks like another. Every string must be valid UTF-8, even with
// [WithoutValidation]: a *ValidationError names the field.
func (c *Client) CreateOrganization(ctx context.Context, req CreateOrganizationRequest) (Organization, error) {
	body, err := c.createBody(req)
	if err != nil {
		return Organization{}, err
	}
	return c.create(ctx, body)
}

// create sends a create request encoded by createBody.
func (c *Client) create(ctx context.Context, body []byte) (Organization, error) {
	return call(ctx, c, opCreate, request{body: body})
}

// TerminateOrganization terminates an organization and returns the API's
// message (operationId terminate-distributor-organization). A terminated
// organization accepts no action but [Client.SchedulePurge]. When a repeat
// of terminate answered 409 finds the organization terminated (see
// [Client]), the message is "organization ID terminated".
func (c *Client) TerminateOrganization(ctx context.Context, id ID) (string, error) {
	return callID(ctx, c, opTerm, id)
}

// SchedulePurge schedules the deletion of all data of a terminated
// organization (operationId schedule-purge-distributor-organization). The
// API answers 202 when the purge is scheduled and 200 when it is done; both
// are success.
func (c *Client) SchedulePurge(ctx context.Context, id ID) (PurgeResult, error) {
	return callID(ctx, c, opPurge, id)
}
