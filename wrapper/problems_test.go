package wrapper_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// TestClientAndFakeStateProblemsAlike sends the same bad input once through
// the client's validation and once, with validation off, to partnertest:
// both name each field and rule in the same words (one formatter,
// internal/contract), e.g. "billing-address.country: must match ...".
func TestClientAndFakeStateProblemsAlike(t *testing.T) {
	srv := partnertest.NewServer()
	t.Cleanup(srv.Close)
	client := func(opts ...wrapper.Option) *wrapper.Client {
		c, err := wrapper.New(append([]wrapper.Option{wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	checked, unchecked := client(), client(wrapper.WithoutValidation())
	ctx := context.Background()

	req := validRequest()
	req.BillingAddress.Country = "ch"
	req.OwnerEmail = "nope"
	_, err := checked.CreateOrganization(ctx, req)
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("client: %v, want two problems", err)
	}
	_, err = unchecked.CreateOrganization(ctx, req)
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("fake: %v, want a 400", err)
	}
	for _, p := range ve.Problems {
		if want := p.Field + ": " + p.Rule; !strings.Contains(ae.Message, want) {
			t.Errorf("the fake says %q; the client says %q", ae.Message, want)
		}
	}
	if srv.Applied("") != 0 {
		t.Errorf("applied %d operations, want 0", srv.Applied(""))
	}
}
