package meterfile_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

const opMetering = "metering-transaction"

// fixture is a fake API with organizations, a client for it and a file of
// one two-row transaction per organization.
type fixture struct {
	srv     *partnertest.Server
	client  *wrapper.Client
	orgs    []wrapper.ID
	txs     []meterfile.Transaction
	journal string
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	srv := partnertest.NewServer(partnertest.WithTB(t))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, client: c, journal: filepath.Join(t.TempDir(), "journal")}
	var csv strings.Builder
	csv.WriteString("organization,product,variable,quantity\n")
	for i, id := range srv.AddOrganizations(n) {
		f.orgs = append(f.orgs, id)
		fmt.Fprintf(&csv, "%s,partner,license_product,%d.5\n%s,partner,commission,-0.0000%d\n", id, i+1, id, i%9+1)
	}
	if n == 0 {
		return f
	}
	if f.txs, err = meterfile.Parse("m.csv", strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs the file once with a freshly opened journal, as a new process would.
func (f *fixture) run(t *testing.T, opts meterfile.Options) meterfile.Report {
	t.Helper()
	rep, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal { return j }, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (f *fixture) runWith(t *testing.T, wrap func(*meterfile.FileJournal) meterfile.Journal, opts meterfile.Options) (meterfile.Report, error) {
	t.Helper()
	j, err := meterfile.OpenFile(f.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	return meterfile.Run(context.Background(), f.client, wrap(j), f.txs, opts)
}

// applied is how many times each organization's transaction was applied,
// from the fake's own records (two rows per transaction).
func (f *fixture) applied(t *testing.T) []int {
	t.Helper()
	n := make([]int, len(f.orgs))
	for i, id := range f.orgs {
		rows := len(f.srv.Metering(id))
		if rows%2 != 0 {
			t.Fatalf("organization %d: %d rows applied, not whole transactions", i, rows)
		}
		n[i] = rows / 2
	}
	return n
}

func outcomes(rep meterfile.Report) string {
	var s []string
	for _, r := range rep.Results {
		s = append(s, string(r.Outcome))
	}
	return strings.Join(s, " ")
}

func wantOutcomes(t *testing.T, rep meterfile.Report, want string) {
	t.Helper()
	if got := outcomes(rep); got != want {
		t.Errorf("outcomes: got %q, want %q", got, want)
	}
}

func wantApplied(t *testing.T, f *fixture, want ...int) {
	t.Helper()
	if got := f.applied(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("times applied per organization: got %v, want %v", got, want)
	}
}

func TestRunSendsEachTransactionOnce(t *testing.T) {
	f := newFixture(t, 3)
	wantOutcomes(t, f.run(t, meterfile.Options{}), "applied applied applied")
	wantApplied(t, f, 1, 1, 1)
	for range 2 {
		f.srv.ResetCounts()
		rep := f.run(t, meterfile.Options{ResendUnknown: true})
		wantOutcomes(t, rep, "skipped skipped skipped")
		if n := f.srv.Requests(""); n != 0 {
			t.Errorf("a rerun of an applied file sent %d requests", n)
		}
		if len(rep.Reconcile()) != 0 {
			t.Errorf("nothing to reconcile, got %+v", rep.Reconcile())
		}
	}
	wantApplied(t, f, 1, 1, 1)
}

func TestRunAfterUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fault       partnertest.Fault
		wantApplied []int // after the first run
	}{
		{"5xx, not applied", partnertest.Fault{Status: 500}, []int{1, 0, 1}},
		{"applied, answer lost", partnertest.Fault{Status: 502, AfterAction: true}, []int{1, 1, 1}},
		{"applied, connection dropped", partnertest.Fault{Drop: true, AfterAction: true}, []int{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 3)
			// Fail the second transaction's request.
			first := f.run(t, meterfile.Options{Progress: func(r meterfile.Result) {
				if r.Transaction.Organization == f.orgs[0] {
					f.srv.InjectFault(opMetering, 1, tc.fault)
				}
			}})
			wantOutcomes(t, first, "applied unknown applied")
			if r := first.Results[1]; !errors.Is(r.Err, wrapper.ErrOutcomeUnknown) {
				t.Errorf("unknown result's error: %v", r.Err)
			}
			wantApplied(t, f, tc.wantApplied...)

			// A rerun refuses to send it again and lists it.
			f.srv.ResetCounts()
			rerun := f.run(t, meterfile.Options{})
			wantOutcomes(t, rerun, "skipped refused skipped")
			if rc := rerun.Reconcile(); len(rc) != 1 || rc[0].Transaction.Organization != f.orgs[1] || !errors.Is(rc[0].Err, meterfile.ErrUnknownNotResent) {
				t.Errorf("reconcile: %+v", rc)
			}
			if n := f.srv.Requests(""); n != 0 {
				t.Errorf("the rerun sent %d requests", n)
			}
			wantApplied(t, f, tc.wantApplied...)

			if tc.wantApplied[1] == 1 {
				// Reconciliation found it applied: mark it so.
				f.srv.ResetCounts()
				wantOutcomes(t, f.run(t, meterfile.Options{MarkApplied: []string{rerun.Results[1].ID}}), "skipped marked-applied skipped")
				wantOutcomes(t, f.run(t, meterfile.Options{ResendUnknown: true}), "skipped skipped skipped")
				if n := f.srv.Requests(""); n != 0 {
					t.Errorf("marking sent %d requests", n)
				}
				wantApplied(t, f, 1, 1, 1)
			} else {
				// Reconciliation found it not applied: --resend-unknown sends only that one.
				wantOutcomes(t, f.run(t, meterfile.Options{ResendUnknown: true}), "skipped applied skipped")
				if n := f.srv.Requests(opMetering); n != 1 {
					t.Errorf("resend: %d requests, want 1", n)
				}
				wantApplied(t, f, 1, 1, 1)
				wantOutcomes(t, f.run(t, meterfile.Options{ResendUnknown: true}), "skipped skipped skipped")
				wantApplied(t, f, 1, 1, 1)
			}
		})
	}
}

func TestRunResendsFailed(t *testing.T) {
	f := newFixture(t, 2)
	f.srv.InjectFault(opMetering, 1, partnertest.Fault{Status: 404})
	rep := f.run(t, meterfile.Options{})
	wantOutcomes(t, rep, "failed applied")
	if r := rep.Results[0]; !errors.Is(r.Err, wrapper.ErrNotFound) || errors.Is(r.Err, wrapper.ErrOutcomeUnknown) {
		t.Errorf("failed result's error: %v", r.Err)
	}
	wantApplied(t, f, 0, 1)
	// Certainly not applied: a plain rerun sends it.
	wantOutcomes(t, f.run(t, meterfile.Options{}), "applied skipped")
	wantApplied(t, f, 1, 1)
}

// errCrash stands for the process dying.
var errCrash = errors.New("crash")

// crashingJournal dies at its n-th Record call: after the records are
// durable (the process dies right after fsync) or before they are written.
type crashingJournal struct {
	*meterfile.FileJournal
	n          int
	afterWrite bool
	dead       bool
}

func (c *crashingJournal) Record(entries ...meterfile.Entry) error {
	if c.dead {
		return errCrash
	}
	c.n--
	if c.n > 0 {
		return c.FileJournal.Record(entries...)
	}
	c.dead = true
	if c.afterWrite {
		if err := c.FileJournal.Record(entries...); err != nil {
			return err
		}
	}
	return errCrash
}

// TestRunKilledAtEveryPoint stops a run at every durable point of the
// journal (before and after each write), then runs the file again, as an
// operator would: rerun, reconcile what is listed against the API's usage,
// resend only what was not applied. No transaction is ever applied twice,
// and in the end every one is applied once.
func TestRunKilledAtEveryPoint(t *testing.T) {
	const n = 3
	writes := 1 + 2*n // the pending records, then sent and outcome per transaction
	for k := 1; k <= writes; k++ {
		for _, afterWrite := range []bool{false, true} {
			t.Run(fmt.Sprintf("write %d, after writing %v", k, afterWrite), func(t *testing.T) {
				f := newFixture(t, n)
				_, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal {
					return &crashingJournal{FileJournal: j, n: k, afterWrite: afterWrite}
				}, meterfile.Options{})
				if !errors.Is(err, errCrash) {
					t.Fatalf("run: got %v, want the crash", err)
				}
				for i, a := range f.applied(t) {
					if a > 1 {
						t.Fatalf("organization %d applied %d times", i, a)
					}
				}
				rerun := f.run(t, meterfile.Options{})
				for i, a := range f.applied(t) {
					if a > 1 {
						t.Fatalf("after the rerun, organization %d applied %d times", i, a)
					}
				}
				// Reconcile: resend what the API shows was not applied.
				refused := rerun.Reconcile()
				if len(refused) > 1 {
					t.Fatalf("one crash left %d transactions to reconcile", len(refused))
				}
				if len(refused) == 1 {
					r := refused[0]
					if r.Outcome != meterfile.OutcomeRefused {
						t.Fatalf("to reconcile: %+v", r)
					}
					if len(f.srv.Metering(r.Transaction.Organization)) == 0 {
						f.run(t, meterfile.Options{ResendUnknown: true})
					} else {
						f.run(t, meterfile.Options{MarkApplied: []string{r.ID}})
					}
				}
				wantApplied(t, f, 1, 1, 1)
				f.srv.ResetCounts()
				wantOutcomes(t, f.run(t, meterfile.Options{ResendUnknown: true}), "skipped skipped skipped")
				if r := f.srv.Requests(""); r != 0 {
					t.Errorf("final rerun sent %d requests", r)
				}
			})
		}
	}
}

func TestRunStopsWhenJournalFails(t *testing.T) {
	f := newFixture(t, 2)
	_, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal {
		return &crashingJournal{FileJournal: j, n: 2} // the first "sent" cannot be written
	}, meterfile.Options{})
	if !errors.Is(err, errCrash) || !strings.Contains(err.Error(), "m.csv:2 was not sent") {
		t.Errorf("got %v", err)
	}
	if r := f.srv.Requests(""); r != 0 {
		t.Errorf("sent %d requests without a durable journal", r)
	}
}

// TestRunReportsSentWhenOutcomeNotJournaled: when the outcome of a sent
// transaction cannot be journaled, the transaction is still a result, as
// unknown (what the journal says, so a rerun refuses it), passed to
// Progress and listed for reconciliation, with what the API answered.
func TestRunReportsSentWhenOutcomeNotJournaled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   *partnertest.Fault
		answer  string
		applied int
	}{
		{"applied", nil, "(the API answered: it was applied)", 1},
		{"refused", &partnertest.Fault{Status: 404}, "(the API answered: ", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 2)
			if tc.fault != nil {
				f.srv.InjectFault(opMetering, 1, *tc.fault)
			}
			var progress []meterfile.Result
			rep, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal {
				return &crashingJournal{FileJournal: j, n: 3} // pending, sent, then the outcome fails
			}, meterfile.Options{Progress: func(r meterfile.Result) { progress = append(progress, r) }})
			if !errors.Is(err, errCrash) || !strings.Contains(err.Error(), "m.csv:2 was sent") {
				t.Fatalf("got %v, want the journal's error", err)
			}
			wantOutcomes(t, rep, "unknown")
			rc := rep.Reconcile()
			if len(rc) != 1 || rc[0].ID != f.txs[0].ID() || !errors.Is(rc[0].Err, errCrash) ||
				!strings.Contains(rc[0].Err.Error(), tc.answer) {
				t.Fatalf("to reconcile: %+v", rc)
			}
			if len(progress) != 1 || progress[0].ID != f.txs[0].ID() || progress[0].Outcome != meterfile.OutcomeUnknown {
				t.Errorf("progress: %+v", progress)
			}
			wantApplied(t, f, tc.applied, 0)
			// The journal agrees: a rerun refuses it until reconciled.
			wantOutcomes(t, f.run(t, meterfile.Options{}), "refused applied")
			wantApplied(t, f, tc.applied, 1)
		})
	}
}

func TestRunStopsWhenCanceled(t *testing.T) {
	f := newFixture(t, 3)
	j, err := meterfile.OpenFile(f.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx, cancel := context.WithCancel(context.Background())
	rep, err := meterfile.Run(ctx, f.client, j, f.txs, meterfile.Options{Progress: func(meterfile.Result) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	wantOutcomes(t, rep, "applied")
	j.Close()
	wantOutcomes(t, f.run(t, meterfile.Options{}), "skipped applied applied")
	wantApplied(t, f, 1, 1, 1)
}

func TestMarkAppliedOnlyWhatAwaitsReconciliation(t *testing.T) {
	f := newFixture(t, 2)
	f.srv.InjectFault(opMetering, 1, partnertest.Fault{Status: 404})
	f.run(t, meterfile.Options{}) // failed, applied
	f.srv.ResetCounts()
	for _, tc := range []struct{ id, want string }{
		{f.txs[0].ID(), ") is failed, not awaiting reconciliation"},
		{f.txs[1].ID(), ") is applied, not awaiting reconciliation"},
		{strings.Repeat("ab", 32), "not a transaction of this file"},
	} {
		_, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal { return j }, meterfile.Options{MarkApplied: []string{tc.id}})
		if !errors.Is(err, meterfile.ErrCannotMark) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("mark %s: got %v, want %q", tc.id, err, tc.want)
		}
	}
	if n := f.srv.Requests(""); n != 0 {
		t.Errorf("a refused mark sent %d requests", n)
	}
	// A refused mark on a file with a new transaction journals nothing.
	f.txs = append(f.txs, meterfile.Transaction{Organization: f.orgs[0], Batch: "new", File: "m.csv", Line: 9,
		Usage: []wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}}})
	_, err := f.runWith(t, func(j *meterfile.FileJournal) meterfile.Journal { return j }, meterfile.Options{MarkApplied: []string{f.txs[1].ID()}})
	if !errors.Is(err, meterfile.ErrCannotMark) {
		t.Fatal(err)
	}
	j := openJournal(t, f.journal)
	if _, ok, _ := j.Lookup(f.txs[2].Key()); ok {
		t.Error("a refused mark journaled a new transaction")
	}
}
