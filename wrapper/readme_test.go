package wrapper_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// quickStart returns the first Go code block after README's "## Quick start".
func quickStart(t *testing.T, readme string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, "\n## Quick start\n")
	if !ok {
		t.Fatal(`README.md has no "## Quick start" section`)
	}
	_, block, ok := strings.Cut(after, "\n```go\n")
	if !ok {
		t.Fatal("the quick start has no Go code block")
	}
	code, _, ok := strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatal("the quick start's Go code block is not closed")
	}
	return code + "\n"
}

// quickStartSteps returns the shell block after README's "## Quick start".
func quickStartSteps(t *testing.T, readme string) []string {
	t.Helper()
	_, after, _ := strings.Cut(readme, "\n## Quick start\n")
	_, block, ok := strings.Cut(after, "\n```sh\n")
	if !ok {
		t.Fatal("the quick start has no sh block of steps")
	}
	steps, _, ok := strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatal("the quick start's sh block is not closed")
	}
	return strings.Split(steps, "\n")
}

// The two steps of the quick start a test cannot take as written: the
// clone (this checkout stands for it, offline) and saving the program.
const (
	cloneStep = "git clone <this repository> exopartner"
	saveStep  = "# save the program below as main.go"
)

// TestReadmeQuickStart runs README's quick start as a newcomer would, in
// an empty directory outside this module: every step of its sh block as
// written (go mod init, go work init, go run), but for the clone, for which
// this checkout is linked in its place, and saving the program, which the
// test does. It is offline: the module proxy is a local one that answers
// 403 to everything, as the real one does for this unpublished module, so
// a step that needs it (go get did) fails; and go run runs the program
// against the fake API. Then go vet checks the program, where
// the steps left off.
func TestReadmeQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH to run the quick start's steps")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := quickStart(t, string(readme))
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	program := filepath.Join(dir, "program.go.txt")
	if err := os.WriteFile(program, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "newcomer")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(work, "exopartner")); err != nil {
		t.Skipf("cannot link this checkout in place of the clone: %v", err)
	}

	steps := quickStartSteps(t, string(readme))
	script := []string{"set -e"}
	var cloned, saved bool
	for _, step := range steps {
		switch step {
		case cloneStep:
			cloned = true
			continue // linked above
		case saveStep:
			saved = true
			step = `cp "$QUICKSTART_PROGRAM" main.go`
		}
		script = append(script, step)
	}
	script = append(script, "go vet .") // where the steps left off: the program's module
	if !cloned || !saved {
		t.Fatalf("the quick start's steps lack %q or %q; update this test with them:\n%s", cloneStep, saveStep, strings.Join(steps, "\n"))
	}

	// The module proxy as a newcomer meets it: it refuses this unpublished
	// module (403), and so here everything, which keeps the test offline;
	// what the steps need besides the clone comes from the module cache.
	var asked atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "403 Forbidden", http.StatusForbidden)
	}))
	defer proxy.Close()
	srv := partnertest.NewServer(partnertest.WithTB(t))
	defer srv.Close()
	env := []string{"QUICKSTART_PROGRAM=" + program, "PATH=" + filepath.Dir(gobin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"GOPROXY=" + proxy.URL, "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=",
		wrapper.EnvAPIKey + "=" + srv.Key(), wrapper.EnvAPISecret + "=" + srv.Secret(), wrapper.EnvEndpoint + "=" + srv.URL}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "GOWORK", name == "GOFLAGS", name == "PATH", strings.HasPrefix(name, "GOPROXY"), strings.HasPrefix(name, "GONO"),
			name == "GOPRIVATE", name == "GOSUMDB", name == "GOTOOLCHAIN", strings.HasPrefix(name, "EXOSCALE_"):
		default:
			env = append(env, kv)
		}
	}
	cmd := exec.Command(sh, "-c", strings.Join(script, "\n"))
	cmd.Dir = work
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README's quick start fails (the module proxy was asked %d time(s)): %v\nsteps:\n%s\noutput:\n%s",
			asked.Load(), err, strings.Join(script, "\n"), out)
	}
	if !regexp.MustCompile(`(?m)^organization [0-9a-f-]{36} \(created now: true\)$`).Match(out) {
		t.Errorf("the program's output:\n%s", out)
	}
	if n := len(srv.Organizations()); n != 1 {
		t.Errorf("%d organizations on the fake API, want the program's one", n)
	}
}
