// Command callpath lists the project files one call goes through: the files
// with a statement that ran during that call, and during it alone, measured
// with Go's coverage counters. It is built with coverage (make callpath
// does it):
//
//	go build -cover -covermode=atomic -coverpkg=./... -o callpath ./internal/cmd/callpath
//	./callpath [-max 10] [-v]
//
// Each call is made once first, against a loopback server of this program,
// so that what runs once per client or process (the spec loaded, the
// validator built) is not counted; then the counters are cleared, the call
// is made again and the files whose counters moved are listed (this
// program's own and the server's are not). Each call is measured as it
// succeeds and as it fails in the way its path is longest: suspend's
// repeat answered 409 after a 503 (the organization is read), create
// answered 500 (an outcome unknown). callpath exits 1 when a call goes
// through more than -max files.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/coverage"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

const module = "github.com/exopartner/exopartner/"

const orgJSON = `{"id":"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11","status":"suspended","client-id":"crm-1",` +
	`"billing-address":{"name":"ACME","street-name":"Main","city":"Geneva","postal-code":"1217","country":"CH"}}`

var orgID = wrapper.MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11")

// script is the statuses the server answers, in turn (then 200).
type script struct{ statuses atomic.Pointer[[]int] }

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	status := http.StatusOK
	if st := s.statuses.Load(); st != nil && len(*st) > 0 && r.Method != http.MethodGet {
		status = (*st)[0]
		rest := (*st)[1:]
		s.statuses.Store(&rest)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status == http.StatusOK {
		_, _ = io.WriteString(w, orgJSON)
		return
	}
	_, _ = io.WriteString(w, `{"message":"scripted"}`)
}

type measured struct {
	name     string
	statuses []int
	call     func(ctx context.Context, c *wrapper.Client) error
}

func main() {
	maxFiles := flag.Int("max", 10, "the most files a call may go through")
	verbose := flag.Bool("v", false, "print the number of statements run per file")
	flag.Parse()
	srv := &script{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c, err := wrapper.New(wrapper.WithCredentials("EXOcallpath", "secret"), wrapper.WithEndpoint(ts.URL+"/v1.alpha"),
		wrapper.WithRetry(4, time.Millisecond, time.Millisecond))
	if err != nil {
		fail(err)
	}
	req := wrapper.CreateOrganizationRequest{DisplayName: "ACME", OwnerEmail: "owner@acme.example", ClientID: "crm-1",
		BillingAddress: wrapper.BillingAddress{Name: "ACME", StreetName: "Main", City: "Geneva", PostalCode: "1217", Country: "CH"}}
	suspend := func(ctx context.Context, c *wrapper.Client) error {
		_, err := c.SuspendOrganization(ctx, orgID)
		return err
	}
	create := func(ctx context.Context, c *wrapper.Client) error {
		_, err := c.CreateOrganization(ctx, req)
		return err
	}
	calls := []measured{
		{"SuspendOrganization", nil, suspend},
		{"SuspendOrganization, 503 then 409 (the organization is read)", []int{503, 409}, suspend},
		{"CreateOrganization", nil, create},
		{"CreateOrganization, 500 (outcome unknown)", []int{500}, create},
	}
	dir, err := os.MkdirTemp("", "callpath")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	over := false
	for i, m := range calls {
		run := func() error {
			srv.statuses.Store(&m.statuses)
			return m.call(context.Background(), c)
		}
		wantErr := len(m.statuses) > 0 && m.statuses[len(m.statuses)-1] == 500
		if err := run(); (err != nil) != wantErr {
			fail(fmt.Errorf("%s: %v", m.name, err))
		}
		if err := coverage.ClearCounters(); err != nil {
			fail(fmt.Errorf("%w (build with -cover -covermode=atomic: make callpath)", err))
		}
		_ = run()
		out := filepath.Join(dir, fmt.Sprint(i))
		files, err := counted(out)
		if err != nil {
			fail(err)
		}
		fmt.Printf("%s: %d files\n", m.name, len(files))
		names := make([]string, 0, len(files))
		for f := range files {
			names = append(names, f)
		}
		slices.Sort(names)
		for _, f := range names {
			if *verbose {
				fmt.Printf("  %-40s %d statements\n", f, files[f])
			} else {
				fmt.Printf("  %s\n", f)
			}
		}
		over = over || len(files) > *maxFiles
	}
	if over {
		fmt.Fprintf(os.Stderr, "callpath: a call goes through more than %d files\n", *maxFiles)
		os.Exit(1)
	}
}

// counted writes the counters to dir and returns the project files with a
// statement that ran, with how many ran, but this program's.
func counted(dir string) (map[string]int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := coverage.WriteMetaDir(dir); err != nil {
		return nil, err
	}
	if err := coverage.WriteCountersDir(dir); err != nil {
		return nil, err
	}
	text := filepath.Join(dir, "profile.txt")
	if out, err := exec.Command("go", "tool", "covdata", "textfmt", "-i", dir, "-o", text).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go tool covdata: %v\n%s", err, out)
	}
	f, err := os.Open(text)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	files := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// file:line.col,line.col statements count
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || fields[2] == "0" {
			continue
		}
		file, _, _ := strings.Cut(fields[0], ":")
		file = strings.TrimPrefix(file, module)
		if strings.HasPrefix(file, "internal/cmd/callpath/") {
			continue
		}
		var n int
		fmt.Sscan(fields[1], &n)
		files[file] += n
	}
	return files, sc.Err()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "callpath:", err)
	os.Exit(2)
}
