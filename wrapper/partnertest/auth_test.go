package partnertest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
)

func TestAuthentication(t *testing.T) {
	c := newClient(t)
	path := "/distributor/organization"
	signed := func(s *signer.Signer) *http.Request {
		req := c.request(t.Context(), "GET", path, "")
		if err := s.Sign(req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
		say    string
	}{
		{"missing", func() *http.Request {
			r := c.request(t.Context(), "GET", path, "")
			r.Header.Del("Authorization")
			return r
		}, 401, "missing Authorization"},
		{"garbage", func() *http.Request {
			r := c.request(t.Context(), "GET", path, "")
			r.Header.Set("Authorization", "Bearer hello")
			return r
		}, 401, "malformed Authorization"},
		{"wrong key", func() *http.Request {
			return signed(signer.New("EXOother", c.srv.Secret(), signer.WithClock(clock)))
		}, 403, `unknown API key "EXOother"`},
		{"wrong secret", func() *http.Request {
			return signed(signer.New(c.srv.Key(), "not-the-secret", signer.WithClock(clock)))
		}, 403, "signature does not match"},
		{"tampered path", func() *http.Request {
			r := c.request(t.Context(), "GET", path, "")
			r.URL.Path += "/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11" // signed for another path
			return r
		}, 403, "signature does not match"},
		{"expired", func() *http.Request {
			return signed(signer.New(c.srv.Key(), c.srv.Secret(), signer.WithClock(func() time.Time { return now.Add(-time.Hour) })))
		}, 403, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req()
			r := c.send(req).want(t, tc.status)
			msg := r.message(t)
			contains(t, msg, tc.say)
			if strings.Contains(string(r.body), c.srv.Secret()) {
				t.Errorf("body echoes the secret: %s", r.body)
			}
			if h := req.Header.Get("Authorization"); h != "" {
				if i := strings.Index(h, "signature="); i >= 0 && strings.Contains(string(r.body), h[i+len("signature="):]) {
					t.Errorf("body echoes the signature: %s", r.body)
				}
			}
		})
	}
	if n := c.srv.Applied(""); n != 0 {
		t.Errorf("applied %d", n)
	}
}

func TestCredentials(t *testing.T) {
	c := newClient(t, withCreds("EXOmine", "s3cret"))
	if c.srv.Key() != "EXOmine" || c.srv.Secret() != "s3cret" {
		t.Fatalf("Key/Secret = %s/%s", c.srv.Key(), c.srv.Secret())
	}
	c.do("GET", "/distributor/organization", "").want(t, 200)
	c.sig = signer.New(defaultKey, defaultSecret, signer.WithClock(clock))
	c.do("GET", "/distributor/organization", "").want(t, 403)
}
