package transport

import (
	"context"
	"sync"
)

// Call is the state of one API call across its attempts, shared between
// [Retry] and the code that sends the request and reads the answer, through
// the request's context (see [WithCall]). It lets the caller repeat a call
// whose answer was cut off while being read, within the same attempt budget,
// and tells it whether the final answer came from a repeat.
type Call struct {
	mu       sync.Mutex
	method   string
	attempts int   // attempts made so far
	acted    bool  // an earlier attempt may have been carried out
	readErr  error // the failure reading the last answer's body, if any
	maxBody  int64 // 0: the Retry's MaxBody
}

type callKey struct{}

// WithCall returns a context carrying a fresh Call, and the Call. maxBody,
// when positive, replaces the Retry's MaxBody for this call's answers.
func WithCall(ctx context.Context, maxBody int64) (context.Context, *Call) {
	c := &Call{maxBody: max(maxBody, 0)}
	return context.WithValue(ctx, callKey{}, c), c
}

// CallFrom returns the Call ctx carries, or nil.
func CallFrom(ctx context.Context) *Call { return callFrom(ctx) }

func callFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// Attempts returns how many attempts the call has made.
func (c *Call) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

// MayHaveActed reports whether an attempt before the last one may have been
// carried out by the server: it was answered 5xx, lost its connection after
// the request was sent, or had its answer cut off. A 409 answering the
// repeat of an action may then be the echo of the action itself.
func (c *Call) MayHaveActed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acted
}

// startAttempt counts an attempt, returning its number (from 1).
func (c *Call) startAttempt(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.method = method
	c.attempts++
	c.readErr = nil
	return c.attempts
}

func (c *Call) markActed() {
	c.mu.Lock()
	c.acted = true
	c.mu.Unlock()
}

func (c *Call) setReadErr(err error) {
	c.mu.Lock()
	c.readErr = err
	c.mu.Unlock()
}

func (c *Call) state() (method string, attempts int, readErr error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.method, c.attempts, c.readErr
}
