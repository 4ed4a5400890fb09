// Package fakeproc runs partnertest's fake Partner API in a process of its
// own (command partnerfake), with its latency set, for fan-out benchmarks:
// in the benchmark's process, the fake's request validation would share
// the client's cores and inflate its ratio to the ideal.
package fakeproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// Fake is a running partnerfake.
type Fake struct {
	URL, Key, Secret string
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

// Start builds partnerfake and starts it with latency and organizations;
// it is stopped when tb ends.
func Start(tb testing.TB, latency time.Duration, organizations int) *Fake {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "partnerfake")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/exopartner/exopartner/internal/fakeproc/partnerfake").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build partnerfake: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-latency", latency.String(), "-organizations", fmt.Sprint(organizations))
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
	return &Fake{URL: f[0], Key: f[1], Secret: f[2]}
}
