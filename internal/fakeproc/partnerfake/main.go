// Command partnerfake serves partnertest's fake Partner API with a fixed
// latency and a number of organizations, for benchmarks that must not
// share the client's process (internal/fakeproc starts it). It prints
// "URL KEY SECRET" on one line once it listens, and serves until its
// standard input is closed (its parent is gone) or it is interrupted.
//
// With -validate-answers=false the fake does not validate its own answers
// against the spec (partnertest.WithoutAnswerValidation): requests are
// still verified and validated. On a fan-out of reads, whose every answer
// is new, that validation is about a third of the fake's processor time,
// which a benchmark on a small machine would count against the client.
//
// With -cpuprofile FILE it writes a CPU profile of itself to FILE until it
// exits (internal/fakeproc sets it from PARTNERFAKE_CPUPROFILE), to see
// what the fake's side of a benchmark costs.
//
// With -canned FILE it serves fixed answers instead, for the per-call
// benchmarks: FILE is a JSON object mapping "list", "get", "usage" and
// "create" to the body each such request is answered with (200, JSON),
// after its body is read; nothing is validated or verified, so that the
// server's own work is as small as a loopback server's can be.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/exopartner/exopartner/wrapper/partnertest"
)

func main() {
	latency := flag.Duration("latency", 0, "delay of every answer")
	orgs := flag.Int("organizations", 0, "organizations to start with")
	canned := flag.String("canned", "", "serve the fixed answers of this JSON file")
	validateAnswers := flag.Bool("validate-answers", true, "validate the fake's own answers against the spec")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until exit")
	flag.Parse()
	stop := func() {}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		stop = func() { pprof.StopCPUProfile(); f.Close() }
	}
	var opts []partnertest.Option
	if !*validateAnswers {
		opts = append(opts, partnertest.WithoutAnswerValidation())
	}
	api := partnertest.NewAPI(opts...)
	api.AddOrganizations(*orgs)
	api.SetLatency(*latency)
	var h http.Handler = api
	if *canned != "" {
		h = cannedAnswers(*canned)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
		os.Exit(0)
	}()
	fmt.Printf("http://%s%s %s %s\n", ln.Addr(), partnertest.BasePath, api.Key(), api.Secret())
	log.Fatal(srv.Serve(ln))
}

// cannedAnswers answers each request with the file's body for its kind.
func cannedAnswers(file string) http.Handler {
	data, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	var bodies map[string]string
	if err := json.Unmarshal(data, &bodies); err != nil {
		log.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		path := strings.TrimPrefix(r.URL.Path, partnertest.BasePath+"/distributor/organization")
		kind := "get"
		switch {
		case path == "" && r.Method == http.MethodPost:
			kind = "create"
		case path == "":
			kind = "list"
		case strings.HasSuffix(path, "/usage"):
			kind = "usage"
		}
		body, ok := bodies[kind]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = io.WriteString(w, body)
	})
}
