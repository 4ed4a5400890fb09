package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/transport"
)

// One call, end to end: a method (organizations.go, fanout.go, metering.go)
// checks its input (validation.go) and runs call with its operation's row.
// The operation's generated builder (package api; made fast below) makes
// the request, sent through the request editors and the transport chain
// Retry(Sign(base)) (internal/transport); readAnswer decodes the answer
// into the generated types or makes it an error (decode.go).

// operation is everything the wrapper knows of one API operation, on one
// row: the facts of opSpec, its generated request builder (made fast by
// byID and the others below) and the decoder of its 2xx answers.
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

// setUserAgent is the first request editor: every request, the wrapper's
// and Raw's, names this library.
func (c *Client) setUserAgent(_ context.Context, r *http.Request) error {
	r.Header.Set("User-Agent", c.userAgent)
	return nil
}

// A row's build takes the operation's generated request builder
// (api.New…Request) and makes each request as that builder does, only
// faster. The generated builders parse the server URL, resolve the path
// against it, print the result and parse it again: about 2 µs and 11
// allocations a request, a fifth of the client's own work on a get
// (BENCHMARKS.md). So each builder runs once per server, with a sentinel id
// (and period), and a request is that one with the call's id (and period)
// in place of the sentinel: method, URL and header exactly as the generated
// code, hence the spec, has them. TestBuildersMatchGenerated checks that
// both give the same request.

// Sentinels: values no real call produces in a path or a query.
var (
	sentinelID     = ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4f, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}
	sentinelPeriod = "9999-99"
)

// sentinelText is sentinelID as text (a test keeps the two equal).
const sentinelText = "ffffffff-ffff-4fff-bfff-fffffffffffe"

// builder is a row's build: the request of one call against the server,
// with ctx (the generated method does req.WithContext(ctx); this saves a
// copy of the request).
type builder func(ctx context.Context, server string, r request) (*http.Request, error)

// byNothing is the build of an operation whose path has no parameter.
func byNothing(build func(server string) (*http.Request, error)) builder {
	var t templates
	return func(ctx context.Context, server string, _ request) (*http.Request, error) {
		return t.request(ctx, server, build, "", "", nil)
	}
}

// byID is the build of an operation with the organization id in its path.
func byID(build func(server string, id ID) (*http.Request, error)) builder {
	var t templates
	sentinel := func(server string) (*http.Request, error) { return build(server, sentinelID) }
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		return t.request(ctx, server, sentinel, r.id.String(), "", nil)
	}
}

// byIDAndPeriod is the build of the usage operation: the id in the path,
// the period in the query when given.
func byIDAndPeriod(build func(string, ID, *api.ListDistributorOrganizationUsageParams) (*http.Request, error)) builder {
	var without, with templates
	noPeriod := func(server string) (*http.Request, error) { return build(server, sentinelID, nil) }
	period := func(server string) (*http.Request, error) {
		return build(server, sentinelID, &api.ListDistributorOrganizationUsageParams{Period: sentinelPeriod})
	}
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		switch {
		case r.period == nil:
			return without.request(ctx, server, noPeriod, r.id.String(), "", nil)
		case strings.Trim(r.period.Period, "0123456789-") != "":
			// Text the query may escape: as generated.
			req, err := build(server, r.id, r.period)
			if err != nil {
				return nil, err
			}
			return req.WithContext(ctx), nil
		}
		return with.request(ctx, server, period, r.id.String(), r.period.Period, nil)
	}
}

// withBody is the build of an operation with a JSON body.
func withBody(build func(server, contentType string, body io.Reader) (*http.Request, error)) builder {
	var t templates
	sentinel := func(server string) (*http.Request, error) { return build(server, jsonBody, nil) }
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		return t.request(ctx, server, sentinel, "", "", r.body)
	}
}

// templates holds, per server, the request a builder made with the
// sentinels.
type templates struct{ m sync.Map } // server → *http.Request

// request is the template of server (build makes it on first use) with id
// and period in place of the sentinels, body and ctx.
func (t *templates) request(ctx context.Context, server string, build func(string) (*http.Request, error), id, period string, body []byte) (*http.Request, error) {
	v, ok := t.m.Load(server)
	if !ok {
		tmpl, err := build(server)
		if err != nil {
			return nil, err
		}
		v, _ = t.m.LoadOrStore(server, tmpl)
	}
	tmpl := v.(*http.Request)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, tmpl.Method, "", rd) // the empty URL parses at no cost; the real one is set below
	if err != nil {
		return nil, err
	}
	u := *tmpl.URL
	if id != "" {
		u.Path = strings.Replace(u.Path, sentinelText, id, 1)
		u.RawPath = strings.Replace(u.RawPath, sentinelText, id, 1)
	}
	if period != "" {
		u.RawQuery = strings.Replace(u.RawQuery, sentinelPeriod, period, 1)
	}
	req.URL, req.Host = &u, u.Host
	for k, v := range tmpl.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	return req, nil
}

// do sends req, made by a row's build, as the generated client's methods
// do: through the request editors, then the HTTP client.
func (c *Client) do(ctx context.Context, req *http.Request, err error) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	for _, e := range c.editors {
		if err := e(ctx, req); err != nil {
			return nil, err
		}
	}
	return c.hc.Do(req)
}
