package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// The API never redirects, and a signature sent to another host could be
// replayed: no redirect reaches a second listener, whether the client is
// New's own or a WithHTTPClient one that follows redirects itself.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, orgJSON) // a 200 that must never be taken for the answer
	}))
	defer other.Close()

	calls := []struct {
		name       string
		idempotent bool
		call       func(*wrapper.Client) error
	}{
		{"get", true, func(c *wrapper.Client) error { _, err := c.GetOrganization(context.Background(), orgID); return err }},
		{"create", false, func(c *wrapper.Client) error {
			_, err := c.CreateOrganization(context.Background(), validRequest())
			return err
		}},
		{"metering", false, func(c *wrapper.Client) error {
			return c.ApplyMetering(context.Background(), orgID, []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}})
		}},
	}
	clients := []struct {
		name    string
		follows bool
		hc      func(*httptest.Server) *http.Client
	}{
		{"default", false, func(*httptest.Server) *http.Client { return nil }},
		{"WithHTTPClient-following", true, func(s *httptest.Server) *http.Client {
			hc := s.Client()
			hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
			return hc
		}},
	}
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, cl := range clients {
			for _, cc := range calls {
				t.Run(fmt.Sprintf("%d/%s/%s", code, cl.name, cc.name), func(t *testing.T) {
					var hits atomic.Int32
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						hits.Add(1)
						_, _ = io.Copy(io.Discard, r.Body)
						http.Redirect(w, r, other.URL+r.URL.Path, code)
					}))
					defer srv.Close()
					opts := []wrapper.Option{wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL + "/v1.alpha"),
						wrapper.WithRetry(3, time.Millisecond, 5*time.Millisecond)}
					if hc := cl.hc(srv); hc != nil {
						opts = append(opts, wrapper.WithHTTPClient(hc))
					}
					c, err := wrapper.New(opts...)
					if err != nil {
						t.Fatal(err)
					}
					err = cc.call(c)
					var ae *wrapper.APIError
					switch {
					case err == nil:
						t.Fatal("a redirect was taken for success")
					case cl.follows:
						if !errors.Is(err, wrapper.ErrLeavesEndpoint) {
							t.Errorf("err %v, want ErrLeavesEndpoint", err)
						}
					case !errors.As(err, &ae) || ae.StatusCode != code:
						t.Errorf("err %v, want an *APIError %d", err, code)
					}
					if got := errors.Is(err, wrapper.ErrOutcomeUnknown); got != !cc.idempotent {
						t.Errorf("errors.Is(ErrOutcomeUnknown) = %v for %s: %v", got, cc.name, err)
					}
					if hits.Load() != 1 {
						t.Errorf("the endpoint got %d requests, want 1 (a redirect is not retried)", hits.Load())
					}
				})
			}
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the other listener received %d requests", n)
	}
}

// A WithHTTPClient whose CheckRedirect follows is still kept off plain http
// to a host that is not loopback: the hop is refused before it is signed.
func TestRedirectToPlainHTTPRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://partner-api.invalid/v1.alpha/distributor/organization", http.StatusFound)
	}))
	defer srv.Close()
	hc := srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
	var dialed atomic.Int32
	base := hc.Transport.(*http.Transport).Clone()
	dial := base.DialContext
	base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.Add(1)
		return dial(ctx, network, addr)
	}
	hc.Transport = base
	c, err := wrapper.New(wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL+"/v1.alpha"), wrapper.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListOrganizations(context.Background())
	if !errors.Is(err, wrapper.ErrLeavesEndpoint) {
		t.Fatalf("err %v, want ErrLeavesEndpoint", err)
	}
	if n := dialed.Load(); n != 1 {
		t.Fatalf("%d connections dialed, want only the endpoint's", n)
	}
}
