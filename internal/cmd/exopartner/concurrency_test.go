package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/inflight"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// barrier serves api, holding the first n requests matching match until
// n of them are in flight at once (package inflight), which proves the
// client sends n at a time without depending on timing.
func barrier(t *testing.T, api *partnertest.API, n int, match func(*http.Request) bool) *httptest.Server {
	srv := httptest.NewServer(inflight.New(n, 2*time.Minute).Handler(t, match, api))
	t.Cleanup(srv.Close)
	return srv
}

func envFor(api *partnertest.API, url string) func(string) string {
	return mapEnv(map[string]string{wrapper.EnvAPIKey: api.Key(), wrapper.EnvAPISecret: api.Secret(),
		wrapper.EnvEndpoint: url + partnertest.BasePath})
}

// TestMeteringFileConcurrentByDefault: without --concurrency, eight
// transactions are in flight at once; --output json gives one object per
// transaction, each naming its FILE:LINE, whatever order they completed in;
// each is applied once.
func TestMeteringFileConcurrentByDefault(t *testing.T) {
	t.Parallel()
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	const n = 12
	f := newMeteringFixture(t, api, n)
	srv := barrier(t, api, 8, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/metering:apply") })
	r := runCLI(t, envFor(api, srv.URL), "--output", "json", "metering-transaction", "--file", f.file, "--journal", f.journal)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var lines []int
	for line := range strings.Lines(r.stdout) {
		var v struct {
			Outcome, File string
			Line          int
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if v.Outcome != "applied" || v.File != f.file {
			t.Errorf("line %q", line)
		}
		lines = append(lines, v.Line)
	}
	slices.Sort(lines)
	var want []int
	for i := range n {
		want = append(want, 2+2*i)
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("lines reported %v, want %v", lines, want)
	}
	if got := timesApplied(t, api, f.orgs); got != "["+strings.TrimSpace(strings.Repeat("1 ", n))+"]" {
		t.Errorf("applied %s", got)
	}
}

// TestSyncApplyConcurrency: sync --apply --concurrency 4 has four creates
// in flight at once, and a create the API refuses is that customer's
// failure, reported as today (exit 1, the customer named on stderr).
func TestSyncApplyConcurrency(t *testing.T) {
	t.Parallel()
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	srv := barrier(t, api, 4, func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/distributor/organization")
	})
	var csv strings.Builder
	csv.WriteString(crmHeader)
	for i := range 10 {
		csv.WriteString(crmLine(fmt.Sprintf("crm-%d", i), "active"))
	}
	file := writeCRM(t, csv.String())
	api.InjectFault("create-distributor-organization", 1, partnertest.Fault{Status: 400})
	r := runCLI(t, envFor(api, srv.URL), "sync", "--file", file, "--apply", "--concurrency", "4")
	if r.code != 1 || !strings.Contains(r.stderr, "1 of 10 change(s) failed") || !strings.Contains(r.stderr, "exopartner: sync: crm-") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if got := len(api.Organizations()); got != 9 {
		t.Errorf("%d organizations, want 9", got)
	}
	if r := runCLI(t, envFor(api, srv.URL), "sync", "--file", file, "--apply", "--concurrency", "0"); r.code != 2 {
		t.Errorf("--concurrency 0: exit %d", r.code)
	}
}
