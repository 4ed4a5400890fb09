// Package fakeproc runs partnertest's fake Partner API in a process of its
// own (command partnerfake), with its latency set, for fan-out benchmarks:
// in the benchmark's process, the fake's request validation would share
// the client's cores and inflate its ratio to the ideal. It also holds the
// bare baseline every benchmark compares the client with ([Raw]).
package fakeproc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/procstat"
	"github.com/exopartner/exopartner/wrapper"
)

// Fake is a running partnerfake.
type Fake struct {
	URL, Key, Secret string
	pid              int
}

// CPU is the processor time the fake has used so far (user and system),
// from /proc on Linux; 0 elsewhere. With [ClientCPU], it tells how much of
// a benchmark's wall time the two cores spent on either side.
func (f *Fake) CPU() time.Duration { return procstat.CPU(f.pid) }

// ReportCPU reports the client's and the fake's processor time per
// operation since the given starting points, in seconds.
func (f *Fake) ReportCPU(b *testing.B, client, fake time.Duration) {
	b.ReportMetric((ClientCPU()-client).Seconds()/float64(b.N), "client-cpu-s/op")
	b.ReportMetric((f.CPU()-fake).Seconds()/float64(b.N), "fake-cpu-s/op")
}

// Client is a client of the fake with concurrency connections kept alive.
func (f *Fake) Client(tb testing.TB, opts ...wrapper.Option) *wrapper.Client {
	tb.Helper()
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithCredentials(f.Key, f.Secret), wrapper.WithEndpoint(f.URL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Option is a setting of the fake that [Start] starts.
type Option func(args []string) []string

// WithoutAnswerValidation starts the fake with -validate-answers=false: it
// does not validate its own answers against the spec
// (partnertest.WithoutAnswerValidation), and still verifies and validates
// every request. For benchmarks of fan-outs, where that validation is
// about a third of the fake's processor time and shares the machine's
// cores with the client.
func WithoutAnswerValidation() Option {
	return func(args []string) []string { return append(args, "-validate-answers=false") }
}

// Start builds partnerfake and starts it with latency and organizations;
// it is stopped when tb ends. When PARTNERFAKE_CPUPROFILE names a file,
// the fake writes its CPU profile there (the last fake started wins).
func Start(tb testing.TB, latency time.Duration, organizations int, opts ...Option) *Fake {
	tb.Helper()
	args := []string{"-latency", latency.String(), "-organizations", fmt.Sprint(organizations)}
	for _, o := range opts {
		args = o(args)
	}
	if f := os.Getenv("PARTNERFAKE_CPUPROFILE"); f != "" {
		args = append(args, "-cpuprofile", f)
	}
	return start(tb, args...)
}

// StartCanned starts partnerfake serving fixed answers, by kind of request
// ("list", "get", "usage", "create"; see partnerfake), for the per-call
// benchmarks; it is stopped when tb ends.
func StartCanned(tb testing.TB, answers map[string]string) *Fake {
	tb.Helper()
	data, err := json.Marshal(answers)
	if err != nil {
		tb.Fatal(err)
	}
	file := filepath.Join(tb.TempDir(), "answers.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return start(tb, "-canned", file)
}

func start(tb testing.TB, args ...string) *Fake {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "partnerfake")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/exopartner/exopartner/internal/fakeproc/partnerfake").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build partnerfake: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close() // it exits
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 {
		tb.Fatalf("partnerfake: %q, %v", line, err)
	}
	return &Fake{URL: f[0], Key: f[1], Secret: f[2], pid: cmd.Process.Pid}
}
