package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/exopartner/exopartner/internal/transport"
)

// Classes of API errors, for errors.Is. An *APIError matches every class its
// status belongs to: a 404 is both ErrNotFound and ErrClient, a 403 both
// ErrAuth and ErrClient.
var (
	ErrClient      = errors.New("client error (4xx)")
	ErrAuth        = errors.New("authentication or authorization failed (401, 403)")
	ErrNotFound    = errors.New("not found (404)")
	ErrConflict    = errors.New("conflict (409)")
	ErrRateLimited = errors.New("rate limited (429)")
	ErrServer      = errors.New("server error (5xx)")
)

// ErrOutcomeUnknown is matched when a create or metering call failed after
// the server may have acted (see [Client] for when): repeating it blindly
// could create a second organization or apply metering twice; check first
// ([Client.EnsureOrganization] does this for creates).
var ErrOutcomeUnknown = errors.New("outcome unknown: the server may have applied the request")

// ErrLeavesEndpoint is matched when a request was refused, unsigned and
// unsent, because it was a redirect hop or would leave the endpoint's scheme
// and host or go over plain http off loopback (see [Client], Redirects).
var ErrLeavesEndpoint = transport.ErrRefused

// ErrResponseTooLarge is matched when a response body exceeds its cap (see
// [WithMaxResponseBytes]), or an answer holds more than [MaxAnswerItems]
// array items.
var ErrResponseTooLarge = transport.ErrBodyTooLarge

// classes is the one place an HTTP status is mapped to error classes.
func classes(status int) []error {
	var c []error
	switch {
	case status >= 500:
		return append(c, ErrServer)
	case status >= 400:
		c = append(c, ErrClient)
	default:
		return nil
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		c = append(c, ErrAuth)
	case http.StatusNotFound:
		c = append(c, ErrNotFound)
	case http.StatusConflict:
		c = append(c, ErrConflict)
	case http.StatusTooManyRequests:
		c = append(c, ErrRateLimited)
	}
	return c
}

// APIError is a non-2xx answer from the API. Message and RequestID are the
// server's text, bounded (2 KiB and 256 bytes) and redacted: each is cut
// before it is redacted, a secret or signature the cut splits is removed
// whole, and a cut text ends with "… (cut)".
type APIError struct {
	Operation  string        // operationId
	StatusCode int           // HTTP status
	Message    string        // the server's message, or the start of its body (of which 64 KiB is read)
	RequestID  string        // from the response's request id header, if any
	RetryAfter time.Duration // from Retry-After, if any: how long the server asked to wait before a repeat
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("exopartner: %s: %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// Is matches the error classes of the status (see [ErrClient] and others).
func (e *APIError) Is(target error) bool {
	for _, c := range classes(e.StatusCode) {
		if c == target {
			return true
		}
	}
	return false
}

// DecodeError is a 2xx answer whose body could not be decoded (malformed,
// truncated, too large, or not JSON at all), or that lacks the result the
// contract always returns (JSON null; an organization without its id or
// status). Any 2xx status carrying a valid result is a success.
// ContentType is the answer's, cut to 256 bytes and redacted; the text of
// Err, which may quote the answer, to 2 KiB.
type DecodeError struct {
	Operation   string
	StatusCode  int
	ContentType string
	Err         error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("exopartner: %s: decoding %d response (Content-Type %q): %v", e.Operation, e.StatusCode, e.ContentType, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// OutcomeUnknownError wraps the failure of a non-idempotent call after which
// the server may have acted. It matches [ErrOutcomeUnknown] and unwraps to
// the failure (an *APIError, a *DecodeError or a transport error).
type OutcomeUnknownError struct {
	Operation string
	Err       error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("exopartner: %s: outcome unknown, the server may have applied it; check before repeating: %v",
		e.Operation, strings.TrimPrefix(e.Err.Error(), "exopartner: "+e.Operation+": "))
}

func (e *OutcomeUnknownError) Unwrap() []error { return []error{ErrOutcomeUnknown, e.Err} }

// Bounds on the server text an error keeps. Each piece is cut to its bound
// before it is redacted, so that no answer can make redacting it costly, and
// a secret or signature the cut splits in two is removed whole; a cut text
// ends with "… (cut)".
const (
	// maxErrorText bounds the server's message in an *APIError, and the text
	// of a decode or connection error (which may quote the answer).
	maxErrorText = 2 << 10
	// maxHeaderText bounds a request id and a Content-Type.
	maxHeaderText = 256
)
