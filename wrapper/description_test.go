package wrapper_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// TestValidationErrorKeepsThePreciseRule: a country "Switzerland" breaks
// its pattern and its length; the *ValidationError reports the pattern (the
// most useful), keeping the field as on the wire, the precise rule and the
// value, and words it for people only in Description, from the spec. Its
// Error is the precise one.
func TestValidationErrorKeepsThePreciseRule(t *testing.T) {
	req := validRequest()
	req.BillingAddress.Country = "Switzerland"
	req.OwnerEmail = "nobody"
	err := wrapper.ValidateCreateOrganizationRequest(req)
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("%v, want a *ValidationError with two problems", err)
	}
	country, email := ve.Problems[0], ve.Problems[1]
	if country.Field != "billing-address.country" || !strings.HasPrefix(country.Rule, "must match ^[A-Z]{2}$") || country.Value != "Switzerland" {
		t.Errorf("country: %+v, want the pattern and the value", country)
	}
	if ve.Field != country.Field || ve.Rule != country.Rule {
		t.Errorf("Field, Rule = %q, %q, want the first problem's", ve.Field, ve.Rule)
	}
	if got, want := country.Description(), `must be an ISO 3166-1 alpha-2 country code, two upper-case letters such as CH (got "Switzerland")`; got != want ||
		ve.Description() != want {
		t.Errorf("Description() = %q (the error's %q), want %q", got, ve.Description(), want)
	}
	if email.Field != "owner-email" || !strings.HasPrefix(email.Rule, `must match ^[^@\s]+@`) || email.Value != "nobody" ||
		email.Description() != `must be an e-mail address (got "nobody")` {
		t.Errorf("owner-email: %+v, %q", email, email.Description())
	}
	if msg := err.Error(); !strings.Contains(msg, "billing-address.country: must match ^[A-Z]{2}$") || strings.Contains(msg, "characters") {
		t.Errorf("Error() = %q, want the precise rules, the length left out", msg)
	}

	// A quantity's value is a number; a rule no schema states is its Rule.
	err = wrapper.ValidateMeteringUsage([]wrapper.UsageRecord{{Product: "p", Quantity: 1.123456}})
	if !errors.As(err, &ve) || ve.Problems[0].Value != "1.123456" || ve.Description() != "must have at most 5 decimals (got 1.123456)" {
		t.Errorf("%v: %+v", err, ve)
	}
	if _, err := wrapper.ParseID("nope"); !errors.As(err, &ve) || ve.Description() != ve.Rule {
		t.Errorf("ParseID: %v", err)
	}
}
