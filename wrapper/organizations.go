package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/transport"
)

// ListOrganizations returns every organization of the distributor
// (operationId list-distributor-organizations).
func (c *Client) ListOrganizations(ctx context.Context) ([]Organization, error) {
	return call(ctx, c, opList, c.sender(opList, request{}), decodeOrganizationList)
}

// GetOrganization returns one organization (operationId
// get-distributor-organization). An unknown id fails with an *APIError
// matching [ErrNotFound].
func (c *Client) GetOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opGet, id)
}

// ActivateOrganization re-activates a suspended organization and returns it
// (operationId activate-distributor-organization).
//
// The actions (activate, suspend, terminate) are retried like reads. When a
// repeat made after an attempt the server may have carried out (a 5xx, a
// lost connection, a cut-off answer) is answered 409, the organization is
// read: if it is in the action's target state, the action succeeded (the
// conflict was its own effect); otherwise the *APIError 409 is returned.
func (c *Client) ActivateOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opActivate, id)
}

// SuspendOrganization suspends an organization and returns it (operationId
// suspend-distributor-organization).
func (c *Client) SuspendOrganization(ctx context.Context, id ID) (Organization, error) {
	return organizationAction(ctx, c, opSuspend, id)
}

// CreateOrganization creates an organization and returns it (operationId
// create-distributor-organization). It is not idempotent: when it fails with
// an error matching [ErrOutcomeUnknown], the organization may exist; prefer
// [Client.EnsureOrganization] in jobs that may run again. A success answer
// without the new organization's id and status is such a failure too (the
// organization may exist, and its id is lost), and also a *DecodeError.
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
	return call(ctx, c, opCreate, c.sender(opCreate, request{body: body}), decodeOrganization)
}

// createBody encodes a create request and checks it against the contract,
// the client-id rule of [ClientIDKey] included.
func (c *Client) createBody(req CreateOrganizationRequest) ([]byte, error) {
	return encode(opCreate, req, createSchema, c.validate)
}

func createSchema(v *validator) *openapi3.Schema { return v.createBody }

// TerminateOrganization terminates an organization and returns the API's
// message (operationId terminate-distributor-organization). A terminated
// organization accepts no action but [Client.SchedulePurge]. When a repeat
// of terminate answered 409 finds the organization terminated (see
// [Client.ActivateOrganization]), the message is "organization ID
// terminated".
func (c *Client) TerminateOrganization(ctx context.Context, id ID) (string, error) {
	if err := c.checkID(opTerm, "id", id); err != nil {
		return "", err
	}
	actx, st := transport.WithCall(ctx, 0)
	r, err := call(actx, c, opTerm, c.sender(opTerm, request{id: id}), decodeJSON[api.TerminateDistributorOrganization200JSONResponseBody])
	if err != nil {
		if _, ok := c.actedBefore(ctx, st, err, id, StatusTerminated); ok {
			return fmt.Sprintf("organization %s terminated", id), nil
		}
		return "", err
	}
	return r.Message, nil
}

// SchedulePurge schedules the deletion of all data of a terminated
// organization (operationId schedule-purge-distributor-organization). The
// API answers 202 when the purge is scheduled and 200 when it is done; both
// are success.
func (c *Client) SchedulePurge(ctx context.Context, id ID) (PurgeResult, error) {
	if err := c.checkID(opPurge, "id", id); err != nil {
		return PurgeResult{}, err
	}
	return call(ctx, c, opPurge, c.sender(opPurge, request{id: id}), func(resp *http.Response) (PurgeResult, error) {
		if resp.StatusCode == http.StatusAccepted {
			r, err := decodeJSON[api.SchedulePurgeDistributorOrganization202JSONResponseBody](resp)
			return PurgeResult{Message: r.Message, Scheduled: true}, err
		}
		r, err := decodeJSON[api.SchedulePurgeDistributorOrganization200JSONResponseBody](resp)
		return PurgeResult{Message: r.Message}, err
	})
}

// organizationAction runs an operation on one id that answers with an
// organization.
func organizationAction(ctx context.Context, c *Client, o operation, id ID) (Organization, error) {
	if err := c.checkID(o, "id", id); err != nil {
		return Organization{}, err
	}
	actx, st := transport.WithCall(ctx, 0)
	org, err := call(actx, c, o, c.sender(o, request{id: id}), decodeOrganization)
	if err != nil {
		if target, ok := actionTargets[o.id]; ok {
			if org, ok := c.actedBefore(ctx, st, err, id, target); ok {
				return org, nil
			}
		}
		return Organization{}, err
	}
	return org, nil
}

// actionTargets is the status each action leaves an organization in.
var actionTargets = map[string]Status{
	opActivate.id: StatusActive,
	opSuspend.id:  StatusSuspended,
	opTerm.id:     StatusTerminated,
}

// actedBefore handles an action repeated after an attempt the server may
// have carried out (a 5xx, a lost connection, a cut-off answer), whose
// repeat was answered 409: the conflict may be the first attempt's own
// effect (terminating a terminated organization, say). It reads the
// organization and reports success when it is in the action's target
// state. Otherwise, or if the read fails, the conflict stands.
func (c *Client) actedBefore(ctx context.Context, st *transport.Call, err error, id ID, target Status) (Organization, bool) {
	if !errors.Is(err, ErrConflict) || !st.MayHaveActed() {
		return Organization{}, false
	}
	org, gerr := c.GetOrganization(ctx, id)
	if gerr != nil || org.Status != target {
		return Organization{}, false
	}
	return org, true
}

// checkID refuses the zero ID before anything is sent.
func (c *Client) checkID(o operation, field string, id ID) error {
	if id == (ID{}) {
		return invalid(o.id, field, "required")
	}
	return nil
}

// encode marshals a request body and, when validate is set, checks it
// against the spec's schema for the operation. Whether validate is set or
// not, a string that is not valid UTF-8 is refused (contract.UTF8Problems):
// encoding/json would send it silently changed, and no server can be sent
// what JSON cannot carry.
func encode(o operation, v any, schema func(*validator) *openapi3.Schema, validate bool) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("exopartner: %s: encoding request: %w", o.id, err)
	}
	var problems []contract.Problem
	if bytes.Contains(body, replacedByte) {
		problems = utf8Problems(v)
	}
	if validate {
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
		for _, p := range val.problems(o.id, schema(val), doc) {
			// A field that is not UTF-8 is judged as sent (U+FFFD in
			// place): its UTF-8 problem is the one that matters.
			if !slices.ContainsFunc(problems, func(q contract.Problem) bool { return q.Field == p.Field }) {
				problems = append(problems, p)
			}
		}
	}
	if ve := problemsError(o.id, problems); ve != nil {
		return nil, ve
	}
	return body, nil
}

// replacedByte is what encoding/json writes for each byte of a string that
// is not UTF-8; a U+FFFD given as such is written as itself. A body without
// it holds only valid strings, and costs no walk. (A string holding the
// six characters \ufffd also contains it: the walk then finds nothing.)
var replacedByte = []byte(`\ufffd`)

// utf8Problems names the strings of v that are not valid UTF-8.
func utf8Problems(v any) []contract.Problem {
	doc, ok := rawJSONValue(reflect.ValueOf(v))
	if !ok { // not a generated request type: the field cannot be named
		return []contract.Problem{{Field: "(body)", Rule: "a string must be valid UTF-8 text"}}
	}
	return contract.UTF8Problems("", doc)
}
