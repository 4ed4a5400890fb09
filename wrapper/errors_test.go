package wrapper_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

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
