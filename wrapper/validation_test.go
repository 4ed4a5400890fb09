package wrapper_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// silentServer fails the test on any request: bad input must send nothing.
func silentServer(t *testing.T, opts ...wrapper.Option) (*wrapper.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL + "/v1.alpha")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func validRequest() wrapper.CreateOrganizationRequest {
	return wrapper.CreateOrganizationRequest{
		DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-1",
		BillingAddress: wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"},
	}
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	c, sent := silentServer(t)
	ctx := context.Background()
	create := func(mut func(*wrapper.CreateOrganizationRequest)) error {
		r := validRequest()
		mut(&r)
		_, err := c.CreateOrganization(ctx, r)
		return err
	}
	parseID := func(s string) func() error {
		return func() error { _, err := wrapper.ParseID(s); return err }
	}
	parsePeriod := func(s string) func() error {
		return func() error { _, err := wrapper.ParsePeriod(s); return err }
	}
	metering := func(u []wrapper.UsageRecord) func() error {
		return func() error { return c.ApplyMetering(ctx, orgID, u) }
	}
	tests := []struct {
		name, field string
		run         func() error
	}{
		{"id not a uuid", "id", parseID("not-a-uuid")},
		{"id with slash", "id", parseID("0b6e5b1c-8d53-4e7f-9a52/2f4f2d0c9e11")},
		{"id with dot-dot", "id", parseID("../../../distributor/organization")},
		{"id with %2F", "id", parseID("0b6e5b1c%2F8d53-4e7f-9a52-2f4f2d0c9e1")},
		{"id with ?", "id", parseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e1?")},
		{"empty id", "id", parseID("")},
		{"zero id", "id", func() error { _, err := c.GetOrganization(ctx, wrapper.ID{}); return err }},
		{"zero id on terminate", "id", func() error { _, err := c.TerminateOrganization(ctx, wrapper.ID{}); return err }},
		{"zero organization on metering", "organization", func() error {
			return c.ApplyMetering(ctx, wrapper.ID{}, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}})
		}},
		{"empty display name", "display-name", func() error { return create(func(r *wrapper.CreateOrganizationRequest) { r.DisplayName = "" }) }},
		{"192-character display name", "display-name", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.DisplayName = strings.Repeat("a", 192) })
		}},
		{"empty owner e-mail", "owner-email", func() error { return create(func(r *wrapper.CreateOrganizationRequest) { r.OwnerEmail = "" }) }},
		{"76-character owner e-mail", "owner-email", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.OwnerEmail = strings.Repeat("a", 64) + "@example.com" })
		}},
		{"owner e-mail without @", "owner-email", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.OwnerEmail = "owner.example" })
		}},
		{"192-character client id", "client-id", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.ClientID = strings.Repeat("c", 192) })
		}},
		{"country ch", "billing-address.country", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.Country = "ch" })
		}},
		{"country CHE", "billing-address.country", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.Country = "CHE" })
		}},
		{"empty city", "billing-address.city", func() error { return create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.City = "" }) }},
		{"empty billing name", "billing-address.name", func() error { return create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.Name = "" }) }},
		{"81-character postal code", "billing-address.postal-code", func() error {
			return create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.PostalCode = strings.Repeat("1", 81) })
		}},
		{"period 2025-13", "period", parsePeriod("2025-13")},
		{"period 2025-1", "period", parsePeriod("2025-1")},
		{"period 25-01", "period", parsePeriod("25-01")},
		{"period 2025-00", "period", parsePeriod("2025-00")},
		{"empty period string", "period", parsePeriod("")},
		{"month 13 on ListUsage", "period", func() error {
			_, err := c.ListUsage(ctx, orgID, wrapper.NewPeriod(2025, 13))
			return err
		}},
		{"month 13 on UsageFor, every organization", "period", func() error {
			res := c.UsageFor(ctx, []wrapper.ID{orgID, orgID, orgID}, wrapper.NewPeriod(2025, 13), 2)
			for _, r := range res[:2] {
				if !errors.Is(r.Err, wrapper.ErrInvalidInput) {
					return r.Err
				}
			}
			return res[2].Err
		}},
		{"empty metering usage", "usage", metering(nil)},
		{"NaN quantity", "usage[1].quantity", metering([]wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}, {Product: "p", Variable: "v", Quantity: math.NaN()}})},
		{"+Inf quantity", "usage[0].quantity", metering([]wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: math.Inf(1)}})},
		{"-Inf quantity", "usage[0].quantity", metering([]wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: math.Inf(-1)}})},
	}
	for _, tt := range tests {
		err := tt.run()
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("%s: err %v, want a *ValidationError", tt.name, err)
			continue
		}
		if ve.Field != tt.field || ve.Rule == "" {
			t.Errorf("%s: field %q rule %q, want field %q", tt.name, ve.Field, ve.Rule, tt.field)
		}
		if !strings.Contains(err.Error(), tt.field+": ") {
			t.Errorf("%s: message %q does not name %s", tt.name, err, tt.field)
		}
	}
	if sent.Load() != 0 {
		t.Fatalf("%d requests were sent for bad input", sent.Load())
	}
}

func TestValidationReportsEveryProblem(t *testing.T) {
	c, _ := silentServer(t)
	_, err := c.CreateOrganization(context.Background(), wrapper.CreateOrganizationRequest{})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range ve.Problems {
		got[p.Field] = true
	}
	for _, f := range []string{"display-name", "owner-email", "billing-address.name", "billing-address.country",
		"billing-address.city", "billing-address.postal-code", "billing-address.street-name"} {
		if !got[f] {
			t.Errorf("no problem reported for %s in %v", f, ve.Problems)
		}
	}
	if ve.Operation != "create-distributor-organization" {
		t.Errorf("operation %q", ve.Operation)
	}
}

func TestValidationCanBeTurnedOff(t *testing.T) {
	c, sent := silentServer(t, wrapper.WithoutValidation(), wrapper.WithoutRetries())
	r := validRequest()
	r.BillingAddress.Country = "ch"
	_, err := c.CreateOrganization(context.Background(), r)
	if !errors.Is(err, wrapper.ErrClient) || sent.Load() != 1 {
		t.Fatalf("with validation off the server judges: err %v, %d sent", err, sent.Load())
	}
}

func TestPeriod(t *testing.T) {
	p, err := wrapper.ParsePeriod("2025-01")
	if err != nil || p != wrapper.NewPeriod(2025, time.January) || p.String() != "2025-01" {
		t.Fatalf("ParsePeriod: %v %v", p, err)
	}
	if got := wrapper.PeriodOf(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)).String(); got != "2026-11" {
		t.Errorf("PeriodOf: %s", got)
	}
	if (wrapper.Period{}).String() != "" || !(wrapper.Period{}).IsZero() {
		t.Error("zero period")
	}
}

// A quantity with more than five decimals is refused before sending, naming
// usage[i].quantity, whatever kin-openapi's ten-decimal check would say.
func TestQuantityDecimalsRefusedBeforeSending(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	org := srv.AddOrganizations(1)[0]
	a, b := 0.1, 0.2 // variables: a constant 0.1 + 0.2 is exactly 0.3
	for _, q := range []float64{1.123456, 1.00000000001, a + b, -42.000051} {
		err := c.ApplyMetering(context.Background(), org, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}, {Product: "p", Variable: "v", Quantity: q}})
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || ve.Field != "usage[1].quantity" || len(ve.Problems) != 1 || !strings.Contains(ve.Rule, "at most 5 decimals") {
			t.Errorf("%v: got %v, want one problem on usage[1].quantity", q, err)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent for invalid quantities", n)
	}
	if err := c.ApplyMetering(context.Background(), org, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: -42.00005}, {Product: "p", Variable: "v", Quantity: 3.1415}}); err != nil {
		t.Fatal(err)
	}
}
