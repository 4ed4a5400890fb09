package pgjournal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exopartner/exopartner/internal/pgtest"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// safetyNet bounds every wait; a healthy run never reaches it.
const safetyNet = 2 * time.Minute

// fixture is a fake API (behind a handler that can hold a metering
// request), a file of one transaction per organization, and a database.
type fixture struct {
	pg     *pgtest.Server
	dsn    string
	api    *partnertest.API
	client *wrapper.Client
	orgs   []wrapper.ID
	txs    []meterfile.Transaction
	hold   func(r *http.Request) // when set, called before the fake serves a metering request
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	pg := pgtest.Get(t)
	f := &fixture{pg: pg, dsn: pg.NewDatabase(t), api: partnertest.NewAPI(partnertest.WithTB(t))}
	t.Cleanup(f.api.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := f.hold; h != nil && strings.HasSuffix(r.URL.Path, "/metering:apply") {
			h(r)
		}
		f.api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var err error
	if f.client, err = wrapper.New(wrapper.WithCredentials(f.api.Key(), f.api.Secret()),
		wrapper.WithEndpoint(srv.URL+partnertest.BasePath)); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("organization,product,variable,quantity,batch\n")
	for i, id := range f.api.AddOrganizations(n) {
		f.orgs = append(f.orgs, id)
		fmt.Fprintf(&csv, "%s,partner,license_product,%d,INV-1\n", id, i+1)
	}
	if f.txs, err = meterfile.Parse("m.csv", strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) open(t *testing.T) *pgjournal.Journal {
	t.Helper()
	j, err := pgjournal.Open(t.Context(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// run runs the file once with a journal of its own, as a new process would.
func (f *fixture) run(t *testing.T, opts meterfile.Options) meterfile.Report {
	t.Helper()
	j := f.open(t)
	defer j.Close()
	rep, err := meterfile.Run(t.Context(), f.client, j, f.txs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func outcomes(rep meterfile.Report) string {
	var s []string
	for _, r := range rep.Results {
		s = append(s, string(r.Outcome))
	}
	return strings.Join(s, " ")
}

func (f *fixture) applied() string {
	n := make([]int, len(f.orgs))
	for i, id := range f.orgs {
		n[i] = len(f.api.Metering(id))
	}
	return fmt.Sprint(n)
}

func (f *fixture) conn(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestRules: the rules of the file journal hold in PostgreSQL: apply, skip,
// refuse an unknown outcome, mark it applied after reconciliation, resend
// with ResendUnknown, and the batch rule.
func TestRules(t *testing.T) {
	f := newFixture(t, 3)
	f.api.InjectFault("metering-transaction", 1, partnertest.Fault{Status: 502, AfterAction: true}) // applied, answer lost
	if got := outcomes(f.run(t, meterfile.Options{})); got != "unknown applied applied" {
		t.Fatalf("first run: %s", got)
	}
	f.api.InjectFault("metering-transaction", 1, partnertest.Fault{Status: 500}) // not applied
	f.txs = append(f.txs, meterfile.Transaction{Organization: f.orgs[0], Batch: "INV-2", File: "m.csv", Line: 9,
		Usage: []wrapper.UsageRecord{{Product: "partner", Variable: "license_product", Quantity: 7}}})
	rep := f.run(t, meterfile.Options{})
	if got := outcomes(rep); got != "refused skipped skipped unknown" {
		t.Fatalf("rerun: %s", got)
	}
	if f.applied() != "[1 1 1]" { // INV-1 once each; INV-2 of org 0 not
		t.Fatalf("applied %s", f.applied())
	}
	// Reconciliation: the first was applied, the new one was not.
	got := outcomes(f.run(t, meterfile.Options{MarkApplied: []string{rep.Results[0].ID}, ResendUnknown: true}))
	if got != "marked-applied skipped skipped applied" || f.applied() != "[2 1 1]" {
		t.Fatalf("reconciled: %s, applied %s", got, f.applied())
	}
	if got := outcomes(f.run(t, meterfile.Options{ResendUnknown: true})); got != "skipped skipped skipped skipped" {
		t.Fatalf("last run: %s", got)
	}
	// The batch rule: INV-1 of org 1 comes back with other rows.
	f.txs[1].Usage[0].Quantity = 99
	j := f.open(t)
	_, err := meterfile.Run(t.Context(), f.client, j, f.txs, meterfile.Options{})
	var le meterfile.LineErrors
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "was already sent with other rows") {
		t.Fatalf("batch with other rows: %v", err)
	}
	if f.applied() != "[2 1 1]" {
		t.Errorf("applied %s", f.applied())
	}
	// One row per transaction, and the history of each change.
	c := f.conn(t)
	var rows, changes int
	if err := c.QueryRow(t.Context(), "SELECT (SELECT count(*) FROM exopartner_metering.transactions), (SELECT count(*) FROM exopartner_metering.history)").Scan(&rows, &changes); err != nil {
		t.Fatal(err)
	}
	// 4 pending, 5 sent, 5 outcomes (two unknown, three applied), 1 marked
	if rows != 4 || changes != 4+5+5+1 {
		t.Errorf("%d rows and %d history rows, want 4 and 15", rows, changes)
	}
}

// TestDatabaseEnforces: whatever client writes, the database refuses a
// state going back, a changed key, a deleted transaction and any change to
// the history.
func TestDatabaseEnforces(t *testing.T) {
	f := newFixture(t, 1)
	f.run(t, meterfile.Options{})
	c := f.conn(t)
	for _, sql := range []string{
		"UPDATE exopartner_metering.transactions SET state = 'pending'",
		"UPDATE exopartner_metering.transactions SET state = 'sent'",
		"UPDATE exopartner_metering.transactions SET batch = 'other'",
		"DELETE FROM exopartner_metering.transactions",
		"UPDATE exopartner_metering.history SET state = 'failed'",
		"DELETE FROM exopartner_metering.history",
		"TRUNCATE exopartner_metering.history CASCADE",
		"INSERT INTO exopartner_metering.transactions VALUES ('" + f.orgs[0].String() + "', 'b', '', '" + strings.Repeat("a", 64) + "', 'applied', NULL, now(), now(), NULL)",
	} {
		if _, err := c.Exec(t.Context(), sql); err == nil {
			t.Errorf("%s: accepted", sql)
		} else if !strings.Contains(err.Error(), "exopartner metering journal") {
			t.Errorf("%s: refused, but not by the journal's triggers: %v", sql, err)
		}
	}
	var v int
	if err := c.QueryRow(t.Context(), "SELECT version FROM exopartner_metering.version").Scan(&v); err != nil || v != 1 {
		t.Errorf("version %d, %v", v, err)
	}
	if got := outcomes(f.run(t, meterfile.Options{})); got != "skipped" {
		t.Errorf("after the refused writes: %s", got)
	}
}

// TestTwoRunsAtOnce: two runs of one file on one database at once (each
// with its own connections, as two machines) share the work: every
// transaction is applied once, by one of them, and skipped by the other.
func TestTwoRunsAtOnce(t *testing.T) {
	const n = 40
	f := newFixture(t, n)
	f.open(t).Close() // the schema exists: both runs start on the same footing
	var wg sync.WaitGroup
	reps := make([]meterfile.Report, 2)
	for r := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := pgjournal.Open(context.Background(), f.dsn)
			if err != nil {
				t.Error(err)
				return
			}
			defer j.Close()
			reps[r], err = meterfile.Run(context.Background(), f.client, j, f.txs, meterfile.Options{Concurrency: 4})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, want := f.applied(), "["+strings.TrimSpace(strings.Repeat("1 ", n))+"]"; got != want {
		t.Fatalf("applied %s, want each once", got)
	}
	for i := range f.txs {
		a, b := reps[0].Results[i].Outcome, reps[1].Results[i].Outcome
		if !(a == meterfile.OutcomeApplied && b == meterfile.OutcomeSkipped) && !(a == meterfile.OutcomeSkipped && b == meterfile.OutcomeApplied) {
			t.Errorf("%s:%d: %s and %s, want applied by one run and skipped by the other", f.txs[i].File, f.txs[i].Line, a, b)
		}
	}
}

// TestClaims: a claim held by a live run makes another run's Claim fail
// at once (or wait, until it is released); a run that dies loses its
// claims with its connection, and its transaction in flight is then sent:
// an unknown outcome, refused until reconciled.
func TestClaims(t *testing.T) {
	f := newFixture(t, 1)
	a, b := f.open(t), f.open(t)
	tx := f.txs[0]
	k := tx.Key()
	pending := meterfile.Entry{Transaction: tx.ID(), State: meterfile.StatePending, Organization: tx.Organization, Batch: tx.Batch, Time: time.Now().UTC()}
	if err := a.Record(pending); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Claim(t.Context(), k, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Claim(t.Context(), k, false); !errors.Is(err, meterfile.ErrClaimed) {
		t.Fatalf("a claim held elsewhere: got %v, want ErrClaimed", err)
	}
	sent := pending
	sent.State = meterfile.StateSent
	if err := a.Record(sent); err != nil {
		t.Fatal(err)
	}
	got := make(chan meterfile.Entry, 1)
	go func() {
		e, _, err := b.Claim(context.Background(), k, true)
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	// a dies: its connections are gone (as with kill -9 of its process).
	c := f.conn(t)
	if _, err := c.Exec(t.Context(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'exopartner' AND pid <> pg_backend_pid() AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e.State != meterfile.StateSent {
			t.Errorf("the dead run's transaction: %s, want sent", e.State)
		}
	case <-time.After(safetyNet):
		t.Fatal("the dead run's claim never ended")
	}
	b.Release(k)
	rep := f.run(t, meterfile.Options{})
	if got := outcomes(rep); got != "refused" || f.applied() != "[0]" {
		t.Errorf("after the dead run: %s, applied %s", got, f.applied())
	}
}

// TestDatabaseRestartsMidRun: the database restarts while a request is in
// flight; its outcome is recorded once the database is back, the run goes
// on and ends without error, each transaction applied once.
func TestDatabaseRestartsMidRun(t *testing.T) {
	const n = 6
	f := newFixture(t, n)
	var once sync.Once
	f.hold = func(*http.Request) {
		once.Do(func() { f.pg.Restart(t) }) // the first request in flight: every connection is cut
	}
	rep := f.run(t, meterfile.Options{Concurrency: 2})
	if got := outcomes(rep); got != strings.TrimSpace(strings.Repeat("applied ", n)) {
		t.Errorf("outcomes %s", got)
	}
	if got := f.applied(); got != "[1 1 1 1 1 1]" {
		t.Errorf("applied %s", got)
	}
	f.hold = nil
	if got := outcomes(f.run(t, meterfile.Options{})); got != strings.TrimSpace(strings.Repeat("skipped ", n)) {
		t.Errorf("rerun: %s", got)
	}
}

// TestUnreachable: a database that cannot be reached, or refuses the
// password, is an error of Open naming the DSN without its password.
func TestUnreachable(t *testing.T) {
	pg := pgtest.Get(t)
	closed := httptest.NewServer(http.NotFoundHandler()) // a port that is not PostgreSQL's
	closed.Close()
	port := strings.TrimPrefix(closed.URL, "http://127.0.0.1:")
	for _, dsn := range []string{
		"postgres://postgres:s3cret-Pa55@127.0.0.1:" + port + "/db?sslmode=disable&connect_timeout=5",
		strings.Replace(pg.DSN("postgres"), pg.Password(), "s3cret-Pa55", 1),
		fmt.Sprintf("host=127.0.0.1 port=%d user=postgres password=s3cret-Pa55 dbname=postgres sslmode=disable", pg.Port()),
	} {
		_, err := pgjournal.Open(t.Context(), dsn)
		if err == nil {
			t.Fatalf("%s: opened", dsn)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "postgres://postgres") {
			t.Errorf("error: %v", err)
		}
	}
}
