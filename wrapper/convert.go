package wrapper

import "github.com/exopartner/exopartner/api"

// Conversions between the generated wire types (pointers for optional
// fields) and the value types users write as literals.

func organizationFromAPI(o *api.OrganizationOutput) Organization {
	org := Organization{ID: deref(o.Id), Status: Status(deref(o.Status)), ClientID: deref(o.ClientId)}
	if o.BillingAddress != nil {
		org.BillingAddress = billingFromAPI(o.BillingAddress)
	}
	return org
}

func billingFromAPI(b *api.BillingAddress) BillingAddress {
	return BillingAddress{
		Name: b.Name, StreetName: b.StreetName, BuildingNumber: deref(b.BuildingNumber),
		City: b.City, PostalCode: b.PostalCode, Country: b.Country, Address: deref(b.Address),
	}
}

func billingToAPI(b BillingAddress) api.BillingAddress {
	return api.BillingAddress{
		Name: b.Name, StreetName: b.StreetName, BuildingNumber: optional(b.BuildingNumber),
		City: b.City, PostalCode: b.PostalCode, Country: b.Country, Address: optional(b.Address),
	}
}

func createToAPI(r CreateOrganizationRequest) api.OrganizationInput {
	return api.OrganizationInput{
		DisplayName:    r.DisplayName,
		OwnerEmail:     &r.OwnerEmail, // required on the wire: sent even when empty, so validation names it
		ClientId:       optional(r.ClientID),
		BillingAddress: billingToAPI(r.BillingAddress),
	}
}

func usageFromAPI(items []api.ListDistributorOrganizationUsage200JSONResponseBody_Item) []UsageStatement {
	out := make([]UsageStatement, len(items))
	for i, it := range items {
		s := UsageStatement{
			Code: deref(it.Code), Currency: deref(it.Currency),
			TotalExclVAT: deref(it.TotalExclVat), TotalInclVAT: deref(it.TotalInclVat),
			Start: deref(it.StartDate), End: deref(it.EndDate),
		}
		if it.Usage != nil {
			s.Lines = make([]UsageLine, len(*it.Usage))
			for j, l := range *it.Usage {
				s.Lines[j] = UsageLine{
					Product: deref(l.Product), Variable: deref(l.Variable), Description: deref(l.Description),
					Quantity: deref(l.Quantity), Unit: deref(l.Unit),
					TotalExclVAT: deref(l.TotalExclVat), TotalInclVAT: deref(l.TotalInclVat),
				}
			}
		}
		out[i] = s
	}
	return out
}

func meteringToAPI(id ID, usage []UsageRecord) api.MeteringBatch {
	u := make([]api.UsageData, len(usage))
	for i := range usage {
		u[i] = api.UsageData{Product: &usage[i].Product, Variable: &usage[i].Variable, Quantity: &usage[i].Quantity}
	}
	return api.MeteringBatch{Organization: &id, Usage: &u}
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// optional returns nil for "", so empty optional fields stay off the wire.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
