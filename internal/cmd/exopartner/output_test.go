package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// --output json prints what the API sent: the fields it sent, no field it
// left out, and numbers even when 0.
func TestJSONPrintsWhatTheAPISent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	org := srv.Seed(wrapper.Organization{ // no client-id, building-number or address
		BillingAddress: wrapper.BillingAddress{Name: "Sparse GmbH", StreetName: "Hauptstrasse", City: "Bern", PostalCode: "3011", Country: "CH"},
	})
	decode := func(out string) any {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return v
	}

	got := decode(runOK(t, srv, "--output", "json", "get-distributor-organization", org.ID.String()))
	want := map[string]any{"id": org.ID.String(), "status": "active", "billing-address": map[string]any{
		"name": "Sparse GmbH", "street-name": "Hauptstrasse", "city": "Bern", "postal-code": "3011", "country": "CH"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("get printed %v\nwant %v", got, want)
	}

	// A metered quantity of 0 is sent, billed as 0, and printed as 0.
	if out := runOK(t, srv, "--output", "json", "metering-transaction", "--organization", org.ID.String(), "--usage", "partner:idle:0"); out != "" {
		t.Errorf("metering printed %q", out)
	}
	if m := srv.Metering(org.ID); len(m) != 1 || !reflect.DeepEqual(m[0], wrapper.UsageRecord{Product: "partner", Variable: "idle"}) {
		t.Errorf("the API stored %+v", m)
	}
	usage := decode(runOK(t, srv, "--output", "json", "list-distributor-organization-usage", org.ID.String()))
	statements, _ := usage.([]any)
	if len(statements) != 1 {
		t.Fatalf("usage printed %v", usage)
	}
	s := statements[0].(map[string]any)
	line := s["usage"].([]any)[0].(map[string]any)
	for k, v := range map[string]any{"quantity": 0.0, "total-excl-vat": 0.0, "total-incl-vat": 0.0, "product": "partner", "variable": "idle"} {
		if line[k] != v {
			t.Errorf("usage line %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	if s["total-excl-vat"] != 0.0 || s["total-incl-vat"] != 0.0 {
		t.Errorf("statement totals %v %v, want 0 printed", s["total-excl-vat"], s["total-incl-vat"])
	}
}
