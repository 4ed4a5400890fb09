package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/exopartner/exopartner/internal/pgtest"
)

// TestMain stops the package's PostgreSQL server, if a test started one,
// and removes the binary buildCLI built.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
	os.Exit(code)
}

// buildCLI builds the exopartner binary, once for the test binary, into a
// directory TestMain removes.
func buildCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		goBin, err := exec.LookPath("go") // go test puts its own GOROOT/bin first in PATH
		if err != nil {
			cli.err = err
			return
		}
		if cli.dir, err = os.MkdirTemp("", "exopartner-cli-"); err != nil {
			cli.err = err
			return
		}
		cli.bin = filepath.Join(cli.dir, "exopartner")
		if out, err := exec.Command(goBin, "build", "-o", cli.bin, ".").CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.bin
}

// cli is the binary buildCLI built.
var cli struct {
	once     sync.Once
	dir, bin string
	err      error
}
