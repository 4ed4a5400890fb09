package partnertest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Fault is how an injected failure answers a request, for testing a
// client's retries and its handling of broken answers. Faults apply after
// routing and authentication: a request with a bad signature is refused as
// usual and does not use up a fault.
//
// Unless AfterAction or Truncate is set, the operation is not carried out.
// A Fault with only Latency set delays the real answer.
type Fault struct {
	// Status answers this status, with a JSON {"message": ...} body unless
	// Body or HTML is set. With Malformed, HTML or Oversize it replaces
	// their default status, 200.
	Status int

	// RetryAfter is sent as the Retry-After header, if not empty.
	RetryAfter string

	// Body is sent as the raw body, with Status (200 if zero).
	Body string

	// ContentType is the Content-Type of Body (default application/json).
	ContentType string

	// Latency delays the answer: before the operation is carried out, or
	// after it with AfterAction (so a client that times out leaves the
	// operation done). The wait ends early when the request's context is
	// done (the client gave up: nothing is answered) or when the fake is
	// closed (503).
	Latency time.Duration

	// Drop closes the connection without answering: the client sees a reset
	// or an unexpected EOF. Note that net/http's Transport transparently
	// retries an idempotent request dropped on a reused connection. Where
	// the connection cannot be hijacked (HTTP/2, httptest.ResponseRecorder)
	// the handler panics with http.ErrAbortHandler instead, which net/http
	// servers turn into an aborted response.
	Drop bool

	// Truncate carries the operation out and sends its real answer with a
	// Content-Length for the whole body but only the first half of it, then
	// closes the connection. An answer without a body is sent whole.
	Truncate bool

	// Malformed answers 200 application/json with a body that is not JSON.
	Malformed bool

	// HTML answers Status (200 if zero) with a text/html error page, as a
	// proxy or load balancer in front of an API would.
	HTML bool

	// Oversize answers 200 application/json with a valid JSON body of
	// exactly this many bytes (at least 20), streamed: a list of
	// organizations for list-distributor-organizations, a long "message"
	// otherwise.
	Oversize int64

	// AfterAction carries the operation out first, then waits Latency and
	// answers with the fault: the server acted and the client cannot know.
	AfterAction bool
}

// replacesAnswer reports whether f sends something else than the real answer.
func (f Fault) replacesAnswer() bool {
	return f.Drop || f.Truncate || f.Malformed || f.HTML || f.Oversize > 0 || f.Status != 0 || f.Body != ""
}

// faultRule is one InjectFault call.
type faultRule struct {
	operationID string // "": any operation
	remaining   int    // < 0: until ClearFaults
	fault       Fault
}

// InjectFault makes the next n requests for the operation (named by its
// operationId; "" matches every operation) answer with f. n < 0 keeps the
// fault until [API.ClearFaults]. Faults injected earlier are used first.
func (a *API) InjectFault(operationID string, n int, f Fault) {
	if n == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, &faultRule{operationID: operationID, remaining: n, fault: f})
}

// ClearFaults removes every injected fault that is still pending.
func (a *API) ClearFaults() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = nil
}

// SetLatency delays every later request by d before anything else is done
// with it (0 removes the delay). The wait ends early as for
// [Fault.Latency].
func (a *API) SetLatency(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.latency = d
}

func (a *API) currentLatency() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.latency
}

// takeFault uses up one application of the first fault matching the operation.
func (a *API) takeFault(operationID string) (Fault, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, r := range a.faults {
		if r.operationID != "" && r.operationID != operationID {
			continue
		}
		if r.remaining > 0 {
			r.remaining--
			if r.remaining == 0 {
				a.faults = append(a.faults[:i:i], a.faults[i+1:]...)
			}
		}
		return r.fault, true
	}
	return Fault{}, false
}

// wait sleeps d and reports whether to go on. If the client gave up it
// answers nothing; if the fake was closed it answers 503.
func (a *API) wait(w http.ResponseWriter, r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-a.done:
		errorf(http.StatusServiceUnavailable, "partnertest: server closed while the request waited").write(w)
		return false
	}
}

// writeFault answers with f; real is the operation's answer when it was
// carried out.
func (a *API) writeFault(w http.ResponseWriter, operationID string, f Fault, real answer) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case f.Drop:
		drop(w)
	case f.Truncate:
		truncate(w, real)
	case f.Oversize > 0:
		writeOversize(w, status, operationID, f.Oversize)
	case f.Malformed:
		writeRaw(w, status, "application/json", `{"message": "partnertest: this body is not JSON`)
	case f.HTML:
		writeRaw(w, status, "text/html; charset=utf-8", fmt.Sprintf(htmlPage, status, http.StatusText(status), status, http.StatusText(status)))
	case f.Body != "":
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		writeRaw(w, status, ct, f.Body)
	case f.Status != 0:
		errorf(status, "partnertest: injected fault: %d %s", status, http.StatusText(status)).write(w)
	default: // latency only, or AfterAction alone
		real.write(w)
	}
}

const htmlPage = `<!DOCTYPE html>
<html><head><title>%d %s</title></head>
<body><center><h1>%d %s</h1></center><hr><center>nginx</center></body></html>
`

func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// drop closes the connection without a word. Where the connection cannot be
// hijacked (HTTP/2, httptest.ResponseRecorder) the handler aborts with
// http.ErrAbortHandler, which net/http turns into a reset stream.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// truncate sends ans's status and headers with a Content-Length for all of
// its body, then half the body, then closes the connection.
func truncate(w http.ResponseWriter, ans answer) {
	if len(ans.body) == 0 {
		ans.write(w)
		return
	}
	half := ans.body[:len(ans.body)/2]
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		ans.write(headerOnly{w})
		_, _ = w.Write(half)
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", ans.status, http.StatusText(ans.status))
	h := w.Header().Clone()
	for k, v := range ans.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(ans.body)))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(half)
	_ = buf.Flush()
}

// headerOnly is a ResponseWriter that writes headers but drops the body.
type headerOnly struct{ http.ResponseWriter }

func (headerOnly) Write(b []byte) (int, error) { return len(b), nil }
