package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/transport"
)

// operation names an API operation and whether repeating it is harmless.
type operation struct {
	id         string // operationId
	method     string // as the spec declares it
	idempotent bool
}

// op declares an operation by its operationId and method; the method decides
// idempotency. The table below is plain data, so importing the package does
// no work: TestOperationTableMatchesSpec checks it against the embedded spec.
func op(id, method string) operation {
	return operation{id: id, method: method, idempotent: transport.Idempotent(method)}
}

var (
	opList     = op("list-distributor-organizations", http.MethodGet)
	opGet      = op("get-distributor-organization", http.MethodGet)
	opCreate   = op("create-distributor-organization", http.MethodPost)
	opActivate = op("activate-distributor-organization", http.MethodPut)
	opSuspend  = op("suspend-distributor-organization", http.MethodPut)
	opTerm     = op("terminate-distributor-organization", http.MethodDelete)
	opPurge    = op("schedule-purge-distributor-organization", http.MethodPut)
	opUsage    = op("list-distributor-organization-usage", http.MethodGet)
	opMetering = op("metering-transaction", http.MethodPost)
)

// operations is every operation the wrapper calls.
var operations = []operation{opList, opGet, opCreate, opActivate, opSuspend, opTerm, opPurge, opUsage, opMetering}

// maxErrorBody is how much of a non-2xx body is read for its message (of
// which maxErrorText is kept).
const maxErrorBody = 64 << 10

// call runs one operation: send builds the request from the generated
// builder's template (request.go) and sends it through the transport chain,
// then a non-2xx answer becomes an *APIError and a 2xx goes to parse (a 204
// with its body dropped, any other read through a jsonGuard that bounds its
// items), which decodes it into the generated types (decode.go) and refuses
// a 2xx without its result.
func call[R any](ctx context.Context, c *Client, o operation,
	send func(context.Context, ...api.RequestEditorFn) (*http.Response, error),
	parse func(*http.Response) (R, error),
) (R, error) {
	var zero R
	ctx = transport.WithOperation(ctx, o.id)
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var maxBody int64
	if o.id == opList.id {
		maxBody = c.listMaxBody
	}
	if transport.CallFrom(ctx) == nil { // the caller may have put one to learn about the attempts
		ctx, _ = transport.WithCall(ctx, maxBody)
	}
	for {
		resp, err := send(ctx)
		if err != nil {
			return zero, c.transportError(o, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
			_ = resp.Body.Close()
			bodyCut := len(body) > maxErrorBody
			if bodyCut {
				n := maxErrorBody
				for n > 0 && !utf8.RuneStart(body[n]) {
					n--
				}
				body = body[:n]
			}
			e := newAPIError(o.id, resp, body, bodyCut, c.redact)
			// A 3xx is never followed (the API does not redirect): whatever
			// redirected a create or metering may have passed it on.
			if !o.idempotent && (resp.StatusCode >= 500 || resp.StatusCode < 400) {
				return zero, &OutcomeUnknownError{Operation: o.id, Err: e}
			}
			return zero, e
		}
		if resp.StatusCode == http.StatusNoContent {
			// A 204 has no content (RFC 9110), whatever its Content-Type says.
			// The API declares JSON for metering's 204 and sends nothing; the
			// parser would try to decode that empty body.
			_ = resp.Body.Close()
			resp.Body = http.NoBody
			resp.Header.Del("Content-Type")
		} else {
			resp.Body = guardJSON(resp.Body, c.maxItems)
		}
		r, err := parse(resp)
		if err != nil {
			// An answer cut off while read: the transport's policy says
			// whether to send the call again. One refused for its size (bytes
			// or items) is not cut off, and never sent again.
			if c.retry.RetryRead(ctx) {
				continue
			}
			if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
				err = fmt.Errorf("%w (then: %w)", err, cerr) // the deadline ended the call
			}
			return zero, c.decodeError(o, resp, err)
		}
		return r, nil
	}
}

// transportError wraps a failure to get any answer with the operationId. For
// a non-idempotent call the outcome is unknown unless the request certainly
// never left: an error before sending (a request editor's) is not a
// *url.Error, and the retry layer reports attempts that were never written.
// Other failures from http.Client.Do (its own Timeout, say) may have hidden
// that information, so they count as unknown.
func (c *Client) transportError(o operation, err error) error {
	var ae *transport.AttemptError
	var ue *url.Error
	sent := errors.As(err, &ue) && (!errors.As(err, &ae) || ae.Written)
	unknown := !o.idempotent && sent
	err = fmt.Errorf("exopartner: %s: %w", o.id, c.redact.err(err))
	if unknown {
		return &OutcomeUnknownError{Operation: o.id, Err: err}
	}
	return err
}

// decodeError reports a 2xx answer that could not be decoded, or lacks its
// result. For create and metering that is an unknown outcome: the
// organization may exist with its id lost, the usage may be applied. Both
// the Content-Type and the error (which may quote a field's value) come
// from the server, so both are cut to their bounds, then redacted.
func (c *Client) decodeError(o operation, resp *http.Response, err error) error {
	e := &DecodeError{Operation: o.id, StatusCode: resp.StatusCode,
		ContentType: c.redact.cut(resp.Header.Get("Content-Type"), maxHeaderText, false), Err: c.redact.err(err)}
	if !o.idempotent {
		return &OutcomeUnknownError{Operation: o.id, Err: e}
	}
	return e
}

// noJSON is the decode error of a 2xx answer that carried no JSON body.
func noJSON(ct string) error {
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("the answer has no JSON body (Content-Type: %s)", ct)
}
