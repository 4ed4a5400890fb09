package partnertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

const routeID = "0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11"

func TestMatchRoute(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		op, tmpl     string
		id           string
	}{
		{"GET", "/distributor/organization", "list-distributor-organizations", "/distributor/organization", ""},
		{"POST", "/distributor/organization", "create-distributor-organization", "/distributor/organization", ""},
		{"GET", "/distributor/organization/" + routeID, "get-distributor-organization", "/distributor/organization/{id}", routeID},
		{"PUT", "/distributor/organization/" + routeID + ":activate", "activate-distributor-organization", "/distributor/organization/{id}:activate", routeID},
		{"PUT", "/distributor/organization/" + routeID + ":suspend", "suspend-distributor-organization", "/distributor/organization/{id}:suspend", routeID},
		{"DELETE", "/distributor/organization/" + routeID + ":terminate", "terminate-distributor-organization", "/distributor/organization/{id}:terminate", routeID},
		{"PUT", "/distributor/organization/" + routeID + ":schedule-purge", "schedule-purge-distributor-organization", "/distributor/organization/{id}:schedule-purge", routeID},
		{"GET", "/distributor/organization/" + routeID + "/usage", "list-distributor-organization-usage", "/distributor/organization/{id}/usage", routeID},
		{"POST", "/metering:apply", "metering-transaction", "/metering:apply", ""},
		// An escaped colon is the same path.
		{"PUT", "/distributor/organization/" + routeID + "%3Asuspend", "suspend-distributor-organization", "/distributor/organization/{id}:suspend", routeID},
		// A value that is not a UUID still routes; validation names it.
		{"GET", "/distributor/organization/not-a-uuid", "get-distributor-organization", "/distributor/organization/{id}", "not-a-uuid"},
	} {
		r, ok := matchRoute(tc.method, tc.path)
		if !ok {
			t.Errorf("%s %s: no match", tc.method, tc.path)
			continue
		}
		if r.OperationID != tc.op || r.PathTemplate != tc.tmpl || r.Method != tc.method {
			t.Errorf("%s %s: got %s %s %s, want %s %s", tc.method, tc.path, r.Method, r.PathTemplate, r.OperationID, tc.op, tc.tmpl)
		}
		if r.Operation == nil || r.PathItem == nil || r.Operation.OperationID != tc.op {
			t.Errorf("%s %s: Operation/PathItem not set", tc.method, tc.path)
		}
		if got := r.PathParams["id"]; got != tc.id {
			t.Errorf("%s %s: id %q, want %q", tc.method, tc.path, got, tc.id)
		}
	}
}

func TestMatchRouteMethodNotAllowed(t *testing.T) {
	for _, tc := range []struct{ method, path, tmpl string }{
		{"GET", "/distributor/organization/" + routeID + ":suspend", "/distributor/organization/{id}:suspend"},
		{"DELETE", "/distributor/organization", "/distributor/organization"},
		{"GET", "/metering:apply", "/metering:apply"},
	} {
		r, ok := matchRoute(tc.method, tc.path)
		if ok {
			t.Errorf("%s %s: matched %s", tc.method, tc.path, r.OperationID)
			continue
		}
		if r.PathItem == nil || r.PathTemplate != tc.tmpl || r.Operation != nil {
			t.Errorf("%s %s: want the path item of %s and no operation, got %+v", tc.method, tc.path, tc.tmpl, r)
		}
	}
}

func TestMatchRouteUnknownPath(t *testing.T) {
	for _, p := range []string{
		"/", "", "/distributor", "/distributor/organization/", "/distributor/organization/" + routeID + "/usage/x",
		"/distributor/organization/" + routeID + "/bogus", "/metering", "/organization/" + routeID, "/distributor/organization/%zz",
	} {
		if r, ok := matchRoute(http.MethodGet, p); ok || r.PathItem != nil {
			t.Errorf("GET %q: matched %+v", p, r)
		}
	}
}

// Every operation in the spec is reachable through Match.
func TestMatchRouteCoversSpec(t *testing.T) {
	d := contract.MustDoc()
	for p, item := range d.Paths.Map() {
		for m, op := range item.Operations() {
			path := strings.NewReplacer("{id}", routeID).Replace(p)
			r, ok := matchRoute(m, path)
			if !ok || r.OperationID != op.OperationID {
				t.Errorf("%s %s: got %q, want %q", m, path, r.OperationID, op.OperationID)
			}
		}
	}
}

func BenchmarkMatchRoute(b *testing.B) {
	p := "/distributor/organization/" + routeID + ":suspend"
	for b.Loop() {
		if _, ok := matchRoute(http.MethodPut, p); !ok {
			b.Fatal("no match")
		}
	}
}
