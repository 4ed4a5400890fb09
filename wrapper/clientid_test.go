package wrapper_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// TestLookAlikeClientIDRefusedOnCreate: a client-id with a trailing space,
// a zero-width space, a control character or in NFD is refused before
// anything is sent, by CreateOrganization, EnsureOrganization and
// ValidateCreateOrganizationRequest alike.
func TestLookAlikeClientIDRefusedOnCreate(t *testing.T) {
	c, sent := silentServer(t)
	ctx := context.Background()
	for _, id := range []string{"crm-3 ", " crm-3", "crm-3\u200b", "crm-3\u00a0", "\ufeffcrm-3", "crm\x1b[2K-3", "Zu\u0308rich"} {
		r := validRequest()
		r.ClientID = id
		_, err1 := c.CreateOrganization(ctx, r)
		_, _, err2 := c.EnsureOrganization(ctx, r)
		_, _, err3 := c.EnsureOrganizationIn(ctx, nil, r)
		for i, err := range []error{err1, err2, err3, wrapper.ValidateCreateOrganizationRequest(r)} {
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) || ve.Field != "client-id" || !strings.HasPrefix(ve.Rule, "must ") {
				t.Errorf("%+q, call %d: got %v, want a *ValidationError for client-id", id, i, err)
			}
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestEnsureLookAlikeIsAConflict: with "crm-3" live, ensuring "CRM-3",
// "Crm-3" or (NFC) "Zürich" against an NFD "Zürich" neither matches the
// organization silently nor creates a second one: it is a
// *ClientIDConflictError naming the existing organization. Running it three
// times still leaves one organization.
func TestEnsureLookAlikeIsAConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startFake(t)
	c := fakeClient(t, srv)
	lower := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: "crm-3",
		BillingAddress: wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"}})
	nfd := srv.Seed(wrapper.Organization{Status: wrapper.StatusActive, ClientID: "Zu\u0308rich",
		BillingAddress: wrapper.BillingAddress{Name: "Zürich AG", StreetName: "Bahnhofstrasse", City: "Zürich", PostalCode: "8001", Country: "CH"}})
	for _, tc := range []struct {
		id       string
		existing wrapper.Organization
	}{{"CRM-3", lower}, {"Crm-3", lower}, {"Zürich", nfd}, {"ZÜRICH", nfd}} {
		r := validRequest()
		r.ClientID = tc.id
		for range 3 {
			org, created, err := c.EnsureOrganization(ctx, r)
			var ce *wrapper.ClientIDConflictError
			if !errors.As(err, &ce) || !errors.Is(err, wrapper.ErrClientIDConflict) || created || org.ID != (wrapper.ID{}) ||
				ce.ClientID != tc.id || len(ce.Organizations) != 1 || ce.Organizations[0].ID != tc.existing.ID {
				t.Fatalf("%s: got %+v, created %v, %v; want a conflict naming %s", tc.id, org, created, err, tc.existing.ID)
			}
			if !strings.Contains(err.Error(), tc.existing.ID.String()) || !strings.Contains(err.Error(), "looks like") {
				t.Errorf("%s: message %q", tc.id, err)
			}
			orgs, _ := c.ListOrganizations(ctx)
			if _, _, err := c.EnsureOrganizationIn(ctx, orgs, r); !errors.As(err, &ce) {
				t.Errorf("%s: EnsureOrganizationIn: %v, want a conflict", tc.id, err)
			}
		}
	}
	if n := srv.Requests(opCreateID); n != 0 || len(srv.Organizations()) != 2 {
		t.Errorf("%d creates sent, %d organizations; want 0 and 2", n, len(srv.Organizations()))
	}

	// The exact client-id still finds its organization.
	r := validRequest()
	r.ClientID = "crm-3"
	if org, created, err := c.EnsureOrganization(ctx, r); err != nil || created || org.ID != lower.ID {
		t.Errorf("crm-3: got %+v, created %v, %v; want %s", org, created, err, lower.ID)
	}
}

// TestFindClientID: one live organization with the exact client-id is a
// match; a look-alike beside it, or two with it, is a conflict; terminated
// organizations count for nothing.
func TestFindClientID(t *testing.T) {
	a := wrapper.Organization{ID: wrapper.ID{1}, Status: wrapper.StatusActive, ClientID: "crm-3"}
	b := wrapper.Organization{ID: wrapper.ID{2}, Status: wrapper.StatusSuspended, ClientID: "CRM-3 "}
	a2 := wrapper.Organization{ID: wrapper.ID{3}, Status: wrapper.StatusActive, ClientID: "crm-3"}
	gone := wrapper.Organization{ID: wrapper.ID{4}, Status: wrapper.StatusTerminated, ClientID: "Crm-3"}
	other := wrapper.Organization{ID: wrapper.ID{5}, Status: wrapper.StatusActive, ClientID: "crm-30"}
	for _, tc := range []struct {
		orgs     []wrapper.Organization
		found    bool
		conflict []wrapper.Organization
		exact    bool
	}{
		{nil, false, nil, false},
		{[]wrapper.Organization{other, gone}, false, nil, false},
		{[]wrapper.Organization{other, a, gone}, true, nil, false},
		{[]wrapper.Organization{a, other, b}, false, []wrapper.Organization{a, b}, false},
		{[]wrapper.Organization{b}, false, []wrapper.Organization{b}, false},
		{[]wrapper.Organization{a, a2}, false, []wrapper.Organization{a, a2}, true},
	} {
		org, found, err := wrapper.FindClientID(tc.orgs, "crm-3")
		var ce *wrapper.ClientIDConflictError
		switch {
		case tc.conflict != nil:
			if !errors.As(err, &ce) || found || len(ce.Organizations) != len(tc.conflict) {
				t.Errorf("%v: %v, %v; want a conflict with %v", tc.orgs, found, err, tc.conflict)
				continue
			}
			for i := range tc.conflict {
				if ce.Organizations[i].ID != tc.conflict[i].ID {
					t.Errorf("%v: conflict with %v, want %v", tc.orgs, ce.Organizations, tc.conflict)
				}
			}
			if got := strings.Contains(ce.Reason(), "is on several live organizations"); got != tc.exact {
				t.Errorf("reason %q", ce.Reason())
			}
			if !tc.exact && !strings.Contains(ce.Reason(), `client-id "CRM-3 "`) {
				t.Errorf("reason %q does not show the look-alike", ce.Reason())
			}
		case err != nil || found != tc.found || (found && org.ID != a.ID):
			t.Errorf("%v: %+v, %v, %v; want found %v", tc.orgs, org, found, err, tc.found)
		}
	}
}

// TestFindTerminatedClientID: the rule of FindClientID among the terminated
// organizations only: one with the exact client-id is a match, a
// look-alike beside it or two with it a conflict that says so; live
// organizations count for nothing.
func TestFindTerminatedClientID(t *testing.T) {
	live := wrapper.Organization{ID: wrapper.ID{1}, Status: wrapper.StatusActive, ClientID: "crm-3"}
	gone := wrapper.Organization{ID: wrapper.ID{2}, Status: wrapper.StatusTerminated, ClientID: "crm-3"}
	gone2 := wrapper.Organization{ID: wrapper.ID{3}, Status: wrapper.StatusTerminated, ClientID: "crm-3"}
	alike := wrapper.Organization{ID: wrapper.ID{4}, Status: wrapper.StatusTerminated, ClientID: "CRM-3"}
	for _, tc := range []struct {
		orgs     []wrapper.Organization
		found    bool
		conflict []wrapper.Organization
		reason   string
	}{
		{[]wrapper.Organization{live}, false, nil, ""},
		{[]wrapper.Organization{live, gone}, true, nil, ""},
		{[]wrapper.Organization{gone, live, gone2}, false, []wrapper.Organization{gone, gone2}, "is on several terminated organizations"},
		{[]wrapper.Organization{alike, gone}, false, []wrapper.Organization{alike, gone}, "looks like the client-id of terminated organization(s)"},
	} {
		org, found, err := wrapper.FindTerminatedClientID(tc.orgs, "crm-3")
		var ce *wrapper.ClientIDConflictError
		switch {
		case tc.conflict != nil:
			if !errors.As(err, &ce) || found || len(ce.Organizations) != len(tc.conflict) ||
				ce.Organizations[0].ID != tc.conflict[0].ID || ce.Organizations[1].ID != tc.conflict[1].ID {
				t.Errorf("%v: %v, %v; want a conflict with %v", tc.orgs, found, err, tc.conflict)
				continue
			}
			if !strings.Contains(ce.Reason(), tc.reason) || ce.Exact() != (tc.conflict[0].ClientID == tc.conflict[1].ClientID) {
				t.Errorf("%v: reason %q (exact %v), want %q", tc.orgs, ce.Reason(), ce.Exact(), tc.reason)
			}
		case err != nil || found != tc.found || (found && org.ID != gone.ID):
			t.Errorf("%v: %+v, %v, %v; want found %v", tc.orgs, org, found, err, tc.found)
		}
	}
}
