package wrapper

import "testing"

// BenchmarkValidation measures a create's request body encoded and checked
// against the spec (validate=on), and encoded alone (validate=off): their
// difference is what client-side validation costs a create.
func BenchmarkValidation(b *testing.B) {
	in := CreateOrganizationRequest{
		DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-1",
		BillingAddress: BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"},
	}
	if _, err := sharedValidator(); err != nil {
		b.Fatal(err)
	}
	for _, validate := range []bool{true, false} {
		name := "validate=on"
		if !validate {
			name = "validate=off"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := encode(opCreate.opSpec, in, validate); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
