package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/transport"
)

// One call, end to end: a method (organizations.go, fanout.go, metering.go)
// checks its input (validation.go) and runs call with its operation's row.
// The operation's generated builder (package api, made fast by build.go)
// makes the request, sent through the request editors and the transport
// chain Retry(Sign(base)) (internal/transport); the answer is decoded into
// the generated types or becomes an error (decode.go).

// operation is everything the wrapper knows of one API operation, on one
// row: the facts of opSpec, its generated request builder (build.go makes it
// fast) and the decoder of its 2xx answers.
type operation[R any] struct {
	opSpec
	build  builder
	decode func(*http.Response) (R, error)
	// confirmed, for an action, is its result when a repeat answered 409
	// finds the organization in target (see actedBefore).
	confirmed func(Organization) R
}

// opSpec is what a row says of the operation itself. The rows are plain
// data, so importing the package does no work; TestOperationTableMatchesSpec
// checks them against the embedded spec.
type opSpec struct {
	id      string // operationId
	method  string // as the spec declares it: decides idempotency, hence retries
	maxBody int64  // the default cap of its answers; 0: DefaultMaxResponseBytes
	target  Status // for an action, the status it leads to
}

func (o opSpec) idempotent() bool { return transport.Idempotent(o.method) }

// request is what one call sends: the organization id in the path, the
// usage query, the JSON body (validation.go encodes it).
type request struct {
	id     ID
	period *api.ListDistributorOrganizationUsageParams // nil: the current month
	body   []byte
}

// jsonBody is the Content-Type of the bodies this client sends.
const jsonBody = "application/json"

var (
	opList = operation[[]Organization]{
		opSpec: opSpec{id: "list-distributor-organizations", method: http.MethodGet, maxBody: DefaultMaxListResponseBytes},
		build:  byNothing(api.NewListDistributorOrganizationsRequest),
		decode: decodeOrganizationList,
	}
	opGet = operation[Organization]{
		opSpec: opSpec{id: "get-distributor-organization", method: http.MethodGet},
		build:  byID(api.NewGetDistributorOrganizationRequest),
		decode: decodeOrganization,
	}
	opCreate = operation[Organization]{
		opSpec: opSpec{id: "create-distributor-organization", method: http.MethodPost},
		build:  withBody(api.NewCreateDistributorOrganizationRequestWithBody),
		decode: decodeOrganization,
	}
	opActivate = operation[Organization]{
		opSpec: opSpec{id: "activate-distributor-organization", method: http.MethodPut, target: StatusActive},
		build:  byID(api.NewActivateDistributorOrganizationRequest),
		decode: decodeOrganization, confirmed: theOrganization,
	}
	opSuspend = operation[Organization]{
		opSpec: opSpec{id: "suspend-distributor-organization", method: http.MethodPut, target: StatusSuspended},
		build:  byID(api.NewSuspendDistributorOrganizationRequest),
		decode: decodeOrganization, confirmed: theOrganization,
	}
	opTerm = operation[string]{
		opSpec:    opSpec{id: "terminate-distributor-organization", method: http.MethodDelete, target: StatusTerminated},
		build:     byID(api.NewTerminateDistributorOrganizationRequest),
		decode:    decodeMessage,
		confirmed: func(o Organization) string { return fmt.Sprintf("organization %s terminated", o.ID) },
	}
	opPurge = operation[PurgeResult]{
		opSpec: opSpec{id: "schedule-purge-distributor-organization", method: http.MethodPut},
		build:  byID(api.NewSchedulePurgeDistributorOrganizationRequest),
		decode: decodePurge,
	}
	opUsage = operation[[]UsageStatement]{
		opSpec: opSpec{id: "list-distributor-organization-usage", method: http.MethodGet},
		build:  byIDAndPeriod(api.NewListDistributorOrganizationUsageRequest),
		decode: decodeJSON[[]UsageStatement],
	}
	opMetering = operation[struct{}]{
		opSpec: opSpec{id: "metering-transaction", method: http.MethodPost},
		build:  withBody(api.NewMeteringTransactionRequestWithBody),
		decode: meteringAck,
	}
)

func theOrganization(o Organization) Organization { return o }

// operations is every operation the wrapper calls.
var operations = []opSpec{opList.opSpec, opGet.opSpec, opCreate.opSpec, opActivate.opSpec, opSuspend.opSpec,
	opTerm.opSpec, opPurge.opSpec, opUsage.opSpec, opMetering.opSpec}

// callID runs an operation on the organization id, refusing the zero ID
// before anything is sent.
func callID[R any](ctx context.Context, c *Client, o operation[R], id ID) (R, error) {
	if err := requireID(o.opSpec, "id", id); err != nil {
		var zero R
		return zero, err
	}
	return call(ctx, c, o, request{id: id})
}

// requireID refuses the zero ID, naming field as on the wire.
func requireID(o opSpec, field string, id ID) error {
	if id == (ID{}) {
		return invalid(o.id, field, "required")
	}
	return nil
}

// call runs one operation through the transport's one entry point,
// transport.Retry.Do, which makes the attempts and sends the call again
// when its answer is cut off while read. The rules it follows are those of
// the [Client] doc comment.
func call[R any](ctx context.Context, c *Client, o operation[R], r request) (R, error) {
	outer := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var result R
	acted, err := c.retry.Do(ctx, transport.Call{
		Operation: o.id,
		MaxBody:   c.maxBody(o.opSpec),
		Send: func(ctx context.Context) (*http.Response, error) {
			req, err := o.build(ctx, c.server, r)
			resp, err := c.do(ctx, req, err)
			if err != nil {
				return nil, c.transportError(o.opSpec, err)
			}
			return resp, nil
		},
		Read: func(resp *http.Response) (err error) {
			result, err = readAnswer(ctx, c, o, resp)
			return err
		},
	})
	if err != nil && acted && o.confirmed != nil {
		if org, ok := c.actedBefore(outer, err, r.id, o.target); ok {
			return o.confirmed(org), nil
		}
	}
	return result, err
}

// readAnswer turns an answer into the result or an error: a non-2xx answer
// into an *APIError, a 2xx one into what o decodes (a 204 with its body
// dropped, a small one as it is, any other read through a jsonGuard); an
// answer that cannot be decoded, or lacks its result, into a *DecodeError.
//
// A small answer (a Content-Length of at most smallAnswer, and of at most
// 2 bytes per item allowed) is decoded whole by json.Unmarshal, which the
// guard's white space does not slow down, and cannot hold more items than
// allowed: the guard, a pass over every byte, is for larger answers and
// for those streamed in (BENCHMARKS.md).
func readAnswer[R any](ctx context.Context, c *Client, o operation[R], resp *http.Response) (R, error) {
	var zero R
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := newAPIError(o.id, resp, c.redact, c.now())
		// A 3xx is never followed (the API does not redirect): whatever
		// redirected a create or metering may have passed it on.
		if !o.idempotent() && (resp.StatusCode >= 500 || resp.StatusCode < 400) {
			return zero, &OutcomeUnknownError{Operation: o.id, Err: e}
		}
		return zero, e
	}
	if resp.StatusCode == http.StatusNoContent {
		// A 204 has no content (RFC 9110), whatever its Content-Type says.
		// The API declares JSON for metering's 204 and sends nothing.
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		resp.Header.Del("Content-Type")
	} else if resp.ContentLength < 0 || resp.ContentLength > min(smallAnswer, 2*int64(c.maxItems)) {
		resp.Body = guardJSON(resp.Body, c.maxItems)
	}
	r, err := o.decode(resp)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (then: %w)", err, cerr) // the deadline ended the call
		}
		return zero, c.decodeError(o.opSpec, resp, err)
	}
	return r, nil
}

// maxBody is the cap on o's answers: WithMaxResponseBytes, else the row's.
func (c *Client) maxBody(o opSpec) int64 {
	switch {
	case c.maxBodyOption > 0:
		return c.maxBodyOption
	case o.maxBody > 0:
		return o.maxBody
	}
	return DefaultMaxResponseBytes
}

// actedBefore handles an action repeated after an attempt the server may
// have carried out (a 5xx, a lost connection, a cut-off answer), whose
// repeat was answered 409: the conflict may be the first attempt's own
// effect (terminating a terminated organization, say). It reads the
// organization and reports success when it is in the action's target
// state. Otherwise, or if the read fails, the conflict stands.
func (c *Client) actedBefore(ctx context.Context, err error, id ID, target Status) (Organization, bool) {
	if !errors.Is(err, ErrConflict) {
		return Organization{}, false
	}
	org, gerr := c.GetOrganization(ctx, id)
	if gerr != nil || org.Status != target {
		return Organization{}, false
	}
	return org, true
}

// transportError wraps a failure to get any answer with the operationId. For
// a non-idempotent call the outcome is unknown unless the request certainly
// never left: an error before sending (a request editor's) is not a
// *url.Error, and the retry layer reports attempts that were never written.
// Other failures from http.Client.Do (its own Timeout, say) may have hidden
// that information, so they count as unknown.
func (c *Client) transportError(o opSpec, err error) error {
	var ae *transport.AttemptError
	var ue *url.Error
	sent := errors.As(err, &ue) && (!errors.As(err, &ae) || ae.Written)
	err = fmt.Errorf("exopartner: %s: %w", o.id, c.redact.err(err))
	if !o.idempotent() && sent {
		return &OutcomeUnknownError{Operation: o.id, Err: err}
	}
	return err
}

// decodeError reports a 2xx answer that could not be decoded, or lacks its
// result. For create and metering that is an unknown outcome: the
// organization may exist with its id lost, the usage may be applied. Both
// the Content-Type and the error (which may quote a field's value) come
// from the server, so both are cut to their bounds, then redacted.
func (c *Client) decodeError(o opSpec, resp *http.Response, err error) error {
	e := &DecodeError{Operation: o.id, StatusCode: resp.StatusCode,
		ContentType: c.redact.cut(resp.Header.Get("Content-Type"), maxHeaderText, false), Err: c.redact.err(err)}
	if !o.idempotent() {
		return &OutcomeUnknownError{Operation: o.id, Err: e}
	}
	return e
}

// setUserAgent is the first request editor: every request, the wrapper's
// and Raw's, names this library.
func (c *Client) setUserAgent(_ context.Context, r *http.Request) error {
	r.Header.Set("User-Agent", c.userAgent)
	return nil
}
