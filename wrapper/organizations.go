package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/api"
)

// ListOrganizations returns every organization of the distributor
// (operationId list-distributor-organizations).
func (c *Client) ListOrganizations(ctx context.Context) ([]Organization, error) {
	return call(ctx, c, opList, c.raw.ClientInterface.ListDistributorOrganizations, decodeOrganizationList)
}

// GetOrganization returns one organization (operationId
// get-distributor-organization). An unknown id fails with an *APIError
// matching [ErrNotFound].
func (c *Client) GetOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opGet, id, c.raw.ClientInterface.GetDistributorOrganization, api.ParseGetDistributorOrganizationResponse)
}

// ActivateOrganization re-activates a suspended organization and returns it
// (operationId activate-distributor-organization).
func (c *Client) ActivateOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opActivate, id, c.raw.ClientInterface.ActivateDistributorOrganization, api.ParseActivateDistributorOrganizationResponse)
}

// SuspendOrganization suspends an organization and returns it (operationId
// suspend-distributor-organization).
func (c *Client) SuspendOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opSuspend, id, c.raw.ClientInterface.SuspendDistributorOrganization, api.ParseSuspendDistributorOrganizationResponse)
}

// CreateOrganization creates an organization and returns it (operationId
// create-distributor-organization). It is not idempotent: when it fails with
// an error matching [ErrOutcomeUnknown], the organization may exist; prefer
// [Client.EnsureOrganization] in jobs that may run again.
func (c *Client) CreateOrganization(ctx context.Context, req CreateOrganizationRequest) (Organization, error) {
	body, err := c.createBody(req)
	if err != nil {
		return Organization{}, err
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.CreateDistributorOrganizationWithBody(ctx, "application/json", bytes.NewReader(body), eds...)
	}
	r, err := call(ctx, c, opCreate, send, api.ParseCreateDistributorOrganizationResponse)
	if err != nil {
		return Organization{}, err
	}
	if r.JSON200 == nil {
		return Organization{}, c.decodeError(opCreate, r.HTTPResponse, noJSON(r))
	}
	return organizationFromAPI(r.JSON200), nil
}

// createBody encodes a create request and checks it against the contract.
func (c *Client) createBody(req CreateOrganizationRequest) ([]byte, error) {
	return c.encode(opCreate, createToAPI(req), func(v *validator) *openapi3.Schema { return v.createBody })
}

// TerminateOrganization terminates an organization and returns the API's
// message (operationId terminate-distributor-organization). A terminated
// organization accepts no action but [Client.SchedulePurge].
func (c *Client) TerminateOrganization(ctx context.Context, id ID) (string, error) {
	if err := c.checkID(opTerm, "id", id); err != nil {
		return "", err
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.TerminateDistributorOrganization(ctx, id, eds...)
	}
	r, err := call(ctx, c, opTerm, send, api.ParseTerminateDistributorOrganizationResponse)
	if err != nil {
		return "", err
	}
	if r.JSON200 == nil {
		return "", c.decodeError(opTerm, r.HTTPResponse, noJSON(r))
	}
	return deref(r.JSON200.Message), nil
}

// SchedulePurge schedules the deletion of all data of a terminated
// organization (operationId schedule-purge-distributor-organization). The
// API answers 202 when the purge is scheduled and 200 when it is done; both
// are success.
func (c *Client) SchedulePurge(ctx context.Context, id ID) (PurgeResult, error) {
	if err := c.checkID(opPurge, "id", id); err != nil {
		return PurgeResult{}, err
	}
	send := func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return c.raw.ClientInterface.SchedulePurgeDistributorOrganization(ctx, id, eds...)
	}
	r, err := call(ctx, c, opPurge, send, api.ParseSchedulePurgeDistributorOrganizationResponse)
	if err != nil {
		return PurgeResult{}, err
	}
	switch {
	case r.JSON202 != nil:
		return PurgeResult{Message: deref(r.JSON202.Message), Scheduled: true}, nil
	case r.JSON200 != nil:
		return PurgeResult{Message: deref(r.JSON200.Message)}, nil
	}
	return PurgeResult{}, c.decodeError(opPurge, r.HTTPResponse, noJSON(r))
}

// organizationResponse is what the generated responses of get, activate and
// suspend have in common.
type organizationResponse interface {
	GetJSON200() *api.OrganizationOutput
	ContentType() string
	StatusCode() int
}

// organizationAction runs an operation on one id that answers with an
// organization.
func organizationAction[R organizationResponse](ctx context.Context, c *Client, o operation, id ID,
	send func(context.Context, ID, ...api.RequestEditorFn) (*http.Response, error),
	parse func(*http.Response) (R, error),
) (Organization, error) {
	if err := c.checkID(o, "id", id); err != nil {
		return Organization{}, err
	}
	r, err := call(ctx, c, o, func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		return send(ctx, id, eds...)
	}, parse)
	if err != nil {
		return Organization{}, err
	}
	out := r.GetJSON200()
	if out == nil {
		return Organization{}, c.decodeFailure(o, r.StatusCode(), r.ContentType(), noJSON(r))
	}
	return organizationFromAPI(out), nil
}

// checkID refuses the zero ID before anything is sent.
func (c *Client) checkID(o operation, field string, id ID) error {
	if id == (ID{}) {
		return invalid(o.id, field, "required")
	}
	return nil
}

// encode marshals a request body and, unless validation is off, checks it
// against the spec's schema for the operation.
func (c *Client) encode(o operation, v any, schema func(*validator) *openapi3.Schema) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %s: encoding request: %w", o.id, err)
	}
	if c.validate {
		val, err := sharedValidator()
		if err != nil {
			return nil, err
		}
		doc, ok := jsonValue(reflect.ValueOf(v))
		if !ok { // a shape jsonValue does not cover: decode what will be sent
			if err := json.Unmarshal(body, &doc); err != nil {
				return nil, fmt.Errorf("exopartner: %s: encoding request: %w", o.id, err)
			}
		}
		if err := val.check(o.id, schema(val), doc); err != nil {
			return nil, err
		}
	}
	return body, nil
}
