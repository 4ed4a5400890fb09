package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/transport"
)

// The parsers of 2xx answers. Each accepts any 2xx status, not only the one
// the spec documents (the generated parsers fill JSON200 for 200 alone): a
// 201 carrying an organization is an organization. What matters is the body,
// and a 2xx without the result the contract always returns is not a
// success: call turns these errors into a *DecodeError, and for a create or
// metering into an error matching ErrOutcomeUnknown as well.

// decodeJSON decodes a 2xx answer's JSON body into a T. An answer that is
// not JSON, or is JSON null, is an error.
func decodeJSON[T any](resp *http.Response) (T, error) {
	var v T
	defer resp.Body.Close()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return v, noJSON(resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return v, err
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return v, errors.New("the answer is null")
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, err
	}
	return v, nil
}

// decodeMessage decodes terminate's answer: the API's message.
func decodeMessage(resp *http.Response) (string, error) {
	r, err := decodeJSON[api.TerminateDistributorOrganization200JSONResponseBody](resp)
	return r.Message, err
}

// decodePurge decodes schedule-purge's answer: 202 when the purge is
// scheduled, 200 when it is done.
func decodePurge(resp *http.Response) (PurgeResult, error) {
	if resp.StatusCode == http.StatusAccepted {
		r, err := decodeJSON[api.SchedulePurgeDistributorOrganization202JSONResponseBody](resp)
		return PurgeResult{Message: r.Message, Scheduled: true}, err
	}
	r, err := decodeJSON[api.SchedulePurgeDistributorOrganization200JSONResponseBody](resp)
	return PurgeResult{Message: r.Message}, err
}

// decodeOrganization decodes an answer that is one organization.
func decodeOrganization(resp *http.Response) (Organization, error) {
	o, err := decodeJSON[Organization](resp)
	if err == nil {
		err = checkOrganization(o)
	}
	return o, err
}

// checkOrganization refuses an organization without what the API always
// returns: its id and its status.
func checkOrganization(o Organization) error {
	switch {
	case o.ID == (ID{}):
		return errors.New("the organization has no id")
	case o.Status == "":
		return fmt.Errorf("organization %s has no status", o.ID)
	}
	return nil
}

// noJSON is the decode error of a 2xx answer that carried no JSON body.
func noJSON(ct string) error {
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("the answer has no JSON body (Content-Type: %s)", ct)
}

// isJSON reports whether a Content-Type is JSON (application/json, or a
// +json type).
func isJSON(ct string) bool {
	if ct == jsonBody {
		return true // what the API sends, without parsing
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return strings.HasSuffix(mt, "json")
}

// smallAnswer is the Content-Length up to which an answer is decoded whole
// (readAnswer; the list too: its streaming decoder's token path costs more
// than it saves on a few organizations, and a small body held whole bounds
// nothing).
const smallAnswer = 64 << 10

// guardJSON wraps the body of a 2xx answer in a jsonGuard.
func guardJSON(body io.ReadCloser, maxItems int) io.ReadCloser {
	g := &jsonGuard{r: body, maxItems: maxItems}
	g.arrays = g.depth[:0]
	return g
}

// maxJSONDepth is how deeply an answer may nest arrays and objects, as
// encoding/json allows.
const maxJSONDepth = 10000

// jsonGuard reads a JSON answer for its decoder, in one linear pass:
//
//   - It drops the white space between tokens (never inside strings), which
//     changes nothing to the value: encoding/json's Decoder scans the white
//     space it has buffered again at each read, so an answer padded with
//     megabytes of it took minutes to decode, outliving every deadline.
//   - It counts the items of every array and fails the read past maxItems:
//     the memory an answer takes once decoded grows with its items (an
//     organization decodes to 160 bytes from a 60-byte minimal one, a usage
//     statement to 120 bytes from "{}"), so the byte cap alone did not
//     bound it.
//
// Invalid JSON passes through for the decoder to report.
type jsonGuard struct {
	r        io.Reader // closed by Close, if an io.Closer
	maxItems int
	items    int
	inString bool
	escaped  bool   // the byte before was a backslash, in a string
	want     bool   // an array just began or saw a comma: the next token starts an item
	arrays   []bool // the open containers, innermost last: true for an array
	depth    [16]bool
	err      error
}

func (g *jsonGuard) Close() error {
	if c, ok := g.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// errTooManyItems is the error of an answer with more than maxItems array items.
func errTooManyItems(max int) error {
	return fmt.Errorf("%w: more than %d array items (organizations, usage statements and lines, …)", ErrResponseTooLarge, max)
}

func (g *jsonGuard) Read(p []byte) (int, error) {
	for {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.r.Read(p)
		m := g.filter(p[:n])
		if g.err == nil && err != nil {
			g.err = err
		}
		if m > 0 || g.err != nil {
			if g.err != nil && !errors.Is(g.err, io.EOF) && m > 0 {
				return m, nil // the error comes with the next call
			}
			return m, g.err
		}
	}
}

// stringEnd returns where the string being read ends in p, from j: after
// its closing quote, or len(p) when it goes on in the next read. It looks
// for quotes and backslashes with bytes.IndexByte, which is many times
// faster than a loop over each byte: most of an answer is strings.
func (g *jsonGuard) stringEnd(p []byte, j int) int {
	for j < len(p) {
		q := bytes.IndexByte(p[j:], '"')
		rest := p[j:]
		if q >= 0 {
			rest = rest[:q]
		}
		if b := bytes.IndexByte(rest, '\\'); b >= 0 {
			if j += b + 2; j > len(p) {
				g.escaped = true // the escaped character is in the next read
			}
			continue
		}
		if q < 0 {
			return len(p)
		}
		g.inString = false
		return j + q + 1
	}
	return min(j, len(p))
}

// filter compacts p in place, counting items, and returns its new length.
func (g *jsonGuard) filter(p []byte) int {
	w := 0 // p[:w] is what is kept, w <= i: nothing moves until white space is dropped
	for i := 0; i < len(p); {
		if g.inString {
			j := i
			if g.escaped {
				g.escaped, j = false, j+1
			}
			j = g.stringEnd(p, j)
			if w != i {
				copy(p[w:], p[i:j])
			}
			w, i = w+j-i, j
			continue
		}
		c := p[i]
		i++
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		if g.want && c != ']' {
			if g.items++; g.items > g.maxItems {
				g.err = errTooManyItems(g.maxItems)
				return w
			}
		}
		g.want = false
		switch c {
		case '"':
			g.inString = true
		case '[', '{':
			if len(g.arrays) == maxJSONDepth {
				g.err = fmt.Errorf("the answer nests more than %d levels deep", maxJSONDepth)
				return w
			}
			g.arrays = append(g.arrays, c == '[')
			g.want = c == '['
		case ']', '}':
			if len(g.arrays) > 0 {
				g.arrays = g.arrays[:len(g.arrays)-1]
			}
		case ',':
			g.want = len(g.arrays) > 0 && g.arrays[len(g.arrays)-1]
		}
		p[w] = c
		w++
	}
	return w
}

// requestIDHeaders are the response headers a request id is read from.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Correlation-Id"}

// maxErrorBody is how much of a non-2xx body is read for its message (of
// which maxErrorText is kept).
const maxErrorBody = 64 << 10

// newAPIError builds an *APIError from a non-2xx response, reading up to
// maxErrorBody of its body and closing it. A server may echo what it got:
// what is taken from the body and the headers is cut to its bound, then
// redacted. now reads a Retry-After given as a date.
func newAPIError(op string, resp *http.Response, r *redactor, now time.Time) *APIError {
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
	e := &APIError{Operation: op, StatusCode: resp.StatusCode,
		Message: r.cut(errorMessage(resp.Header.Get("Content-Type"), body), maxErrorText, bodyCut)}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = r.cut(v, maxHeaderText, false)
			break
		}
	}
	e.RetryAfter, _ = transport.RetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// problem holds the fields an error body may carry: {"message"} or
// {"error"} as the Exoscale APIs answer, or RFC 9457 problem details.
type problem struct {
	Message string          `json:"message"`
	Error   json.RawMessage `json:"error"`
	Title   string          `json:"title"`
	Detail  string          `json:"detail"`
	Errors  json.RawMessage `json:"errors"`
}

// errorMessage extracts a human message from an error response body, whole:
// the caller cuts it.
func errorMessage(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := strings.TrimSpace(string(body))
	if isJSON(contentType) || strings.HasPrefix(trimmed, "{") {
		var p problem
		if json.Unmarshal(body, &p) == nil {
			var parts []string
			for _, s := range []string{p.Message, jsonText(p.Error), p.Title, p.Detail, jsonText(p.Errors)} {
				if s != "" {
					parts = append(parts, s)
				}
			}
			if len(parts) > 0 {
				return strings.Join(parts, ": ")
			}
		}
	}
	if strings.Contains(mt, "html") || strings.HasPrefix(strings.ToLower(trimmed), "<!doctype html") || strings.HasPrefix(strings.ToLower(trimmed), "<html") {
		if t := htmlTitle(trimmed); t != "" {
			return t + " (HTML page)"
		}
	}
	return strings.Join(strings.Fields(trimmed), " ")
}

// jsonText renders a JSON value as text: a string as is, anything else compact.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func htmlTitle(s string) string {
	lower := strings.ToLower(s)
	i := strings.Index(lower, "<title>")
	j := strings.Index(lower, "</title>")
	if i < 0 || j < i {
		return ""
	}
	return strings.Join(strings.Fields(s[i+len("<title>"):j]), " ")
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
		return zero, unknownIf(o.opSpec, resp.StatusCode >= 500 || resp.StatusCode < 400, e)
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
	return unknownIf(o, sent, fmt.Errorf("exopartner: %s: %w", o.id, c.redact.err(err)))
}

// decodeError reports a 2xx answer that could not be decoded, or lacks its
// result. For create and metering that is an unknown outcome: the
// organization may exist with its id lost, the usage may be applied. Both
// the Content-Type and the error (which may quote a field's value) come
// from the server, so both are cut to their bounds, then redacted.
func (c *Client) decodeError(o opSpec, resp *http.Response, err error) error {
	e := &DecodeError{Operation: o.id, StatusCode: resp.StatusCode,
		ContentType: c.redact.cut(resp.Header.Get("Content-Type"), maxHeaderText, false), Err: c.redact.err(err)}
	return unknownIf(o, true, e)
}

// unknownIf is err, or, when the operation is not idempotent and the
// request may have acted (mayHaveActed), the unknown outcome err explains.
func unknownIf(o opSpec, mayHaveActed bool, err error) error {
	if mayHaveActed && !o.idempotent() {
		return &OutcomeUnknownError{Operation: o.id, Err: err}
	}
	return err
}
