package partnertest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

func TestCounts(t *testing.T) {
	c := newClient(t)
	id := c.create()
	c.create()
	c.do("GET", "/distributor/organization/"+id, "").want(t, 200)
	c.do("GET", "/distributor/organization/not-a-uuid", "").want(t, 400) // counted, not applied
	c.do("POST", "/distributor/organization", `{}`).want(t, 400)
	c.do("GET", "/nowhere", "").want(t, 404) // unroutable: only the total
	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Status: 503})
	c.do("POST", "/distributor/organization", orgBody).want(t, 503)

	for op, want := range map[string][2]int{
		opCreate: {4, 2},
		opGet:    {2, 1},
		opList:   {0, 0},
		"":       {7, 3},
	} {
		if got := c.srv.Requests(op); got != want[0] {
			t.Errorf("Requests(%q) = %d, want %d", op, got, want[0])
		}
		if got := c.srv.Applied(op); got != want[1] {
			t.Errorf("Applied(%q) = %d, want %d", op, got, want[1])
		}
	}
	c.srv.ResetCounts()
	if c.srv.Requests("") != 0 || c.srv.Applied("") != 0 || len(c.srv.Organizations()) != 2 {
		t.Errorf("ResetCounts: requests %d applied %d orgs %d", c.srv.Requests(""), c.srv.Applied(""), len(c.srv.Organizations()))
	}
}

func TestConcurrent(t *testing.T) {
	c := newClient(t)
	const workers, each = 32, 5
	c.srv.InjectFault(opGet, 10, partnertest.Fault{Status: 503})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				id := c.create()
				switch w % 3 {
				case 0:
					c.do("PUT", "/distributor/organization/"+id+":suspend", "").want(t, 200)
				case 1:
					c.do("POST", "/metering:apply", `{"organization":"`+id+`","usage":[{"product":"p","quantity":1}]}`).want(t, 204)
				}
				if r := c.do("GET", "/distributor/organization/"+id, ""); r.status != 200 && r.status != 503 {
					t.Errorf("get: %d %s", r.status, r.body)
				}
				c.do("GET", "/distributor/organization/"+id+"/usage", "").want(t, 200)
				c.do("GET", "/distributor/organization", "").want(t, 200)
				_ = c.srv.Organizations()
				_ = c.srv.Requests("")
			}
		})
	}
	wg.Wait()
	var list api.ListDistributorOrganizations200JSONResponseBody
	c.do("GET", "/distributor/organization", "").want(t, 200).decode(t, &list)
	if n := len(list.Organizations); n != workers*each || c.srv.Applied(opCreate) != n {
		t.Errorf("%d organizations, %d creates applied; want %d", n, c.srv.Applied(opCreate), workers*each)
	}
	if got := c.srv.Requests(opGet) - c.srv.Applied(opGet); got != 10 {
		t.Errorf("%d gets faulted, want 10", got)
	}
}

func TestDemoCredentials(t *testing.T) {
	if !strings.HasPrefix(partnertest.DemoKey, "EXO") {
		t.Errorf("DemoKey %q does not start with EXO", partnertest.DemoKey)
	}
	a := partnertest.NewAPI()
	if a.Key() != partnertest.DemoKey || a.Secret() != partnertest.DemoSecret {
		t.Errorf("default credentials %s", a.Key())
	}
}

// The API is a plain http.Handler: it serves a ResponseRecorder too.
func TestAPIAsHandler(t *testing.T) {
	a := partnertest.NewAPI(partnertest.WithClock(clock))
	defer a.Close()
	a.AddOrganizations(2)
	req, _ := http.NewRequest("GET", "http://example.com"+partnertest.BasePath+"/distributor/organization", nil)
	if err := signer.New(a.Key(), a.Secret(), signer.WithClock(clock)).Sign(req); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	var list api.ListDistributorOrganizations200JSONResponseBody
	if err := json.Unmarshal(rec.Body.Bytes(), &list); rec.Code != 200 || err != nil || len(list.Organizations) != 2 {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
}
