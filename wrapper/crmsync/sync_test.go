package crmsync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

const (
	opList      = "list-distributor-organizations"
	opCreate    = "create-distributor-organization"
	opActivate  = "activate-distributor-organization"
	opSuspend   = "suspend-distributor-organization"
	opTerminate = "terminate-distributor-organization"
)

func start(t *testing.T) (*partnertest.Server, *wrapper.Client) {
	t.Helper()
	srv := partnertest.NewServer(partnertest.WithTB(t))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL),
		wrapper.WithRetry(3, time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// customer is a valid customer with client-id id and status.
func customer(id string, status wrapper.Status) crmsync.Customer {
	return crmsync.Customer{
		ClientID: id, DisplayName: "Customer " + id, OwnerEmail: "owner@" + id + ".example",
		BillingAddress: wrapper.BillingAddress{Name: "Customer " + id, StreetName: "Rue du Lac", BuildingNumber: "7",
			City: "Lausanne", PostalCode: "1003", Country: "CH"},
		Status: status,
	}
}

// seed creates the customer's organization and moves it to status.
func seed(t *testing.T, c *wrapper.Client, cu crmsync.Customer, status wrapper.Status) wrapper.Organization {
	t.Helper()
	ctx := context.Background()
	org, err := c.CreateOrganization(ctx, wrapper.CreateOrganizationRequest{DisplayName: cu.DisplayName,
		OwnerEmail: cu.OwnerEmail, ClientID: cu.ClientID, BillingAddress: cu.BillingAddress})
	switch {
	case err != nil:
	case status == wrapper.StatusSuspended:
		org, err = c.SuspendOrganization(ctx, org.ID)
	case status == wrapper.StatusTerminated:
		_, err = c.TerminateOrganization(ctx, org.ID)
		org.Status = wrapper.StatusTerminated
	}
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// writes counts the write requests the fake received.
func writes(srv *partnertest.Server) map[string]int {
	out := map[string]int{}
	for _, op := range []string{opCreate, opActivate, opSuspend, opTerminate, "schedule-purge-distributor-organization", "metering-transaction"} {
		if n := srv.Requests(op); n > 0 {
			out[op] = n
		}
	}
	return out
}

func actionsOf(s crmsync.Sync) map[string]string {
	out := map[string]string{}
	for _, st := range s.Steps {
		var a []string
		for _, x := range st.Actions {
			a = append(a, string(x))
		}
		out[st.Customer.ClientID] = strings.Join(a, "+")
	}
	return out
}

// TestPlanApplySecondRun: the plan names the right action for every
// case and sends one listing and nothing else; Apply does exactly the
// planned writes; the second run plans nothing and sends no write.
// Drift is reported on every run and never acted on; organizations the
// file does not know are never touched.
func TestPlanApplySecondRun(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	const A, S, T = wrapper.StatusActive, wrapper.StatusSuspended, wrapper.StatusTerminated
	customers := []crmsync.Customer{
		customer("same", A), customer("to-suspend", S), customer("to-activate", A), customer("to-terminate", T),
		customer("new", A), customer("new-suspended", S), customer("gone", T), customer("reborn", A), customer("moved", A),
		customer("still-suspended", S),
	}
	for _, s := range []struct {
		i      int
		status wrapper.Status
	}{{0, A}, {1, A}, {2, S}, {3, A}, {7, T}, {8, A}, {9, S}} {
		seed(t, c, customers[s.i], s.status)
	}
	customers[8].BillingAddress.City = "Genève" // the API still has Lausanne
	customers[8].BillingAddress.Address = "c/o Reception"
	untracked := srv.AddOrganizations(2)
	noKey, err := c.CreateOrganization(ctx, wrapper.CreateOrganizationRequest{DisplayName: "No key", OwnerEmail: "o@nokey.example",
		BillingAddress: wrapper.BillingAddress{Name: "No key", StreetName: "S", City: "C", PostalCode: "1", Country: "FR"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SuspendOrganization(ctx, untracked[1]); err != nil {
		t.Fatal(err)
	}
	srv.ResetCounts()

	plan, err := crmsync.Plan(ctx, c, customers)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"same": "", "to-suspend": "suspend", "to-activate": "activate", "to-terminate": "terminate",
		"new": "create", "new-suspended": "create+suspend", "gone": "", "reborn": "create", "moved": "", "still-suspended": ""}
	if got := actionsOf(plan); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("plan\n got %v\nwant %v", got, want)
	}
	if plan.Changes() != 6 {
		t.Errorf("%d changes, want 6", plan.Changes())
	}
	wantDrift := []crmsync.Drift{{Column: "city", API: "Lausanne", File: "Genève"}, {Column: "address", API: "", File: "c/o Reception"}}
	if got := plan.Steps[8].Drift; !slices.Equal(got, wantDrift) {
		t.Errorf("drift %+v, want %+v", got, wantDrift)
	}
	for i, st := range plan.Steps {
		if i != 8 && st.Drift != nil {
			t.Errorf("%s: drift %+v, want none", st.Customer.ClientID, st.Drift)
		}
	}
	var untrackedIDs []wrapper.ID
	for _, o := range plan.Untracked {
		untrackedIDs = append(untrackedIDs, o.ID)
	}
	if wantIDs := []wrapper.ID{untracked[0], untracked[1], noKey.ID}; !slices.Equal(untrackedIDs, wantIDs) {
		t.Errorf("untracked %v, want %v", untrackedIDs, wantIDs)
	}
	if srv.Requests("") != 1 || srv.Requests(opList) != 1 {
		t.Errorf("plan sent %d requests (%d lists), want exactly one listing", srv.Requests(""), srv.Requests(opList))
	}
	before := srv.Organizations()

	res, err := crmsync.Apply(ctx, c, plan)
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Failed(); f != nil || len(res.Outcomes) != 6 {
		t.Fatalf("outcomes %+v, failed %+v", res.Outcomes, f)
	}
	wantWrites := map[string]int{opCreate: 3, opSuspend: 2, opActivate: 1, opTerminate: 1}
	if got := writes(srv); fmt.Sprint(got) != fmt.Sprint(wantWrites) {
		t.Errorf("writes %v, want %v", got, wantWrites)
	}
	if n := srv.Requests(opList); n != 1 {
		t.Errorf("%d listings in the run, want 1", n)
	}
	statusOf := func(orgs []wrapper.Organization) map[wrapper.ID]wrapper.Status {
		m := map[wrapper.ID]wrapper.Status{}
		for _, o := range orgs {
			m[o.ID] = o.Status
		}
		return m
	}
	after, was := statusOf(srv.Organizations()), statusOf(before)
	for _, id := range untrackedIDs {
		if after[id] != was[id] {
			t.Errorf("untracked %s went from %s to %s", id, was[id], after[id])
		}
	}
	status := map[string]wrapper.Status{} // client-id → its live organization's status, else terminated
	for _, o := range srv.Organizations() {
		if o.ClientID == "" {
			continue
		}
		if s := o.Status; s != T || status[o.ClientID] == "" {
			status[o.ClientID] = s
		}
	}
	for _, cu := range customers {
		if got := status[cu.ClientID]; cu.Status != T && got != cu.Status {
			t.Errorf("%s is %q, want %s", cu.ClientID, got, cu.Status)
		}
	}
	if status["to-terminate"] != T || status["gone"] != "" {
		t.Errorf("statuses %v", status)
	}

	// Second run: nothing to do, no write sent.
	srv.ResetCounts()
	again, err := crmsync.Plan(ctx, c, customers)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changes() != 0 || len(again.Steps[8].Drift) != 2 || len(again.Untracked) != 3 {
		t.Errorf("second plan: %d changes, drift %+v, %d untracked; want 0, the same drift, 3", again.Changes(), again.Steps[8].Drift, len(again.Untracked))
	}
	res, err = crmsync.Apply(ctx, c, again)
	if err != nil || len(res.Outcomes) != 0 {
		t.Fatalf("second apply: %+v, %v", res, err)
	}
	if srv.Requests("") != 1 || len(writes(srv)) != 0 {
		t.Errorf("second run sent %d requests (writes %v), want only the listing", srv.Requests(""), writes(srv))
	}
}

// TestApplyFailurePerOrganization: a failed action is reported for its
// customer and the others go on; the next run retries only that one.
func TestApplyFailurePerOrganization(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()
	customers := []crmsync.Customer{customer("a", wrapper.StatusSuspended), customer("b", wrapper.StatusSuspended), customer("c", wrapper.StatusActive)}
	seed(t, c, customers[0], wrapper.StatusActive)
	seed(t, c, customers[1], wrapper.StatusActive)
	plan, err := crmsync.Plan(ctx, c, customers)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(opSuspend, 1, partnertest.Fault{Status: http.StatusConflict})
	res, err := crmsync.Apply(ctx, c, plan)
	if err != nil {
		t.Fatal(err)
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].ClientID != "a" || !errors.Is(failed[0].Err, wrapper.ErrConflict) ||
		!strings.HasPrefix(failed[0].Err.Error(), "suspend: ") || len(failed[0].Done) != 0 {
		t.Fatalf("failed %+v, want a's suspend refused", failed)
	}
	if len(res.Outcomes) != 3 || res.Outcomes[1].Err != nil || res.Outcomes[2].Err != nil ||
		res.Outcomes[2].Organization.Status != wrapper.StatusActive || !slices.Equal(res.Outcomes[2].Done, []crmsync.Action{crmsync.Create}) {
		t.Errorf("outcomes %+v", res.Outcomes)
	}
	again, err := crmsync.Plan(ctx, c, customers)
	if err != nil {
		t.Fatal(err)
	}
	if got := actionsOf(again); got["a"] != "suspend" || again.Changes() != 1 {
		t.Errorf("second plan %v, want only a's suspend", got)
	}
}

// TestConflictLeftAlone: a client-id on two live organizations is
// reported, and nothing is done to either.
func TestConflictLeftAlone(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	cu := customer("twice", wrapper.StatusSuspended)
	one, two := seed(t, c, cu, wrapper.StatusActive), seed(t, c, cu, wrapper.StatusActive)
	plan, err := crmsync.Plan(context.Background(), c, []crmsync.Customer{cu})
	if err != nil {
		t.Fatal(err)
	}
	st := plan.Steps[0]
	if st.Actions != nil || !strings.Contains(st.Conflict, one.ID.String()) || !strings.Contains(st.Conflict, two.ID.String()) {
		t.Fatalf("step %+v, want a conflict naming both", st)
	}
	srv.ResetCounts()
	if _, err := crmsync.Apply(context.Background(), c, plan); err != nil || srv.Requests("") != 0 {
		t.Fatalf("apply: %v, %d requests; want none", err, srv.Requests(""))
	}
}

// TestPlanRefusesBadCustomers: invalid customers send nothing at all.
func TestPlanRefusesBadCustomers(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	bad := customer("x", "closed")
	_, err := crmsync.Plan(context.Background(), c, []crmsync.Customer{customer("ok", wrapper.StatusActive), bad})
	var ie *crmsync.InvalidError
	if !errors.As(err, &ie) || !errors.Is(err, wrapper.ErrInvalidInput) ||
		err.Error() != `customers:2: status: must be one of active, suspended, terminated (got "closed")` {
		t.Fatalf("got %v, want the bad status of customer 2", err)
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}
