package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// This file is when a request is sent again and how long to wait; chain.go
// is how. The rules, as users see them, are stated once, on
// [github.com/exopartner/exopartner/wrapper.Client].

// Policy is how many attempts a request gets and how long to wait between
// them. The zero value never retries.
type Policy struct {
	Attempts int           // total attempts, first included; < 2 disables retries
	Base     time.Duration // first backoff ceiling
	Cap      time.Duration // largest wait; a longer Retry-After ends the retries
}

// DefaultPolicy is 4 attempts, 200 ms base, 10 s cap.
func DefaultPolicy() Policy {
	return Policy{Attempts: 4, Base: 200 * time.Millisecond, Cap: 10 * time.Second}
}

// decide is the one retry decision, taken after every attempt and after an
// answer cut off while read: attempt number n (from 1) of req ended with
// resp or err, written telling whether the request may have reached the
// server. last says there is no next attempt; otherwise wait is how long
// to wait before it.
func (t *Retry) decide(ctx context.Context, req *http.Request, n int, resp *http.Response, err error, written bool) (wait time.Duration, last bool) {
	switch {
	case errors.Is(err, ErrRefused): // Sign refused it: a repeat would be refused too
		return 0, true
	case n >= t.Policy.Attempts, ctx.Err() != nil:
		return 0, true
	case !Retryable(req.Method, resp, err, written):
		return 0, true
	case req.Body != nil && req.Body != http.NoBody && req.GetBody == nil: // the same body cannot be sent again
		return 0, true
	}
	now := t.now()
	wait, ok := t.Policy.Wait(n, resp, now)
	if !ok {
		return 0, true // the server asks to wait longer than the cap
	}
	if dl, has := ctx.Deadline(); has && now.Add(wait).After(dl) {
		return 0, true // the wait would outlive the caller's deadline
	}
	return wait, false
}

// Idempotent reports whether repeating a request with this method cannot
// apply its effect twice: in this API every method but POST (create,
// metering).
func Idempotent(method string) bool {
	return method != http.MethodPost && method != http.MethodPatch
}

// Retryable reports whether an attempt's outcome may be retried: for an
// answer, 429 always and 502, 503, 504 when idempotent; for a transport
// failure, always when idempotent, else only if the request was not
// written.
func Retryable(method string, resp *http.Response, err error, written bool) bool {
	if err != nil {
		return Idempotent(method) || !written
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Idempotent(method)
	}
	return false
}

// Wait returns how long to wait before attempt n+1 (n counts from 1):
// Retry-After when the response carries one, else capped exponential backoff
// with full jitter, uniform in [0, min(Cap, Base·2^(n-1))). ok is false when
// the policy does not honour the Retry-After (see retryAfter): the request
// must not be repeated before the server's time, so the answer is final.
func (p Policy) Wait(n int, resp *http.Response, now time.Time) (d time.Duration, ok bool) {
	if d, asked, honoured := p.retryAfter(resp, now); asked {
		return d, honoured
	}
	if ceiling := p.ceiling(n); ceiling > 0 {
		return rand.N(ceiling), true
	}
	return 0, true
}

// retryAfter is the one rule on a Retry-After: asked tells whether resp
// carries one, d is how long it asks for, and honoured whether the policy
// waits that long, which it does up to Cap. A 429 whose Retry-After is
// honoured pauses every call of the Retry (chain.go).
func (p Policy) retryAfter(resp *http.Response, now time.Time) (d time.Duration, asked, honoured bool) {
	if resp == nil {
		return 0, false, false
	}
	d, asked = RetryAfter(resp.Header.Get("Retry-After"), now)
	return d, asked, asked && d <= p.Cap
}

// ceiling is min(Cap, Base·2^(n-1)), doubling with saturation so that no
// base and no number of attempts can overflow it.
func (p Policy) ceiling(n int) time.Duration {
	c := p.Base
	for i := 1; i < n && c < p.Cap; i++ {
		if c > p.Cap/2 {
			return p.Cap
		}
		c *= 2
	}
	return min(c, p.Cap)
}

// maxRetryAfter is the longest Retry-After taken as such: any longer one,
// however many digits it has, reads as this, far beyond any retry cap.
const maxRetryAfter = 24 * time.Hour

// RetryAfter parses a Retry-After value: delay-seconds or an HTTP-date. A
// delay beyond maxRetryAfter (even beyond what an int64 holds) is
// maxRetryAfter: it never overflows into a short or negative wait.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
