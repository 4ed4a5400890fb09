package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/internal/transport"
)

// recorder is a test server answering from a script of statuses and
// recording what each attempt carried.
type recorder struct {
	mu      sync.Mutex
	auth    []string
	bodies  []string
	script  []int
	headers map[string]string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.auth)
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.bodies = append(r.bodies, string(b))
	status := 200
	if n < len(r.script) {
		status = r.script[n]
	}
	r.mu.Unlock()
	for k, v := range r.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
}

func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.auth) }

// chain builds Retry(Sign(default transport)) with a recorded sleep and a
// clock that advances a second per call, so each signature differs.
func chain(attempts int) (*transport.Retry, *[]time.Duration) {
	var sleeps []time.Duration
	var mu sync.Mutex
	var tick atomic.Int64
	now := func() time.Time { return time.Unix(1767225600+tick.Add(1), 0) }
	return &transport.Retry{
		Next:   &transport.Sign{Signer: signer.New("EXOk", "secret", signer.WithClock(now)), Next: http.DefaultTransport},
		Policy: transport.Policy{Attempts: attempts, Base: 100 * time.Millisecond, Cap: 2 * time.Second},
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			sleeps = append(sleeps, d)
			mu.Unlock()
			return ctx.Err()
		},
	}, &sleeps
}

func send(t *testing.T, rt http.RoundTripper, method, url, body string) (*http.Response, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	return resp, err
}

func TestRetryByMethodAndStatus(t *testing.T) {
	tests := []struct {
		method  string
		status  int
		retried bool
	}{
		{"GET", 429, true}, {"GET", 502, true}, {"GET", 503, true}, {"GET", 504, true},
		{"GET", 500, false}, {"GET", 404, false}, {"GET", 400, false},
		{"PUT", 503, true}, {"DELETE", 502, true},
		{"POST", 429, true}, {"POST", 502, false}, {"POST", 503, false}, {"POST", 504, false}, {"POST", 500, false},
	}
	for _, tt := range tests {
		rec := &recorder{script: []int{tt.status, tt.status, tt.status}}
		srv := httptest.NewServer(rec)
		rt, _ := chain(3)
		resp, err := send(t, rt, tt.method, srv.URL+"/v1.alpha/x", `{"a":1}`)
		srv.Close()
		if err != nil {
			t.Fatalf("%s %d: %v", tt.method, tt.status, err)
		}
		want := 1
		if tt.retried {
			want = 3
		}
		if rec.count() != want || resp.StatusCode != tt.status {
			t.Errorf("%s %d: %d attempts (want %d), final status %d", tt.method, tt.status, rec.count(), want, resp.StatusCode)
		}
	}
}

func TestEveryAttemptSignedAfreshWithTheSameBody(t *testing.T) {
	rec := &recorder{script: []int{503, 503, 200}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt, _ := chain(4)
	if _, err := send(t, rt, "PUT", srv.URL+"/v1.alpha/distributor/organization/x:suspend", `{"body":"same"}`); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 3 {
		t.Fatalf("%d attempts", rec.count())
	}
	seen := map[string]bool{}
	for i, a := range rec.auth {
		if rec.bodies[i] != `{"body":"same"}` {
			t.Errorf("attempt %d sent body %q", i+1, rec.bodies[i])
		}
		if seen[a] || !strings.HasPrefix(a, signer.Scheme) {
			t.Errorf("attempt %d: Authorization %q repeated or missing", i+1, a)
		}
		seen[a] = true
	}
}

func TestRetryAfter(t *testing.T) {
	for _, ra := range []struct {
		header   string
		sleeps   []time.Duration
		attempts int
	}{
		{"1", []time.Duration{time.Second}, 2},
		{"2", []time.Duration{2 * time.Second}, 2}, // the cap itself
		// Longer than Policy.Cap: never repeated before the server's time,
		// so not repeated at all; the 429 is the answer.
		{"3", nil, 1},
		{"3600", nil, 1},
		// Huge: seconds that overflow a time.Duration, or an int64.
		{"9223372036854775807", nil, 1},
		{"99999999999999999999999", nil, 1},
	} {
		rec := &recorder{script: []int{429}, headers: map[string]string{"Retry-After": ra.header}}
		srv := httptest.NewServer(rec)
		rt, sleeps := chain(2)
		resp, err := send(t, rt, "GET", srv.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if !slices.Equal(*sleeps, ra.sleeps) || rec.count() != ra.attempts {
			t.Errorf("Retry-After %s: slept %v over %d attempts, want %v over %d", ra.header, *sleeps, rec.count(), ra.sleeps, ra.attempts)
		}
		if ra.attempts == 1 && resp.StatusCode != 429 {
			t.Errorf("Retry-After %s: final status %d, want the 429", ra.header, resp.StatusCode)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d, ok := transport.RetryAfter(now.Add(5*time.Second).Format(http.TimeFormat), now); !ok || d != 5*time.Second {
		t.Errorf("HTTP-date: %v %v", d, ok)
	}
	if _, ok := transport.RetryAfter("soon", now); ok {
		t.Error("garbage Retry-After accepted")
	}
	for _, v := range []string{"86400", "86401", "9223372036854775807", "99999999999999999999999"} {
		if d, ok := transport.RetryAfter(v, now); !ok || d != 24*time.Hour {
			t.Errorf("Retry-After %s: %v %v, want 24h", v, d, ok)
		}
	}
	if _, ok := transport.RetryAfter("-99999999999999999999999", now); ok {
		t.Error("a negative Retry-After accepted")
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	p := transport.Policy{Attempts: 10, Base: 100 * time.Millisecond, Cap: time.Second}
	for n := 1; n <= 9; n++ {
		ceiling := min(p.Cap, p.Base<<(n-1))
		for range 200 {
			if d, ok := p.Wait(n, nil, time.Now()); !ok || d < 0 || d >= ceiling {
				t.Fatalf("attempt %d: wait %v outside [0, %v)", n, d, ceiling)
			}
		}
	}
}

func TestNeverSleepsPastTheDeadline(t *testing.T) {
	rec := &recorder{script: []int{503, 503}, headers: map[string]string{"Retry-After": "5"}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt, sleeps := chain(4)
	rt.Policy.Cap = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("got %v, %v; want the 503 at once", resp, err)
	}
	resp.Body.Close()
	if len(*sleeps) != 0 || rec.count() != 1 {
		t.Fatalf("slept %v over %d attempts though Retry-After outlives the deadline", *sleeps, rec.count())
	}
}

// resetAfterRead accepts a connection, reads the request, and closes it
// without answering: the request was written, the server may have acted.
func resetAfterRead(t *testing.T) (string, *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String(), &n
}

func TestWrittenPostIsNotReplayed(t *testing.T) {
	url, n := resetAfterRead(t)
	rt, _ := chain(4)
	_, err := send(t, rt, "POST", url+"/v1.alpha/metering:apply", `{"usage":[]}`)
	var ae *transport.AttemptError
	if !errors.As(err, &ae) || !ae.Written || ae.Attempts != 1 {
		t.Fatalf("err %#v, want an AttemptError after one written attempt", err)
	}
	if n.Load() != 1 {
		t.Fatalf("a written POST was sent %d times", n.Load())
	}
	// The same failure on a GET is retried.
	rt, _ = chain(3)
	_, err = send(t, rt, "GET", url+"/v1.alpha/distributor/organization", "")
	if !errors.As(err, &ae) || ae.Attempts != 3 {
		t.Fatalf("GET: err %v, want 3 attempts", err)
	}
}

func TestUnwrittenPostIsRetried(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + ln.Addr().String()
	ln.Close() // connection refused: nothing was written
	rt, sleeps := chain(3)
	_, err := send(t, rt, "POST", url+"/v1.alpha/distributor/organization", `{}`)
	var ae *transport.AttemptError
	if !errors.As(err, &ae) || ae.Written || ae.Attempts != 3 || len(*sleeps) != 2 {
		t.Fatalf("err %v (attempts %d), sleeps %v: a refused POST is safe to retry", err, ae.Attempts, *sleeps)
	}
}

// Each attempt is bounded by AttemptTimeout: a server that never answers
// costs one timeout per attempt, and the call ends with
// context.DeadlineExceeded. The caller's own, generous deadline makes the
// test fail fast (rather than hang) if the bound is gone.
func TestAttemptTimeout(t *testing.T) {
	block := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	rt, _ := chain(2)
	rt.AttemptTimeout = 50 * time.Millisecond
	outer := errors.New("the caller's deadline")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 10*time.Second, outer)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := rt.RoundTrip(req)
	var ae *transport.AttemptError
	if context.Cause(ctx) != nil || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ae) || ae.Attempts != 2 || n.Load() != 2 {
		t.Fatalf("err %v (cause %v) after %d requests; want each of the 2 attempts to time out", err, context.Cause(ctx), n.Load())
	}
}

// A request whose body cannot be read again (no GetBody) is sent once,
// even when its answer allows a repeat: a repeat would send another body.
func TestBodyWithoutGetBodyIsNotRepeated(t *testing.T) {
	rec := &recorder{script: []int{503, 503}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt, sleeps := chain(3)
	req, _ := http.NewRequest("PUT", srv.URL+"/v1.alpha/x", io.MultiReader(strings.NewReader(`{"a":1}`))) // NewRequest sets no GetBody for it
	if req.GetBody != nil {
		t.Fatal("the request can be replayed: the test proves nothing")
	}
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 503 || rec.count() != 1 || len(*sleeps) != 0 {
		t.Fatalf("%v, %v after %d requests: want the 503, once", resp, err, rec.count())
	}
	resp.Body.Close()
	if rec.bodies[0] != `{"a":1}` {
		t.Fatalf("body %q", rec.bodies[0])
	}
}

func TestBodyCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("x"), 100))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		max     int64
		wantErr error
	}{{100, nil}, {99, transport.ErrBodyTooLarge}, {0, nil}} {
		rt, _ := chain(1)
		rt.MaxBody = tt.max
		req, _ := http.NewRequest("GET", srv.URL, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && len(b) != 100) {
			t.Errorf("max %d: read %d bytes, err %v; want %v", tt.max, len(b), err, tt.wantErr)
		}
	}
}

// A body that breaks off exactly at the cap is a failure, not a complete body.
func TestBodyCutAtTheCapIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n%s", bytes.Repeat([]byte("x"), 100))
		buf.Flush()
		conn.Close()
	}))
	defer srv.Close()
	rt, _ := chain(1)
	rt.MaxBody = 100
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read err %v, want io.ErrUnexpectedEOF", err)
	}
}

// A server answering a POST before reading its body makes net/http report
// the write after the response: no data race on the written flag (under
// -race), and a 429 is always repeated while attempts remain.
func TestEarlyAnswerToALargePost(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, buf, _ := w.(http.Hijacker).Hijack()
		buf.WriteString("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		buf.Flush()
		conn.Close()
	}))
	defer srv.Close()
	body := strings.Repeat("x", 2<<20)
	for i := range 10 {
		before := hits.Load()
		rt, _ := chain(2)
		resp, err := send(t, rt, "POST", srv.URL+"/v1.alpha/metering:apply", body)
		sent := hits.Load() - before
		var ae *transport.AttemptError
		switch {
		case err == nil:
			// The 429 of the first attempt was repeated; the second is final.
			if resp.StatusCode != 429 || sent != 2 {
				t.Errorf("call %d: status %d after %d requests, want the 429 after 2", i, resp.StatusCode, sent)
			}
		case errors.As(err, &ae):
			// The connection broke while the body was written: an attempt
			// that failed unwritten is repeated, a written one is not.
			if int(sent) != ae.Attempts || (ae.Attempts == 1 && !ae.Written) {
				t.Errorf("call %d: %v after %d requests (attempts %d, written %v)", i, err, sent, ae.Attempts, ae.Written)
			}
		default:
			t.Errorf("call %d: %v, want a 429 or an *AttemptError", i, err)
		}
	}
}
