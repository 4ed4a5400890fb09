package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

func TestAPIErrorMapping(t *testing.T) {
	bodies := []struct {
		name        string
		contentType string
		body        string
		wantMsg     string
	}{
		{"json message", "application/json", `{"message":"organization not found"}`, "organization not found"},
		{"json error", "application/json", `{"error":"bad things"}`, "bad things"},
		{"rfc 9457", "application/problem+json", `{"type":"about:blank","title":"Invalid input","detail":"country is invalid","errors":[{"pointer":"/billing-address/country"}]}`,
			`Invalid input: country is invalid: [{"pointer":"/billing-address/country"}]`},
		{"html", "text/html", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>", "502 Bad Gateway (HTML page)"},
		{"empty", "", "", ""},
		{"text", "text/plain", "upstream   timed out\n", "upstream timed out"},
	}
	statuses := []struct {
		code int
		is   []error
		not  []error
	}{
		{400, []error{wrapper.ErrClient}, []error{wrapper.ErrAuth, wrapper.ErrNotFound, wrapper.ErrServer}},
		{401, []error{wrapper.ErrClient, wrapper.ErrAuth}, []error{wrapper.ErrNotFound, wrapper.ErrServer}},
		{403, []error{wrapper.ErrClient, wrapper.ErrAuth}, []error{wrapper.ErrNotFound}},
		{404, []error{wrapper.ErrClient, wrapper.ErrNotFound}, []error{wrapper.ErrAuth, wrapper.ErrConflict}},
		{409, []error{wrapper.ErrClient, wrapper.ErrConflict}, []error{wrapper.ErrNotFound}},
		{429, []error{wrapper.ErrClient, wrapper.ErrRateLimited}, []error{wrapper.ErrServer}},
		{500, []error{wrapper.ErrServer}, []error{wrapper.ErrClient}},
		{502, []error{wrapper.ErrServer}, []error{wrapper.ErrClient}},
		{503, []error{wrapper.ErrServer}, []error{wrapper.ErrClient, wrapper.ErrRateLimited}},
	}
	for _, st := range statuses {
		for _, b := range bodies {
			c, n := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization/" + orgIDText},
				answer{status: st.code, contentType: b.contentType, body: b.body, header: map[string]string{"X-Request-Id": "req-123"}},
				wrapper.WithoutRetries())
			_, err := c.GetOrganization(context.Background(), orgID)
			var ae *wrapper.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%d %s: %v is not an *APIError", st.code, b.name, err)
			}
			if ae.StatusCode != st.code || ae.Operation != "get-distributor-organization" || ae.RequestID != "req-123" || ae.Message != b.wantMsg {
				t.Errorf("%d %s: got %+v, want message %q", st.code, b.name, ae, b.wantMsg)
			}
			for _, target := range st.is {
				if !errors.Is(err, target) {
					t.Errorf("%d %s: errors.Is(%v) = false", st.code, b.name, target)
				}
			}
			for _, target := range st.not {
				if errors.Is(err, target) {
					t.Errorf("%d %s: errors.Is(%v) = true", st.code, b.name, target)
				}
			}
			if !strings.Contains(err.Error(), "(request id req-123)") {
				t.Errorf("%d %s: %q does not give the request id", st.code, b.name, err)
			}
			if !strings.Contains(err.Error(), "get-distributor-organization") {
				t.Errorf("%d %s: %q does not name the operation", st.code, b.name, err)
			}
			if n.Load() != 1 {
				t.Errorf("%d %s: %d requests", st.code, b.name, n.Load())
			}
		}
	}
}

func TestAPIErrorCutsLongBodies(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization"},
		answer{status: 500, contentType: "text/plain", body: strings.Repeat("x", 100<<10)}, wrapper.WithoutRetries())
	_, err := c.ListOrganizations(context.Background())
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || len(ae.Message) > 4<<10 || !strings.HasSuffix(ae.Message, "(cut)") {
		t.Fatalf("message of %d bytes: %v", len(ae.Message), err)
	}
}

func TestServerErrorOnCreateIsOutcomeUnknown(t *testing.T) {
	c, n := exactServer(t, wantRequest{method: "POST", path: "/v1.alpha/metering:apply", body: map[string]any{
		"organization": orgIDText, "usage": []any{map[string]any{"product": "p", "variable": "v", "quantity": 1.0}},
	}}, answer{status: 502, contentType: "application/json", body: `{"message":"bad gateway"}`})
	err := c.ApplyMetering(context.Background(), orgID, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}})
	var ae *wrapper.APIError
	if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.Is(err, wrapper.ErrServer) || !errors.As(err, &ae) {
		t.Fatalf("err %v: want ErrOutcomeUnknown, ErrServer and an *APIError", err)
	}
	if n.Load() != 1 {
		t.Fatalf("a non-idempotent call was sent %d times after a 502", n.Load())
	}
}

// A request editor failing before anything is sent is not an unknown outcome.
func TestEditorFailureOnCreateIsNotOutcomeUnknown(t *testing.T) {
	boom := errors.New("editor refused")
	c, sent := silentServer(t, wrapper.WithRequestEditor(func(context.Context, *http.Request) error { return boom }))
	_, err := c.CreateOrganization(context.Background(), validRequest())
	if !errors.Is(err, boom) || errors.Is(err, wrapper.ErrOutcomeUnknown) || sent.Load() != 0 {
		t.Fatalf("err %v (%d sent): want the editor's error, not ErrOutcomeUnknown", err, sent.Load())
	}
}

// Server text kept in an error is bounded, and cut before it is redacted: a
// request id of a megabyte of backslashes (which took seconds to redact
// when it was redacted whole), a huge Content-Type and a huge malformed
// status line each end in an error of a few KiB, marked "(cut)".
func TestServerTextInErrorsIsBounded(t *testing.T) {
	const cutMark = "… (cut)"
	huge := strings.Repeat(`\`, 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/usage"):
			w.Header().Set("Content-Type", "text/"+huge)
			_, _ = io.WriteString(w, "not json")
		case r.Method == http.MethodDelete:
			conn, buf, _ := w.(http.Hijacker).Hijack()
			_, _ = buf.WriteString("HTTP/1.1 " + huge + "\r\n\r\n")
			_ = buf.Flush()
			_ = conn.Close()
		default:
			w.Header().Set("X-Request-Id", huge)
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, strings.Repeat("not found ", 10<<10))
		}
	}))
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"), wrapper.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Redacting is not bound by the context: a watchdog ends the test if
	// it takes more than 30 s (it takes milliseconds).
	done := make(chan error, 1)
	go func() { _, err := c.GetOrganization(ctx, orgID); done <- err }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("an answer with a request id of 1 MiB of backslashes is still being turned into an error after 30 s")
	}
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Fatalf("%.300v: want the 404", err)
	}
	if len(ae.RequestID) > 256+len(cutMark) || !strings.HasSuffix(ae.RequestID, cutMark) {
		t.Errorf("request id of %d bytes ending %q: want at most 256 bytes of it, marked cut", len(ae.RequestID), ae.RequestID[max(0, len(ae.RequestID)-20):])
	}
	// The cut text's last characters may begin an issued signature (one
	// chance in 64 for its last one): they are redacted, as a signature
	// cut there would be, which may add the marker's length.
	if len(ae.Message) > 2<<10+len("[REDACTED]")+len(cutMark) || !strings.HasSuffix(ae.Message, cutMark) || !strings.HasPrefix(ae.Message, "not found not found") {
		t.Errorf("message of %d bytes: want at most 2 KiB of it, marked cut", len(ae.Message))
	}
	if !strings.Contains(err.Error(), "(request id "+ae.RequestID+")") {
		t.Errorf("%.200q does not give the request id", err)
	}

	_, err = c.ListUsage(ctx, orgID, wrapper.Period{})
	var de *wrapper.DecodeError
	if !errors.As(err, &de) || len(de.ContentType) > 256+len(cutMark) || !strings.HasSuffix(de.ContentType, cutMark) {
		t.Errorf("%.300v: want a *DecodeError with at most 256 bytes of the Content-Type", err)
	}
	if len(err.Error()) > 3<<10 {
		t.Errorf("a decode error of %d bytes", len(err.Error()))
	}

	_, err = c.TerminateOrganization(ctx, orgID)
	if err == nil || len(err.Error()) > 3<<10 || !strings.Contains(err.Error(), cutMark) {
		t.Errorf("a malformed status line of 1 MiB: %d bytes of error %.300q, want at most 2 KiB of it, marked cut", len(fmt.Sprint(err)), err)
	}
}
