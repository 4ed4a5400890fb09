package report_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/fakeproc"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
	"github.com/exopartner/exopartner/wrapper/report"
)

// BenchmarkUsageReport builds the usage report of 1 000 organizations from
// partnertest with 20 ms of latency per request and reports wall time as a
// multiple of the ideal, ceil(orgs ÷ concurrency) × latency (x-ideal;
// target ≤ 1.2). The listing's own round trip counts against the report.
func BenchmarkUsageReport(b *testing.B) {
	const orgs, latency = 1000, 20 * time.Millisecond
	for _, concurrency := range []int{10, 50} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			srv := partnertest.NewServer()
			defer srv.Close()
			srv.AddOrganizations(orgs)
			srv.SetLatency(latency)
			c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
			if err != nil {
				b.Fatal(err)
			}
			ideal := time.Duration((orgs+concurrency-1)/concurrency) * latency
			period := wrapper.PeriodOf(time.Now().AddDate(0, -1, 0)) // synthetic statements, 1 to 4 lines each
			for b.Loop() {
				r, err := report.Build(context.Background(), c, period, report.Options{Concurrency: concurrency})
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Failed) != 0 || r.Organizations != orgs || len(r.Rows) < orgs {
					b.Fatalf("%d organizations, %d rows, failed %v", r.Organizations, len(r.Rows), r.Failed)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "x-ideal")
		})
	}
}

// BenchmarkUsageReportOutOfProcess is the usage report of 10 000
// organizations at 20 ms of latency with a concurrency of 50, against the
// fake in its own process (internal/fakeproc), as a multiple of the ideal,
// ceil(10000/50) × 20 ms.
func BenchmarkUsageReportOutOfProcess(b *testing.B) {
	const orgs, concurrency, latency = 10000, 50, 20 * time.Millisecond
	ideal := time.Duration((orgs+concurrency-1)/concurrency) * latency
	fake := fakeproc.Start(b, latency, orgs)
	c := fake.Client(b)
	period := wrapper.PeriodOf(time.Now().AddDate(0, -1, 0))
	client, server := fakeproc.ClientCPU(), fake.CPU()
	for b.Loop() {
		r, err := report.Build(context.Background(), c, period, report.Options{Concurrency: concurrency})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Failed) != 0 || r.Organizations != orgs {
			b.Fatalf("%d organizations, failed %v", r.Organizations, r.Failed)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "x-ideal")
	fake.ReportCPU(b, client, server)
}
