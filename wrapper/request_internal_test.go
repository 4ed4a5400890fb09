package wrapper

import (
	"context"
	"net/http"
	"testing"

	"github.com/exopartner/exopartner/api"
)

// TestRequestTemplatesMatchGeneratedBuilders builds every operation's
// request both ways, from the template and with the generated builder run
// per call, and expects the same method, URL and Content-Type, for two
// endpoints (with and without a trailing slash) and with and without a
// period.
func TestRequestTemplatesMatchGeneratedBuilders(t *testing.T) {
	for _, o := range operations {
		if builders[o.id] == nil {
			t.Errorf("%s has no request builder", o.id)
		}
	}
	id := MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11")
	period := "2025-03"
	generated := map[string]func(server string) (*http.Request, error){
		opList.id: api.NewListDistributorOrganizationsRequest,
		opGet.id:  func(s string) (*http.Request, error) { return api.NewGetDistributorOrganizationRequest(s, id) },
		opActivate.id: func(s string) (*http.Request, error) {
			return api.NewActivateDistributorOrganizationRequest(s, id)
		},
		opSuspend.id: func(s string) (*http.Request, error) { return api.NewSuspendDistributorOrganizationRequest(s, id) },
		opTerm.id:    func(s string) (*http.Request, error) { return api.NewTerminateDistributorOrganizationRequest(s, id) },
		opPurge.id: func(s string) (*http.Request, error) {
			return api.NewSchedulePurgeDistributorOrganizationRequest(s, id)
		},
		opUsage.id: func(s string) (*http.Request, error) {
			return api.NewListDistributorOrganizationUsageRequest(s, id, &api.ListDistributorOrganizationUsageParams{Period: period})
		},
		"usage without period": func(s string) (*http.Request, error) {
			return api.NewListDistributorOrganizationUsageRequest(s, id, nil)
		},
		opCreate.id: func(s string) (*http.Request, error) {
			return api.NewCreateDistributorOrganizationRequestWithBody(s, "application/json", nil)
		},
		opMetering.id: func(s string) (*http.Request, error) {
			return api.NewMeteringTransactionRequestWithBody(s, "application/json", nil)
		},
	}
	for _, endpoint := range []string{"https://partner-api.exoscale.com/v1.alpha", "http://127.0.0.1:8080/base/v1.alpha/"} {
		c, err := New(WithCredentials("EXOkey", "secret"), WithEndpoint(endpoint))
		if err != nil {
			t.Fatal(err)
		}
		server := c.raw.ClientInterface.(*api.Client).Server
		for name, build := range generated {
			o, r := opUsage, request{id: id}
			switch name {
			case "usage without period":
			case opUsage.id:
				r.period = period
			default:
				o = operationByID(t, name)
				r.id = id
			}
			want, err := build(server)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.newRequest(context.Background(), o, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Method != want.Method || got.URL.String() != want.URL.String() || got.URL.EscapedPath() != want.URL.EscapedPath() ||
				got.Host != want.Host || got.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
				t.Errorf("%s at %s: template gives %s %s (Host %s, Content-Type %q); generated %s %s (Host %s, Content-Type %q)", name, endpoint,
					got.Method, got.URL, got.Host, got.Header.Get("Content-Type"), want.Method, want.URL, want.Host, want.Header.Get("Content-Type"))
			}
		}
	}
}

func operationByID(t *testing.T, id string) operation {
	for _, o := range operations {
		if o.id == id {
			return o
		}
	}
	t.Fatalf("no operation %s", id)
	return operation{}
}
