package crmsync_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/inflight"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// TestApplyConcurrently: with a concurrency of 4, four creates are in
// flight at once (the fake holds them until the fourth arrives); a create
// the API refuses is that customer's failure only; outcomes follow the
// plan's order; every organization is created once, and a second sync
// creates only the one that failed.
func TestApplyConcurrently(t *testing.T) {
	const n, concurrency = 12, 4
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	isCreate := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/distributor/organization")
	}
	srv := httptest.NewServer(inflight.New(concurrency, 2*time.Minute).Handler(t, isCreate, api)) // never reached on a healthy run
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithCredentials(api.Key(), api.Secret()), wrapper.WithEndpoint(srv.URL+partnertest.BasePath))
	if err != nil {
		t.Fatal(err)
	}
	var customers []crmsync.Customer
	for i := range n {
		customers = append(customers, customer(fmt.Sprintf("crm-%02d", i), wrapper.StatusActive))
	}
	customers[5].Status = wrapper.StatusSuspended // create, then suspend
	plan, err := crmsync.Plan(t.Context(), c, customers)
	if err != nil {
		t.Fatal(err)
	}
	api.InjectFault(opCreate, 1, partnertest.Fault{Status: 400})
	res, err := crmsync.ApplyConcurrently(t.Context(), c, plan, concurrency)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outcomes) != n {
		t.Fatalf("%d outcomes, want %d", len(res.Outcomes), n)
	}
	for i, o := range res.Outcomes {
		if o.ClientID != customers[i].ClientID {
			t.Fatalf("outcome %d is %s: not in the plan's order", i, o.ClientID)
		}
	}
	failed := res.Failed()
	if len(failed) != 1 || !strings.HasPrefix(failed[0].Err.Error(), "create: ") || len(failed[0].Done) != 0 {
		t.Fatalf("failed: %+v, want one create", failed)
	}
	if got := len(api.Organizations()); got != n-1 {
		t.Errorf("%d organizations, want %d", got, n-1)
	}
	for _, o := range res.Outcomes {
		if o.ClientID == customers[5].ClientID && o.Err == nil && o.Organization.Status != wrapper.StatusSuspended {
			t.Errorf("%s: %s after create and suspend", o.ClientID, o.Organization.Status)
		}
	}

	plan, err = crmsync.Plan(t.Context(), c, customers)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() != 1 {
		t.Fatalf("second plan: %d changes, want the failed create", plan.Changes())
	}
	res, err = crmsync.ApplyConcurrently(t.Context(), c, plan, concurrency)
	if err != nil || len(res.Failed()) != 0 || len(res.Outcomes) != 1 || res.Outcomes[0].ClientID != failed[0].ClientID {
		t.Fatalf("second apply: %+v, %v", res, err)
	}
	seen := map[string]int{}
	for _, o := range api.Organizations() {
		seen[o.ClientID]++
	}
	for _, cu := range customers {
		if seen[cu.ClientID] != 1 {
			t.Errorf("%s: %d organizations", cu.ClientID, seen[cu.ClientID])
		}
	}
}
