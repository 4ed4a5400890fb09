package partnertest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// now is the fixed time of most tests: the current period is 2025-06.
var now = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

const orgBody = `{"display-name":"Acme","owner-email":"owner@acme.example","client-id":"crm-42",` +
	`"billing-address":{"name":"Acme SA","country":"CH","city":"Lausanne","postal-code":"1003","street-name":"Rue du Lac","building-number":"7"}}`

// tclient sends signed requests to a fake over real HTTP.
type tclient struct {
	t   testing.TB
	srv *partnertest.Server
	sig *signer.Signer
	hc  *http.Client
}

// result is one answer, read in full.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func newClient(t testing.TB, opts ...partnertest.Option) *tclient {
	t.Helper()
	srv := partnertest.NewServer(append([]partnertest.Option{partnertest.WithClock(clock), partnertest.WithTB(t)}, opts...)...)
	t.Cleanup(srv.Close)
	return &tclient{t: t, srv: srv, sig: signer.New(srv.Key(), srv.Secret(), signer.WithClock(clock)), hc: srv.Client()}
}

// request builds a signed request for a path relative to the base URL.
func (c *tclient) request(ctx context.Context, method, path, body string) *http.Request {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.srv.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.sig != nil {
		if err := c.sig.Sign(req); err != nil {
			c.t.Fatal(err)
		}
	}
	return req
}

func (c *tclient) send(req *http.Request) result {
	resp, err := c.hc.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func (c *tclient) do(method, path, body string) result {
	c.t.Helper()
	return c.send(c.request(context.Background(), method, path, body))
}

// want fails the test unless r has the status; it returns r.
func (r result) want(t testing.TB, status int) result {
	t.Helper()
	if r.err != nil {
		t.Fatalf("request failed: %v", r.err)
	}
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// decode unmarshals the body into v.
func (r result) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// message is the "message" of a JSON error body.
func (r result) message(t testing.TB) string {
	t.Helper()
	var m struct{ Message string }
	r.decode(t, &m)
	if m.Message == "" {
		t.Fatalf("no message in %s", r.body)
	}
	return m.Message
}

// create creates an organization and returns its id.
func (c *tclient) create() string {
	c.t.Helper()
	var o struct{ ID string }
	c.do("POST", "/distributor/organization", orgBody).want(c.t, 200).decode(c.t, &o)
	return o.ID
}

func contains(t testing.TB, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}

var withCreds = partnertest.WithCredentials

const defaultKey, defaultSecret = partnertest.DemoKey, partnertest.DemoSecret
