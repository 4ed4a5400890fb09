package wrapper

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/exopartner/exopartner/api"
)

// jsonValue must give exactly what a JSON round trip gives, or validation
// would judge something other than what is sent.
func TestJSONValueMatchesEncodingJSON(t *testing.T) {
	check := func(t *testing.T, v any) {
		t.Helper()
		got, ok := jsonValue(reflect.ValueOf(v))
		if !ok {
			t.Fatalf("%T not covered", v)
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("jsonValue %#v\n   json %#v", got, want)
		}
	}
	check(t, CreateOrganizationRequest{})
	check(t, CreateOrganizationRequest{DisplayName: "a", OwnerEmail: "b", ClientID: "c",
		BillingAddress: BillingAddress{Name: "n", StreetName: "s", BuildingNumber: "1", City: "c", PostalCode: "p", Country: "CH", Address: "x"}})
	check(t, api.MeteringBatch{Organization: ID{1}})
	check(t, api.MeteringBatch{Usage: []UsageRecord{
		{Product: "p", Variable: "v", Quantity: -42.00005}, {}, {Product: "é", Variable: "\x00", Quantity: math.MaxFloat64}}})
}

func FuzzJSONValue(f *testing.F) {
	f.Add("ACME", "owner@acme.example", "", "CH", "p", 3.1415)
	f.Add("", "", "crm", "", "", 0.0)
	f.Fuzz(func(t *testing.T, name, email, clientID, country, product string, q float64) {
		if math.IsNaN(q) || math.IsInf(q, 0) {
			t.Skip("not representable in JSON")
		}
		for _, v := range []any{
			CreateOrganizationRequest{DisplayName: name, OwnerEmail: email, ClientID: clientID,
				BillingAddress: BillingAddress{Name: name, Country: country, BuildingNumber: clientID}},
			api.MeteringBatch{Organization: ID{2}, Usage: []UsageRecord{{Product: product, Variable: name, Quantity: q}}},
		} {
			got, _ := jsonValue(reflect.ValueOf(v))
			data, _ := json.Marshal(v)
			var want any
			_ = json.Unmarshal(data, &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("jsonValue %#v\n   json %#v", got, want)
			}
		}
	})
}
