package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/internal/transport"
)

// operation names an API operation and whether repeating it is harmless.
type operation struct {
	id         string // operationId
	idempotent bool
}

// op looks an operation up in the embedded spec: its method decides
// idempotency, so the two cannot disagree.
func op(id string) operation {
	_, method, _, ok := contract.Operation(id)
	if !ok {
		panic("exopartner: operation " + id + " is not in the embedded spec")
	}
	return operation{id: id, idempotent: transport.Idempotent(method)}
}

var (
	opList     = op("list-distributor-organizations")
	opGet      = op("get-distributor-organization")
	opCreate   = op("create-distributor-organization")
	opActivate = op("activate-distributor-organization")
	opSuspend  = op("suspend-distributor-organization")
	opTerm     = op("terminate-distributor-organization")
	opPurge    = op("schedule-purge-distributor-organization")
	opUsage    = op("list-distributor-organization-usage")
	opMetering = op("metering-transaction")
)

// maxErrorBody is how much of a non-2xx body is read for its message.
const maxErrorBody = 64 << 10

// call runs one operation: the generated client builds and sends the request
// through the transport chain, then a non-2xx answer becomes an *APIError and
// a 2xx goes to the generated parser (a 204 with its body dropped). The
// caller maps the parsed response.
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
	resp, err := send(ctx)
	if err != nil {
		return zero, c.transportError(o, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		// A server may echo what it got: redact the body before a message
		// is cut from it, and what was taken from the headers.
		e := newAPIError(o.id, resp, []byte(c.redact.text(string(body))))
		e.Message, e.RequestID = c.redact.text(e.Message), c.redact.text(e.RequestID)
		if resp.StatusCode >= 500 && !o.idempotent {
			return zero, &OutcomeUnknownError{Operation: o.id, Err: e}
		}
		return zero, e
	}
	if resp.StatusCode == http.StatusNoContent {
		// A 204 has no content (RFC 9110), whatever its Content-Type says.
		// The API declares JSON for metering's 204 and sends nothing; the
		// generated parser would try to decode that empty body.
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		resp.Header.Del("Content-Type")
	}
	r, err := parse(resp)
	if err != nil {
		return zero, c.decodeError(o, resp, err)
	}
	return r, nil
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

// decodeError reports a 2xx answer that could not be decoded. For a create,
// the organization exists but its id is lost: that is an unknown outcome.
func (c *Client) decodeError(o operation, resp *http.Response, err error) error {
	return c.decodeFailure(o, resp.StatusCode, resp.Header.Get("Content-Type"), err)
}

// decodeFailure is decodeError from the status and Content-Type. Both the
// Content-Type and the error (which may quote a field's value) come from
// the server, so both are redacted.
func (c *Client) decodeFailure(o operation, status int, contentType string, err error) error {
	e := &DecodeError{Operation: o.id, StatusCode: status, ContentType: c.redact.text(contentType), Err: c.redact.err(err)}
	if !o.idempotent {
		return &OutcomeUnknownError{Operation: o.id, Err: e}
	}
	return e
}

// noJSON is the decode error of a 2xx answer that carried no JSON body.
func noJSON(resp interface{ ContentType() string }) error {
	ct := resp.ContentType()
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("the answer has no JSON body (Content-Type: %s)", ct)
}
