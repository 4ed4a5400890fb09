package transport

import (
	"net/http"

	"github.com/exopartner/exopartner/internal/signer"
)

// Sign is a RoundTripper that signs each request it sends.
type Sign struct {
	Signer *signer.Signer
	Next   http.RoundTripper
}

// RoundTrip signs a copy of req and sends it. A RoundTripper must not modify
// its request: signing changes the header (and, for a body that cannot be
// replayed, the body), so those are what the copy owns.
func (s *Sign) RoundTrip(req *http.Request) (*http.Response, error) {
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

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
