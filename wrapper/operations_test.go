package wrapper_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

func TestListOrganizations(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization"},
		jsonAnswer(`{"organizations":[`+orgJSON+`,{"id":"7d1c0a52-3b8e-4b8e-8f0e-0c1f2a3b4c5d","status":"hibernating"}]}`))
	orgs, err := c.ListOrganizations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || !reflect.DeepEqual(orgs[0], acme) {
		t.Fatalf("got %+v", orgs)
	}
	if orgs[1].Status != "hibernating" { // a status the API adds later keeps its string
		t.Errorf("unknown status decoded as %q", orgs[1].Status)
	}
}

func TestGetOrganization(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization/" + orgIDText}, jsonAnswer(orgJSON))
	org, err := c.GetOrganization(context.Background(), orgID)
	if err != nil || !reflect.DeepEqual(org, acme) {
		t.Fatalf("got %+v, %v", org, err)
	}
}

func TestCreateOrganization(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "POST", path: "/v1.alpha/distributor/organization", body: map[string]any{
		"display-name": "ACME Corporation",
		"owner-email":  "owner@acme.example",
		"client-id":    "crm-42",
		"billing-address": map[string]any{ // building-number and address left empty: absent
			"name": "ACME Corporation", "street-name": "Route de Meyrin", "city": "Geneva",
			"postal-code": "1217", "country": "CH",
		},
	}}, jsonAnswer(orgJSON))
	org, err := c.CreateOrganization(context.Background(), wrapper.CreateOrganizationRequest{
		DisplayName: "ACME Corporation", OwnerEmail: "owner@acme.example", ClientID: "crm-42",
		BillingAddress: wrapper.BillingAddress{Name: "ACME Corporation", StreetName: "Route de Meyrin",
			City: "Geneva", PostalCode: "1217", Country: "CH"},
	})
	if err != nil || !reflect.DeepEqual(org, acme) {
		t.Fatalf("got %+v, %v", org, err)
	}
}

func TestActivateSuspend(t *testing.T) {
	for _, tt := range []struct {
		action string
		call   func(*wrapper.Client) (wrapper.Organization, error)
	}{
		{"activate", func(c *wrapper.Client) (wrapper.Organization, error) {
			return c.ActivateOrganization(context.Background(), orgID)
		}},
		{"suspend", func(c *wrapper.Client) (wrapper.Organization, error) {
			return c.SuspendOrganization(context.Background(), orgID)
		}},
	} {
		t.Run(tt.action, func(t *testing.T) {
			c, _ := exactServer(t, wantRequest{method: "PUT", path: "/v1.alpha/distributor/organization/" + orgIDText + ":" + tt.action}, jsonAnswer(orgJSON))
			if org, err := tt.call(c); err != nil || !reflect.DeepEqual(org, acme) {
				t.Fatalf("got %+v, %v", org, err)
			}
		})
	}
}

func TestTerminateOrganization(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "DELETE", path: "/v1.alpha/distributor/organization/" + orgIDText + ":terminate"},
		jsonAnswer(`{"message":"Organization terminated"}`))
	msg, err := c.TerminateOrganization(context.Background(), orgID)
	if err != nil || msg != "Organization terminated" {
		t.Fatalf("got %q, %v", msg, err)
	}
}

func TestSchedulePurge(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   wrapper.PurgeResult
	}{
		{202, wrapper.PurgeResult{Message: "scheduled", Scheduled: true}},
		{200, wrapper.PurgeResult{Message: "purged"}},
	} {
		c, _ := exactServer(t, wantRequest{method: "PUT", path: "/v1.alpha/distributor/organization/" + orgIDText + ":schedule-purge"},
			answer{status: tt.status, contentType: "application/json", body: `{"message":"` + tt.want.Message + `"}`})
		got, err := c.SchedulePurge(context.Background(), orgID)
		if err != nil || got != tt.want {
			t.Errorf("status %d: got %+v, %v", tt.status, got, err)
		}
	}
}

func TestListUsage(t *testing.T) {
	const body = `[{"code":"USG-1","currency":"CHF","total-excl-vat":1234567.89,"total-incl-vat":1334567.89,
		"start-date":"2025-01-01T00:00:00Z","end-date":"2025-02-01T00:00:00Z",
		"usage":[{"product":"partner","variable":"commission","description":"d","quantity":-42.00005,"unit":"u",
		"total-excl-vat":-42.00005,"total-incl-vat":-45.4}]}]`
	t.Run("period", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization/" + orgIDText + "/usage", query: "period=2025-01"}, jsonAnswer(body))
		got, err := c.ListUsage(context.Background(), orgID, wrapper.NewPeriod(2025, time.January))
		if err != nil {
			t.Fatal(err)
		}
		want := []wrapper.UsageStatement{{
			Code: "USG-1", Currency: "CHF", TotalExclVAT: 1234567.89, TotalInclVAT: 1334567.89,
			StartDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
			Usage: []wrapper.UsageLine{{Product: "partner", Variable: "commission", Description: "d", Quantity: -42.00005,
				Unit: "u", TotalExclVAT: -42.00005, TotalInclVAT: -45.4}},
		}}
		if !reflect.DeepEqual(got, want) { // float64 all the way: 1234567.89 and -42.00005 survive exactly
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("current period", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization/" + orgIDText + "/usage"}, jsonAnswer(`[]`))
		if got, err := c.ListUsage(context.Background(), orgID, wrapper.Period{}); err != nil || len(got) != 0 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
}

func TestApplyMetering(t *testing.T) {
	want := wantRequest{method: "POST", path: "/v1.alpha/metering:apply", body: map[string]any{
		"organization": orgIDText,
		"usage": []any{
			map[string]any{"product": "partner", "variable": "license_product", "quantity": 3.1415},
			map[string]any{"product": "partner", "variable": "commission", "quantity": -42.00005},
		},
	}}
	usage := []wrapper.UsageRecord{{Product: "partner", Variable: "license_product", Quantity: 3.1415}, {Product: "partner", Variable: "commission", Quantity: -42.00005}}
	// The API answers 204 with a JSON content type and an empty body: success.
	for _, ans := range []answer{
		{status: 204, contentType: "application/json"},
		{status: 204},
		{status: 200, contentType: "application/json", body: `{"ok":true}`},
	} {
		c, n := exactServer(t, want, ans)
		if err := c.ApplyMetering(context.Background(), orgID, usage); err != nil {
			t.Fatalf("answer %+v: %v", ans, err)
		}
		if n.Load() != 1 {
			t.Errorf("answer %+v: %d requests", ans, n.Load())
		}
	}
}

// A 2xx whose body does not acknowledge the usage is no proof that it was
// applied: the outcome is unknown, and the batch is not sent again.
func TestApplyMeteringWithoutAcknowledgement(t *testing.T) {
	want := wantRequest{method: "POST", path: "/v1.alpha/metering:apply", body: map[string]any{
		"organization": orgIDText,
		"usage":        []any{map[string]any{"product": "partner", "variable": "commission", "quantity": 1.0}},
	}}
	for _, body := range []string{`null`, `{}`, `{"ok":false}`, `[]`, `"ok"`} {
		c, n := exactServer(t, want, answer{status: 200, contentType: "application/json", body: body})
		err := c.ApplyMetering(context.Background(), orgID, []wrapper.UsageRecord{{Product: "partner", Variable: "commission", Quantity: 1}})
		var de *wrapper.DecodeError
		if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.As(err, &de) {
			t.Errorf("answer %s: got %v, want an error matching ErrOutcomeUnknown and *DecodeError", body, err)
		}
		if n.Load() != 1 {
			t.Errorf("answer %s: %d requests, want 1", body, n.Load())
		}
	}
}

// A quantity of 0 is a quantity: it goes on the wire.
func TestApplyMeteringSendsZero(t *testing.T) {
	c, _ := exactServer(t, wantRequest{method: "POST", path: "/v1.alpha/metering:apply", body: map[string]any{
		"organization": orgIDText,
		"usage":        []any{map[string]any{"product": "partner", "variable": "idle", "quantity": 0.0}},
	}}, answer{status: 204})
	if err := c.ApplyMetering(context.Background(), orgID, []wrapper.UsageRecord{{Product: "partner", Variable: "idle"}}); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, ans := range []answer{
		jsonAnswer(`{"id":`),    // truncated
		jsonAnswer(`{"id":42}`), // wrong type
		{status: 200, contentType: "text/html", body: "<html>"}, // not JSON
		{status: 200}, // no body at all
	} {
		c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization/" + orgIDText}, ans)
		_, err := c.GetOrganization(context.Background(), orgID)
		var de *wrapper.DecodeError
		if !errors.As(err, &de) || de.Operation != "get-distributor-organization" {
			t.Errorf("answer %+v: err %v, want *DecodeError naming the operation", ans, err)
		}
	}
}
