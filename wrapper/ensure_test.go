package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"reflect"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// ensureCounts checks how many list and create requests reached the fake.
func ensureCounts(t *testing.T, srv *partnertest.Server, lists, creates int) {
	t.Helper()
	if got := srv.Requests(opListID); got != lists {
		t.Errorf("%d list requests, want %d", got, lists)
	}
	if got := srv.Requests(opCreateID); got != creates {
		t.Errorf("%d create requests, want %d", got, creates)
	}
	if got := srv.Requests(""); got != lists+creates {
		t.Errorf("%d requests in all, want %d", got, lists+creates)
	}
}

func TestEnsureOrganization(t *testing.T) {
	ctx := context.Background()

	t.Run("creates when absent", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		srv.AddOrganizations(3) // other client-ids
		req := uniqueRequest("ensure")
		org, created, err := c.EnsureOrganization(ctx, req)
		if err != nil || !created || org.ClientID != req.ClientID || org.Status != wrapper.StatusActive {
			t.Fatalf("got %+v, created %v, %v; want a new organization", org, created, err)
		}
		ensureCounts(t, srv, 1, 1)
		if n := orgsWithClientID(srv, req.ClientID); n != 1 {
			t.Errorf("%d organizations with the client-id, want 1", n)
		}
	})

	t.Run("returns the existing one", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		first, err := c.CreateOrganization(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		srv.ResetCounts()
		for range 2 {
			org, created, err := c.EnsureOrganization(ctx, req)
			if err != nil || created || org != first {
				t.Fatalf("got %+v, created %v, %v; want %+v, not created", org, created, err, first)
			}
		}
		ensureCounts(t, srv, 2, 0)
	})

	t.Run("matches a suspended one", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		first, err := c.CreateOrganization(ctx, req)
		if err == nil {
			_, err = c.SuspendOrganization(ctx, first.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		srv.ResetCounts()
		org, created, err := c.EnsureOrganization(ctx, req)
		if err != nil || created || org.ID != first.ID || org.Status != wrapper.StatusSuspended {
			t.Fatalf("got %+v, created %v, %v; want %s, suspended, not created", org, created, err, first.ID)
		}
		ensureCounts(t, srv, 1, 0)
	})

	t.Run("ignores a terminated one", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		old, err := c.CreateOrganization(ctx, req)
		if err == nil {
			_, err = c.TerminateOrganization(ctx, old.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		srv.ResetCounts()
		org, created, err := c.EnsureOrganization(ctx, req)
		if err != nil || !created || org.ID == old.ID || org.Status != wrapper.StatusActive || org.ClientID != req.ClientID {
			t.Fatalf("got %+v, created %v, %v; want a new organization besides the terminated %s", org, created, err, old.ID)
		}
		ensureCounts(t, srv, 1, 1)
		if n := orgsWithClientID(srv, req.ClientID); n != 2 {
			t.Errorf("%d organizations with the client-id, want 2 (one terminated)", n)
		}
	})

	t.Run("requires a client-id", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := validRequest()
		req.ClientID = ""
		org, created, err := c.EnsureOrganization(ctx, req)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || ve.Field != "client-id" || !errors.Is(err, wrapper.ErrInvalidInput) || created || !reflect.DeepEqual(org, wrapper.Organization{}) {
			t.Fatalf("got %+v, created %v, %v; want a *ValidationError for client-id", org, created, err)
		}
		ensureCounts(t, srv, 0, 0)
	})

	// The create is carried out but answered 502: this call did create the
	// organization, and finds it by listing again.
	t.Run("outcome unknown but applied", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusBadGateway, AfterAction: true})
		org, created, err := c.EnsureOrganization(ctx, req)
		if err != nil || !created || org.ClientID != req.ClientID {
			t.Fatalf("got %+v, created %v, %v; want the organization the lost create made", org, created, err)
		}
		ensureCounts(t, srv, 2, 1)
		if got := srv.Organizations(); len(got) != 1 || got[0].ID != org.ID || srv.Applied(opCreateID) != 1 {
			t.Errorf("fake holds %+v (applied %d), want only %s", got, srv.Applied(opCreateID), org.ID)
		}
	})

	// The create is refused with a 502 before being carried out: nothing
	// exists, and the unknown outcome is reported rather than guessed at.
	// Running the job again then creates the organization.
	t.Run("outcome unknown and not applied", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusBadGateway})
		org, created, err := c.EnsureOrganization(ctx, req)
		if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.Is(err, wrapper.ErrServer) || created || !reflect.DeepEqual(org, wrapper.Organization{}) {
			t.Fatalf("got %+v, created %v, %v; want the unknown outcome", org, created, err)
		}
		ensureCounts(t, srv, 2, 1)
		if n := len(srv.Organizations()); n != 0 {
			t.Errorf("fake holds %d organizations, want 0", n)
		}
		srv.ResetCounts()
		if org, created, err = c.EnsureOrganization(ctx, req); err != nil || !created {
			t.Fatalf("second run: got %+v, created %v, %v", org, created, err)
		}
		ensureCounts(t, srv, 1, 1)
	})

	// The create's outcome is unknown and the second listing fails too: the
	// create's error is what the caller must act on.
	t.Run("outcome unknown and second list fails", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		req := uniqueRequest("ensure")
		srv.InjectFault(opListID, 1, partnertest.Fault{}) // the first listing passes
		srv.InjectFault(opListID, 1, partnertest.Fault{Status: http.StatusInternalServerError})
		srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusBadGateway, AfterAction: true})
		_, created, err := c.EnsureOrganization(ctx, req)
		var ae *wrapper.APIError
		if !errors.Is(err, wrapper.ErrOutcomeUnknown) || !errors.As(err, &ae) || ae.Operation != opCreateID || created {
			t.Fatalf("created %v, %v; want the create's unknown outcome", created, err)
		}
		ensureCounts(t, srv, 2, 1)
	})

	t.Run("list fails", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		srv.InjectFault(opListID, 1, partnertest.Fault{Status: http.StatusForbidden})
		_, created, err := c.EnsureOrganization(ctx, uniqueRequest("ensure"))
		var ae *wrapper.APIError
		if !errors.As(err, &ae) || ae.Operation != opListID || !errors.Is(err, wrapper.ErrAuth) || errors.Is(err, wrapper.ErrOutcomeUnknown) || created {
			t.Fatalf("created %v, %v; want the listing's 403", created, err)
		}
		ensureCounts(t, srv, 1, 0)
	})

	// A create refused for certain (4xx) is not followed by a second listing.
	t.Run("create refused", func(t *testing.T) {
		t.Parallel()
		srv := startFake(t)
		c := fakeClient(t, srv)
		srv.InjectFault(opCreateID, 1, partnertest.Fault{Status: http.StatusConflict})
		_, created, err := c.EnsureOrganization(ctx, uniqueRequest("ensure"))
		if !errors.Is(err, wrapper.ErrConflict) || errors.Is(err, wrapper.ErrOutcomeUnknown) || created {
			t.Fatalf("created %v, %v; want the create's 409", created, err)
		}
		ensureCounts(t, srv, 1, 1)
		if n := len(srv.Organizations()); n != 0 {
			t.Errorf("fake holds %d organizations, want 0", n)
		}
	})
}

// Invalid input is refused before anything is sent: no list request either.
func TestEnsureOrganizationValidatesFirst(t *testing.T) {
	srv := startFake(t)
	c := fakeClient(t, srv)
	for name, change := range map[string]func(*wrapper.CreateOrganizationRequest){
		"country":   func(r *wrapper.CreateOrganizationRequest) { r.BillingAddress.Country = "ch" },
		"owner":     func(r *wrapper.CreateOrganizationRequest) { r.OwnerEmail = "nobody" },
		"client-id": func(r *wrapper.CreateOrganizationRequest) { r.ClientID = "" },
	} {
		req := uniqueRequest("ensure-invalid")
		change(&req)
		_, created, err := c.EnsureOrganization(context.Background(), req)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || created {
			t.Errorf("%s: got %v, created %v; want a *ValidationError", name, err, created)
		}
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent for invalid input, want none", n)
	}
}

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
