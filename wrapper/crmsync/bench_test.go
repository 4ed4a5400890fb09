package crmsync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/fakeproc"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/crmsync"
)

// BenchmarkSyncApply applies a plan of 1 000 creates at 20 ms of latency
// with a concurrency of 16, against the fake in its own process, and
// reports the wall time of ApplyConcurrently as a multiple of the ideal,
// ceil(1000/16) × 20 ms (the plan's listing is not timed).
func BenchmarkSyncApply(b *testing.B) {
	const n, concurrency, latency = 1000, 16, 20 * time.Millisecond
	ideal := time.Duration((n+concurrency-1)/concurrency) * latency
	fake := fakeproc.Start(b, latency, 0)
	c := fake.Client(b)
	var client, server time.Duration
	b.ResetTimer() // starting the fake (a go build) is not the benchmark
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		customers := make([]crmsync.Customer, n)
		for k := range customers {
			customers[k] = customer(fmt.Sprintf("crm-%d-%d", i, k), wrapper.StatusActive)
		}
		plan, err := crmsync.Plan(context.Background(), c, customers)
		if err != nil || plan.Changes() != n {
			b.Fatalf("plan: %d changes, %v", plan.Changes(), err)
		}
		b.StartTimer()
		c0, s0 := fakeproc.ClientCPU(), fake.CPU()
		res, err := crmsync.ApplyConcurrently(context.Background(), c, plan, concurrency)
		client, server = client+fakeproc.ClientCPU()-c0, server+fake.CPU()-s0
		if err != nil || len(res.Failed()) != 0 || len(res.Outcomes) != n {
			b.Fatalf("%v, %d outcomes, failed %v", err, len(res.Outcomes), res.Failed())
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "x-ideal")
	b.ReportMetric(client.Seconds()/float64(b.N), "client-cpu-s/op")
	b.ReportMetric(server.Seconds()/float64(b.N), "fake-cpu-s/op")
}
