package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exopartner/exopartner/wrapper"
)

// fixed answers every request with the same response: the fuzzers feed the
// real client arbitrary answers through it.
type fixed struct {
	status      int
	contentType string
	body        []byte
}

func (f fixed) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: f.status, Header: http.Header{"Content-Type": {f.contentType}},
		Body: io.NopCloser(bytes.NewReader(f.body)), Request: r, ContentLength: -1,
	}, nil
}

// everyOperation calls each of the nine operations once and returns their errors.
func everyOperation(c *wrapper.Client) map[string]error {
	ctx := context.Background()
	errs := map[string]error{}
	_, errs["list"] = c.ListOrganizations(ctx)
	_, errs["get"] = c.GetOrganization(ctx, orgID)
	_, errs["create"] = c.CreateOrganization(ctx, validRequest())
	_, errs["activate"] = c.ActivateOrganization(ctx, orgID)
	_, errs["suspend"] = c.SuspendOrganization(ctx, orgID)
	_, errs["terminate"] = c.TerminateOrganization(ctx, orgID)
	_, errs["purge"] = c.SchedulePurge(ctx, orgID)
	_, errs["usage"] = c.ListUsage(ctx, orgID, wrapper.Period{})
	errs["metering"] = c.ApplyMetering(ctx, orgID, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}})
	return errs
}

func fuzzClient(t *testing.T, f fixed) *wrapper.Client {
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint("https://partner.test/v1.alpha"),
		wrapper.WithHTTPClient(&http.Client{Transport: f}), wrapper.WithoutRetries(), wrapper.WithMaxResponseBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzDecodeSuccess: any 2xx body, for every operation, decodes or fails
// with a *DecodeError naming the operation; never a panic.
func FuzzDecodeSuccess(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"organizations":[`+orgJSON+`]}`))
	f.Add(200, "application/json", []byte(orgJSON))
	f.Add(200, "application/json", []byte(`[{"code":"x","total-excl-vat":1e308,"usage":[{"quantity":-0}]}]`))
	f.Add(202, "application/json", []byte(`{"message":"scheduled"}`))
	f.Add(200, "application/json", []byte(`{"id":`))
	f.Add(200, "application/json", []byte(`{"id":"not-a-uuid","status":7}`))
	f.Add(200, "text/html", []byte(`<html><body>maintenance</body></html>`))
	f.Add(204, "application/json", []byte(nil))
	f.Add(200, "application/json", []byte(`null`))
	f.Add(200, "application/json", bytes.Repeat([]byte("["), 70<<10))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 200 + abs(status)%100
		for name, err := range everyOperation(fuzzClient(t, fixed{status, contentType, body})) {
			if err == nil {
				continue
			}
			var de *wrapper.DecodeError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), de.Operation) {
				t.Fatalf("%s on %d %q: %v is not a *DecodeError naming the operation", name, status, body, err)
			}
		}
	})
}

// FuzzErrorBody: any non-2xx answer becomes an *APIError with its status and
// a bounded, printable message; never a panic.
func FuzzErrorBody(f *testing.F) {
	f.Add(404, "application/json", []byte(`{"message":"not found"}`))
	f.Add(400, "application/problem+json", []byte(`{"title":"t","detail":"d","errors":[{"pointer":"/x"}]}`))
	f.Add(502, "text/html", []byte(`<!DOCTYPE html><title>Bad gateway</title>`))
	f.Add(500, "", []byte(nil))
	f.Add(429, "application/json", []byte(`{"error":{"code":1}}`))
	f.Add(503, "text/plain; charset=utf-8", bytes.Repeat([]byte("é"), 5000))
	f.Add(401, "application/json", []byte(`{"message":`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 300 + abs(status)%300
		for name, err := range everyOperation(fuzzClient(t, fixed{status, contentType, body})) {
			var ae *wrapper.APIError
			if !errors.As(err, &ae) || ae.StatusCode != status {
				t.Fatalf("%s on %d: %v is not an *APIError with that status", name, status, err)
			}
			if len(ae.Message) > 2<<10+16 {
				t.Fatalf("%s: message of %d bytes", name, len(ae.Message))
			}
			if utf8.Valid(body) && !utf8.ValidString(ae.Message) {
				t.Fatalf("%s: message %q cut inside a character", name, ae.Message)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n = -n; n < 0 {
			return 0
		}
	}
	return n
}
