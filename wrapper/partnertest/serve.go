package partnertest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
)

// maxBody caps request bodies; a larger one is answered 413.
const maxBody = 1 << 20

// ServeHTTP serves one request, in the order the real API would: route by
// the spec's path templates (404, 405), apply the configured latency, read
// the body (413), authenticate (401, 403), apply an injected fault, validate
// the request against the spec (400), carry the operation out and validate
// the answer against the spec (500 if it breaks the contract; not with
// [WithoutAnswerValidation]).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), BasePath)
	if !ok || !strings.HasPrefix(path, "/") {
		a.count("")
		errorf(http.StatusNotFound, "no such path %s: the Partner API lives under %s/", r.URL.EscapedPath(), BasePath).write(w)
		return
	}
	route, ok := matchRoute(r.Method, path)
	if !ok {
		a.count("")
		if route.PathItem == nil {
			errorf(http.StatusNotFound, "no such path %s", r.URL.EscapedPath()).write(w)
			return
		}
		allow := make([]string, 0, 2)
		for m := range route.PathItem.Operations() {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		ans := errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s (allowed: %s)", r.Method, route.PathTemplate, strings.Join(allow, ", "))
		ans.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
		ans.write(w)
		return
	}
	op := route.OperationID
	a.count(op)

	if !a.wait(w, r, a.currentLatency()) {
		return
	}
	if r.Body == nil { // a client request handed to ServeHTTP directly
		r.Body = http.NoBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", maxBody).write(w)
			return
		}
		errorf(http.StatusBadRequest, "reading the request body: %v", err).write(w)
		return
	}
	if ans, ok := a.authenticate(r, body); !ok {
		ans.write(w)
		return
	}

	f, faulted := a.takeFault(op)
	if !faulted {
		a.handle(r, route, body).write(w)
		return
	}
	// Latency comes before the action, or after it with AfterAction, so
	// that a client timing out can leave the operation done or not done.
	if !f.AfterAction && !a.wait(w, r, f.Latency) {
		return
	}
	var ans answer
	if f.AfterAction || f.Truncate || !f.replacesAnswer() {
		ans = a.handle(r, route, body)
	}
	if f.AfterAction && !a.wait(w, r, f.Latency) {
		return
	}
	a.writeFault(w, op, f, ans)
}

// handle validates the request, carries the operation out and validates
// the answer (unless WithoutAnswerValidation).
func (a *API) handle(r *http.Request, route specRoute, body []byte) answer {
	in, problem := validateRequest(r, route, body)
	if problem != "" {
		return errorf(http.StatusBadRequest, "invalid request: %s", problem)
	}
	c := &call{r: r, route: route, body: body, now: a.now()}
	ans := handlers[route.OperationID](a, c)
	if ans.status >= 200 && ans.status < 300 {
		a.markApplied(route.OperationID)
	}
	if a.breakAnswer != nil {
		a.breakAnswer(route.OperationID, &ans)
	}
	if a.cfg.trustAnswers || a.alreadyValid(route.OperationID, ans) {
		return ans
	}
	if problem := validateResponse(in, route, ans); problem != "" {
		if a.cfg.tb != nil {
			a.cfg.tb.Errorf("partnertest: %s %s answered %d, which breaks the contract: %s", r.Method, r.URL.Path, ans.status, problem)
		}
		return errorf(http.StatusInternalServerError, "partnertest: response breaks the contract: %s", problem)
	}
	a.rememberValid(route.OperationID, ans)
	return ans
}

// validKey names the last answer of an operation found valid.
type validKey struct {
	operationID string
	status      int
}

// alreadyValid reports whether ans is byte for byte the last answer of the
// operation that passed validation. Validation is deterministic, so this
// spares re-validating a large, unchanged list on every request (a list of
// 10 000 organizations costs tens of milliseconds to validate).
func (a *API) alreadyValid(operationID string, ans answer) bool {
	if len(ans.header) > 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	last, ok := a.lastValid[validKey{operationID, ans.status}]
	return ok && bytes.Equal(last, ans.body)
}

func (a *API) rememberValid(operationID string, ans answer) {
	if len(ans.header) > 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastValid[validKey{operationID, ans.status}] = ans.body
}
