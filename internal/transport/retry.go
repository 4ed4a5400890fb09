package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
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
// before the pause ends (each still honours its own context). A throttled
// API is then not hit by the other workers of a fan-out in the meantime.
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

// RoundTrip sends req, retrying as the policy allows. A retried request is
// rebuilt from req.GetBody, so every attempt sends (and Sign signs) the same
// bytes. When req's context carries a [Call], attempts are counted there, so
// a call sent again after its answer was cut off ([Retry.RetryRead]) shares
// one attempt budget.
func (t *Retry) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	call := callFrom(ctx)
	if call == nil {
		call = &Call{}
	}
	var wait time.Duration // before the next attempt
	for {
		wait = max(wait, t.pauseLeft())
		if wait > 0 {
			if err := t.sleep(ctx, wait); err != nil {
				return nil, &AttemptError{Err: err, Written: Idempotent(req.Method), Attempts: call.Attempts()} // a repeat was allowed: the server did not act
			}
		}
		n := call.startAttempt(req.Method)
		resp, err, written := t.attempt(req, n, call)
		refused := errors.Is(err, ErrRefused)
		if refused && req.Response != nil {
			// A redirect hop refused: the request that was redirected had
			// been sent, and answered by whoever redirected it.
			written = true
		}
		last := refused || n >= t.Policy.Attempts || ctx.Err() != nil || !Retryable(req.Method, resp, err, written) ||
			(req.Body != nil && req.Body != http.NoBody && req.GetBody == nil)
		now := t.now()
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			// Told to wait: every call waits, this one's last attempt or not.
			if d, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok && d <= t.Policy.Cap {
				t.pause(now.Add(d))
			}
		}
		if !last {
			var ok bool
			wait, ok = t.Policy.Wait(n, resp, now)
			if !ok {
				last = true // the server asks to wait longer than the policy's cap
			} else if dl, has := ctx.Deadline(); has && now.Add(wait).After(dl) {
				last = true // the wait would outlive the caller's deadline
			}
		}
		if last {
			if err != nil {
				return nil, &AttemptError{Err: err, Written: written, Attempts: n}
			}
			return resp, nil
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			call.markActed() // a 5xx or a lost connection: the server may have acted
		}
		if resp != nil {
			drain(resp)
		}
	}
}

// RetryRead is for the code reading an answer of a call whose context
// carries a [Call]: after reading the body failed, it reports whether the
// call may be sent again, and waits the policy's backoff first. It says yes
// only when the body was cut off by the connection (a reset, an early EOF, a
// per-attempt deadline), the method is idempotent, the call's attempt budget
// is not spent, and the wait ends before the context's deadline. A body
// that is merely malformed, or too large, is not sent again.
func (t *Retry) RetryRead(ctx context.Context) bool {
	call := callFrom(ctx)
	if call == nil || ctx.Err() != nil {
		return false
	}
	method, n, readErr := call.state()
	if readErr == nil || !Idempotent(method) || n >= t.Policy.Attempts {
		return false
	}
	call.markActed() // an answer came: the server acted
	now := t.now()
	wait, _ := t.Policy.Wait(n, nil, now)
	if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
		return false
	}
	return t.sleep(ctx, wait) == nil
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
func (t *Retry) attempt(req *http.Request, n int, call *Call) (*http.Response, error, bool) {
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
	t.log(req, n, resp, err, t.now().Sub(start))
	if err != nil {
		cancel()
		return nil, err, written.Load()
	}
	limit := t.MaxBody
	if call.maxBody > 0 {
		limit = call.maxBody
	}
	resp.Body = &body{ReadCloser: resp.Body, cancel: cancel, left: limit, limited: limit > 0, call: call}
	return resp, nil, written.Load()
}

func (t *Retry) log(req *http.Request, n int, resp *http.Response, err error, d time.Duration) {
	if t.Logger == nil || !t.Logger.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", Operation(req.Context())),
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

// ErrBodyTooLarge is returned when reading a response body past the cap.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// body caps a response body and releases the attempt's timeout on Close.
type body struct {
	io.ReadCloser
	cancel  context.CancelFunc
	left    int64
	limited bool
	call    *Call // told of a failure reading
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.read(p)
	if err != nil && err != io.EOF && !errors.Is(err, ErrBodyTooLarge) {
		b.call.setReadErr(err)
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
