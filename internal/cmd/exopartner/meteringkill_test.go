//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// safetyNet bounds each wait of the kill test; it is never reached on a
// healthy run, however loaded the machine.
const safetyNet = 5 * time.Minute

// holdingServer serves api, except that it holds the k-th metering request
// (carried out first when acted is set) until released: the process that
// sent it is killed while it waits for the answer.
type holdingServer struct {
	*httptest.Server
	api     *partnertest.API
	n       atomic.Int32
	reached chan struct{} // receives once the k-th request is held
	release chan struct{} // closed by the test once the sender is dead
}

func newHoldingServer(t *testing.T, api *partnertest.API, k int, acted bool) *holdingServer {
	h := &holdingServer{api: api, reached: make(chan struct{}, 1), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/metering:apply") || int(h.n.Add(1)) != k {
			api.ServeHTTP(w, r)
			return
		}
		if acted {
			api.ServeHTTP(httptest.NewRecorder(), r) // applied; the answer never leaves
		} else {
			_, _ = io.Copy(io.Discard, r.Body) // arrived whole; never applied
		}
		h.reached <- struct{}{}
		select {
		case <-h.release:
		case <-time.After(safetyNet):
		}
	}))
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
		h.Close()
	})
	return h
}

// killWhileHeld runs bin with args and env, kills it with SIGKILL once srv
// holds its request, and releases the request once it is dead.
func killWhileHeld(t *testing.T, srv *holdingServer, bin string, env []string, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-srv.reached:
	case err := <-exited:
		t.Fatalf("exited before the held request (%v):\n%s\n%s", err, stdout.String(), stderr.String())
	case <-time.After(safetyNet):
		t.Fatal("the held request never arrived")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("not killed by SIGKILL: %v", err)
	}
	close(srv.release)
}

// TestMeteringFileKilled runs the real binary on a file, kills it with
// SIGKILL while a transaction's request is in flight (held by the server
// before or after the server acted), then runs the file again as an
// operator would. The fake's own records prove that no transaction was
// applied twice and that, in the end, every one was applied once.
func TestMeteringFileKilled(t *testing.T) {
	t.Parallel()
	bin := buildCLI(t)
	for _, acted := range []bool{false, true} {
		t.Run(fmt.Sprintf("server acted %v", acted), func(t *testing.T) {
			t.Parallel()
			api := partnertest.NewAPI(partnertest.WithTB(t))
			defer api.Close()
			f := newMeteringFixture(t, api, 4)
			srv := newHoldingServer(t, api, 2, acted)
			env := cliEnv(t, api, srv.URL)
			runBin := func(extra ...string) result {
				t.Helper()
				return binRun(t, bin, env, f.args(extra...)...)
			}

			// First run: killed while the second transaction is in flight.
			killWhileHeld(t, srv, bin, env, f.args()...)
			wantFirst := map[bool]string{false: "[1 0 0 0]", true: "[1 1 0 0]"}[acted]
			if got := timesApplied(t, api, f.orgs); got != wantFirst {
				t.Fatalf("after the kill, applied %s, want %s", got, wantFirst)
			}

			// Rerun: the first is skipped, the killed one refused and
			// listed, the ones that never left are sent.
			r := runBin()
			wantRun(t, r, 1, "skipped refused applied applied")
			m := regexp.MustCompile(`usage\.csv:4  organization ` + f.orgs[1].String() + `  batch "2025-01"  transaction ([0-9a-f]{64}): refused: `).FindStringSubmatch(r.stderr)
			if m == nil {
				t.Fatalf("the killed transaction is not listed for reconciliation:\n%s", r.stderr)
			}
			wantRerun := map[bool]string{false: "[1 0 1 1]", true: "[1 1 1 1]"}[acted]
			if got := timesApplied(t, api, f.orgs); got != wantRerun {
				t.Fatalf("after the rerun, applied %s, want %s", got, wantRerun)
			}

			// Reconcile as the fake's usage shows, then nothing is left.
			if acted {
				wantRun(t, runBin("--mark-applied", m[1]), 0, "skipped marked-applied skipped skipped")
			} else {
				wantRun(t, runBin("--resend-unknown"), 0, "skipped applied skipped skipped")
			}
			requests := api.Requests(opMetering)
			wantRun(t, runBin("--resend-unknown"), 0, "skipped skipped skipped skipped")
			if n := api.Requests(opMetering); n != requests {
				t.Errorf("the last rerun sent %d metering requests", n-requests)
			}
			if got := timesApplied(t, api, f.orgs); got != "[1 1 1 1]" {
				t.Errorf("in the end, applied %s, want each once", got)
			}
		})
	}
}
