package pgjournal_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
)

// TestWithRetryFor: with WithRetryFor(0), a connection lost to a database
// restart is not retried: the outcome of the request in flight cannot be
// recorded, the run stops with an error saying so, the transaction is
// reported unknown and nothing more is sent. (With the default, the same
// restart is ridden out: TestDatabaseRestartsMidRun.) A rerun refuses the
// unknown one and sends the rest.
func TestWithRetryFor(t *testing.T) {
	const n = 3
	f := newFixture(t, n)
	var once sync.Once
	f.hold = func(*http.Request) {
		once.Do(func() { f.pg.Restart(t) }) // the first request in flight: every connection is cut
	}
	j, err := pgjournal.Open(t.Context(), f.dsn, pgjournal.WithRetryFor(0))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := meterfile.Run(t.Context(), f.client, j, f.txs, meterfile.Options{})
	j.Close()
	if err == nil || !strings.Contains(err.Error(), "not recorded") {
		t.Fatalf("run error %v, want the outcome not recorded", err)
	}
	if got := outcomes(rep); got != "unknown" {
		t.Errorf("outcomes %q, want unknown and nothing more", got)
	}
	if got := f.applied(); got != "[1 0 0]" {
		t.Errorf("applied %s", got)
	}
	f.hold = nil
	j, err = pgjournal.Open(t.Context(), f.dsn, pgjournal.WithRetryFor(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rep, err = meterfile.Run(t.Context(), f.client, j, f.txs, meterfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(rep); got != "refused applied applied" {
		t.Errorf("rerun: %s", got)
	}
	if got := f.applied(); got != "[1 1 1]" {
		t.Errorf("after the rerun, applied %s", got)
	}
}
