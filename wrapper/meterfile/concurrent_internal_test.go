package meterfile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/inflight"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// safetyNet bounds every wait of these tests; a healthy run never reaches
// it, however loaded the machine.
const safetyNet = 2 * time.Minute

// durableFile is a journal's fsync that remembers how much of the file was
// made durable.
type durableFile struct {
	path   string
	mu     sync.Mutex
	synced int64 // bytes of the file covered by the last fsync
	files  int   // fsyncs of the file
}

func (d *durableFile) sync(f *os.File) error {
	if err := f.Sync(); err != nil {
		return err
	}
	if f.Name() != d.path {
		return nil // its directory
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.synced, d.files = st.Size(), d.files+1
	return nil
}

// last is the last durable entry of org: what a crash at this instant
// would leave in the journal.
func (d *durableFile) last(t *testing.T, org wrapper.ID) (Entry, bool) {
	d.mu.Lock()
	n := d.synced
	d.mu.Unlock()
	data, err := os.ReadFile(d.path)
	if err != nil {
		t.Error(err)
		return Entry{}, false
	}
	var last Entry
	found := false
	sc := bufio.NewScanner(bytes.NewReader(data[:n]))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var env struct{ Record record }
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil {
			t.Error(err)
		}
		if env.Record.Organization == org {
			last, found = env.Record.Entry, true
		}
	}
	return last, found
}

// concurrentFixture is a fake API behind a handler that sees every metering
// request before the fake does, a file of one transaction per organization,
// and its journal with a counted fsync.
type concurrentFixture struct {
	api     *partnertest.API
	client  *wrapper.Client
	orgs    []wrapper.ID
	txs     []Transaction
	durable *durableFile
	onMeter func(r *http.Request, org wrapper.ID) // called before the fake serves a metering request
}

func newConcurrentFixture(t *testing.T, n int) *concurrentFixture {
	t.Helper()
	f := &concurrentFixture{api: partnertest.NewAPI(partnertest.WithTB(t))}
	t.Cleanup(f.api.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/metering:apply") && f.onMeter != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			var b api.MeteringBatch
			if err := json.Unmarshal(body, &b); err != nil {
				t.Errorf("metering body: %v", err)
			}
			f.onMeter(r, b.Organization)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		f.api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithCredentials(f.api.Key(), f.api.Secret()), wrapper.WithEndpoint(srv.URL+partnertest.BasePath))
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	f.durable = &durableFile{path: filepath.Join(t.TempDir(), "journal")}
	var csv strings.Builder
	csv.WriteString("organization,product,variable,quantity,batch\n")
	for i, id := range f.api.AddOrganizations(n) {
		f.orgs = append(f.orgs, id)
		fmt.Fprintf(&csv, "%s,partner,license_product,%d,INV-1\n", id, i+1)
	}
	if f.txs, err = Parse("m.csv", strings.NewReader(csv.String())); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs the file once with a freshly opened journal, as a new process
// would.
func (f *concurrentFixture) run(ctx context.Context, t *testing.T, opts Options) (Report, error) {
	t.Helper()
	j, err := openFile(f.durable.path, f.durable.sync)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	return Run(ctx, f.client, j, f.txs, opts)
}

// timesApplied is how often each organization's transaction was applied,
// from the fake's own records (one row per transaction).
func (f *concurrentFixture) timesApplied() string {
	n := make([]int, len(f.orgs))
	for i, id := range f.orgs {
		n[i] = len(f.api.Metering(id))
	}
	return fmt.Sprint(n)
}

func each(n int, v string) string {
	s := make([]string, n)
	for i := range s {
		s[i] = v
	}
	return "[" + strings.Join(s, " ") + "]"
}

// TestRunConcurrentKeepsTheRulesPerTransaction: with Concurrency 8, eight
// requests are in flight at once (the fake holds them until the eighth
// arrives), each transaction's sent record is durable before its request
// reaches the fake, each applied result is durable before it is reported,
// and every transaction is applied once; a rerun sends nothing.
func TestRunConcurrentKeepsTheRulesPerTransaction(t *testing.T) {
	const n, concurrency = 24, 8
	f := newConcurrentFixture(t, n)
	held := inflight.New(concurrency, safetyNet)
	f.onMeter = func(r *http.Request, org wrapper.ID) {
		if e, ok := f.durable.last(t, org); !ok || e.State != StateSent {
			t.Errorf("a request for %s reached the API with its last durable entry %+v (found %v), not sent", org, e, ok)
		}
		if !held.Enter() {
			t.Errorf("never %d requests in flight at once", concurrency)
		}
		held.Leave()
	}
	var lines []int
	progress := func(r Result) {
		lines = append(lines, r.Transaction.Line)
		if r.Outcome != OutcomeApplied {
			t.Errorf("%s:%d: %s %v", r.Transaction.File, r.Transaction.Line, r.Outcome, r.Err)
		}
		if e, ok := f.durable.last(t, r.Transaction.Organization); !ok || e.State != StateApplied {
			t.Errorf("%s:%d reported applied with its last durable entry %+v", r.Transaction.File, r.Transaction.Line, e)
		}
	}
	rep, err := f.run(t.Context(), t, Options{Concurrency: concurrency, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != n || len(lines) != n {
		t.Fatalf("%d results, %d progress calls, want %d", len(rep.Results), len(lines), n)
	}
	for i, r := range rep.Results {
		if r.Transaction.Line != f.txs[i].Line {
			t.Fatalf("results not in the file's order: %d is line %d", i, r.Transaction.Line)
		}
	}
	if got := f.timesApplied(); got != each(n, "1") {
		t.Errorf("applied %s", got)
	}
	f.onMeter = nil
	rep, err = f.run(t.Context(), t, Options{Concurrency: concurrency})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Outcome != OutcomeSkipped {
			t.Errorf("rerun: %s:%d %s", r.Transaction.File, r.Transaction.Line, r.Outcome)
		}
	}
	if got := f.timesApplied(); got != each(n, "1") {
		t.Errorf("after the rerun, applied %s", got)
	}
}

// TestRunConcurrentThrottled: 429s (with Retry-After) during a concurrent
// run slow it down and fail nothing.
func TestRunConcurrentThrottled(t *testing.T) {
	const n = 12
	f := newConcurrentFixture(t, n)
	f.api.InjectFault("metering-transaction", 3, partnertest.Fault{Status: 429, RetryAfter: "0"})
	rep, err := f.run(t.Context(), t, Options{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rc := rep.Reconcile(); len(rc) != 0 {
		t.Errorf("to reconcile: %+v", rc)
	}
	if got := f.timesApplied(); got != each(n, "1") {
		t.Errorf("applied %s", got)
	}
	if got := f.api.Requests("metering-transaction"); got != n+3 {
		t.Errorf("%d metering requests, want %d (each once, and the three throttled again)", got, n+3)
	}
}

// TestRunConcurrentCanceled: Ctrl-C (ctx canceled) while four requests are
// in flight stops sending: the four are journaled with their outcome
// (unknown: they may have been applied), the others are left for a rerun,
// which sends them and refuses the four until they are reconciled.
func TestRunConcurrentCanceled(t *testing.T) {
	const n, concurrency = 10, 4
	f := newConcurrentFixture(t, n)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	held := 0
	f.onMeter = func(r *http.Request, _ wrapper.ID) {
		mu.Lock()
		held++
		if held == concurrency {
			cancel() // Ctrl-C, with four requests in flight
		}
		mu.Unlock()
		select {
		case <-r.Context().Done(): // the client gave up: never applied
		case <-time.After(safetyNet):
			t.Error("the client did not give up its request")
		}
		panic(http.ErrAbortHandler)
	}
	rep, err := f.run(ctx, t, Options{Concurrency: concurrency})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if len(rep.Results) != concurrency {
		t.Fatalf("%d results, want the %d in flight: %+v", len(rep.Results), concurrency, rep.Results)
	}
	inFlight := map[wrapper.ID]bool{}
	for _, r := range rep.Results {
		inFlight[r.Transaction.Organization] = true
		if r.Outcome != OutcomeUnknown && r.Outcome != OutcomeFailed {
			t.Errorf("%s:%d: %s, want unknown or failed", r.Transaction.File, r.Transaction.Line, r.Outcome)
		}
		if e, _ := f.durable.last(t, r.Transaction.Organization); e.State != State(r.Outcome) {
			t.Errorf("%s:%d: %s, journaled %s", r.Transaction.File, r.Transaction.Line, r.Outcome, e.State)
		}
	}
	for _, org := range f.orgs {
		if e, ok := f.durable.last(t, org); !inFlight[org] && (!ok || e.State != StatePending) {
			t.Errorf("%s, never sent, journaled %+v", org, e)
		}
	}
	f.onMeter = nil
	rep, err = f.run(t.Context(), t, Options{Concurrency: concurrency})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		want := OutcomeApplied
		if inFlight[r.Transaction.Organization] && r.Outcome != OutcomeApplied { // failed ones are sent again
			want = OutcomeRefused
		}
		if r.Outcome != want {
			t.Errorf("rerun: %s:%d %s, want %s", r.Transaction.File, r.Transaction.Line, r.Outcome, want)
		}
	}
	for i, org := range f.orgs {
		if got := len(f.api.Metering(org)); got > 1 || (got == 0 && !inFlight[org]) {
			t.Errorf("organization %d applied %d times", i, got)
		}
	}
}

// TestJournalGroupCommit: records that become ready while an fsync is in
// progress are made durable together, by one write and one fsync once it
// returns; none of their Record calls returns before that fsync.
func TestJournalGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	var mu sync.Mutex
	var sizes []int64
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	gate := false
	j, err := openFile(path, func(f *os.File) error {
		err := f.Sync()
		st, _ := f.Stat()
		mu.Lock()
		block := gate && !st.IsDir()
		gate = false
		if !st.IsDir() {
			sizes = append(sizes, st.Size())
		}
		mu.Unlock()
		if block {
			entered <- struct{}{}
			<-release
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	mu.Lock()
	gate = true // the next fsync blocks until released
	mu.Unlock()

	const k = 5
	var returned sync.WaitGroup
	var done sync.Mutex
	finished := 0
	record := func(e Entry) {
		defer returned.Done()
		if err := j.Record(e); err != nil {
			t.Error(err)
		}
		done.Lock()
		finished++
		done.Unlock()
	}
	returned.Add(1)
	go record(syncEntry("first", StatePending))
	<-entered
	for i := range k {
		returned.Add(1)
		go record(syncEntry(fmt.Sprint("b", i), StatePending))
	}
	// Wait (for as long as it takes) until the k calls are queued.
	for deadline := time.Now().Add(safetyNet); ; time.Sleep(time.Millisecond) {
		j.mu.Lock()
		queued := len(j.next.entries)
		j.mu.Unlock()
		if queued == k {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records queued", queued, k)
		}
	}
	done.Lock()
	if finished != 0 {
		t.Errorf("%d Record calls returned before their fsync", finished)
	}
	done.Unlock()
	close(release)
	returned.Wait()
	final := size(t, path)
	mu.Lock()
	defer mu.Unlock()
	// The header's fsync, the first record's, then one for the k others.
	if len(sizes) != 3 || sizes[2] != final {
		t.Errorf("file synced at sizes %v (file now %d bytes), want 3 fsyncs, the last of the whole file", sizes, final)
	}
	j.Close()
	j2, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	for i := range k {
		if _, ok, _ := j2.Lookup(syncEntry(fmt.Sprint("b", i), "").Key()); !ok {
			t.Errorf("record b%d lost", i)
		}
	}
}

// TestJournalGroupCommitFails: when a group's fsync fails, every Record of
// the group fails, and so does every later one.
func TestJournalGroupCommitFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	errDisk := errors.New("input/output error")
	var mu sync.Mutex
	fail := false
	j, err := openFile(path, func(f *os.File) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errDisk
		}
		return f.Sync()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	mu.Lock()
	fail = true
	mu.Unlock()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Record(syncEntry(fmt.Sprint("g", i), StatePending)); !errors.Is(err, errDisk) {
				t.Errorf("Record: got %v, want the fsync's error", err)
			}
		}()
	}
	wg.Wait()
	if err := j.Record(syncEntry("later", StatePending)); !errors.Is(err, errDisk) {
		t.Errorf("a later Record: got %v", err)
	}
	if _, ok, _ := j.Lookup(syncEntry("g0", "").Key()); ok {
		t.Error("an entry whose fsync failed is known")
	}
}
