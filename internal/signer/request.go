package signer

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Sign sets the Authorization header of req, signing its method, escaped
// path, query and body with an expiry of now + TTL. The body stays readable:
// it is read once and replaced by an in-memory copy, and req.GetBody is set
// so that it can be replayed on every retry.
func (s *Signer) Sign(req *http.Request) error {
	body, err := Body(req)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", s.Authorization(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, body, s.Expiry()))
	return nil
}

// Body returns the bytes of req's body and leaves the body readable again,
// with req.GetBody set to replay it. A request without a body yields nil.
func Body(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	var b []byte
	var err error
	if req.ContentLength > 0 {
		b = make([]byte, req.ContentLength)
		_, err = io.ReadFull(req.Body, b)
	} else {
		b, err = io.ReadAll(req.Body)
	}
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("signer: reading request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}
