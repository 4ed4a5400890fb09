package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
)

// AttemptError is a transport failure of the last attempt made. Written
// tells whether the request had been fully written when it failed: if so,
// the server may have acted on it. It is tracked for non-idempotent
// requests only; for the others it is true (assume the worst).
type AttemptError struct {
	Err      error
	Written  bool
	Attempts int
}

func (e *AttemptError) Error() string { return e.Err.Error() }
func (e *AttemptError) Unwrap() error { return e.Err }

// Retry is a RoundTripper that repeats failed attempts as its Policy allows,
// bounds each attempt by AttemptTimeout, caps response bodies at MaxBody and
// logs one debug record per attempt to Logger.
//
// A 429 answer with a Retry-After the policy honours pauses every call going
// through this Retry, not only the one that was told: no attempt starts
// before the pause ends (each still honours its own context).
//
// A Retry must not be copied after first use.
type Retry struct {
	Next           http.RoundTripper
	Policy         Policy
	AttemptTimeout time.Duration // 0: none
	MaxBody        int64         // 0: unlimited
	Logger         *slog.Logger  // nil: no logging
	Now            func() time.Time
	Sleep          func(ctx context.Context, d time.Duration) error
	Redact         func(string) string // cleans an error's text before it is logged (a server may echo the signature); nil: as is

	mu       sync.Mutex
	pauseEnd time.Time // no attempt starts before
}

// Call is one API call as [Retry.Do] runs it.
type Call struct {
	Operation string // operationId, named in each attempt's log record
	MaxBody   int64  // caps the bodies of its answers; 0: the Retry's MaxBody
	// Send sends the call's request once, with ctx as its context, through
	// an http.Client whose transport is the Retry (which makes the
	// attempts).
	Send func(ctx context.Context) (*http.Response, error)
	// Read reads the answer and closes its body.
	Read func(*http.Response) error
}

// Do is the one way through the chain for a call whose answer is read:
// Send, then Read. When Read fails because the answer's body was cut off by
// the connection (a reset, an early EOF, the attempt's deadline; not a body
// merely malformed or too large), the call is sent and read again as the
// policy allows, within the same attempts as Send's own retries. Send's
// and Read's errors are returned as they are.
//
// acted reports whether an attempt before the last one may have been
// carried out by the server: it was answered 5xx, lost its connection after
// the request was sent, or had its answer cut off. A 409 answering the
// repeat of an action may then be the echo of the action itself.
func (t *Retry) Do(ctx context.Context, c Call) (acted bool, err error) {
	st := &callState{operation: c.Operation, maxBody: max(c.MaxBody, 0)}
	ctx = context.WithValue(ctx, callKey{}, st)
	for {
		resp, err := c.Send(ctx)
		if err == nil {
			if err = c.Read(resp); err != nil && t.readAgain(ctx, st) {
				continue
			}
		}
		return st.mayHaveActed(), err
	}
}

// readAgain reports, after reading an answer failed, whether the call is
// sent again, having waited: only when the body was cut off, as decide
// rules for an attempt that failed after it was written.
func (t *Retry) readAgain(ctx context.Context, st *callState) bool {
	req, n, readErr := st.last()
	if readErr == nil || req == nil {
		return false
	}
	wait, last := t.decide(ctx, req, n, nil, readErr, true)
	if last {
		return false
	}
	st.markActed() // an answer came: the server acted
	return t.sleep(ctx, wait) == nil
}

// RoundTrip sends req, retrying as the policy allows. A retried request is
// rebuilt from req.GetBody, so every attempt sends (and Sign signs) the same
// bytes. Within [Retry.Do], its attempts count towards the call's.
func (t *Retry) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := callFrom(ctx)
	if st == nil {
		st = &callState{}
	}
	var wait time.Duration // before the next attempt
	for {
		if err := t.wait(ctx, wait); err != nil {
			// A repeat was allowed, so the server did not act.
			return nil, &AttemptError{Err: err, Written: Idempotent(req.Method), Attempts: st.attempts()}
		}
		n := st.startAttempt(req)
		resp, err, written := t.attempt(req, n, st)
		t.throttle(resp)
		var last bool
		if wait, last = t.decide(ctx, req, n, resp, err, written); last {
			if err != nil {
				return nil, &AttemptError{Err: err, Written: written, Attempts: n}
			}
			return resp, nil
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			st.markActed() // a 5xx or a lost connection: the server may have acted
		}
		if resp != nil {
			drain(resp)
		}
	}
}

// wait waits d, or until the shared pause ends if that is later.
func (t *Retry) wait(ctx context.Context, d time.Duration) error {
	if d = max(d, t.pauseLeft()); d > 0 {
		return t.sleep(ctx, d)
	}
	return nil
}

// throttle makes a 429's honoured Retry-After pause every call, whether it
// ends this call or not.
func (t *Retry) throttle(resp *http.Response) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	now := t.now()
	if d, _, honoured := t.Policy.retryAfter(resp, now); honoured {
		t.pause(now.Add(d))
	}
}

// CloseIdleConnections closes the idle connections of the transport below,
// if it has any.
func (t *Retry) CloseIdleConnections() { closeIdle(t.Next) }

func closeIdle(rt http.RoundTripper) {
	if ci, ok := rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// pause makes every later attempt wait until end.
func (t *Retry) pause(end time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if end.After(t.pauseEnd) {
		t.pauseEnd = end
	}
}

// pauseLeft is how long the shared pause still lasts.
func (t *Retry) pauseLeft() time.Duration {
	t.mu.Lock()
	end := t.pauseEnd
	t.mu.Unlock()
	if end.IsZero() {
		return 0
	}
	return max(end.Sub(t.now()), 0)
}

// attempt sends one attempt and reports whether the request was written.
func (t *Retry) attempt(req *http.Request, n int, st *callState) (*http.Response, error, bool) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); t.AttemptTimeout > 0 && (!ok || time.Until(dl) > t.AttemptTimeout) {
		ctx, cancel = context.WithTimeout(ctx, t.AttemptTimeout)
	}
	// Whether the request was written only matters where a repeat is unsafe.
	// net/http may report WroteRequest after it returned the response (a
	// server that answers before reading the whole body), hence the atomic.
	var written atomic.Bool
	written.Store(Idempotent(req.Method))
	if !written.Load() {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(i httptrace.WroteRequestInfo) {
				if i.Err == nil {
					written.Store(true)
				}
			},
		})
	}
	r := req.WithContext(ctx)
	if n > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, err, false
		}
		r.Body = body
	}
	start := t.now()
	resp, err := t.Next.RoundTrip(r)
	t.log(req, st.operation, n, resp, err, t.now().Sub(start))
	if err != nil {
		cancel()
		// A redirect hop Sign refused: the request that was redirected had
		// been sent, and answered by whoever redirected it.
		return nil, err, written.Load() || (req.Response != nil && errors.Is(err, ErrRefused))
	}
	limit := t.MaxBody
	if st.maxBody > 0 {
		limit = st.maxBody
	}
	resp.Body = &body{ReadCloser: resp.Body, cancel: cancel, left: limit, limited: limit > 0, st: st}
	return resp, nil, written.Load()
}

func (t *Retry) log(req *http.Request, op string, n int, resp *http.Response, err error, d time.Duration) {
	if t.Logger == nil || !t.Logger.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", op),
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", n),
		slog.Duration("duration", d),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	} else {
		msg := err.Error()
		if t.Redact != nil {
			msg = t.Redact(msg)
		}
		attrs = append(attrs, slog.Int("status", 0), slog.String("error", msg))
	}
	t.Logger.LogAttrs(req.Context(), slog.LevelDebug, "exopartner attempt", attrs...)
}

func (t *Retry) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Retry) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// drain discards a little of a response body so the connection can be
// reused, then closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}

// callState is what the attempts of one call share: those of one
// RoundTrip, or all those of a [Retry.Do] (its context carries it).
type callState struct {
	operation string
	maxBody   int64 // 0: the Retry's MaxBody

	mu      sync.Mutex
	req     *http.Request // the request of the last attempt
	n       int           // attempts made so far
	acted   bool          // an earlier attempt may have been carried out
	readErr error         // the failure reading the last answer's body, if any
}

type callKey struct{}

func callFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callKey{}).(*callState)
	return st
}

// startAttempt counts an attempt of req, returning its number (from 1).
func (s *callState) startAttempt(req *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.req, s.readErr = req, nil
	s.n++
	return s.n
}

func (s *callState) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *callState) mayHaveActed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acted
}

func (s *callState) markActed() {
	s.mu.Lock()
	s.acted = true
	s.mu.Unlock()
}

func (s *callState) setReadErr(err error) {
	s.mu.Lock()
	s.readErr = err
	s.mu.Unlock()
}

func (s *callState) last() (req *http.Request, attempts int, readErr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.req, s.n, s.readErr
}

// ErrBodyTooLarge is returned when reading a response body past the cap.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// body caps a response body, tells its call of a failure reading it, and
// releases the attempt's timeout on Close.
type body struct {
	io.ReadCloser
	cancel  context.CancelFunc
	left    int64
	limited bool
	st      *callState
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.read(p)
	if err != nil && err != io.EOF && !errors.Is(err, ErrBodyTooLarge) {
		b.st.setReadErr(err)
	}
	return n, err
}

func (b *body) read(p []byte) (int, error) {
	if !b.limited {
		return b.ReadCloser.Read(p)
	}
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a larger one.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err // io.EOF, or the failure of a body cut exactly at the cap
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// ErrRefused is matched by the error of a request Sign refused to sign and
// send: one that leaves the endpoint's scheme and host (a redirect followed
// by a caller's CheckRedirect, say), or goes over plain http to a host that
// is not loopback without AllowHTTP.
var ErrRefused = errors.New("request refused before sending")

// Sign is a RoundTripper that signs each request it sends.
//
// When Scheme and Host are set, it refuses every request to another scheme
// or host: a signature names no host, so one sent elsewhere could be
// replayed against the API until it expires. Plain http to a host that is
// not loopback is refused unless AllowHTTP. A refused request is not sent.
type Sign struct {
	Signer    *signer.Signer
	Next      http.RoundTripper
	Scheme    string // the endpoint's scheme ("https"); "" allows any
	Host      string // the endpoint's host[:port]; "" allows any
	AllowHTTP bool   // plain http to a host that is not loopback
}

// RoundTrip signs a copy of req and sends it. A RoundTripper must not modify
// its request: signing adds the Authorization header (and, for a body that
// cannot be replayed, replaces the body), so those are what the copy owns.
// Its header is a new map holding req's values, which nothing below
// changes.
func (s *Sign) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := s.check(req); err != nil {
		closeBody(req)
		return nil, err
	}
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if err := s.Signer.Sign(r); err != nil {
		closeBody(req)
		return nil, err
	}
	return s.Next.RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of the transport below,
// if it has any.
func (s *Sign) CloseIdleConnections() { closeIdle(s.Next) }

// check is the one rule on where a signed request may go.
func (s *Sign) check(req *http.Request) error {
	u := req.URL
	if u == nil {
		return fmt.Errorf("%w: no URL", ErrRefused)
	}
	if req.Response != nil { // set by http.Client on every redirect hop
		return fmt.Errorf("%w: a redirect (%s) to %s://%s: the Partner API never redirects, and no redirect is followed with a signature",
			ErrRefused, req.Response.Status, u.Scheme, u.Host)
	}
	if (s.Scheme != "" && !strings.EqualFold(u.Scheme, s.Scheme)) || (s.Host != "" && !strings.EqualFold(u.Host, s.Host)) {
		return fmt.Errorf("%w: %s://%s is not the endpoint's %s://%s (a redirect?)", ErrRefused, u.Scheme, u.Host, s.Scheme, s.Host)
	}
	if !strings.EqualFold(u.Scheme, "https") && !s.AllowHTTP && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("%w: plain %s to %s, which is not a loopback host", ErrRefused, u.Scheme, u.Host)
	}
	return nil
}

// IsLoopback reports whether host (no port) is "localhost" or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
