package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// TestEnsureOrganizationInListsOnce: ensuring many organizations against
// one listing sends one list request in all, creates only the missing
// ones, and a second pass over a fresh listing creates nothing.
func TestEnsureOrganizationInListsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startFake(t)
	c := fakeClient(t, srv)
	existing := uniqueRequest("bulk")
	if _, err := c.CreateOrganization(ctx, existing); err != nil {
		t.Fatal(err)
	}
	reqs := []wrapper.CreateOrganizationRequest{existing}
	for range 9 {
		reqs = append(reqs, uniqueRequest("bulk"))
	}
	for pass, wantCreates := range []int{9, 0} {
		srv.ResetCounts()
		orgs, err := c.ListOrganizations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		creates := 0
		for _, req := range reqs {
			org, created, err := c.EnsureOrganizationIn(ctx, orgs, req)
			if err != nil || org.ClientID != req.ClientID {
				t.Fatalf("pass %d: %s: got %+v, %v", pass, req.ClientID, org, err)
			}
			if created {
				creates++
				orgs = append(orgs, org)
			}
		}
		if creates != wantCreates {
			t.Errorf("pass %d: %d created, want %d", pass, creates, wantCreates)
		}
		ensureCounts(t, srv, 1, wantCreates)
	}
	for _, req := range reqs {
		if n := orgsWithClientID(srv, req.ClientID); n != 1 {
			t.Errorf("%s: %d organizations, want 1", req.ClientID, n)
		}
	}
}

// TestEnsureOrganizationInOutcomeUnknown: a create answered 502 after it
// was carried out is resolved by one fresh listing; a terminated
// organization in the snapshot is not matched.
func TestEnsureOrganizationInOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startFake(t)
	c := fakeClient(t, srv)
	req := uniqueRequest("bulk")
	old, err := c.CreateOrganization(ctx, req)
	if err == nil {
		_, err = c.TerminateOrganization(ctx, old.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	old.Status = wrapper.StatusTerminated
	srv.ResetCounts()
	srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusBadGateway, AfterAction: true})
	org, created, err := c.EnsureOrganizationIn(ctx, []wrapper.Organization{old}, req)
	if err != nil || !created || org.ID == old.ID || org.Status != wrapper.StatusActive {
		t.Fatalf("got %+v, created %v, %v; want the organization the lost create made", org, created, err)
	}
	ensureCounts(t, srv, 1, 1)

	srv.ResetCounts()
	_, _, err = c.EnsureOrganizationIn(ctx, nil, wrapper.CreateOrganizationRequest{DisplayName: "no key"})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || ve.Field != "client-id" {
		t.Fatalf("got %v, want a *ValidationError for client-id", err)
	}
	ensureCounts(t, srv, 0, 0)
}

// TestValidateCreateOrganizationRequest: the same contract check as
// CreateOrganization, every problem named as on the wire, nothing sent.
func TestValidateCreateOrganizationRequest(t *testing.T) {
	t.Parallel()
	if err := wrapper.ValidateCreateOrganizationRequest(validRequest()); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	req := validRequest()
	req.DisplayName = ""
	req.OwnerEmail = "not an address"
	req.BillingAddress.Country = "ch"
	err := wrapper.ValidateCreateOrganizationRequest(req)
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidInput) || ve.Operation != opCreateID {
		t.Fatalf("got %v, want a *ValidationError of %s", err, opCreateID)
	}
	got := map[string]bool{}
	for _, p := range ve.Problems {
		got[p.Field] = true
	}
	for _, f := range []string{"display-name", "owner-email", "billing-address.country"} {
		if !got[f] {
			t.Errorf("no problem for %s in %v", f, ve.Problems)
		}
	}
	if len(ve.Problems) != 3 {
		t.Errorf("problems %v, want exactly 3", ve.Problems)
	}
}

// TestUsageForEach: done sees every organization exactly once, with its
// index, and the results equal UsageFor's.
func TestUsageForEach(t *testing.T) {
	t.Parallel()
	srv := startFake(t)
	c := fakeClient(t, srv)
	ids := srv.AddOrganizations(25)
	period := wrapper.NewPeriod(2025, 3)
	seen := make([]int, len(ids))
	calls := 0
	c.UsageForEach(context.Background(), ids, period, 4, func(i int, u wrapper.OrganizationUsage) {
		calls++ // no lock: done is never called concurrently (the race detector checks)
		seen[i]++
		if u.ID != ids[i] || u.Err != nil || len(u.Statements) != 1 {
			t.Errorf("%d: got %+v", i, u)
		}
	})
	if calls != len(ids) {
		t.Errorf("%d calls, want %d", calls, len(ids))
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("index %d seen %d times", i, n)
		}
	}
	if got := srv.Requests(opUsageID); got != len(ids) {
		t.Errorf("%d usage requests, want %d", got, len(ids))
	}
}

// Ensuring many organizations with one listing, not one per organization.
func ExampleClient_EnsureOrganizationIn() {
	srv := partnertest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	ctx := context.Background()
	address := wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"}
	reqs := []wrapper.CreateOrganizationRequest{
		{DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-42", BillingAddress: address},
		{DisplayName: "ACME EU", OwnerEmail: "owner@acme.example", ClientID: "crm-43", BillingAddress: address},
		{DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-42", BillingAddress: address}, // again
	}
	orgs, err := client.ListOrganizations(ctx) // once per run
	if err != nil {
		log.Fatal(err)
	}
	for _, req := range reqs {
		org, created, err := client.EnsureOrganizationIn(ctx, orgs, req)
		if err != nil {
			log.Fatal(err)
		}
		if created {
			orgs = append(orgs, org) // so that the same client-id later in the run finds it
		}
		fmt.Println(req.ClientID, "created:", created)
	}
	fmt.Println("listings:", srv.Requests("list-distributor-organizations"))
	// Output:
	// crm-42 created: true
	// crm-43 created: true
	// crm-42 created: false
	// listings: 1
}
