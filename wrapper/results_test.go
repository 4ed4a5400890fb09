package wrapper_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// bodiesWithoutOrganization are 2xx answers that do not carry what the
// contract always returns with an organization: its id and its status.
var bodiesWithoutOrganization = map[string]answer{
	"empty object":       jsonAnswer(`{}`),
	"null":               jsonAnswer(`null`),
	"array":              jsonAnswer(`[]`),
	"string":             jsonAnswer(`"created"`),
	"no id":              jsonAnswer(`{"status":"active","client-id":"crm-42"}`),
	"zero id":            jsonAnswer(`{"id":"00000000-0000-0000-0000-000000000000","status":"active"}`),
	"no status":          jsonAnswer(`{"id":"` + orgIDText + `"}`),
	"empty body":         {status: 200, contentType: "application/json"},
	"204":                {status: 204},
	"201 without id":     {status: 201, contentType: "application/json", body: `{"status":"active"}`},
	"HTML with 200":      {status: 200, contentType: "text/html", body: "<html>ok</html>"},
	"wrong type for id":  jsonAnswer(`{"id":42,"status":"active"}`),
	"organization list?": jsonAnswer(`{"organizations":[` + orgJSON + `]}`),
}

// A create answered 2xx without the new organization's id has lost that id:
// the organization may exist. That is an unknown outcome (and a decode
// error), never a success with a zero id, and it is not repeated.
func TestCreateWithoutOrganizationIsOutcomeUnknown(t *testing.T) {
	for name, ans := range bodiesWithoutOrganization {
		t.Run(name, func(t *testing.T) {
			c, n := exactServer(t, wantRequest{method: "POST", path: "/v1.alpha/distributor/organization", body: createBody}, ans)
			org, err := c.CreateOrganization(context.Background(), createRequest)
			var de *wrapper.DecodeError
			if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.As(err, &de) {
				t.Fatalf("got %+v, %v; want an error matching ErrOutcomeUnknown and *DecodeError", org, err)
			}
			if !reflect.DeepEqual(org, wrapper.Organization{}) {
				t.Errorf("returned %+v with the error", org)
			}
			if n.Load() != 1 {
				t.Errorf("%d requests, want 1 (a create is never repeated)", n.Load())
			}
		})
	}
}

// Reads and actions answered 2xx without an organization fail with a
// *DecodeError: no zero value passes for an organization. They are not
// unknown outcomes (repeating them is harmless).
func TestOrganizationAnswersWithoutOrganizationAreDecodeErrors(t *testing.T) {
	ops := map[string]struct {
		method, suffix string
		call           func(*wrapper.Client) (wrapper.Organization, error)
	}{
		"get": {"GET", "", func(c *wrapper.Client) (wrapper.Organization, error) {
			return c.GetOrganization(context.Background(), orgID)
		}},
		"activate": {"PUT", ":activate", func(c *wrapper.Client) (wrapper.Organization, error) {
			return c.ActivateOrganization(context.Background(), orgID)
		}},
		"suspend": {"PUT", ":suspend", func(c *wrapper.Client) (wrapper.Organization, error) {
			return c.SuspendOrganization(context.Background(), orgID)
		}},
	}
	for opName, op := range ops {
		for name, ans := range bodiesWithoutOrganization {
			t.Run(opName+"/"+name, func(t *testing.T) {
				c, _ := exactServer(t, wantRequest{method: op.method, path: "/v1.alpha/distributor/organization/" + orgIDText + op.suffix}, ans)
				org, err := op.call(c)
				var de *wrapper.DecodeError
				if !errors.As(err, &de) || errors.Is(err, wrapper.ErrOutcomeUnknown) {
					t.Fatalf("got %+v, %v; want a *DecodeError only", org, err)
				}
				if de.StatusCode != ans.status || !reflect.DeepEqual(org, wrapper.Organization{}) {
					t.Errorf("DecodeError status %d, organization %+v", de.StatusCode, org)
				}
			})
		}
	}
}

// A list whose organizations lack an id or a status is a *DecodeError
// naming the entry.
func TestListWithoutOrganizationIsDecodeError(t *testing.T) {
	for body, want := range map[string]string{
		`{"organizations":[` + orgJSON + `,{}]}`:              "organizations[1]: the organization has no id",
		`{"organizations":[{"id":"` + orgIDText + `"}]}`:      "organizations[0]: organization " + orgIDText + " has no status",
		`{"organizations":[{"status":"active","id":null}]}`:   "organizations[0]: the organization has no id",
		`{"organizations":[` + orgJSON + `,{"status":"x"}]}`:  "organizations[1]: the organization has no id",
		`{"organizations":[` + orgJSON + `,"not an object"]}`: "organizations[1]",
	} {
		c, _ := exactServer(t, wantRequest{method: "GET", path: "/v1.alpha/distributor/organization"}, jsonAnswer(body))
		orgs, err := c.ListOrganizations(context.Background())
		var de *wrapper.DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) || orgs != nil {
			t.Errorf("%s: got %d organizations, %v; want a *DecodeError saying %q", body, len(orgs), err, want)
		}
	}
}

// Usage and the message actions need their result too: JSON null, or a
// body of the wrong shape, is a *DecodeError.
func TestOtherAnswersWithoutResultAreDecodeErrors(t *testing.T) {
	usagePath := "/v1.alpha/distributor/organization/" + orgIDText + "/usage"
	for name, tc := range map[string]struct {
		want wantRequest
		ans  answer
		call func(*wrapper.Client) error
	}{
		"usage null": {wantRequest{method: "GET", path: usagePath}, jsonAnswer(`null`), func(c *wrapper.Client) error {
			_, err := c.ListUsage(context.Background(), orgID, wrapper.Period{})
			return err
		}},
		"usage object": {wantRequest{method: "GET", path: usagePath}, jsonAnswer(`{}`), func(c *wrapper.Client) error {
			_, err := c.ListUsage(context.Background(), orgID, wrapper.Period{})
			return err
		}},
		"usage 204": {wantRequest{method: "GET", path: usagePath}, answer{status: 204}, func(c *wrapper.Client) error {
			_, err := c.ListUsage(context.Background(), orgID, wrapper.Period{})
			return err
		}},
		"terminate null": {wantRequest{method: "DELETE", path: "/v1.alpha/distributor/organization/" + orgIDText + ":terminate"}, jsonAnswer(`null`),
			func(c *wrapper.Client) error {
				_, err := c.TerminateOrganization(context.Background(), orgID)
				return err
			}},
		"purge array": {wantRequest{method: "PUT", path: "/v1.alpha/distributor/organization/" + orgIDText + ":schedule-purge"}, jsonAnswer(`[]`),
			func(c *wrapper.Client) error {
				_, err := c.SchedulePurge(context.Background(), orgID)
				return err
			}},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := exactServer(t, tc.want, tc.ans)
			var de *wrapper.DecodeError
			if err := tc.call(c); !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
		})
	}
}

// A 2xx other than the documented one, carrying a valid result, is a
// success: the generated parsers only look at the documented status.
func TestOtherSuccessStatusesWithResultAreAccepted(t *testing.T) {
	ctx := context.Background()
	orgPath := "/v1.alpha/distributor/organization/" + orgIDText
	t.Run("create 201", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "POST", path: "/v1.alpha/distributor/organization", body: createBody},
			answer{status: 201, contentType: "application/json", body: orgJSON})
		if org, err := c.CreateOrganization(ctx, createRequest); err != nil || !reflect.DeepEqual(org, acme) {
			t.Fatalf("got %+v, %v", org, err)
		}
	})
	t.Run("get 203", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "GET", path: orgPath}, answer{status: 203, contentType: "application/json; charset=utf-8", body: orgJSON})
		if org, err := c.GetOrganization(ctx, orgID); err != nil || !reflect.DeepEqual(org, acme) {
			t.Fatalf("got %+v, %v", org, err)
		}
	})
	t.Run("suspend 202", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "PUT", path: orgPath + ":suspend"}, answer{status: 202, contentType: "application/json", body: orgJSON})
		if org, err := c.SuspendOrganization(ctx, orgID); err != nil || org.ID != orgID {
			t.Fatalf("got %+v, %v", org, err)
		}
	})
	t.Run("usage 203", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "GET", path: orgPath + "/usage"}, answer{status: 203, contentType: "application/json", body: `[{"code":"USG-1"}]`})
		if s, err := c.ListUsage(ctx, orgID, wrapper.Period{}); err != nil || len(s) != 1 || s[0].Code != "USG-1" {
			t.Fatalf("got %+v, %v", s, err)
		}
	})
	t.Run("terminate 202", func(t *testing.T) {
		c, _ := exactServer(t, wantRequest{method: "DELETE", path: orgPath + ":terminate"}, answer{status: 202, contentType: "application/json", body: `{"message":"bye"}`})
		if msg, err := c.TerminateOrganization(ctx, orgID); err != nil || msg != "bye" {
			t.Fatalf("got %q, %v", msg, err)
		}
	})
}

var createRequest = wrapper.CreateOrganizationRequest{
	DisplayName: "ACME Corporation", OwnerEmail: "owner@acme.example", ClientID: "crm-42",
	BillingAddress: wrapper.BillingAddress{Name: "ACME Corporation", StreetName: "Route de Meyrin",
		City: "Geneva", PostalCode: "1217", Country: "CH"},
}

var createBody = map[string]any{
	"display-name": "ACME Corporation", "owner-email": "owner@acme.example", "client-id": "crm-42",
	"billing-address": map[string]any{"name": "ACME Corporation", "street-name": "Route de Meyrin",
		"city": "Geneva", "postal-code": "1217", "country": "CH"},
}
