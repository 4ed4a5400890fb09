package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/internal/transport"
)

// A large base and many attempts never overflow into zero or negative waits.
func TestBackoffNeverOverflows(t *testing.T) {
	for _, p := range []transport.Policy{
		{Attempts: 200, Base: 1 << 62, Cap: math.MaxInt64},
		{Attempts: 200, Base: time.Hour, Cap: math.MaxInt64},
		{Attempts: 200, Base: time.Second, Cap: 1 << 62},
	} {
		for n := 1; n < p.Attempts; n++ {
			d, ok := p.Wait(n, nil, time.Now())
			// The ceiling is at least Base: a zero wait has a negligible chance.
			if !ok || d <= 0 || d > p.Cap {
				t.Fatalf("%+v attempt %d: wait %v (ok %v), want in (0, cap]", p, n, d, ok)
			}
		}
	}
}

// gatedSleep is a Retry.Sleep that reports each wait and returns only when
// released: the test decides when a pause ends.
type gatedSleep struct {
	asked   chan time.Duration
	release chan struct{}
}

func (g *gatedSleep) sleep(ctx context.Context, d time.Duration) error {
	g.asked <- d
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// One call told to wait by a 429 pauses every call of the Retry: no
// attempt of another call reaches the server before the pause ends.
func TestThrottlingPausesEveryCall(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	g := &gatedSleep{asked: make(chan time.Duration), release: make(chan struct{})}
	rt, _ := chain(3)
	rt.Policy.Cap = 10 * time.Second
	rt.Sleep = g.sleep

	results := make(chan error, 3)
	go func() { _, err := send(t, rt, "GET", srv.URL+"/a", ""); results <- err }()
	if d := <-g.asked; d != 5*time.Second {
		t.Fatalf("the throttled call waits %v, want Retry-After's 5s", d)
	}
	// Two more calls start during the pause: each waits before its first
	// attempt, and nothing reaches the server.
	for i := range 2 {
		go func() { _, err := send(t, rt, "GET", srv.URL+"/b", ""); results <- err }()
		select {
		case d := <-g.asked:
			if d <= 0 || d > 5*time.Second {
				t.Fatalf("call %d waits %v before its first attempt, want the rest of the 5s pause", i+2, d)
			}
		case err := <-results:
			t.Fatalf("call %d went through the pause (err %v) after %d requests", i+2, err, hits.Load())
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d requests reached the server during the pause, want only the throttled one", n)
	}
	close(g.release)
	for range 3 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 4 {
		t.Fatalf("%d requests in all, want 4 (429, its repeat, and the two paused calls)", n)
	}
}

// A pause outliving a call's own deadline ends that call with its context's
// error, and nothing is sent.
func TestPauseHonoursEachContext(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "8")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	rt, _ := chain(1) // one attempt: the 429 is final, and still pauses the others
	rt.Policy.Cap = 10 * time.Second
	if _, err := send(t, rt, "GET", srv.URL, ""); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests, want 1", hits.Load())
	}
	// The pause of 8 s stands. A call whose context ends first fails with
	// its context's error, and sends nothing.
	rt.Sleep = nil
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	before := hits.Load()
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's", err)
	}
	if hits.Load() != before {
		t.Fatal("a paused call was sent")
	}
}

// countingBase is a base transport that records what reaches it.
type countingBase struct{ n atomic.Int32 }

func (c *countingBase) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("base reached")
}

// Sign refuses, unsigned and unsent, a request leaving the endpoint's
// scheme and host, and plain http off loopback.
func TestSignRefusesOffEndpoint(t *testing.T) {
	s := signer.New("EXOk", "secret")
	for _, tt := range []struct {
		sign    transport.Sign
		url     string
		refused bool
	}{
		{transport.Sign{Scheme: "https", Host: "api.example"}, "https://api.example/v1/x", false},
		{transport.Sign{Scheme: "https", Host: "api.example"}, "https://API.example/v1/x", false},
		{transport.Sign{Scheme: "https", Host: "api.example"}, "https://evil.example/v1/x", true},
		{transport.Sign{Scheme: "https", Host: "api.example"}, "https://api.example:8443/v1/x", true},
		{transport.Sign{Scheme: "https", Host: "api.example"}, "http://api.example/v1/x", true},
		{transport.Sign{Scheme: "http", Host: "127.0.0.1:8080"}, "http://127.0.0.1:8080/x", false},
		{transport.Sign{Scheme: "http", Host: "127.0.0.1:8080"}, "http://127.0.0.1:9090/x", true},
		{transport.Sign{}, "http://api.example/x", true}, // no endpoint set: still no plain http off loopback
		{transport.Sign{}, "http://localhost/x", false},
		{transport.Sign{AllowHTTP: true}, "http://api.example/x", false},
		{transport.Sign{Scheme: "http", Host: "api.example", AllowHTTP: true}, "http://api.example/x", false},
	} {
		base := &countingBase{}
		tt.sign.Signer, tt.sign.Next = s, base
		req, _ := http.NewRequest("POST", tt.url, strings.NewReader(`{"a":1}`))
		_, err := tt.sign.RoundTrip(req)
		if refused := errors.Is(err, transport.ErrRefused); refused != tt.refused || (base.n.Load() == 0) != tt.refused {
			t.Errorf("%+v %s: err %v, base reached %d times; want refused %v", tt.sign, tt.url, err, base.n.Load(), tt.refused)
		}
		if tt.refused && strings.Contains(req.Header.Get("Authorization"), "signature") {
			t.Errorf("%s: refused but signed", tt.url)
		}
	}
}

// A redirect followed by the caller's http.Client is never signed: not to
// another host, nor to another path of the endpoint's own host. The refused
// hop is final and counts as written (the redirected request had been
// sent).
func TestRedirectHopRefused(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, tc := range []struct{ method, to string }{{"GET", "other"}, {"POST", "other"}, {"GET", "same"}, {"POST", "same"}} {
			method := tc.method
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				if tc.to == "same" {
					http.Redirect(w, r, "/v1.alpha/elsewhere", code)
					return
				}
				http.Redirect(w, r, other.URL+"/v1.alpha/x", code)
			}))
			rt, _ := chain(4)
			rt.Next.(*transport.Sign).Scheme, rt.Next.(*transport.Sign).Host = "http", strings.TrimPrefix(srv.URL, "http://")
			hc := &http.Client{Transport: rt} // default CheckRedirect: follows
			var body io.Reader
			if method == "POST" {
				body = strings.NewReader(`{"a":1}`)
			}
			req, _ := http.NewRequest(method, srv.URL+"/v1.alpha/x", body)
			_, err := hc.Do(req)
			srv.Close()
			var ae *transport.AttemptError
			if !errors.Is(err, transport.ErrRefused) || !errors.As(err, &ae) || !ae.Written {
				t.Errorf("%d %s to %s host: err %v, want a refused hop counted as written", code, method, tc.to, err)
			}
			if hits.Load() != 1 {
				t.Errorf("%d %s to %s host: the endpoint got %d requests, want 1", code, method, tc.to, hits.Load())
			}
		}
	}
	if elsewhere.Load() != 0 {
		t.Fatalf("the other host received %d requests", elsewhere.Load())
	}
}

// CloseIdleConnections reaches the base transport through Retry and Sign.
func TestCloseIdleConnectionsReachesTheBase(t *testing.T) {
	closed := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	rt, _ := chain(1)
	base := http.DefaultTransport.(*http.Transport).Clone()
	rt.Next.(*transport.Sign).Next = base
	if _, err := send(t, rt, "GET", srv.URL, ""); err != nil {
		t.Fatal(err)
	}
	rt.CloseIdleConnections()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the idle connection was not closed")
	}
}

// cutOnce answers its first request with half of a body, then closes the
// connection; later requests get the whole body.
func cutOnce(t *testing.T, cuts int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(n.Add(1)) <= cuts {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789")
			buf.Flush()
			conn.Close()
			return
		}
		_, _ = io.WriteString(w, "01234567890123456789")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// readCall sends one call the way the wrapper does, through Retry.Do: send,
// read, and send again while Do allows.
func readCall(rt *transport.Retry, method, url string) (string, error) {
	var got string
	_, err := rt.Do(context.Background(), transport.Call{
		Send: func(ctx context.Context) (*http.Response, error) {
			var body io.Reader
			if method == "POST" {
				body = strings.NewReader("{}")
			}
			req, _ := http.NewRequestWithContext(ctx, method, url, body)
			return rt.RoundTrip(req)
		},
		Read: func(resp *http.Response) error {
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			got = string(b)
			return err
		},
	})
	return got, err
}

// An answer cut off mid-body is sent again for idempotent methods, within
// the attempt budget; never for a POST.
func TestCutOffBodyRetried(t *testing.T) {
	for _, tt := range []struct {
		method   string
		cuts     int
		attempts int
		ok       bool
	}{
		{"GET", 1, 3, true}, {"PUT", 2, 3, true}, {"DELETE", 1, 3, true},
		{"GET", 3, 3, false},  // the budget is spent
		{"POST", 1, 3, false}, // never repeated: the server acted
	} {
		srv, n := cutOnce(t, tt.cuts)
		rt, sleeps := chain(tt.attempts)
		got, err := readCall(rt, tt.method, srv.URL)
		want := min(tt.cuts+1, tt.attempts)
		if tt.method == "POST" {
			want = 1
		}
		if (err == nil) != tt.ok || int(n.Load()) != want || len(*sleeps) != want-1 {
			t.Errorf("%s cut %d times: %q, %v after %d requests and %d waits; want ok %v after %d", tt.method, tt.cuts, got, err, n.Load(), len(*sleeps), tt.ok, want)
		}
		if !tt.ok && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: err %v, want io.ErrUnexpectedEOF", tt.method, err)
		}
	}
}

// A body too large, or complete but wrong, is not a cut-off: not sent again.
func TestRetryReadOnlyForCutOffs(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	rt, _ := chain(3)
	rt.MaxBody = 10
	if _, err := readCall(rt, "GET", srv.URL); !errors.Is(err, transport.ErrBodyTooLarge) || n.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
	// Read nothing, and fail: no failure to read, so no repeat.
	before := n.Load()
	_, err := rt.Do(context.Background(), transport.Call{
		Send: func(ctx context.Context) (*http.Response, error) {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
			return rt.RoundTrip(req)
		},
		Read: func(resp *http.Response) error {
			resp.Body.Close()
			return errors.New("complete but wrong")
		},
	})
	if err == nil || n.Load() != before+1 {
		t.Fatalf("err %v after %d requests: Do allowed a repeat without a read failure", err, n.Load()-before)
	}
}
