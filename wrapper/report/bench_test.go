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
// fake in its own process (internal/fakeproc), beside its bare baseline in
// the same run: the raw fan-out (fakeproc.Raw: the same listing and usage
// requests at the same concurrency, signed by hand and decoded into plain
// structs, no rows or totals). Each iteration runs the raw fan-out, then
// report.Build, so that a load that drifts slows both alike; ns/op is the
// two together.
//
// Metrics: x-ideal, the report's wall time as a multiple of the ideal,
// ceil(10000/50) × 20 ms (target ≤ 1.2); x-raw, the report's wall time over
// the raw fan-out's (the client's own share, rows and totals included);
// raw-x-ideal, the raw fan-out's against the ideal (what the machine and
// the fake allow); client-cpu-s/op and raw-cpu-s/op, this process's
// processor time per fan-out, and x-raw-cpu their ratio; fake-cpu-s/op and
// raw-fake-cpu-s/op, the fake's during each.
//
// answers=trusted runs the fake without validating its own answers
// (fakeproc.WithoutAnswerValidation: requests are still verified and
// validated), the figure of the target; answers=validated is partnertest's
// default, whose kin-openapi check of every usage answer is about a third
// of the fake's processor time.
func BenchmarkUsageReportOutOfProcess(b *testing.B) {
	const orgs, concurrency, latency = 10000, 50, 20 * time.Millisecond
	ideal := time.Duration((orgs+concurrency-1)/concurrency) * latency
	for _, answers := range []string{"trusted", "validated"} {
		b.Run("answers="+answers, func(b *testing.B) {
			var opts []fakeproc.Option
			if answers == "trusted" {
				opts = append(opts, fakeproc.WithoutAnswerValidation())
			}
			fake := fakeproc.Start(b, latency, orgs, opts...)
			c, raw := fake.Client(b), fake.Raw(b, concurrency)
			period := wrapper.PeriodOf(time.Now().AddDate(0, -1, 0))
			ctx := context.Background()
			rawFanOut := func() {
				if res, err := raw.UsageForAll(ctx, period.String(), concurrency); err != nil || len(res) != orgs {
					b.Fatalf("raw: %d organizations, %v", len(res), err)
				}
			}
			build := func() {
				r, err := report.Build(ctx, c, period, report.Options{Concurrency: concurrency})
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Failed) != 0 || r.Organizations != orgs {
					b.Fatalf("%d organizations, failed %v", r.Organizations, r.Failed)
				}
			}
			// Warm both up (connections, the fake's first answers), untimed.
			listed, err := raw.List(ctx)
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]wrapper.ID, orgs/10)
			for i := range ids {
				ids[i] = listed[i].ID
			}
			raw.UsageFor(ctx, ids, period.String(), concurrency)
			c.UsageFor(ctx, ids, period, concurrency)

			var spent [2]struct{ wall, cpu, fake time.Duration }
			measure := func(i int, f func()) {
				cpu, fakeCPU, start := fakeproc.ClientCPU(), fake.CPU(), time.Now()
				f()
				spent[i].wall += time.Since(start)
				spent[i].cpu += fakeproc.ClientCPU() - cpu
				spent[i].fake += fake.CPU() - fakeCPU
			}
			for b.Loop() {
				measure(0, rawFanOut)
				measure(1, build)
			}
			n := float64(b.N)
			b.ReportMetric(float64(spent[1].wall)/n/float64(ideal), "x-ideal")
			b.ReportMetric(float64(spent[1].wall)/float64(spent[0].wall), "x-raw")
			b.ReportMetric(float64(spent[0].wall)/n/float64(ideal), "raw-x-ideal")
			b.ReportMetric(float64(spent[1].cpu)/float64(spent[0].cpu), "x-raw-cpu")
			b.ReportMetric(spent[1].cpu.Seconds()/n, "client-cpu-s/op")
			b.ReportMetric(spent[0].cpu.Seconds()/n, "raw-cpu-s/op")
			b.ReportMetric(spent[1].fake.Seconds()/n, "fake-cpu-s/op")
			b.ReportMetric(spent[0].fake.Seconds()/n, "raw-fake-cpu-s/op")
		})
	}
}
