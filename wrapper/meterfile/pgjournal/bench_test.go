package pgjournal_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/fakeproc"
	"github.com/exopartner/exopartner/internal/pgtest"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
)

// BenchmarkMetering runs 1 000 transactions at 20 ms of latency with a
// concurrency of 16 against the fake in its own process, and reports the
// wall time as a multiple of the ideal, ceil(1000/16) × 20 ms: with no
// journal (journal=none: bare concurrent ApplyMetering calls of the same
// client, the baseline), with a FileJournal, and with a PostgreSQL journal
// (fsync on).
func BenchmarkMetering(b *testing.B) {
	const n, concurrency, latency = 1000, 16, 20 * time.Millisecond
	ideal := time.Duration((n+concurrency-1)/concurrency) * latency
	fake := fakeproc.Start(b, latency, n)
	c := fake.Client(b)
	orgs, err := c.ListOrganizations(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var dsn string
	pg := pgtest.Get(b)
	if pg != nil {
		pg.Durable(b)
		dsn = pg.NewDatabase(b)
	}
	round := 0
	file := func(batch string) []meterfile.Transaction {
		var csv strings.Builder
		csv.WriteString("organization,product,variable,quantity,batch\n")
		for i, o := range orgs {
			fmt.Fprintf(&csv, "%s,partner,license_product,%d,%s\n", o.ID, i+1, batch)
		}
		txs, err := meterfile.Parse("bench.csv", strings.NewReader(csv.String()))
		if err != nil {
			b.Fatal(err)
		}
		return txs
	}
	for _, kind := range []string{"none", "file", "postgres"} {
		b.Run("journal="+kind, func(b *testing.B) {
			var client, server, db time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				round++
				txs := file(fmt.Sprint("B", round))
				var j interface {
					meterfile.Journal
					Close() error
				}
				switch kind {
				case "file":
					j, err = meterfile.OpenFile(filepath.Join(b.TempDir(), "journal"))
				case "postgres":
					j, err = pgjournal.Open(context.Background(), dsn, pgjournal.WithConcurrency(concurrency))
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				c0, s0, d0 := fakeproc.ClientCPU(), fake.CPU(), pg.CPU()
				if j == nil {
					bare(b, c, txs, concurrency)
					client, server = client+fakeproc.ClientCPU()-c0, server+fake.CPU()-s0
					continue
				}
				rep, err := meterfile.Run(context.Background(), c, j, txs, meterfile.Options{Concurrency: concurrency})
				b.StopTimer()
				client, server = client+fakeproc.ClientCPU()-c0, server+fake.CPU()-s0
				if kind == "postgres" {
					db += pg.CPU() - d0
				}
				j.Close()
				if err != nil || len(rep.Reconcile()) != 0 || len(rep.Results) != n {
					b.Fatalf("%v, %d results, %d to reconcile", err, len(rep.Results), len(rep.Reconcile()))
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "x-ideal")
			b.ReportMetric(client.Seconds()/float64(b.N), "client-cpu-s/op")
			b.ReportMetric(server.Seconds()/float64(b.N), "fake-cpu-s/op")
			if kind == "postgres" {
				b.ReportMetric(db.Seconds()/float64(b.N), "pg-cpu-s/op")
			}
		})
	}
}

// bare sends the transactions with concurrency workers and no journal.
func bare(b *testing.B, c *wrapper.Client, txs []meterfile.Transaction, concurrency int) {
	work := make(chan meterfile.Transaction)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				if err := c.ApplyMetering(context.Background(), t.Organization, t.Usage); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for _, t := range txs {
		work <- t
	}
	close(work)
	wg.Wait()
}

// BenchmarkJournal is a journal's own cost per transaction, as a run
// with a concurrency of 16 pays it: its share of the pending records (one
// Record for them all), then, on 16 goroutines, Claim, Record(sent),
// Record(applied) and Release, or RecordRelease(applied) where the journal
// has it, as Run does. No HTTP. With PostgreSQL, the database
// server's processor time per transaction is reported too.
func BenchmarkJournal(b *testing.B) {
	var dsn string
	pg := pgtest.Get(b)
	if pg != nil {
		pg.Durable(b)
		dsn = pg.NewDatabase(b)
	}
	org := wrapper.MustParseID("6f1c2b1e-0a59-4a8e-9d0e-5b8f4c1d2e3f")
	round := 0
	for _, kind := range []string{"file", "postgres"} {
		b.Run("kind="+kind, func(b *testing.B) {
			round++
			var j interface {
				meterfile.Journal
				Close() error
			}
			var err error
			if kind == "file" {
				j, err = meterfile.OpenFile(filepath.Join(b.TempDir(), "journal"))
			} else {
				j, err = pgjournal.Open(context.Background(), dsn, pgjournal.WithConcurrency(16))
			}
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			id := strings.Repeat("ab", 32)
			now := time.Now().UTC()
			pending := make([]meterfile.Entry, b.N)
			for i := range pending {
				pending[i] = meterfile.Entry{Transaction: id, State: meterfile.StatePending, Organization: org,
					Batch: fmt.Sprintf("r%d-%d", round, i), Time: now, Usage: []meterfile.Usage{{Product: "p", Variable: "v", Quantity: 1}}}
			}
			b.ResetTimer()
			d0 := pg.CPU()
			if err := j.Record(pending...); err != nil {
				b.Fatal(err)
			}
			work := make(chan meterfile.Entry)
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for e := range work {
						if _, _, err := j.Claim(context.Background(), e.Key(), false); err != nil {
							b.Error(err)
							continue
						}
						e.Usage = nil
						e.State = meterfile.StateSent
						if err := j.Record(e); err != nil {
							b.Error(err)
						}
						e.State = meterfile.StateApplied
						record := j.Record
						if rr, ok := j.(meterfile.RecordReleaser); ok { // as Run records an outcome
							record = func(e ...meterfile.Entry) error { return rr.RecordRelease(e[0]) }
						}
						if err := record(e); err != nil {
							b.Error(err)
						}
						j.Release(e.Key())
					}
				}()
			}
			for _, e := range pending {
				work <- e
			}
			close(work)
			wg.Wait()
			if kind == "postgres" {
				b.ReportMetric(float64(pg.CPU()-d0)/float64(b.N), "pg-cpu-ns/op")
			}
		})
	}
}
