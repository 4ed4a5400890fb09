package pgjournal_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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

// TestSentNotAcknowledgedThenMovedByAnotherRun: the connection holding the
// claim is lost as the answer to the sent entry's write arrives (the entry
// is committed; the client never learns it), which ends the claim; another
// run claims the transaction, resends it (ResendUnknown) and records it
// applied before the journal tries again. The retry finds its sent entry,
// no longer the last: Record fails (ErrTransition), so the run does not
// send it a second time. Alone, the retry finds its sent entry the last,
// and Record succeeds: the entry is there once.
func TestSentNotAcknowledgedThenMovedByAnotherRun(t *testing.T) {
	for _, another := range []bool{true, false} {
		t.Run(map[bool]string{true: "another run", false: "alone"}[another], func(t *testing.T) { sentNotAcknowledged(t, another) })
	}
}

func sentNotAcknowledged(t *testing.T, another bool) {
	f := newFixture(t, 1)
	tx := f.txs[0]
	entry := func(s meterfile.State) meterfile.Entry {
		return meterfile.Entry{Transaction: tx.ID(), State: s, Organization: tx.Organization, Batch: tx.Batch, Time: time.Now().UTC()}
	}
	c := f.conn(t)
	d := &sentLost{then: func() {
		// The dead session's lock ends once the server sees it gone.
		for deadline := time.Now().Add(safetyNet); ; time.Sleep(10 * time.Millisecond) {
			var n int
			if err := c.QueryRow(context.Background(), "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"+
				" AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").Scan(&n); err != nil || n == 0 || time.Now().After(deadline) {
				break
			}
		}
		if !another {
			return
		}
		other, err := pgjournal.Open(context.Background(), f.dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer other.Close()
		if e, _, err := other.Claim(context.Background(), tx.Key(), false); err != nil || e.State != meterfile.StateSent {
			t.Errorf("the other run's claim: %s, %v", e.State, err)
			return
		}
		if err := other.Record(entry(meterfile.StateSent)); err != nil { // resent, as with ResendUnknown
			t.Error(err)
		}
		if err := other.RecordRelease(entry(meterfile.StateApplied)); err != nil {
			t.Error(err)
		}
	}}
	j := claimed(t, f, d, entry(meterfile.StatePending))
	defer j.Release(tx.Key())
	d.armed.Store(true)
	err := j.Record(entry(meterfile.StateSent))
	if !d.fired.Load() {
		t.Fatalf("the connection was not lost (%v)", err)
	}
	switch {
	case another && !errors.Is(err, meterfile.ErrTransition):
		t.Errorf("Record(sent) after another run moved it: %v, want ErrTransition (the run would send it again)", err)
	case !another && err != nil:
		t.Errorf("Record(sent), its commit not acknowledged, alone: %v", err)
	}
	var states string
	if err := c.QueryRow(t.Context(), "SELECT string_agg(state, ' ' ORDER BY seq) FROM exopartner_metering.history").Scan(&states); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{true: "pending sent sent applied", false: "pending sent"}[another]; states != want {
		t.Errorf("history %q, want %q", states, want)
	}
}

// claimed opens a journal whose connections d dials, records entries
// (each in its own Record) and claims their key, between the first and the
// second, as Run does.
func claimed(t *testing.T, f *fixture, d *sentLost, entries ...meterfile.Entry) *pgjournal.Journal {
	t.Helper()
	j, err := pgjournal.Open(t.Context(), f.dsn, pgjournal.WithDial(d.dial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	for i, e := range entries {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, _, err := j.Claim(t.Context(), e.Key(), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	return j
}

// sentLost dials connections that, once armed, lose themselves as the
// answer to the write of a sent entry arrives (the first time only). then
// runs once the connection is closed, before the journal sees the failure.
type sentLost struct {
	armed, fired atomic.Bool
	then         func()
}

func (d *sentLost) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &lossyConn{Conn: c, d: d}, nil
}

type lossyConn struct {
	net.Conn
	d       *sentLost
	sending atomic.Bool // this connection sent a sent entry while armed
}

func (c *lossyConn) Write(b []byte) (int, error) {
	if c.d.armed.Load() && bytes.Contains(b, []byte("sent")) {
		c.sending.Store(true)
	}
	return c.Conn.Write(b)
}

func (c *lossyConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.sending.Load() && bytes.Contains(b[:n], []byte("INSERT 0 1\x00")) && c.d.fired.CompareAndSwap(false, true) {
		c.Conn.Close()
		c.d.then()
		return 0, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestClaimWaitsAsLongAsItsContext: Claim with wait waits for the other
// run's claim however long that run holds it — longer than a statement's
// bound and the retries' (100 ms each here) — and takes it once released;
// it stops waiting when its context ends.
func TestClaimWaitsAsLongAsItsContext(t *testing.T) {
	f := newFixture(t, 1)
	k := f.txs[0].Key()
	a := f.open(t)
	if _, _, err := a.Claim(t.Context(), k, false); err != nil {
		t.Fatal(err)
	}
	b, err := pgjournal.Open(t.Context(), f.dsn, pgjournal.WithRetryFor(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetOpWait(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	claimed := make(chan error, 1)
	go func() { _, _, err := b.Claim(ctx, k, true); claimed <- err }()
	time.Sleep(700 * time.Millisecond) // longer than both bounds: still waiting
	select {
	case err := <-claimed:
		t.Fatalf("Claim(wait) returned while the other run held the claim: %v", err)
	default:
	}
	a.Release(k)
	select {
	case err := <-claimed:
		if err != nil {
			t.Fatalf("Claim(wait) once released: %v", err)
		}
	case <-time.After(safetyNet):
		t.Fatal("Claim(wait) did not take the claim once released")
	}
	b.Release(k)
	if _, _, err := a.Claim(t.Context(), k, false); err != nil {
		t.Fatal(err)
	}
	go func() { _, _, err := b.Claim(ctx, k, true); claimed <- err }()
	cancel()
	if err := <-claimed; !errors.Is(err, context.Canceled) {
		t.Errorf("Claim(wait) with its context canceled: %v", err)
	}
}

// TestOutcomeNotAcknowledgedThenClaimedByAnotherRun: the answer to
// RecordRelease's pipeline is lost once the outcome is committed and the
// claim unlocked; another run claims the transaction before the journal
// tries again. The retry cannot take the claim back, but finds its outcome
// committed: RecordRelease succeeds (the outcome is recorded; reporting it
// unknown would halt the run for nothing).
func TestOutcomeNotAcknowledgedThenClaimedByAnotherRun(t *testing.T) {
	f := newFixture(t, 1)
	tx := f.txs[0]
	entry := func(s meterfile.State) meterfile.Entry {
		return meterfile.Entry{Transaction: tx.ID(), State: s, Organization: tx.Organization, Batch: tx.Batch, Time: time.Now().UTC()}
	}
	other := f.open(t)
	d := &sentLost{then: func() {
		for deadline := time.Now().Add(safetyNet); ; time.Sleep(10 * time.Millisecond) {
			e, _, err := other.Claim(context.Background(), tx.Key(), false)
			if err == nil {
				if e.State != meterfile.StateApplied {
					t.Errorf("the other run's claim found %s, want applied", e.State)
				}
				return // held until the test ends
			}
			if !errors.Is(err, meterfile.ErrClaimed) || time.Now().After(deadline) {
				t.Errorf("the other run's claim: %v", err)
				return
			}
		}
	}}
	j := claimed(t, f, d, entry(meterfile.StatePending), entry(meterfile.StateSent))
	d.armed.Store(true)
	err := j.RecordRelease(entry(meterfile.StateApplied))
	if !d.fired.Load() {
		t.Fatalf("the connection was not lost (%v)", err)
	}
	if err != nil {
		t.Errorf("RecordRelease, its outcome committed, the claim taken by another run: %v", err)
	}
	var states string
	if err := f.conn(t).QueryRow(t.Context(), "SELECT string_agg(state, ' ' ORDER BY seq) FROM exopartner_metering.history").Scan(&states); err != nil {
		t.Fatal(err)
	}
	if states != "pending sent applied" {
		t.Errorf("history %q", states)
	}
}
