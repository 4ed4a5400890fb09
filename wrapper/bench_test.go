package wrapper_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/fakeproc"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// cannedServer answers every request with body, after reading the request
// body: the same loopback server for the client and its baseline.
func cannedServer(b *testing.B, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, srv *httptest.Server, opts ...wrapper.Option) *wrapper.Client {
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithCredentials(testKey, testSecret),
		wrapper.WithEndpoint(srv.URL + "/v1.alpha"), wrapper.WithHTTPClient(srv.Client())}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// rawOf is the raw baseline (fakeproc.Raw) of an in-process server.
func rawOf(b *testing.B, srv *httptest.Server) *fakeproc.Raw {
	r, err := fakeproc.NewRaw(srv.Client(), srv.URL+"/v1.alpha", testKey, testSecret)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// usageJSON is one usage statement with three lines.
const usageJSON = `[{"code":"INV-2025-03-0001","currency":"CHF","total-excl-vat":1234.5,"total-incl-vat":1334.49,` +
	`"start-date":"2025-03-01T00:00:00Z","end-date":"2025-04-01T00:00:00Z","usage":[` +
	`{"product":"compute","variable":"instance-hours","description":"Standard Medium","quantity":744,"unit":"hour","total-excl-vat":1000,"total-incl-vat":1081},` +
	`{"product":"sos","variable":"gib-hours","description":"Object storage","quantity":1234567.89,"unit":"GiB-hour","total-excl-vat":200,"total-incl-vat":216.2},` +
	`{"product":"dbaas","variable":"hours","description":"PostgreSQL","quantity":34.5,"unit":"hour","total-excl-vat":34.5,"total-incl-vat":37.29}]}]`

// BenchmarkCall compares one call through the client (validate, sign, send,
// decode) with the raw baseline against the same server in another process
// (internal/fakeproc, serving fixed answers), as ratios measured in the
// same run: each round makes a block of raw calls, then the same number of
// calls through the client (and, for create, through a client without
// validation), so that a machine whose load drifts slows both alike.
// Metrics, per operation: x-raw-wall and x-raw-cpu, the client's wall time
// and processor time (this process's: everything but the server) per call
// as a multiple of raw's; -noval the same without validation; raw-sec and
// raw-cpu-sec raw's own per call; allocs per call of each. Targets: get,
// list and usage ≤ 1.05×, create with validation ≤ 1.15×, in both.
func BenchmarkCall(b *testing.B) {
	req := validRequest()
	fake := fakeproc.StartCanned(b, map[string]string{"get": orgJSON, "list": string(orgList(10)), "usage": usageJSON, "create": orgJSON})
	r := fake.Raw(b, 1)
	c, nv := fake.Client(b), fake.Client(b, wrapper.WithoutValidation())
	ctx := context.Background()
	raw := func(method, path, query string, body func() []byte, out func() any) func() error {
		return func() error {
			var data []byte
			if body != nil {
				data = body()
			}
			return r.Do(ctx, method, path, query, data, out())
		}
	}
	in := fakeproc.RawCreate{DisplayName: req.DisplayName, OwnerEmail: req.OwnerEmail, ClientID: req.ClientID,
		BillingAddress: fakeproc.RawAddress{Name: req.BillingAddress.Name, StreetName: req.BillingAddress.StreetName,
			City: req.BillingAddress.City, PostalCode: req.BillingAddress.PostalCode, Country: req.BillingAddress.Country}}
	period := wrapper.NewPeriod(2025, time.March)
	for _, op := range []struct {
		name         string
		raw, exo, nv func() error
	}{
		{"get", raw("GET", "/distributor/organization/"+orgIDText, "", nil, func() any { return new(fakeproc.RawOrganization) }),
			func() error { _, err := c.GetOrganization(ctx, orgID); return err }, nil},
		{"list10", raw("GET", "/distributor/organization", "", nil, func() any { return new(fakeproc.RawList) }),
			func() error {
				orgs, err := c.ListOrganizations(ctx)
				if err == nil && len(orgs) != 10 {
					err = fmt.Errorf("%d organizations", len(orgs))
				}
				return err
			}, nil},
		{"usage", raw("GET", "/distributor/organization/"+orgIDText+"/usage", "period=2025-03", nil, func() any { return new([]fakeproc.RawStatement) }),
			func() error {
				st, err := c.ListUsage(ctx, orgID, period)
				if err == nil && len(st) != 1 {
					err = fmt.Errorf("%d statements", len(st))
				}
				return err
			}, nil},
		{"create", raw("POST", "/distributor/organization", "", func() []byte { body, _ := json.Marshal(in); return body }, func() any { return new(fakeproc.RawOrganization) }),
			func() error { _, err := c.CreateOrganization(ctx, req); return err },
			func() error { _, err := nv.CreateOrganization(ctx, req); return err }},
	} {
		b.Run("op="+op.name, func(b *testing.B) {
			impls := []func() error{op.raw, op.exo}
			if op.nv != nil {
				impls = append(impls, op.nv)
			}
			var spent [3]cost
			for b.Loop() {
				for i, f := range impls {
					spent[i].add(b, f)
				}
			}
			calls := float64(b.N * callsPerBlock)
			b.ReportMetric(spent[0].wall.Seconds()/calls, "raw-sec/call")
			b.ReportMetric(spent[0].cpu.Seconds()/calls, "raw-cpu-sec/call")
			b.ReportMetric(float64(spent[1].wall)/float64(spent[0].wall), "x-raw-wall")
			b.ReportMetric(float64(spent[1].cpu)/float64(spent[0].cpu), "x-raw-cpu")
			b.ReportMetric(float64(spent[0].allocs)/calls, "raw-allocs/call")
			b.ReportMetric(float64(spent[1].allocs)/calls, "allocs/call")
			if op.nv != nil {
				b.ReportMetric(float64(spent[2].wall)/float64(spent[0].wall), "x-raw-wall-noval")
				b.ReportMetric(float64(spent[2].cpu)/float64(spent[0].cpu), "x-raw-cpu-noval")
			}
		})
	}
}

// callsPerBlock is how many calls of one implementation a round of
// BenchmarkCall makes in a row.
const callsPerBlock = 20

// cost is what one implementation's calls took: wall time, processor time
// of this process, and heap allocations.
type cost struct {
	wall, cpu time.Duration
	allocs    uint64
}

// add makes a block of calls of f and adds what they took.
func (c *cost) add(b *testing.B, f func() error) {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(sample)
	allocs, cpu, start := sample[0].Value.Uint64(), fakeproc.ClientCPU(), time.Now()
	for range callsPerBlock {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	c.wall += time.Since(start)
	c.cpu += fakeproc.ClientCPU() - cpu
	metrics.Read(sample)
	c.allocs += sample[0].Value.Uint64() - allocs
}

// orgList renders n organizations as the list answer.
func orgList(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"organizations":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"id":"0b6e5b1c-8d53-4e7f-9a52-%012x","status":"active","client-id":"crm-%d",`+
			`"billing-address":{"name":"Customer %d AG","street-name":"Bahnhofstrasse","building-number":"%d",`+
			`"city":"Zürich","postal-code":"8001","country":"CH"}}`, i, i, i, i%200)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// BenchmarkList10k lists 10 000 organizations. Besides time it reports the
// cost per organization and the bytes allocated per response byte: with
// nothing freed in between, allocation bounds the peak memory of the call.
func BenchmarkList10k(b *testing.B) { benchList(b, 10000) }

// BenchmarkList100k lists 100 000 organizations (about 23 MiB) with the
// default settings, the size at which the single-answer cap of 10 MiB used
// to fail the call; the target is a peak heap within 3× the response.
func BenchmarkList100k(b *testing.B) { benchList(b, 100000) }

func benchList(b *testing.B, n int) {
	body := orgList(n)
	srv := cannedServer(b, body)
	c := benchClient(b, srv)
	r := rawOf(b, srv)
	report := func(b *testing.B, call func()) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/org")
		var worst uint64
		for range 5 {
			worst = max(worst, peakHeap(call))
		}
		b.ReportMetric(float64(worst)/float64(len(body)), "peak/resp")
	}
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		call := func() {
			if _, err := r.List(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			call()
		}
		report(b, call)
	})
	b.Run("impl=exopartner", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		call := func() {
			orgs, err := c.ListOrganizations(context.Background())
			if err != nil || len(orgs) != n {
				b.Fatal(len(orgs), err)
			}
		}
		for b.Loop() {
			call()
		}
		report(b, call)
	})
}

// BenchmarkUsageForAll reads the usage of 1 000 organizations from
// partnertest with 20 ms of latency per request, at several concurrencies,
// and reports wall time as a multiple of the ideal: orgs ÷ concurrency ×
// latency (plus one listing), and the requests answered 429 per run.
//
//   - 429s=10pct answers 100 of the usage requests with 429 and
//     Retry-After: 1; they must slow the fan-out, not fail it.
//   - throttle-window puts the API in a 1 s throttle window at its 100th
//     request, as a rate limiter does: every request arriving in the window
//     is answered 429 with Retry-After: 1. With the client's shared pause,
//     the other workers wait with the one told to, instead of each hitting
//     the throttled API in turn (429s/op shows how many did).
func BenchmarkUsageForAll(b *testing.B) {
	const orgs, latency = 1000, 20 * time.Millisecond
	for _, tc := range []struct {
		concurrency int
		throttle    string
	}{{10, ""}, {50, ""}, {100, ""}, {50, "429s=10pct"}, {50, "throttle-window"}} {
		name := fmt.Sprintf("concurrency=%d", tc.concurrency)
		if tc.throttle != "" {
			name += "/" + tc.throttle
		}
		b.Run(name, func(b *testing.B) {
			api := partnertest.NewAPI()
			defer api.Close()
			api.AddOrganizations(orgs)
			api.SetLatency(latency)
			var throttled atomic.Int64
			window := &throttleWindow{next: api, at: 100, length: time.Second}
			var h http.Handler = api
			if tc.throttle == "throttle-window" {
				h = window
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(&statusRecorder{ResponseWriter: w, throttled: &throttled}, r)
			}))
			defer srv.Close()
			c, err := wrapper.New(wrapper.WithCredentials(api.Key(), api.Secret()), wrapper.WithEndpoint(srv.URL+partnertest.BasePath),
				wrapper.WithRetry(4, 50*time.Millisecond, time.Second))
			if err != nil {
				b.Fatal(err)
			}
			ideal := time.Duration(orgs/tc.concurrency+1) * latency
			for b.Loop() {
				switch tc.throttle {
				case "429s=10pct":
					api.InjectFault("list-distributor-organization-usage", orgs/10, partnertest.Fault{Status: 429, RetryAfter: "1"})
				case "throttle-window":
					window.reset()
				}
				res, err := c.UsageForAll(context.Background(), wrapper.NewPeriod(2025, time.March), tc.concurrency)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res {
					if r.Err != nil {
						b.Fatalf("%s: %v", r.ID, r.Err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "x-ideal")
			b.ReportMetric(float64(throttled.Load())/float64(b.N), "429s/op")
		})
	}
}

// throttleWindow answers every request 429 (Retry-After: 1) for length
// from its at-th request on, and passes the others to next.
type throttleWindow struct {
	next   http.Handler
	at     int64
	length time.Duration
	n      atomic.Int64
	end    atomic.Int64 // UnixNano; 0: not opened
}

func (t *throttleWindow) reset() { t.n.Store(0); t.end.Store(0) }

func (t *throttleWindow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t.n.Add(1) == t.at {
		t.end.Store(time.Now().Add(t.length).UnixNano())
	}
	if end := t.end.Load(); end != 0 && time.Now().UnixNano() < end {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	t.next.ServeHTTP(w, r)
}

// statusRecorder counts the 429 answers going through it.
type statusRecorder struct {
	http.ResponseWriter
	throttled *atomic.Int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if code == http.StatusTooManyRequests {
		s.throttled.Add(1)
	}
	s.ResponseWriter.WriteHeader(code)
}

// Flush passes on to the ResponseWriter, for answers that stream.
func (s *statusRecorder) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

// peakHeap runs f once and returns the peak heap growth seen while it ran,
// sampled every 20µs from runtime/metrics with GOGC at 10 so the heap tracks
// live data closely. It is a measurement, not a bound: sampling can miss a
// brief peak, so figures are reported with that caveat.
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Microsecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak.Load()
}

// hostileAnswers are the answers that take the most memory once decoded,
// per byte: minimal organizations (60 bytes each, 160 decoded), a string
// as long as the cap allows followed by organizations up to the item
// bound, and usage statements of two bytes ("{}", 120 decoded).
func hostileAnswers() map[string]struct{ path, body string } {
	minimal := func(i int) string { return fmt.Sprintf(`{"id":"0b6e5b1c-8d53-4e7f-9a52-%012x","status":"a"}`, i) }
	var orgs strings.Builder
	orgs.WriteString(`{"organizations":[`)
	for i := 0; orgs.Len() < wrapper.DefaultMaxListResponseBytes-100; i++ {
		if i > 0 {
			orgs.WriteByte(',')
		}
		orgs.WriteString(minimal(i))
	}
	orgs.WriteString(`]}`)
	var mixed strings.Builder
	mixed.WriteString(`{"organizations":[{"id":"0b6e5b1c-8d53-4e7f-9a52-000000000000","status":"a","client-id":"`)
	mixed.WriteString(strings.Repeat("x", wrapper.DefaultMaxListResponseBytes-wrapper.MaxAnswerItems*len(minimal(0))-200))
	mixed.WriteString(`"}`)
	for i := 1; i < wrapper.MaxAnswerItems; i++ {
		mixed.WriteString("," + minimal(i))
	}
	mixed.WriteString(`]}`)
	usage := "[" + strings.Repeat(`{},`, wrapper.DefaultMaxResponseBytes/3-1) + "{}]"
	list := "/distributor/organization"
	return map[string]struct{ path, body string }{
		"list-minimal-orgs": {list, orgs.String()}, "list-long-string-then-orgs": {list, mixed.String()},
		"usage-empty-statements": {"/distributor/organization/" + orgIDText + "/usage", usage},
	}
}

// BenchmarkHostileAnswers: the peak heap of one call given each hostile
// answer, gzipped (a few MB on the wire), with the default options, against
// the raw baseline that reads the body whole and unmarshals it (no item
// bound). The target: no answer takes the client past 1 GiB. exopartner
// refuses the first and the last (more than MaxAnswerItems items) and
// decodes the second; the baseline decodes all three.
func BenchmarkHostileAnswers(b *testing.B) {
	for name, a := range hostileAnswers() {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		_, _ = io.WriteString(zw, a.body)
		_ = zw.Close()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
		}))
		c, r := benchClient(b, srv), rawOf(b, srv)
		for _, impl := range []string{"raw", "exopartner"} {
			b.Run("answer="+name+"/impl="+impl, func(b *testing.B) {
				var worst uint64
				for b.Loop() {
					worst = max(worst, peakHeap(func() {
						var err error
						switch {
						case impl == "raw" && strings.HasPrefix(name, "list"):
							_, err = r.List(context.Background())
						case impl == "raw":
							var out []fakeproc.RawStatement
							err = r.Do(context.Background(), "GET", a.path, "", nil, &out)
						case strings.HasPrefix(name, "list"):
							_, _ = c.ListOrganizations(context.Background())
						default:
							_, _ = c.ListUsage(context.Background(), orgID, wrapper.Period{})
						}
						if err != nil {
							b.Fatal(err)
						}
					}))
				}
				b.ReportMetric(float64(worst)/(1<<20), "peak-MiB")
			})
		}
		srv.Close()
	}
}
