//go:build unix

package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/pgtest"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// binRun runs the built CLI with env and args, and returns what it did.
func binRun(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func cliEnv(t *testing.T, api *partnertest.API, url string) []string {
	return append(os.Environ(), wrapper.EnvAPIKey+"="+api.Key(), wrapper.EnvAPISecret+"="+api.Secret(),
		wrapper.EnvEndpoint+"="+url+partnertest.BasePath, "HOME="+t.TempDir())
}

// TestMeteringPostgresTwoProcesses: two processes run the same file on the
// same PostgreSQL journal at once, as two machines would. The fake's own
// records show each transaction applied once; each transaction is applied
// by one process and skipped by the other.
func TestMeteringPostgresTwoProcesses(t *testing.T) {
	t.Parallel()
	pg := pgtest.Get(t)
	bin := buildCLI(t)
	dsn := pg.NewDatabase(t)
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	api.SetLatency(2 * time.Millisecond) // so that the runs overlap; what is checked does not depend on it
	const n = 30
	f := newMeteringFixture(t, api, n)
	srv := httptest.NewServer(api)
	defer srv.Close()
	env := cliEnv(t, api, srv.URL)
	args := []string{"metering-transaction", "--file", f.file, "--journal", dsn, "--concurrency", "4"}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = binRun(t, bin, env, args...) }()
	}
	wg.Wait()
	outcome := map[string][]string{} // FILE:LINE → the two processes' outcomes
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, pg.Password()) {
			t.Error("the DSN's password is in the output")
		}
		for line := range strings.Lines(r.stdout) {
			fields := strings.Fields(line)
			outcome[fields[1]] = append(outcome[fields[1]], fields[0])
		}
	}
	if len(outcome) != n {
		t.Fatalf("%d transactions reported, want %d", len(outcome), n)
	}
	for where, o := range outcome {
		if got := strings.Join(o, " "); got != "applied skipped" && got != "skipped applied" {
			t.Errorf("%s: %s, want applied by one process and skipped by the other", where, got)
		}
	}
	if got := timesApplied(t, api, f.orgs); got != "["+strings.TrimSpace(strings.Repeat("1 ", n))+"]" {
		t.Errorf("applied %s", got)
	}
}

// TestMeteringPostgresKilled: the process is killed with SIGKILL while a
// transaction's request is in flight (held by the fake after it acted);
// its claim ends with its connection, and the rerun refuses that
// transaction (its outcome is unknown) and sends the others, each once.
func TestMeteringPostgresKilled(t *testing.T) {
	t.Parallel()
	pg := pgtest.Get(t)
	bin := buildCLI(t)
	dsn := pg.NewDatabase(t)
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	f := newMeteringFixture(t, api, 4)
	srv := newHoldingServer(t, api, 2, true)
	env := cliEnv(t, api, srv.URL)
	args := []string{"metering-transaction", "--file", f.file, "--journal", dsn}
	killWhileHeld(t, srv, bin, env, append(args, "--concurrency", "1")...)
	if got := timesApplied(t, api, f.orgs); got != "[1 1 0 0]" {
		t.Fatalf("after the kill, applied %s", got)
	}
	// The rerun, with the default concurrency: the dead run's claim is gone.
	r := binRun(t, bin, env, args...)
	if r.code != 1 || strings.Count(r.stdout, "applied ") != 2 || strings.Count(r.stdout, "skipped ") != 1 || strings.Count(r.stdout, "refused ") != 1 {
		t.Fatalf("rerun: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	m := regexp.MustCompile(`usage\.csv:4  organization ` + f.orgs[1].String() + `  batch "2025-01"  transaction ([0-9a-f]{64}): refused: `).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("the killed transaction is not listed for reconciliation:\n%s", r.stderr)
	}
	if got := timesApplied(t, api, f.orgs); got != "[1 1 1 1]" {
		t.Fatalf("after the rerun, applied %s", got)
	}
	// Reconciled as the fake shows (applied), then nothing is left to send.
	if r := binRun(t, bin, env, append(args, "--mark-applied", m[1])...); r.code != 0 || !strings.Contains(r.stdout, "marked-applied") {
		t.Fatalf("mark: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	requests := api.Requests(opMetering)
	if r := binRun(t, bin, env, append(args, "--resend-unknown")...); r.code != 0 || strings.Count(r.stdout, "skipped ") != 4 {
		t.Fatalf("last run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := api.Requests(opMetering); n != requests {
		t.Errorf("the last run sent %d metering requests", n-requests)
	}
}

// TestMeteringPostgresUnreachable: a journal database that cannot be
// reached, or refuses the password, is exit 2 with nothing sent, and the
// password appears nowhere.
func TestMeteringPostgresUnreachable(t *testing.T) {
	t.Parallel()
	pg := pgtest.Get(t)
	api := partnertest.NewAPI(partnertest.WithTB(t))
	defer api.Close()
	f := newMeteringFixture(t, api, 2)
	srv := httptest.NewServer(api)
	defer srv.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	port := strings.TrimPrefix(gone.URL, "http://127.0.0.1:")
	for _, dsn := range []string{
		fmt.Sprintf("postgresql://exo:Tr0ub4dor-secret@127.0.0.1:%s/billing?sslmode=disable", port),
		strings.Replace(pg.DSN("postgres"), pg.Password(), "Tr0ub4dor-secret", 1),
	} {
		r := runCLI(t, envFor(api, srv.URL), "metering-transaction", "--file", f.file, "--journal", dsn)
		if r.code != 2 || !strings.Contains(r.stderr, "xxxxx@127.0.0.1:") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "Tr0ub4dor") {
			t.Errorf("the password is in the output:\n%s", r.stderr)
		}
	}
	if n := api.Requests(""); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
