package signer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
)

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			u, err := url.Parse(v.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := signer.Message(v.method, u.EscapedPath(), u.RawQuery, []byte(v.body), v.expires); got != v.message {
				t.Errorf("message\n got %q\nwant %q", got, v.message)
			}
			s := signer.New(v.key, v.secret, signer.WithClock(func() time.Time {
				return time.Unix(v.expires, 0).Add(-signer.DefaultTTL)
			}))
			if got := s.Authorization(v.method, u.EscapedPath(), u.RawQuery, []byte(v.body), v.expires); got != v.header {
				t.Errorf("Authorization\n got %s\nwant %s", got, v.header)
			}

			// The same through Sign on a real request, with the injected clock.
			req, _ := http.NewRequest(v.method, v.url, strings.NewReader(v.body))
			if v.body == "" {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			if err := s.Sign(req); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("Authorization"); got != v.header {
				t.Errorf("Sign\n got %s\nwant %s", got, v.header)
			}

			// And Verify accepts it before expiry, refuses it after.
			secretOf := func(k string) (string, bool) { return v.secret, k == v.key }
			if _, err := signer.Verify(req, []byte(v.body), secretOf, time.Unix(v.expires-1, 0)); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if _, err := signer.Verify(req, []byte(v.body), secretOf, time.Unix(v.expires+1, 0)); !errors.Is(err, signer.ErrExpired) {
				t.Errorf("Verify after expiry: %v, want ErrExpired", err)
			}
		})
	}
}

func TestSignKeepsBodyReadable(t *testing.T) {
	const body = `{"display-name":"ACME"}`
	req, _ := http.NewRequest("POST", "https://partner-api.exoscale.com/v1.alpha/distributor/organization", strings.NewReader(body))
	s := signer.New("EXOkey", "secret")
	if err := s.Sign(req); err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // the send, then two retries through GetBody
		var rc io.ReadCloser = req.Body
		if i > 0 {
			var err error
			if rc, err = req.GetBody(); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := io.ReadAll(rc)
		if string(got) != body {
			t.Fatalf("read %d: body %q, want %q", i, got, body)
		}
	}
}

func TestExpiryUsesClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := signer.New("EXOkey", "secret", signer.WithClock(func() time.Time { return now }))
	if got, want := s.Expiry(), now.Add(10*time.Minute).Unix(); got != want {
		t.Fatalf("Expiry = %d, want now + 10 min = %d", got, want)
	}
}

func TestQuerySigning(t *testing.T) {
	tests := []struct{ query, wantArgs, wantValues string }{
		{"period=2025-01", "period", "2025-01"},
		{"b=2&a=1", "a;b", "12"},
		{"a=1&a=2&b=3", "b", "3"},            // repeated names are not signed
		{"a=1&a=2&a=3&b=3", "b", "3"},        // however often they repeat
		{"x=%2F%20y&q=a+b", "q;x", "a b/ y"}, // values are decoded
		{"", "", ""},
		{"=x&a%3Bb=1&c=2", "c", "2"}, // names the header cannot carry are not signed
	}
	for _, tt := range tests {
		msg := signer.Message("GET", "/p", tt.query, nil, 1)
		if want := "GET /p\n\n" + tt.wantValues + "\n\n1"; msg != want {
			t.Errorf("query %q: message %q, want %q", tt.query, msg, want)
		}
		h := signer.New("k", "s").Authorization("GET", "/p", tt.query, nil, 1)
		parsed, err := signer.ParseHeader(h)
		if err != nil {
			t.Fatalf("query %q: %v", tt.query, err)
		}
		if got := strings.Join(parsed.SignedQueryArgs, ";"); got != tt.wantArgs {
			t.Errorf("query %q: signed-query-args %q, want %q", tt.query, got, tt.wantArgs)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Unix(1767225000, 0)
	s := signer.New("EXOkey", "secret", signer.WithClock(func() time.Time { return now }))
	secretOf := func(k string) (string, bool) { return "secret", k == "EXOkey" }
	signed := func() *http.Request {
		req, _ := http.NewRequest("GET", "http://127.0.0.1/v1.alpha/distributor/organization?period=2025-01", nil)
		if err := s.Sign(req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	tests := []struct {
		name   string
		mutate func(*http.Request)
		want   error
	}{
		{"missing", func(r *http.Request) { r.Header.Del("Authorization") }, signer.ErrMissing},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, signer.ErrMalformed},
		{"garbage", func(r *http.Request) { r.Header.Set("Authorization", signer.Scheme+" nonsense") }, signer.ErrMalformed},
		{"unknown key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "EXOkey", "EXOother", 1))
		}, signer.ErrUnknownKey},
		{"other path", func(r *http.Request) { r.URL.Path = "/v1.alpha/distributor/organization/x" }, signer.ErrBadSignature},
		{"other query value", func(r *http.Request) { r.URL.RawQuery = "period=2025-02" }, signer.ErrBadSignature},
		{"signed arg dropped", func(r *http.Request) { r.URL.RawQuery = "" }, signer.ErrBadSignature},
		{"other method", func(r *http.Request) { r.Method = "DELETE" }, signer.ErrBadSignature},
	}
	for _, tt := range tests {
		req := signed()
		tt.mutate(req)
		if _, err := signer.Verify(req, nil, secretOf, now); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := signer.Verify(signed(), []byte("extra"), secretOf, now); !errors.Is(err, signer.ErrBadSignature) {
		t.Errorf("other body: %v", err)
	}
}

func TestSignerNeverFormatsSecret(t *testing.T) {
	const secret = "S3CR3T-never-print-me"
	s := signer.New("EXOkey", secret)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, secret) {
			t.Errorf("%s prints the secret: %s", verb, out)
		}
		if out := fmt.Sprintf(verb, *s); strings.Contains(out, secret) {
			t.Errorf("%s of the value prints the secret: %s", verb, out)
		}
	}
}

// FuzzSignVerify: any method, path, query and body signs without panicking,
// and the header produced parses back and verifies.
func FuzzSignVerify(f *testing.F) {
	for _, v := range vectors {
		u, _ := url.Parse(v.url)
		f.Add(v.method, u.EscapedPath(), u.RawQuery, []byte(v.body))
	}
	f.Add("GET", "/a%2Fb/c:d", "a=1&a=2&b=&=x&%zz=1&c=%", []byte{0, 1, 2})
	f.Add("", "", "&&&", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		now := time.Unix(1767225000, 0)
		s := signer.New("EXOkey", "secret", signer.WithClock(func() time.Time { return now }))
		h := s.Authorization(method, path, query, body, s.Expiry())
		parsed, err := signer.ParseHeader(h)
		if err != nil {
			t.Fatalf("header %q does not parse: %v", h, err)
		}
		if parsed.Key != "EXOkey" || parsed.Expires != s.Expiry() {
			t.Fatalf("parsed %+v from %q", parsed, h)
		}
		u := &url.URL{Scheme: "http", Host: "h", Opaque: "", RawQuery: query}
		if err := setEscapedPath(u, path); err != nil {
			t.Skip("path is not a valid escaped path")
		}
		if u.EscapedPath() != path || strings.ContainsAny(method, " \t\r\n") || method == "" {
			t.Skip("not representable as an HTTP request")
		}
		req := &http.Request{Method: method, URL: u, Header: http.Header{"Authorization": {h}}, Body: io.NopCloser(bytes.NewReader(body))}
		secretOf := func(k string) (string, bool) { return "secret", k == "EXOkey" }
		if _, err := signer.Verify(req, body, secretOf, now); err != nil {
			t.Fatalf("Verify(%s %s ?%s): %v", method, path, query, err)
		}
	})
}

func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = p, escaped
	return nil
}
