package wrapper_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// Options whose value has no meaning are refused by New, naming the option;
// none silently means "unlimited".
func TestInvalidOptionsRefused(t *testing.T) {
	creds := wrapper.WithCredentials("EXOk", "s")
	for _, tt := range []struct {
		opt  wrapper.Option
		name string
	}{
		{wrapper.WithAttemptTimeout(0), "WithAttemptTimeout(0s)"},
		{wrapper.WithAttemptTimeout(-time.Second), "WithAttemptTimeout(-1s)"},
		{wrapper.WithMaxResponseBytes(0), "WithMaxResponseBytes(0)"},
		{wrapper.WithMaxResponseBytes(-1), "WithMaxResponseBytes(-1)"},
		{wrapper.WithTimeout(-1), "WithTimeout(-1ns)"},
		{wrapper.WithRetry(0, time.Second, time.Second), "WithRetry(0, 1s, 1s)"},
		{wrapper.WithRetry(-3, time.Second, time.Second), "WithRetry(-3, 1s, 1s)"},
		{wrapper.WithRetry(3, -time.Second, time.Second), "WithRetry(3, -1s, 1s)"},
		{wrapper.WithRetry(3, time.Second, -time.Second), "WithRetry(3, 1s, -1s)"},
		{wrapper.WithRetry(3, 2*time.Second, time.Second), "WithRetry(3, 2s, 1s)"},
		{wrapper.WithRequestEditor(nil), "WithRequestEditor(nil)"},
		{wrapper.WithUserAgent("app/1\r\nX-Injected: 1"), `WithUserAgent("app/1\r\nX-Injected: 1")`},
		{wrapper.WithUserAgent("app/1\n"), `WithUserAgent("app/1\n")`},
		{wrapper.WithUserAgent("app/1\tx"), `WithUserAgent("app/1\tx")`},
		{wrapper.WithUserAgent("app/\x1b[31m1"), `WithUserAgent("app/\x1b[31m1")`},
		{wrapper.WithUserAgent("app/1\x7f"), `WithUserAgent("app/1\x7f")`},
		{wrapper.WithUserAgent("app/1\u0085"), `WithUserAgent("app/1\u0085")`},
		{wrapper.WithUserAgent("app/\xff"), `WithUserAgent("app/\xff")`},
	} {
		c, err := wrapper.New(creds, tt.opt)
		if !errors.Is(err, wrapper.ErrInvalidOption) || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: New returned %v, %v; want an ErrInvalidOption naming it", tt.name, c, err)
		}
	}
	// The values with a documented meaning are accepted.
	for _, opt := range []wrapper.Option{wrapper.WithTimeout(0), wrapper.WithoutRetries(), wrapper.WithRetry(2, 0, 0), wrapper.WithRetry(1, 0, 0),
		wrapper.WithUserAgent("billing-sync/2.1 (+https://example.com/bot; Zürich)")} {
		if _, err := wrapper.New(creds, opt); err != nil {
			t.Errorf("refused: %v", err)
		}
	}
}

// An endpoint carrying a user, a password, a query or a fragment is refused,
// and no error or formatted value shows the password.
func TestEndpointShape(t *testing.T) {
	isolate(t)
	for _, tt := range []struct{ ep, says string }{
		{"https://user:pw-S3CRET@partner.example/v1.alpha", "user or password"},
		{"https://user@partner.example/v1.alpha", "user or password"},
		{"https://partner.example/v1.alpha?x=1", "query"},
		{"https://partner.example/v1.alpha?", "query"},
		{"https://partner.example/v1.alpha#frag", "fragment"},
		{"https://partner.example/v1.alpha#", "fragment"},
		{"https://user:pw-S3CRET@partner.example:bad/v1.alpha", "absolute"},
	} {
		c, err := wrapper.New(wrapper.WithCredentials("EXOk", "s"), wrapper.WithEndpoint(tt.ep))
		if err == nil {
			t.Errorf("%s accepted: %s", tt.ep, c)
			continue
		}
		if !strings.Contains(err.Error(), tt.says) || strings.Contains(err.Error(), "pw-S3CRET") {
			t.Errorf("%s: %v; want it to say %q without the password", tt.ep, err, tt.says)
		}
	}
}

// CloseIdleConnections releases the client's connections, through the retry
// and signing layers, for New's own transport and for WithHTTPClient's.
func TestCloseIdleConnections(t *testing.T) {
	for _, own := range []bool{true, false} {
		closed := make(chan struct{}, 4)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(orgJSON))
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateClosed {
				closed <- struct{}{}
			}
		}
		srv.Start()
		opts := []wrapper.Option{wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL + "/v1.alpha")}
		if !own {
			opts = append(opts, wrapper.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}))
		}
		c, err := wrapper.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetOrganization(context.Background(), orgID); err != nil {
			t.Fatal(err)
		}
		c.CloseIdleConnections()
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			t.Fatalf("own transport %v: the idle connection was not closed", own)
		}
		srv.Close()
	}
}
