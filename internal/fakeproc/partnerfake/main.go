// Command partnerfake serves partnertest's fake Partner API with a fixed
// latency and a number of organizations, for benchmarks that must not
// share the client's process (internal/fakeproc starts it). It prints
// "URL KEY SECRET" on one line once it listens, and serves until its
// standard input is closed (its parent is gone) or it is interrupted.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/exopartner/exopartner/wrapper/partnertest"
)

func main() {
	latency := flag.Duration("latency", 0, "delay of every answer")
	orgs := flag.Int("organizations", 0, "organizations to start with")
	flag.Parse()
	api := partnertest.NewAPI()
	api.AddOrganizations(*orgs)
	api.SetLatency(*latency)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Printf("http://%s%s %s %s\n", ln.Addr(), partnertest.BasePath, api.Key(), api.Secret())
	log.Fatal(srv.Serve(ln))
}
