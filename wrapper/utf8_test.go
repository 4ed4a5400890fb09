package wrapper_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// TestInvalidUTF8IsRefused: text read from a Windows-1252 file ("Z\xfcrich",
// "caf\xe9") is refused with a *ValidationError naming the wire field, with
// validation on or off, and nothing is sent: encoding/json would have sent
// U+FFFD, and "caf\xe9" and "caf\xe8" alike.
func TestInvalidUTF8IsRefused(t *testing.T) {
	ctx := context.Background()
	for _, opts := range [][]wrapper.Option{nil, {wrapper.WithoutValidation()}} {
		c, sent := silentServer(t, opts...)
		create := func(mut func(*wrapper.CreateOrganizationRequest)) func() error {
			return func() error {
				r := validRequest()
				mut(&r)
				_, err := c.CreateOrganization(ctx, r)
				return err
			}
		}
		for _, tc := range []struct {
			name, field, got string
			run              func() error
		}{
			{"client-id", "client-id", `"Z\xfcrich"`, create(func(r *wrapper.CreateOrganizationRequest) { r.ClientID = "Z\xfcrich" })},
			{"billing city", "billing-address.city", `"Z\xfcrich"`, create(func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.City = "Z\xfcrich" })},
			{"display name", "display-name", `"Caf\xe9 du Lac"`, create(func(r *wrapper.CreateOrganizationRequest) { r.DisplayName = "Caf\xe9 du Lac" })},
			{"ensure", "client-id", `"Z\xfcrich"`, func() error {
				r := validRequest()
				r.ClientID = "Z\xfcrich"
				_, _, err := c.EnsureOrganization(ctx, r)
				return err
			}},
			{"ensure in", "client-id", `"Z\xfcrich"`, func() error {
				r := validRequest()
				r.ClientID = "Z\xfcrich"
				_, _, err := c.EnsureOrganizationIn(ctx, nil, r)
				return err
			}},
			{"metering product", "usage[1].product", `"caf\xe9"`, func() error {
				return c.ApplyMetering(ctx, orgID, []wrapper.UsageRecord{{Product: "cafe", Quantity: 1}, {Product: "caf\xe9", Variable: "v", Quantity: 1}})
			}},
			{"metering variable", "usage[0].variable", `"caf\xe8"`, func() error {
				return c.ApplyMetering(ctx, orgID, []wrapper.UsageRecord{{Product: "p", Variable: "caf\xe8", Quantity: 1}})
			}},
		} {
			err := tc.run()
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidInput) || ve.Field != tc.field || len(ve.Problems) != 1 ||
				ve.Rule != "must be valid UTF-8 text (got "+tc.got+")" {
				t.Errorf("%s (options %d): got %v, want a *ValidationError for %s", tc.name, len(opts), err, tc.field)
			}
		}
		if n := sent.Load(); n != 0 {
			t.Errorf("options %d: %d requests sent for text that is not UTF-8", len(opts), n)
		}
	}
}

// TestUTF8AcceptsAccentsAndReplacementCharacter: valid text goes out as
// it is, including a U+FFFD the caller wrote and the six characters \ufffd.
func TestUTF8AcceptsAccentsAndReplacementCharacter(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	r := validRequest()
	r.ClientID, r.DisplayName, r.BillingAddress.City = "Zürich-1", `Café \ufffd`, "Genève \uFFFD"
	org, err := c.CreateOrganization(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if org.ClientID != "Zürich-1" || org.BillingAddress.City != "Genève \uFFFD" {
		t.Errorf("got %+v", org)
	}
	if err := c.ApplyMetering(context.Background(), org.ID, []wrapper.UsageRecord{{Product: "café", Variable: `\ufffd`, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	if m := srv.Metering(org.ID); len(m) != 1 || m[0].Product != "café" || m[0].Variable != `\ufffd` {
		t.Errorf("metering stored %+v", m)
	}
}
