package partnertest

import (
	"net/http"
	"net/http/httptest"
)

// Server is an [API] listening on a loopback port, like httptest.Server.
type Server struct {
	*API

	// URL is the API's base URL, http://127.0.0.1:PORT/v1.alpha: what a
	// client is configured with in place of the real endpoint.
	URL string

	srv *httptest.Server
}

// NewServer starts a fake Partner API on 127.0.0.1. The caller must Close it.
func NewServer(opts ...Option) *Server {
	a := NewAPI(opts...)
	srv := httptest.NewServer(a)
	return &Server{API: a, URL: srv.URL + BasePath, srv: srv}
}

// Close interrupts pending latency waits, then shuts the server down and
// waits for every outstanding request: no goroutine of the fake outlives it.
func (s *Server) Close() {
	s.API.Close()
	s.srv.Close()
}

// Client returns an *http.Client for the server, whose idle connections
// Close also closes.
func (s *Server) Client() *http.Client { return s.srv.Client() }
