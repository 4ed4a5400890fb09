package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// Building a client. With no options, credentials come from
// EXOSCALE_API_KEY and EXOSCALE_API_SECRET, else from the exo CLI's
// configuration file; here they are given explicitly, against the fake API.
func ExampleNew() {
	srv := partnertest.NewServer()
	defer srv.Close()

	client, err := wrapper.New(
		wrapper.WithCredentials(srv.Key(), srv.Secret()),
		wrapper.WithEndpoint(srv.URL), // default: https://partner-api.exoscale.com/v1.alpha
		wrapper.WithTimeout(30*time.Second),
		wrapper.WithUserAgent("provisioner/1.2"),
	)
	if err != nil {
		log.Fatal(err)
	}
	orgs, err := client.ListOrganizations(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(orgs), "organizations")
	// Output: 0 organizations
}

func ExampleClient_CreateOrganization() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))

	org, err := client.CreateOrganization(context.Background(), wrapper.CreateOrganizationRequest{
		DisplayName: "ACME Corporation",
		OwnerEmail:  "owner@acme.example",
		ClientID:    "crm-42", // your own reference; EnsureOrganization keys on it
		BillingAddress: wrapper.BillingAddress{
			Name:           "ACME Corporation",
			StreetName:     "Route de Meyrin",
			BuildingNumber: "10",
			City:           "Geneva",
			PostalCode:     "1217",
			Country:        "CH",
		},
	})
	if errors.Is(err, wrapper.ErrOutcomeUnknown) {
		// The organization may exist: use EnsureOrganization to retry safely.
		log.Fatal(err)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(org.Status, org.ClientID, org.BillingAddress.City)
	// Output: active crm-42 Geneva
}

func ExampleClient_ListUsage() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	ctx := context.Background()
	id := srv.AddOrganizations(1)[0]

	period, err := wrapper.ParsePeriod("2025-01") // or wrapper.NewPeriod(2025, time.January)
	if err != nil {
		log.Fatal(err)
	}
	statements, err := client.ListUsage(ctx, id, period)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range statements {
		fmt.Printf("%s to %s in %s, has lines: %t\n", s.StartDate.Format(time.DateOnly), s.EndDate.Format(time.DateOnly), s.Currency, len(s.Usage) > 0)
	}
	// Output: 2025-01-01 to 2025-02-01 in CHF, has lines: true
}

func ExampleClient_GetOrganization_notFound() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))

	id, err := wrapper.ParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11")
	if err != nil {
		log.Fatal(err) // a *ValidationError: not a UUID
	}
	_, err = client.GetOrganization(context.Background(), id)
	var apiErr *wrapper.APIError
	switch {
	case errors.Is(err, wrapper.ErrNotFound):
		errors.As(err, &apiErr)
		fmt.Println("no such organization:", apiErr.StatusCode)
	case err != nil:
		log.Fatal(err)
	}
	// Output: no such organization: 404
}

func ExampleClient_EnsureOrganization() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	req := wrapper.CreateOrganizationRequest{
		DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-42",
		BillingAddress: wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"},
	}
	// Running the provisioning job twice creates one organization.
	for range 2 {
		_, created, err := client.EnsureOrganization(context.Background(), req)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("created:", created)
	}
	// Output:
	// created: true
	// created: false
}

func ExampleClient_ApplyMetering() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	org := srv.AddOrganizations(1)[0]

	err := client.ApplyMetering(context.Background(), org, []wrapper.UsageRecord{
		{Product: "partner", Variable: "license_product", Quantity: 3.1415},
		{Product: "partner", Variable: "commission", Quantity: -42.00005},
	})
	fmt.Println(err)
	// Output: <nil>
}

func ExampleClient_UsageForAll() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	srv.AddOrganizations(25)

	results, err := client.UsageForAll(context.Background(), wrapper.NewPeriod(2025, time.March), 8)
	if err != nil {
		log.Fatal(err)
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
	}
	fmt.Println(len(results), "organizations,", failed, "failed")
	// Output: 25 organizations, 0 failed
}

// A 429 whose Retry-After is longer than the retry cap is not repeated
// early: the call fails at once, and the error says how long the server
// asked to wait. (Within the cap, the client waits by itself, and pauses
// its other calls too.)
func ExampleWithRetry_rateLimited() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL),
		wrapper.WithRetry(4, 200*time.Millisecond, 10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer client.CloseIdleConnections()
	srv.InjectFault("list-distributor-organizations", 1, partnertest.Fault{Status: 429, RetryAfter: "60"})

	_, err = client.ListOrganizations(context.Background())
	var apiErr *wrapper.APIError
	if errors.Is(err, wrapper.ErrRateLimited) && errors.As(err, &apiErr) {
		fmt.Println("rate limited; retry after", apiErr.RetryAfter)
	}
	// Output: rate limited; retry after 1m0s
}
