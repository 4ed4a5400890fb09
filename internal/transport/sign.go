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

// RoundTrip signs a clone of req (a RoundTripper must not modify its
// request) and sends it.
func (s *Sign) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
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
