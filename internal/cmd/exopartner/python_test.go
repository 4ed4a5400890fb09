package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// TestServeFromPython drives `exopartner serve` through the whole lifecycle
// from a Python client that signs its own requests (testdata/lifecycle.py,
// standard library only): a client in another language needs nothing from
// this project but the published signing description.
func TestServeFromPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the cross-language lifecycle test needs it")
	}
	const key, secret = "EXOpython000000000000000001", "python-secret-3f9a"
	s := startServe(t, mapEnv(map[string]string{wrapper.EnvAPIKey: key, wrapper.EnvAPISecret: secret}))
	out, err := exec.Command(python, "testdata/lifecycle.py", s.url, key, secret).CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	for _, step := range []string{"create: 200", "suspend: 200", "activate: 200", "metering: 204", "usage: 200",
		"terminate: 200", "activate after terminate: 409", "schedule purge: 202", "unsigned: 401",
		"wrong secret: 403", "bad country: 400", "unknown id: 404", "python lifecycle: ok"} {
		if !strings.Contains(string(out), step) {
			t.Errorf("python output lacks %q:\n%s", step, out)
		}
	}
}
