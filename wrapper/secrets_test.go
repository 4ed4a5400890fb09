package wrapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// echoForms are the ways a hostile server gives back a value it received:
// raw, URL-escaped (query and path), JSON-escaped with "\/" and "\u002b",
// and base64url.
func echoForms(v string) map[string]string {
	return map[string]string{
		"raw":       v,
		"query":     url.QueryEscape(v),
		"path":      url.PathEscape(v),
		"json":      strings.NewReplacer("/", `\/`, "+", `\u002b`).Replace(v),
		"base64url": strings.NewReplacer("+", "-", "/", "_").Replace(v),
	}
}

// TestEchoedSignatureNeverShows: a server echoes the signature of the request
// it answers, and the secret, in every place and escaping it can, with a
// debug logger attached. Neither appears in any error text, any formatting
// of an error, the fields of *APIError and *DecodeError, any error the
// chain unwraps to, or the log.
func TestEchoedSignatureNeverShows(t *testing.T) {
	const secret = "SECRET/canary+7f3e=9a1b"
	var mu sync.Mutex
	var issued []string
	// sig returns the signature of r, after recording it.
	sig := func(r *http.Request) string {
		auth := r.Header.Get("Authorization")
		_, s, ok := strings.Cut(auth, "signature=")
		if !ok || len(s) != 44 {
			t.Errorf("no signature in %q", auth)
		}
		mu.Lock()
		issued = append(issued, s)
		mu.Unlock()
		return s
	}
	hijack := func(w http.ResponseWriter, raw string) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		_ = conn.Close()
	}
	type variant struct {
		name string
		h    func(w http.ResponseWriter, r *http.Request, form string)
	}
	var variants []variant
	for _, form := range []string{"raw", "query", "path", "json", "base64url"} {
		variants = append(variants,
			variant{"Signature: header in body/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "Signature: %s secret %s", echoForms(sig(r))[form], echoForms(secret)[form])
			}},
			variant{"plain text/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, "you sent%s and%s", echoForms(sig(r))[form], echoForms(secret)[form]) // glued to a word
			}},
			variant{"json message/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `{"message":"bad %s %s"}`, echoForms(sig(r))[form], echoForms(secret)[form])
			}},
			variant{"request id/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.Header().Set("X-Request-Id", echoForms(sig(r))[form]+echoForms(secret)[form])
				w.WriteHeader(http.StatusNotFound)
			}},
			variant{"content type/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.Header().Set("Content-Type", "text/"+echoForms(sig(r))[form])
				fmt.Fprint(w, "not json")
			}},
			variant{"malformed header line/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				hijack(w, "HTTP/1.1 200 OK\r\nSignature "+echoForms(sig(r))[form]+" "+echoForms(secret)[form]+"\r\n\r\n")
			}},
			variant{"malformed status line/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				hijack(w, "HTTP/1.1 "+echoForms(sig(r))[form]+echoForms(secret)[form]+"\r\nContent-Length: 0\r\n\r\n")
			}},
			variant{"field that fails to decode/" + form, func(w http.ResponseWriter, r *http.Request, _ string) {
				w.Header().Set("Content-Type", "application/json")
				s := echoForms(sig(r))[form] + echoForms(secret)[form]
				fmt.Fprintf(w, `[{"code":"x","start-date":%q}]`, s) // a usage statement; encoding/json quotes the bad time
			}},
		)
	}

	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	calls := 0
	for _, v := range variants {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v.h(w, r, "") }))
		c, err := wrapper.New(wrapper.WithCredentials(testKey, secret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"),
			wrapper.WithLogger(logger), wrapper.WithRetry(2, time.Millisecond, time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var errs []error
		_, err = c.GetOrganization(ctx, orgID)
		errs = append(errs, err)
		_, err = c.ListUsage(ctx, orgID, wrapper.Period{})
		errs = append(errs, err)
		_, err = c.CreateOrganization(ctx, validRequest())
		errs = append(errs, err)
		errs = append(errs, c.ApplyMetering(ctx, orgID, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}}))
		srv.Close()
		for _, err := range errs {
			if err == nil {
				t.Errorf("%s: no error", v.name)
				continue
			}
			calls++
			fmt.Fprintf(&out, "%s: %v | %+v | %#v | %s | %q\n", v.name, err, err, err, err, err)
			walkErrors(err, func(e error) { fmt.Fprintf(&out, "  unwraps to %v %+v\n", e, e) })
			// What errors.As can find in the chain: the types a caller may ask for.
			var ue *url.Error
			if errors.As(err, &ue) {
				fmt.Fprintf(&out, "  url error %v %q %v\n", ue, ue.URL, ue.Err)
			}
			var ne net.Error
			if errors.As(err, &ne) {
				fmt.Fprintf(&out, "  net error %v\n", ne)
			}
			var pe *time.ParseError
			if errors.As(err, &pe) {
				fmt.Fprintf(&out, "  parse error %v %q\n", pe, pe.Value)
			}
			var se *json.SyntaxError
			if errors.As(err, &se) {
				fmt.Fprintf(&out, "  json error %v\n", se)
			}
			var ae *wrapper.APIError
			if errors.As(err, &ae) {
				fmt.Fprintf(&out, "  api error %q %q %+v %#v\n", ae.Message, ae.RequestID, *ae, *ae)
			}
			var de *wrapper.DecodeError
			if errors.As(err, &de) {
				fmt.Fprintf(&out, "  decode error %q %v\n", de.ContentType, de.Err)
			}
		}
	}
	text := out.String()
	mu.Lock()
	defer mu.Unlock()
	if len(issued) < len(variants)*4 || calls != len(variants)*4 {
		t.Fatalf("%d signatures seen, %d errors: the servers were not reached as planned", len(issued), calls)
	}
	find := func(what, v string) {
		t.Helper()
		for form, f := range echoForms(v) {
			if form == "base64url" && what == "the secret" {
				continue // a secret is not base64: the server sent it raw
			}
			if i := strings.Index(text, f); i >= 0 {
				t.Errorf("%s (%s) appears in output: …%s…", what, form, text[max(0, i-300):min(len(text), i+60)])
				return
			}
		}
	}
	find("the secret", secret)
	for _, s := range issued {
		find("a signature", s)
		find("a signature without padding", s[:43])
	}
	if !strings.Contains(text, "exopartner attempt") || !strings.Contains(text, "error=") || !strings.Contains(text, "[REDACTED]") {
		t.Fatalf("expected log records with errors, and redactions, in the output:\n%s", text)
	}
}

// walkErrors calls f on err and on everything it unwraps to, through
// Unwrap() error and Unwrap() []error alike.
func walkErrors(err error, f func(error)) {
	if err == nil {
		return
	}
	f(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, f)
		}
	}
}

// A secret or signature that the cut of an error's text splits in two never
// shows, not even its beginning: the cut of the message (2 KiB), of the
// request id (256 bytes), and of the body read for the message (64 KiB,
// here with whitespace the message collapses, so that the cut body ends the
// short message).
func TestSecretSplitByTheCutNeverShows(t *testing.T) {
	const secret = "SECRET-canary-7f3e9a1b"
	var mu sync.Mutex
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "signature=")
		mu.Lock()
		sigs = append(sigs, sig)
		mu.Unlock()
		switch r.URL.Query().Get("period") {
		case "2025-01": // the message
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, strings.Repeat("x", 2<<10-8)+secret+" and more")
		case "2025-02": // a JSON message, cut inside the signature
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"message":%q}`, strings.Repeat("x", 2<<10-20)+sig+" and more")
		case "2025-03": // the request id
			w.Header().Set("X-Request-Id", strings.Repeat("r", 256-6)+secret)
			w.WriteHeader(http.StatusNotFound)
		case "2025-04": // the body read for the message
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "bad "+strings.Repeat(" ", 64<<10-12)+secret)
		}
	}))
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithCredentials(testKey, secret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"), wrapper.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	for month := time.January; month <= time.April; month++ {
		_, err := c.ListUsage(context.Background(), orgID, wrapper.NewPeriod(2025, month))
		var ae *wrapper.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("2025-%02d: %v, want an *APIError", month, err)
		}
		text := fmt.Sprintf("%v %+v %#v %q %q", err, err, ae, ae.Message, ae.RequestID)
		mu.Lock()
		sig := sigs[len(sigs)-1]
		mu.Unlock()
		for _, part := range []string{secret[:4], sig[:6]} {
			if i := strings.Index(text, part); i >= 0 {
				t.Errorf("2025-%02d: the beginning %q of a secret cut in two shows: …%s…", month, part, text[max(0, i-40):min(len(text), i+40)])
			}
		}
		if !strings.Contains(ae.Message+ae.RequestID, "[REDACTED]… (cut)") {
			t.Errorf("2025-%02d: message %.60q… request id %.60q…: want the cut secret redacted at the end", month, ae.Message[max(0, len(ae.Message)-60):], ae.RequestID)
		}
	}
}

// An Authorization header echoed whole is redacted after "signature=" even
// when this client did not issue that signature (a proxy's own, another
// client's), in a body, a request id and a log record.
func TestEchoedForeignSignatureNeverShows(t *testing.T) {
	foreign := "Zm9yZWlnbi1zaWduYXR1cmUtbm90LWlzc3VlZC1oZXJl" // never issued by this client
	auth := signer.Scheme + " credential=EXOother,expires=1767225600,signature=" + foreign
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req;"+auth)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "rejected Authorization: %s\n", auth)
	}))
	defer srv.Close()
	var log bytes.Buffer
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"), wrapper.WithoutRetries(),
		wrapper.WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrganization(context.Background(), orgID)
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || !errors.Is(err, wrapper.ErrAuth) {
		t.Fatalf("%v: want the 401", err)
	}
	text := fmt.Sprintf("%v %+v %#v %s", err, err, ae, log.String())
	if strings.Contains(text, foreign) || strings.Contains(text, foreign[:12]) {
		t.Fatalf("a foreign signature shows: %s", text)
	}
	if !strings.Contains(ae.Message, "signature=[REDACTED]") || !strings.Contains(ae.RequestID, "signature=[REDACTED]") {
		t.Fatalf("message %q, request id %q: want the value after signature= redacted", ae.Message, ae.RequestID)
	}
}
