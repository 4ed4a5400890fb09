package wrapper

import (
	"reflect"
	"testing"
)

// BenchmarkValidation measures client-side validation alone (the share of a
// create call spent checking the body against the spec).
func BenchmarkValidation(b *testing.B) {
	v, err := sharedValidator()
	if err != nil {
		b.Fatal(err)
	}
	in := CreateOrganizationRequest{
		DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-1",
		BillingAddress: BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"},
	}
	b.ReportAllocs()
	for b.Loop() {
		doc, _ := jsonValue(reflect.ValueOf(in))
		if err := v.check(opCreate.id, v.createBody, doc); err != nil {
			b.Fatal(err)
		}
	}
}
