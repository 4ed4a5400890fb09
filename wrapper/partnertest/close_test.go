package partnertest_test

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// Close interrupts latency waits and leaves no goroutine behind.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()

	srv := partnertest.NewServer()
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	sig := signer.New(srv.Key(), srv.Secret())
	get := func(ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/distributor/organization", nil)
		_ = sig.Sign(req)
		return hc.Do(req)
	}

	// Some ordinary traffic, a request the client gives up on, and one that
	// is still waiting when the server closes.
	for range 3 {
		resp, err := get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.InjectFault("", 1, partnertest.Fault{Latency: time.Hour})
	// Given up on once the fake holds it: not after a delay, which a busy
	// machine could spend before the request even arrives.
	ctx, cancel := context.WithCancel(context.Background())
	go cancelWhen(func() bool { return srv.Requests("") == 4 }, cancel)
	if _, err := get(ctx); err == nil {
		t.Error("request with an hour of latency answered")
	}
	cancel()

	srv.SetLatency(time.Hour)
	status := make(chan int, 1)
	go func() {
		resp, err := get(context.Background())
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	waitFor(t, func() bool { return srv.Requests("") == 5 })

	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > 30*time.Second { // far less than the hour it must not wait
		t.Errorf("Close took %v", d)
	}
	if got := <-status; got != http.StatusServiceUnavailable {
		t.Errorf("request pending at Close: status %d, want 503", got)
	}
	srv.Close() // idempotent
	tr.CloseIdleConnections()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
