package partnertest_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// clientFor is a wrapper.Client pointed at srv.
func clientFor(t *testing.T, srv *partnertest.Server) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL),
		wrapper.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The fake stores and returns the types users get from the client: an
// organization seeded with every field reads back through the client equal,
// and what a client sends is what the fake reports.
func TestSeedReadsBackThroughTheClient(t *testing.T) {
	srv := partnertest.NewServer(partnertest.WithTB(t))
	t.Cleanup(srv.Close)
	c := clientFor(t, srv)
	ctx := context.Background()

	want := wrapper.Organization{
		ID: wrapper.MustParseID("5b0c2a9e-1f6d-4c3b-9a8e-7d6c5b4a3f21"), Status: wrapper.StatusSuspended, ClientID: "crm-7",
		BillingAddress: wrapper.BillingAddress{Name: "Gletscher AG", StreetName: "Bahnhofstrasse", BuildingNumber: "1",
			City: "Zermatt", PostalCode: "3920", Country: "CH", Address: "c/o Reception"},
	}
	if got := srv.Seed(want); !reflect.DeepEqual(got, want) {
		t.Fatalf("Seed returned %+v, want %+v", got, want)
	}
	if got, err := c.GetOrganization(ctx, want.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetOrganization = %+v, %v; want %+v", got, err, want)
	}
	if got, err := c.ListOrganizations(ctx); err != nil || !reflect.DeepEqual(got, []wrapper.Organization{want}) {
		t.Fatalf("ListOrganizations = %+v, %v", got, err)
	}

	// A zero ID gets one, an empty status becomes active; seeding an
	// existing id replaces it in place.
	minimal := srv.Seed(wrapper.Organization{BillingAddress: want.BillingAddress})
	if minimal.ID == (wrapper.ID{}) || minimal.Status != wrapper.StatusActive {
		t.Fatalf("Seed filled in %+v", minimal)
	}
	want.Status, want.ClientID = wrapper.StatusActive, "crm-8"
	srv.Seed(want)
	if got := srv.Organizations(); len(got) != 2 || !reflect.DeepEqual(got[0], want) || got[1].ID != minimal.ID {
		t.Fatalf("after replacing: %+v", got)
	}

	// The seeded organization goes through the lifecycle like any other.
	if got, err := c.SuspendOrganization(ctx, want.ID); err != nil || got.Status != wrapper.StatusSuspended || got.ClientID != "crm-8" {
		t.Fatalf("SuspendOrganization = %+v, %v", got, err)
	}

	// Metering comes back as the records the client sent.
	usage := []wrapper.UsageRecord{{Product: "partner", Variable: "commission", Quantity: -42.00005}, {Product: "partner", Quantity: 0}}
	if err := c.ApplyMetering(ctx, minimal.ID, usage); err != nil {
		t.Fatal(err)
	}
	if got := srv.Metering(minimal.ID); !reflect.DeepEqual(got, usage) {
		t.Fatalf("Metering() = %+v, want %+v", got, usage)
	}
}

// Snapshots share no memory with the fake.
func TestSnapshotsAreCopies(t *testing.T) {
	srv := partnertest.NewServer(partnertest.WithTB(t))
	t.Cleanup(srv.Close)
	org := srv.Seed(wrapper.Organization{ClientID: "a", BillingAddress: wrapper.BillingAddress{Name: "n", Country: "CH", City: "c", PostalCode: "p", StreetName: "s"}})
	snap := srv.Organizations()
	snap[0].ClientID = "changed"
	if got := srv.Organizations()[0].ClientID; got != "a" {
		t.Errorf("changing a snapshot changed the fake: %q", got)
	}
	if org.ClientID != "a" {
		t.Errorf("Seed's result %+v", org)
	}
}

// recorder is a partnertest.TB that records what it is told.
type recorder struct {
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// An organization seeded against the contract is caught when it is served.
func TestSeedBreakingTheContractIsReported(t *testing.T) {
	rec := &recorder{}
	srv := partnertest.NewServer(partnertest.WithTB(rec))
	t.Cleanup(srv.Close)
	bad := srv.Seed(wrapper.Organization{BillingAddress: wrapper.BillingAddress{Name: "n", Country: "Switzerland", City: "c", PostalCode: "p", StreetName: "s"}})
	_, err := clientFor(t, srv).GetOrganization(context.Background(), bad.ID)
	if !strings.Contains(fmt.Sprint(err), "500") {
		t.Errorf("got %v, want a 500", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "country") {
		t.Errorf("reported %q", rec.errs)
	}
}
