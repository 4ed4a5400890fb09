package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// result is what one in-process run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// newServer starts a fake Partner API for the test.
func newServer(t *testing.T, opts ...partnertest.Option) *partnertest.Server {
	t.Helper()
	srv := partnertest.NewServer(append([]partnertest.Option{partnertest.WithTB(t)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// envOf is an environment pointing the CLI at srv with its credentials.
func envOf(srv *partnertest.Server) func(string) string {
	return mapEnv(map[string]string{
		wrapper.EnvAPIKey:    srv.Key(),
		wrapper.EnvAPISecret: srv.Secret(),
		wrapper.EnvEndpoint:  srv.URL,
	})
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// runCLI runs the CLI in-process with getenv as its environment.
func runCLI(t *testing.T, getenv func(string) string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr, getenv)
	return result{code, stdout.String(), stderr.String()}
}

// runOK runs the CLI against srv and fails the test unless it exits 0.
func runOK(t *testing.T, srv *partnertest.Server, args ...string) string {
	t.Helper()
	r := runCLI(t, envOf(srv), args...)
	if r.code != 0 {
		t.Fatalf("exopartner %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// newClient returns a library client for srv, to set up fixtures.
func newClient(t *testing.T, srv *partnertest.Server) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// createOrg creates an organization through the library.
func createOrg(t *testing.T, srv *partnertest.Server, clientID string) wrapper.Organization {
	t.Helper()
	org, err := newClient(t, srv).CreateOrganization(context.Background(), wrapper.CreateOrganizationRequest{
		DisplayName: "Fixture " + clientID, OwnerEmail: "owner@fixture.example", ClientID: clientID,
		BillingAddress: wrapper.BillingAddress{
			Name: "Fixture " + clientID, StreetName: "Rue du Rhône", BuildingNumber: "1",
			PostalCode: "1204", City: "Genève", Country: "CH",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// syncBuffer is a bytes.Buffer safe to write from one goroutine while
// another reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
