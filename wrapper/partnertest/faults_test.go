package partnertest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

const (
	opList   = "list-distributor-organizations"
	opCreate = "create-distributor-organization"
	opGet    = "get-distributor-organization"
)

func TestFaultStatus(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opList, 2, partnertest.Fault{Status: 503, RetryAfter: "2"})
	for range 2 {
		r := c.do("GET", "/distributor/organization", "").want(t, 503)
		if r.header.Get("Retry-After") != "2" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.header)
		}
		contains(t, r.message(t), "503")
	}
	c.do("GET", "/distributor/organization", "").want(t, 200)

	c.srv.InjectFault(opList, 1, partnertest.Fault{Status: 429, Body: "slow down", ContentType: "text/plain"})
	r := c.do("GET", "/distributor/organization", "").want(t, 429)
	if string(r.body) != "slow down" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("raw body fault: %q %q", r.header.Get("Content-Type"), r.body)
	}
	if got := c.srv.Requests(opList); got != 4 {
		t.Errorf("Requests = %d, want 4", got)
	}
}

func TestFaultScope(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opGet, 1, partnertest.Fault{Status: 500}) // not the list
	c.srv.InjectFault("", -1, partnertest.Fault{Status: 502})   // every operation, until cleared
	for range 3 {
		c.do("GET", "/distributor/organization", "").want(t, 502)
	}
	c.srv.ClearFaults()
	c.do("GET", "/distributor/organization", "").want(t, 200)
	c.srv.InjectFault(opCreate, 0, partnertest.Fault{Status: 500}) // n == 0: nothing
	c.create()
}

func TestFaultDrop(t *testing.T) {
	c := newClient(t)
	c.hc = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Drop: true})
	if r := c.do("POST", "/distributor/organization", orgBody); r.err == nil {
		t.Fatalf("dropped request answered %d", r.status)
	}
	if n := len(c.srv.Organizations()); n != 0 || c.srv.Applied(opCreate) != 0 {
		t.Errorf("drop without AfterAction applied the create: %d orgs", n)
	}

	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Drop: true, AfterAction: true})
	if r := c.do("POST", "/distributor/organization", orgBody); r.err == nil {
		t.Fatalf("dropped request answered %d", r.status)
	}
	if n := len(c.srv.Organizations()); n != 1 || c.srv.Applied(opCreate) != 1 || c.srv.Requests(opCreate) != 2 {
		t.Errorf("drop after action: %d orgs, applied %d, requests %d", n, c.srv.Applied(opCreate), c.srv.Requests(opCreate))
	}
}

func TestFaultAfterAction(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Status: 500, AfterAction: true})
	c.do("POST", "/distributor/organization", orgBody).want(t, 500)
	if n := len(c.srv.Organizations()); n != 1 || c.srv.Applied(opCreate) != 1 {
		t.Errorf("AfterAction: %d orgs, applied %d; want 1, 1", n, c.srv.Applied(opCreate))
	}
	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Status: 500})
	c.do("POST", "/distributor/organization", orgBody).want(t, 500)
	if n := len(c.srv.Organizations()); n != 1 || c.srv.Applied(opCreate) != 1 {
		t.Errorf("without AfterAction: %d orgs, applied %d; want 1, 1", n, c.srv.Applied(opCreate))
	}
}

func TestFaultTruncate(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opCreate, 1, partnertest.Fault{Truncate: true})
	resp, err := c.hc.Do(c.request(t.Context(), "POST", "/distributor/organization", orgBody))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read %d bytes, err %v; want io.ErrUnexpectedEOF", len(b), err)
	}
	if resp.StatusCode != 200 || resp.ContentLength <= int64(len(b)) || int64(len(b)) != resp.ContentLength/2 {
		t.Errorf("status %d, Content-Length %d, read %d", resp.StatusCode, resp.ContentLength, len(b))
	}
	if c.srv.Applied(opCreate) != 1 || len(c.srv.Organizations()) != 1 {
		t.Errorf("truncated create not applied")
	}

	// A 204 has no body to cut: it is sent whole.
	id := c.srv.Organizations()[0].ID
	c.srv.InjectFault("metering-transaction", 1, partnertest.Fault{Truncate: true})
	c.do("POST", "/metering:apply", `{"organization":"`+id.String()+`","usage":[{"product":"p","quantity":1}]}`).want(t, 204)
}

func TestFaultMalformed(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opList, 1, partnertest.Fault{Malformed: true})
	r := c.do("GET", "/distributor/organization", "").want(t, 200)
	if r.header.Get("Content-Type") != "application/json" || json.Valid(r.body) {
		t.Errorf("malformed: %q %s", r.header.Get("Content-Type"), r.body)
	}
}

func TestFaultHTML(t *testing.T) {
	c := newClient(t)
	c.srv.InjectFault(opList, 1, partnertest.Fault{HTML: true, Status: 502, RetryAfter: "1"})
	c.srv.InjectFault(opList, 1, partnertest.Fault{HTML: true})
	r := c.do("GET", "/distributor/organization", "").want(t, 502)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<html>") ||
		r.header.Get("Retry-After") != "1" {
		t.Errorf("HTML: %v %s", r.header, r.body)
	}
	r = c.do("GET", "/distributor/organization", "").want(t, 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("HTML without status: %v", r.header)
	}
}

func TestFaultOversize(t *testing.T) {
	c := newClient(t)
	id := c.create()
	for _, n := range []int64{20, 21, 500, 5 << 20} {
		c.srv.InjectFault(opList, 1, partnertest.Fault{Oversize: n})
		r := c.do("GET", "/distributor/organization", "").want(t, 200)
		if int64(len(r.body)) != n || r.header.Get("Content-Length") != strconv.FormatInt(n, 10) {
			t.Fatalf("oversize %d: got %d bytes (Content-Length %s)", n, len(r.body), r.header.Get("Content-Length"))
		}
		var list api.ListDistributorOrganizations200JSONResponseBody
		r.decode(t, &list)
		if n == 5<<20 && len(list.Organizations) < 10_000 {
			t.Errorf("oversize list holds %d organizations", len(list.Organizations))
		}
	}
	c.srv.InjectFault(opGet, 1, partnertest.Fault{Oversize: 1 << 20})
	r := c.do("GET", "/distributor/organization/"+id, "").want(t, 200)
	if len(r.body) != 1<<20 || !json.Valid(r.body) {
		t.Errorf("oversize get: %d bytes, valid %v", len(r.body), json.Valid(r.body))
	}
}

func TestFaultLatency(t *testing.T) {
	c := newClient(t)

	// A latency-only fault delays the real answer.
	c.srv.InjectFault(opList, 1, partnertest.Fault{Latency: 50 * time.Millisecond})
	start := time.Now()
	c.do("GET", "/distributor/organization", "").want(t, 200)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v", d)
	}

	// A long one is cut short by the client's context; the operation is
	// done only with AfterAction.
	for i, after := range []bool{false, true} {
		c.srv.InjectFault(opCreate, 1, partnertest.Fault{Latency: time.Hour, AfterAction: after})
		// The client gives up once the fake holds the request (and, with
		// AfterAction, has carried it out): no delay to race.
		ctx, cancel := context.WithCancel(t.Context())
		go cancelWhen(func() bool { return c.srv.Requests(opCreate) == i+1 && c.srv.Applied(opCreate) >= i }, cancel)
		start = time.Now()
		r := c.send(c.request(ctx, "POST", "/distributor/organization", orgBody))
		cancel()
		if !errors.Is(r.err, context.Canceled) || time.Since(start) > time.Minute {
			t.Errorf("err %v after %v", r.err, time.Since(start))
		}
		waitFor(t, func() bool { return c.srv.Requests(opCreate) == i+1 && c.srv.Applied(opCreate) >= i })
		if got, want := c.srv.Applied(opCreate), i; got != want {
			t.Errorf("AfterAction %v: applied %d, want %d", after, got, want)
		}
	}

	// SetLatency delays everything.
	c.srv.SetLatency(30 * time.Millisecond)
	start = time.Now()
	c.do("GET", "/distributor/organization", "").want(t, 200)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
	c.srv.SetLatency(0)
}

// cancelWhen calls cancel once cond holds, or after 30 s (the test then
// fails on what it checks). It runs in its own goroutine: no t.Fatal here.
func cancelWhen(cond func() bool, cancel context.CancelFunc) {
	defer cancel()
	for deadline := time.Now().Add(30 * time.Second); !cond() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFor polls cond for up to 30 s: a safety net, not a timing claim.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
	}
}
