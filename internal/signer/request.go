package signer

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Sign sets the Authorization header of req, signing its method, escaped
// path, query and body with an expiry of now + TTL. The body stays readable
// for sending and for every retry: when req.GetBody is set (any request built
// from in-memory bytes) the signed bytes are read from a fresh copy and
// req.Body is left untouched; otherwise the body is read once and replaced by
// an in-memory copy, with req.GetBody set to replay it.
func (s *Signer) Sign(req *http.Request) error {
	if req.GetBody == nil || req.Body == nil || req.Body == http.NoBody {
		body, err := readBody(req)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", s.Authorization(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, body, s.Expiry()))
		return nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	rc, err := req.GetBody()
	if err == nil {
		_, err = buf.ReadFrom(rc)
		_ = rc.Close()
	}
	if err != nil {
		return fmt.Errorf("signer: reading request body: %w", err)
	}
	req.Header.Set("Authorization", s.Authorization(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, buf.Bytes(), s.Expiry()))
	return nil
}

// bufPool holds the buffers request bodies are read into for signing.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody returns the bytes of req's body and leaves the body readable
// again, with req.GetBody set to replay it. A request without a body yields nil.
func readBody(req *http.Request) ([]byte, error) {
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
