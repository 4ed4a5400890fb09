package wrapper_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper"
)

// TestSecretNeverLeaks drives every error path with a recognisable secret,
// against a hostile server that echoes the request's Authorization header
// (and so the signature) back in every kind of answer, and searches all
// output: errors (%v, %+v, %#v), log records, and the formatted client.
func TestSecretNeverLeaks(t *testing.T) {
	const secret = "SECRET-canary-7f3e9a1b"
	var mu sync.Mutex
	var signatures []string

	echo := func(w http.ResponseWriter, r *http.Request) string {
		auth := r.Header.Get("Authorization")
		if h, err := signer.ParseHeader(auth); err == nil {
			mu.Lock()
			signatures = append(signatures, string(h.Signature), fmt.Sprintf("%x", h.Signature), strings.SplitN(auth, "signature=", 2)[1])
			mu.Unlock()
		}
		return auth + " " + secret
	}
	answers := map[string]http.HandlerFunc{
		"json message": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"message":%q}`, echo(w, r))
		},
		"problem": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(403)
			fmt.Fprintf(w, `{"title":%q,"detail":%q,"errors":[%q]}`, echo(w, r), echo(w, r), echo(w, r))
		},
		"html 502": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><title>%s</title></html>", echo(w, r))
		},
		"text 500": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			fmt.Fprint(w, echo(w, r))
		},
		"malformed 200": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q`, echo(w, r))
		},
		"wrong types 200": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"organizations":%q,"id":%q,"message":7}`, echo(w, r), echo(w, r))
		},
		"request id echo": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", echo(w, r))
			w.WriteHeader(429)
		},
		"hang up": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		},
		"slow": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		},
	}
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for name, h := range answers {
		srv := httptest.NewServer(h)
		c, err := wrapper.New(wrapper.WithCredentials(testKey, secret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"),
			wrapper.WithLogger(logger), wrapper.WithRetry(2, time.Millisecond, time.Millisecond),
			wrapper.WithAttemptTimeout(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%v %+v %#v %s\n", c, c, c, c)
		for op, err := range everyOperation(c) {
			if err == nil {
				if op != "metering" || name != "wrong types 200" { // a JSON object acknowledges metering
					t.Errorf("%s/%s: no error", name, op)
				}
				continue
			}
			fmt.Fprintf(&out, "%s/%s: %v | %+v | %#v\n", name, op, err, err, err)
		}
		srv.Close()
	}
	// Errors raised before sending, too.
	c, _ := wrapper.New(wrapper.WithCredentials(testKey, secret), wrapper.WithEndpoint("http://127.0.0.1:1/v1.alpha"), wrapper.WithoutRetries())
	_, err := c.CreateOrganization(context.Background(), wrapper.CreateOrganizationRequest{DisplayName: secret})
	fmt.Fprintf(&out, "%v %+v\n", err, err)
	_, err = c.ListOrganizations(context.Background()) // connection refused
	fmt.Fprintf(&out, "%v %+v\n", err, err)

	text := out.String()
	if strings.Contains(text, secret) {
		i := strings.Index(text, secret)
		t.Fatalf("the secret appears in output: …%s…", text[max(0, i-200):min(len(text), i+50)])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(signatures) == 0 {
		t.Fatal("no signature was seen: the test proves nothing")
	}
	for _, sig := range signatures {
		if strings.Contains(text, sig) {
			i := strings.Index(text, sig)
			t.Fatalf("a signature appears in output: …%s…", text[max(0, i-200):min(len(text), i+60)])
		}
	}
	if !strings.Contains(text, "exopartner attempt") || !strings.Contains(text, "[REDACTED]") {
		t.Fatal("expected log records and redactions in the output: the test did not exercise them")
	}
}
