package transport

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Policy says when a request is retried and how long to wait. The zero value
// never retries.
type Policy struct {
	Attempts int           // total attempts, first included; < 2 disables retries
	Base     time.Duration // first backoff ceiling
	Cap      time.Duration // largest wait; a longer Retry-After ends the retries
}

// DefaultPolicy is 4 attempts, 200 ms base, 10 s cap.
var DefaultPolicy = Policy{Attempts: 4, Base: 200 * time.Millisecond, Cap: 10 * time.Second}

// Idempotent reports whether repeating a request with this method cannot
// apply its effect twice. In this API GET reads, the PUT actions and the
// DELETE terminate are idempotent; the POSTs (create, metering) are not.
func Idempotent(method string) bool {
	return method != http.MethodPost && method != http.MethodPatch
}

// Retryable reports whether an attempt's outcome may be retried.
//   - resp non-nil: idempotent requests retry 429, 502, 503 and 504; the
//     others only 429, which says the server did not act.
//   - err non-nil: idempotent requests retry any transport failure; the
//     others only one that happened before the request was written.
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
// Retry-After asks for longer than Cap: the request must not be repeated
// before the server's time, and waiting that long is more than the policy
// allows, so the answer is final.
func (p Policy) Wait(n int, resp *http.Response, now time.Time) (d time.Duration, ok bool) {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return d, d <= p.Cap
		}
	}
	if ceiling := p.ceiling(n); ceiling > 0 {
		return rand.N(ceiling), true
	}
	return 0, true
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
