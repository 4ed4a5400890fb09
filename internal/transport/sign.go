package transport

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/exopartner/exopartner/internal/signer"
)

// ErrRefused is matched by the error of a request Sign refused to sign and
// send: one that leaves the endpoint's scheme and host (a redirect followed
// by a caller's CheckRedirect, say), or goes over plain http to a host that
// is not loopback without AllowHTTP.
var ErrRefused = errors.New("request refused before sending")

// Sign is a RoundTripper that signs each request it sends.
//
// When Scheme and Host are set, it refuses every request to another scheme
// or host: a signature names no host, so one sent elsewhere could be
// replayed against the API until it expires. Plain http to a host that is
// not loopback is refused unless AllowHTTP. A refused request is not sent.
type Sign struct {
	Signer    *signer.Signer
	Next      http.RoundTripper
	Scheme    string // the endpoint's scheme ("https"); "" allows any
	Host      string // the endpoint's host[:port]; "" allows any
	AllowHTTP bool   // plain http to a host that is not loopback
}

// RoundTrip signs a copy of req and sends it. A RoundTripper must not modify
// its request: signing changes the header (and, for a body that cannot be
// replayed, the body), so those are what the copy owns.
func (s *Sign) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := s.check(req); err != nil {
		closeBody(req)
		return nil, err
	}
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if err := s.Signer.Sign(r); err != nil {
		closeBody(req)
		return nil, err
	}
	return s.Next.RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of the transport below,
// if it has any.
func (s *Sign) CloseIdleConnections() { closeIdle(s.Next) }

// check is the one rule on where a signed request may go.
func (s *Sign) check(req *http.Request) error {
	u := req.URL
	if u == nil {
		return fmt.Errorf("%w: no URL", ErrRefused)
	}
	where := u.Scheme + "://" + u.Host
	if req.Response != nil { // set by http.Client on every redirect hop
		return fmt.Errorf("%w: a redirect (%s) to %s: the Partner API never redirects, and no redirect is followed with a signature",
			ErrRefused, req.Response.Status, where)
	}
	if (s.Scheme != "" && !strings.EqualFold(u.Scheme, s.Scheme)) || (s.Host != "" && !strings.EqualFold(u.Host, s.Host)) {
		return fmt.Errorf("%w: %s is not the endpoint's %s://%s (a redirect?)", ErrRefused, where, s.Scheme, s.Host)
	}
	if !strings.EqualFold(u.Scheme, "https") && !s.AllowHTTP && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("%w: plain %s to %s, which is not a loopback host", ErrRefused, u.Scheme, u.Host)
	}
	return nil
}

// IsLoopback reports whether host (no port) is "localhost" or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
