package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// maxInitAllocs bounds the allocations of each exopartner package's init.
// Loading and validating the embedded spec costs about 15 800 allocations
// (and about 1 MB); what remains at import (the generated package's gzip'd
// spec bytes, a few package variables) takes a few dozen.
const maxInitAllocs = 200

// initLine is one line of GODEBUG=inittrace=1:
// "init github.com/x/y @1.2 ms, 0.3 ms clock, 4096 bytes, 12 allocs".
var (
	initLine = regexp.MustCompile(`^init (\S+) @.* clock, (\d+) bytes, (\d+) allocs$`)
	ours     = regexp.MustCompile(`^github\.com/exopartner/exopartner(/|$)`)
)

// TestImportDoesNoSpecWork builds the CLI and runs `exopartner help` with
// GODEBUG=inittrace=1: no exopartner package may parse the embedded spec (or
// do any other sizeable work) at init. The criterion is allocations, not
// time, so a loaded machine cannot fail it.
func TestImportDoesNoSpecWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "exopartner")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("exopartner help: %v\n%s", err, stderr.Bytes())
	}

	seen := map[string]bool{}
	trace := stderr.String()
	sc := bufio.NewScanner(strings.NewReader(trace))
	for sc.Scan() {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		pkg := m[1]
		if !ours.MatchString(pkg) {
			continue
		}
		seen[pkg] = true
		allocs, _ := strconv.Atoi(m[3])
		if allocs > maxInitAllocs {
			t.Errorf("init %s: %s allocations (%s bytes), want at most %d: is the spec loaded at import?", pkg, m[3], m[2], maxInitAllocs)
		}
	}
	// The trace must have covered the packages that hold the spec, or the
	// test proves nothing.
	for _, pkg := range []string{
		"github.com/exopartner/exopartner/api",
		"github.com/exopartner/exopartner/internal/contract",
		"github.com/exopartner/exopartner/wrapper",
	} {
		if !seen[pkg] {
			t.Errorf("no inittrace line for %s; stderr:\n%s", pkg, trace)
		}
	}
}
