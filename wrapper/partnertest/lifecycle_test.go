package partnertest_test

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
)

func TestLifecycle(t *testing.T) {
	c := newClient(t)
	base := "/distributor/organization"

	var created api.Organization
	r := c.do("POST", base, orgBody).want(t, 200)
	r.decode(t, &created)
	if created.ID.Version() != 4 {
		t.Fatalf("id %v, want a UUID v4", created.ID)
	}
	if created.Status != api.StatusActive || created.ClientID != "crm-42" || created.BillingAddress.Country != "CH" ||
		created.BillingAddress.BuildingNumber != "7" {
		t.Errorf("created %+v", created)
	}
	if bytes.Contains(r.body, []byte("owner")) {
		t.Errorf("owner-email is writeOnly but was returned: %s", r.body)
	}
	id := created.ID.String()
	second := c.create()

	var list api.ListDistributorOrganizations200JSONResponseBody
	c.do("GET", base, "").want(t, 200).decode(t, &list)
	if n := len(list.Organizations); n != 2 || list.Organizations[0].ID.String() != id || list.Organizations[1].ID.String() != second {
		t.Fatalf("list not in creation order: %+v", list.Organizations)
	}

	status := func(r result) api.Status {
		t.Helper()
		var o api.Organization
		r.want(t, 200).decode(t, &o)
		if o.ID.String() != id {
			t.Fatalf("answered organization %s, want %s", o.ID, id)
		}
		return o.Status
	}
	for _, step := range []struct {
		method, action string
		want           api.Status
	}{
		{"GET", "", api.StatusActive},
		{"PUT", ":activate", api.StatusActive}, // already active: unchanged
		{"PUT", ":suspend", api.StatusSuspended},
		{"PUT", ":suspend", api.StatusSuspended}, // already suspended: unchanged
		{"GET", "", api.StatusSuspended},
		{"PUT", ":activate", api.StatusActive},
	} {
		if got := status(c.do(step.method, base+"/"+id+step.action, "")); got != step.want {
			t.Fatalf("%s %s: status %s, want %s", step.method, step.action, got, step.want)
		}
	}

	// Purge needs a terminated organization.
	contains(t, c.do("PUT", base+"/"+id+":schedule-purge", "").want(t, 409).message(t), "terminate it")

	contains(t, c.do("DELETE", base+"/"+id+":terminate", "").want(t, 200).message(t), id)
	for _, p := range []struct{ method, action string }{{"PUT", ":activate"}, {"PUT", ":suspend"}, {"DELETE", ":terminate"}} {
		got := c.do(p.method, base+"/"+id+p.action, "").want(t, 409).message(t)
		if want := "organization " + id + " is terminated"; got != want {
			t.Errorf("%s: message %q, want %q", p.action, got, want)
		}
	}
	if got := status(c.do("GET", base+"/"+id, "")); got != api.StatusTerminated {
		t.Errorf("after terminate: %s", got)
	}
	contains(t, c.do("PUT", base+"/"+id+":schedule-purge", "").want(t, 202).message(t), "scheduled")

	// The snapshot agrees.
	orgs := c.srv.Organizations()
	if len(orgs) != 2 || orgs[0].Status != api.StatusTerminated || orgs[1].Status != api.StatusActive {
		t.Errorf("Organizations() = %+v", orgs)
	}
}

func TestUnknownOrganization(t *testing.T) {
	c := newClient(t)
	id := uuid.NewString()
	for _, p := range []struct{ method, path string }{
		{"GET", ""}, {"PUT", ":activate"}, {"PUT", ":suspend"}, {"DELETE", ":terminate"},
		{"PUT", ":schedule-purge"}, {"GET", "/usage"},
	} {
		got := c.do(p.method, "/distributor/organization/"+id+p.path, "").want(t, 404).message(t)
		contains(t, got, id)
	}
}

func TestAddOrganizations(t *testing.T) {
	c := newClient(t)
	ids := c.srv.AddOrganizations(10_000)
	var list api.ListDistributorOrganizations200JSONResponseBody
	c.do("GET", "/distributor/organization", "").want(t, 200).decode(t, &list)
	if len(list.Organizations) != 10_000 || list.Organizations[9999].ID != ids[9999] {
		t.Fatalf("listed %d organizations", len(list.Organizations))
	}
	if c.srv.Applied("") != 1 || c.srv.Requests("") != 1 {
		t.Errorf("seeding counted: applied %d, requests %d", c.srv.Applied(""), c.srv.Requests(""))
	}
}
