package wrapper

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/exopartner/exopartner/api"
)

// TestBuildersMatchGenerated builds every operation's request both ways,
// with its row's build and with the generated builder run per call, and
// expects the same method, URL, Host, header and body, for two endpoints
// (with and without a trailing slash, one with a base path of its own) and
// with and without a period.
func TestBuildersMatchGenerated(t *testing.T) {
	if sentinelID.String() != sentinelText {
		t.Fatalf("sentinelText %s, want %s", sentinelText, sentinelID)
	}
	id := MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11")
	period := &api.ListDistributorOrganizationUsageParams{Period: "2025-03"}
	body := []byte(`{"a":1}`)
	type row struct {
		name      string
		build     builder
		r         request
		generated func(server string) (*http.Request, error)
	}
	rows := []row{
		{opList.id, opList.build, request{}, api.NewListDistributorOrganizationsRequest},
		{opGet.id, opGet.build, request{id: id}, func(s string) (*http.Request, error) { return api.NewGetDistributorOrganizationRequest(s, id) }},
		{opActivate.id, opActivate.build, request{id: id}, func(s string) (*http.Request, error) {
			return api.NewActivateDistributorOrganizationRequest(s, id)
		}},
		{opSuspend.id, opSuspend.build, request{id: id}, func(s string) (*http.Request, error) {
			return api.NewSuspendDistributorOrganizationRequest(s, id)
		}},
		{opTerm.id, opTerm.build, request{id: id}, func(s string) (*http.Request, error) {
			return api.NewTerminateDistributorOrganizationRequest(s, id)
		}},
		{opPurge.id, opPurge.build, request{id: id}, func(s string) (*http.Request, error) {
			return api.NewSchedulePurgeDistributorOrganizationRequest(s, id)
		}},
		{opUsage.id, opUsage.build, request{id: id, period: period}, func(s string) (*http.Request, error) {
			return api.NewListDistributorOrganizationUsageRequest(s, id, period)
		}},
		{"usage without period", opUsage.build, request{id: id}, func(s string) (*http.Request, error) {
			return api.NewListDistributorOrganizationUsageRequest(s, id, nil)
		}},
		{opCreate.id, opCreate.build, request{body: body}, func(s string) (*http.Request, error) {
			return api.NewCreateDistributorOrganizationRequestWithBody(s, jsonBody, bytes.NewReader(body))
		}},
		{opMetering.id, opMetering.build, request{body: body}, func(s string) (*http.Request, error) {
			return api.NewMeteringTransactionRequestWithBody(s, jsonBody, bytes.NewReader(body))
		}},
	}
	if len(rows) != len(operations)+1 {
		t.Fatalf("%d rows for %d operations", len(rows), len(operations))
	}
	for _, endpoint := range []string{"https://partner-api.exoscale.com/v1.alpha", "http://127.0.0.1:8080/base/v1.alpha/"} {
		c, err := New(WithCredentials("EXOkey", "secret"), WithEndpoint(endpoint))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range rows {
			for range 2 { // the template made, then used
				want, err := tt.generated(c.server)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tt.build(context.Background(), c.server, tt.r)
				if err != nil {
					t.Fatal(err)
				}
				if got.Method != want.Method || got.URL.String() != want.URL.String() || got.URL.EscapedPath() != want.URL.EscapedPath() ||
					got.Host != want.Host || !equalHeader(got.Header, want.Header) || got.ContentLength != want.ContentLength {
					t.Errorf("%s at %s: build gives %s %s (Host %s, header %v, length %d); generated %s %s (Host %s, header %v, length %d)", tt.name, endpoint,
						got.Method, got.URL, got.Host, got.Header, got.ContentLength, want.Method, want.URL, want.Host, want.Header, want.ContentLength)
				}
				if g, w := readAll(t, got), readAll(t, want); g != w {
					t.Errorf("%s: body %q, generated %q", tt.name, g, w)
				}
			}
		}
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if len(b[k]) != len(v) || (len(v) > 0 && b[k][0] != v[0]) {
			return false
		}
	}
	return true
}

func readAll(t *testing.T, r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetBody != nil {
		rc, _ := r.GetBody()
		again, _ := io.ReadAll(rc)
		if !bytes.Equal(again, b) {
			t.Errorf("GetBody gives %q, the body %q", again, b)
		}
	}
	return string(b)
}

// BenchmarkBuild measures what the row's build saves over the generated
// builder it wraps, per request: impl=generated runs the generated builder
// (and WithContext, as the generated method does), impl=template is the
// row's build.
func BenchmarkBuild(b *testing.B) {
	c, err := New(WithCredentials("EXOkey", "secret"), WithEndpoint("https://partner-api.exoscale.com/v1.alpha"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	id := MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11")
	period := &api.ListDistributorOrganizationUsageParams{Period: "2025-03"}
	body := []byte(`{"display-name":"ACME"}`)
	for _, op := range []struct {
		name      string
		build     builder
		r         request
		generated func() (*http.Request, error)
	}{
		{"get", opGet.build, request{id: id}, func() (*http.Request, error) { return api.NewGetDistributorOrganizationRequest(c.server, id) }},
		{"usage", opUsage.build, request{id: id, period: period}, func() (*http.Request, error) {
			return api.NewListDistributorOrganizationUsageRequest(c.server, id, period)
		}},
		{"create", opCreate.build, request{body: body}, func() (*http.Request, error) {
			return api.NewCreateDistributorOrganizationRequestWithBody(c.server, jsonBody, bytes.NewReader(body))
		}},
	} {
		b.Run("op="+op.name+"/impl=generated", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req, err := op.generated()
				if err != nil {
					b.Fatal(err)
				}
				_ = req.WithContext(ctx)
			}
		})
		b.Run("op="+op.name+"/impl=template", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := op.build(ctx, c.server, op.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
