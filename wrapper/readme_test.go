package wrapper_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

// TestReadmeQuickStartCompiles builds README's quick start as a program of
// its own, inside this module and without the network, and vets it: it must
// stay a complete program that compiles against the current API.
func TestReadmeQuickStartCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := quickStart(t, string(readme))
	if !strings.HasPrefix(code, "package main\n") {
		t.Fatalf("the quick start is not a complete program:\n%s", code)
	}
	// A directory starting with "_" is inside the module but never matched by ./...
	dir, err := os.MkdirTemp("..", "_readme-quickstart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", "./"+filepath.Base(dir))
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README's quick start does not build: %v\n%s\n%s", err, out, code)
	}
}
