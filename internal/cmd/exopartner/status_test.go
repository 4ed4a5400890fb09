package main

import (
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// TestStatusFlagFollowsTheSpec: usage-report --status accepts exactly the
// statuses the embedded spec declares, and its help lists them. Nothing here
// names a status, so the test holds for a revision that adds one
// (spec/fixtures_test.go runs it on such a revision).
func TestStatusFlagFollowsTheSpec(t *testing.T) {
	t.Parallel()
	declared, err := contract.Enum("organization-output", "status")
	if err != nil {
		t.Fatal(err)
	}
	srv := reportServer(t)
	for _, s := range declared {
		r := runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--format", "json", "--status", s)
		if r.code != 0 {
			t.Errorf("--status %s: exit %d, stderr:\n%s", s, r.code, r.stderr)
		}
	}
	r := runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--status", strings.Join(declared, ","))
	if r.code != 0 {
		t.Errorf("--status %s: exit %d, stderr:\n%s", strings.Join(declared, ","), r.code, r.stderr)
	}

	r = runCLI(t, envOf(srv), "usage-report", "--period", lastMonth, "--status", "closed")
	want := `unknown status "closed": want ` + strings.Join(declared[:len(declared)-1], ", ") + " or " + declared[len(declared)-1]
	if r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("--status closed: exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
	}

	help := runCLI(t, envOf(srv), "help", "usage-report")
	if want := "--status " + strings.Join(declared, "|") + "\n"; !strings.Contains(help.stdout, want) {
		t.Errorf("the help of usage-report does not list the statuses as %q:\n%s", want, help.stdout)
	}
}
