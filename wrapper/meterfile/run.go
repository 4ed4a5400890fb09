package meterfile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/exopartner/exopartner/wrapper"
)

// Outcome is what [Run] did with a transaction.
type Outcome string

// The outcomes of a transaction in one run.
const (
	// OutcomeApplied: sent in this run and acknowledged by the API.
	OutcomeApplied Outcome = "applied"
	// OutcomeSkipped: applied by an earlier run; not sent.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeUnknown: sent in this run; it may or may not have been applied.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeRefused: an earlier run sent it without learning the outcome;
	// not sent again because [Options.ResendUnknown] is not set.
	OutcomeRefused Outcome = "refused"
	// OutcomeMarked: an earlier run sent it without learning the outcome;
	// reconciliation showed it applied ([Options.MarkApplied]), and it is
	// now journaled as applied without being sent.
	OutcomeMarked Outcome = "marked-applied"
	// OutcomeFailed: sent in this run and refused by the API, or not sent
	// at all: certainly not applied; a rerun sends it again.
	OutcomeFailed Outcome = "failed"
)

// NeedsReconciliation reports whether a person must look at the
// transaction: unknown, refused and failed.
func (o Outcome) NeedsReconciliation() bool {
	return o == OutcomeUnknown || o == OutcomeRefused || o == OutcomeFailed
}

// ErrUnknownNotResent is the error of a [Result] whose outcome is
// [OutcomeRefused].
var ErrUnknownNotResent = errors.New("an earlier run sent it and its outcome is unknown: " +
	"check the organization's usage, and resend it only if it was not applied")

// ErrCannotMark is matched by the error of [Run] when [Options.MarkApplied]
// names a transaction that is not awaiting reconciliation. Nothing is
// journaled or sent then.
var ErrCannotMark = errors.New("cannot mark applied")

// Result is the outcome of one transaction.
type Result struct {
	Transaction Transaction
	ID          string // Transaction.ID()
	Outcome     Outcome
	Err         error // why, for unknown, refused and failed
}

// Report is what one [Run] did, one result per transaction it reached, in
// order.
type Report struct {
	Results []Result
}

// Reconcile returns the results that are neither applied nor skipped: the
// transactions a person must look at.
func (r Report) Reconcile() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Outcome.NeedsReconciliation() {
			out = append(out, res)
		}
	}
	return out
}

// DefaultConcurrency is the CLI's number of transactions in flight; see
// [Options.Concurrency].
const DefaultConcurrency = 8

// Options tune [Run].
type Options struct {
	// ResendUnknown sends again the transactions whose earlier request left
	// without a known outcome. Set it only once reconciliation has shown
	// that they were not applied: otherwise they are billed twice.
	ResendUnknown bool
	// MarkApplied lists transactions (by [Transaction.ID]) that an earlier
	// run sent without learning the outcome and that reconciliation showed
	// applied: they are journaled as applied and never sent again. Each must
	// be a transaction of the run in state sent or unknown.
	MarkApplied []string
	// Concurrency is how many transactions are in flight at once, at most
	// (values below 1 mean 1: one after the other, in order). The CLI's
	// default is 8. The rules hold per transaction whatever it is; a 429
	// pauses every request of the client, so a throttled API is not
	// pressed harder.
	Concurrency int
	// Progress, when set, is called with each result as it is decided: in
	// the order of the transactions with a Concurrency of 1, in completion
	// order otherwise. It is never called concurrently.
	Progress func(Result)
}

// Run sends each transaction at most once across runs sharing the journal,
// at most [Options.Concurrency] at a time: see the package documentation
// for the rules, which hold for each transaction whatever the concurrency.
// Before anything is sent or journaled, it looks every transaction up: when
// a batch already sent (applied, sent or unknown) comes back with other
// rows, it returns a [LineErrors] (column batch, matching
// [wrapper.ErrInvalidInput]) and sends nothing. Then every new transaction
// is journaled as pending, in one Record, and each transaction is claimed
// ([Journal]'s Claim) and judged again from what the claim found, so that
// two runs sharing a journal never send the same transaction: one that
// another run holds is taken up after the others, once that run is done
// with it (it is then skipped when that run applied it).
//
// It returns an error, with the results decided so far, when the journal
// fails (nothing more is sent: the journal could not vouch for it; the
// requests in flight finish and their outcomes are recorded) or ctx is
// done (nothing more is sent; the requests in flight end with ctx, and are
// journaled as what their error says: unknown when they may have been
// applied); transactions not reached stay as they were and a rerun takes
// them up. A transaction sent whose outcome the journal could not record is
// among those results, as [OutcomeUnknown]. Transactions the API refused
// or whose outcome is unknown are results, not errors: see
// [Report.Reconcile]. The results are in the order of txs.
func Run(ctx context.Context, c *wrapper.Client, j Journal, txs []Transaction, opts Options) (Report, error) {
	ids := make([]string, len(txs))
	byKey := map[Key]int{}
	for i, t := range txs {
		ids[i] = t.ID()
		k := t.Key()
		if n, dup := byKey[k]; dup {
			return Report{}, fmt.Errorf("meterfile: transactions %d and %d are the same transaction (%s)", n, i, k)
		}
		byKey[k] = i
	}
	var states []State
	var err error
	// Another run sharing the journal may record some of the same
	// transactions between the lookups and the pending records: the
	// journal then refuses the records (ErrTransition), and they are
	// looked up again.
	for attempt := 1; ; attempt++ {
		states, err = prepare(j, txs, ids, opts)
		if !errors.Is(err, ErrTransition) || attempt == 3 {
			break
		}
	}
	if err != nil {
		return Report{}, err
	}
	r := &runner{c: c, j: j, txs: txs, ids: ids, states: states, opts: opts,
		results: make([]*Result, len(txs)), mark: map[string]bool{}}
	for _, id := range opts.MarkApplied {
		r.mark[id] = true
	}
	r.run(ctx)
	var rep Report
	for _, res := range r.results {
		if res != nil {
			rep.Results = append(rep.Results, *res)
		}
	}
	if r.err != nil {
		return rep, r.err
	}
	for i, res := range r.results {
		if res == nil { // not reached: ctx ended
			return rep, fmt.Errorf("meterfile: stopped before %s:%d: %w", txs[i].File, txs[i].Line, context.Cause(ctx))
		}
	}
	return rep, nil
}

// prepare looks every transaction up and judges it, checks the marks,
// and journals the new transactions as pending, in one Record. It returns
// each transaction's state as the lookups found it.
func prepare(j Journal, txs []Transaction, ids []string, opts Options) ([]State, error) {
	states := make([]State, len(txs))
	byID := map[string]int{}
	var pending []Entry
	var bad LineErrors
	now := time.Now().UTC()
	priors, found, err := lookupAll(j, txs)
	if err != nil {
		return nil, fmt.Errorf("meterfile: journal: %w", err)
	}
	for i, t := range txs {
		byID[ids[i]] = i
		state, fresh, le := judge(t, ids[i], priors[i], found[i])
		if le != nil {
			if len(bad) < maxProblems {
				bad = append(bad, le)
			}
			continue
		}
		states[i] = state
		if fresh {
			pending = append(pending, entry(t, ids[i], StatePending, now, nil))
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	for _, id := range opts.MarkApplied {
		i, ok := byID[id]
		switch {
		case !ok:
			return nil, fmt.Errorf("meterfile: %w: %s is not a transaction of this file", ErrCannotMark, id)
		case states[i] != StateSent && states[i] != StateUnknown:
			return nil, fmt.Errorf("meterfile: %w: %s (%s:%d) is %s, not awaiting reconciliation",
				ErrCannotMark, id, txs[i].File, txs[i].Line, states[i])
		}
	}
	// Every new transaction is journaled before the first request leaves.
	if len(pending) > 0 {
		if err := j.Record(pending...); err != nil {
			return nil, fmt.Errorf("meterfile: journal: %w", err)
		}
	}
	return states, nil
}

// lookupAll looks every transaction up, at once when the journal can.
func lookupAll(j Journal, txs []Transaction) ([]Entry, []bool, error) {
	keys := make([]Key, len(txs))
	for i, t := range txs {
		keys[i] = t.Key()
	}
	if bl, ok := j.(BatchLookup); ok {
		return bl.LookupBatch(keys)
	}
	entries, found := make([]Entry, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		var err error
		if entries[i], found[i], err = j.Lookup(k); err != nil {
			return nil, nil, err
		}
	}
	return entries, found, nil
}

// runner carries the transactions out once prepare journaled them.
type runner struct {
	c      *wrapper.Client
	j      Journal
	txs    []Transaction
	ids    []string
	states []State // as prepare found them
	opts   Options
	mark   map[string]bool

	mu      sync.Mutex // guards what follows, and serialises Progress
	results []*Result  // by transaction; nil: not reached
	err     error      // the first journal failure: nothing more is sent
}

// run hands the transactions to the workers in order, then those another
// run held when their turn came, waiting for each claim this time.
func (r *runner) run(ctx context.Context) {
	all := make([]int, len(r.txs))
	for i := range all {
		all[i] = i
	}
	if held := r.pass(ctx, all, false); len(held) > 0 {
		r.pass(ctx, held, true)
	}
}

// pass carries items out with the workers, and returns those another run
// held (never with wait), in order.
func (r *runner) pass(ctx context.Context, items []int, wait bool) []int {
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []int
	for range max(1, min(r.opts.Concurrency, len(items))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if r.do(ctx, i, wait) {
					mu.Lock()
					held = append(held, i)
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range items {
		if ctx.Err() != nil || r.stopped() {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	slices.Sort(held)
	return held
}

func (r *runner) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

// fail records the first journal failure.
func (r *runner) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// report records the result of transaction i and passes it to Progress.
func (r *runner) report(i int, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[i] = &res
	if r.opts.Progress != nil {
		r.opts.Progress(res)
	}
}

// do carries transaction i out under its claim. It reports true when
// another run holds the claim (and wait is false): i is left for later.
func (r *runner) do(ctx context.Context, i int, wait bool) (held bool) {
	if ctx.Err() != nil || r.stopped() {
		return false
	}
	t, id := r.txs[i], r.ids[i]
	res := Result{Transaction: t, ID: id}
	if r.states[i] == StateApplied { // final: nothing to claim
		res.Outcome = OutcomeSkipped
		r.report(i, res)
		return false
	}
	k := t.Key()
	prior, found, err := r.j.Claim(ctx, k, wait)
	switch {
	case errors.Is(err, ErrClaimed) && !wait:
		return true
	case err != nil && ctx.Err() != nil:
		return false // not reached
	case err != nil:
		r.fail(fmt.Errorf("meterfile: journal: %w (%s:%d was not sent)", err, t.File, t.Line))
		return false
	}
	defer r.j.Release(k)
	// Judged again under the claim: another run may have moved it since
	// prepare looked it up.
	state, fresh, le := judge(t, id, prior, found)
	if le != nil {
		res.Outcome, res.Err = OutcomeFailed, le // not sent: its batch was sent meanwhile with other rows
		r.report(i, res)
		return false
	}
	if fresh { // another run's rows, never applied, replaced ours meanwhile
		if err := r.j.Record(entry(t, id, StatePending, time.Now().UTC(), nil)); err != nil {
			r.fail(fmt.Errorf("meterfile: journal: %w (%s:%d was not sent)", err, t.File, t.Line))
			return false
		}
	}
	switch {
	case state == StateApplied:
		res.Outcome = OutcomeSkipped
	case r.mark[id] && (state == StateSent || state == StateUnknown):
		e := entry(t, id, StateApplied, time.Now().UTC(), nil)
		e.Error = "marked applied after reconciliation"
		if err := r.j.Record(e); err != nil {
			r.fail(fmt.Errorf("meterfile: journal: %w", err))
			return false
		}
		res.Outcome = OutcomeMarked
	case (state == StateSent || state == StateUnknown) && !r.opts.ResendUnknown:
		res.Outcome, res.Err = OutcomeRefused, ErrUnknownNotResent
	default:
		if r.stopped() { // a journal failure since: send nothing more
			return false
		}
		var err error
		if res, err = send(ctx, r.c, r.j, t, id); err != nil {
			r.fail(err)
			if res.Outcome == "" { // not sent
				return false
			}
			// sent: a person must reconcile it
		}
	}
	r.report(i, res)
	return false
}

// send journals a transaction as sent, sends it and journals the outcome.
// Its error is a journal failure; the API's answer is in the result. When
// the outcome could not be journaled, the result is [OutcomeUnknown] (the
// journal says sent, so a rerun treats it as such) and says what the API
// answered; when the transaction was not sent, the result has no outcome.
func send(ctx context.Context, c *wrapper.Client, j Journal, t Transaction, id string) (Result, error) {
	res := Result{Transaction: t, ID: id}
	if err := j.Record(entry(t, id, StateSent, time.Now().UTC(), nil)); err != nil {
		return res, fmt.Errorf("meterfile: journal: %w (%s:%d was not sent)", err, t.File, t.Line)
	}
	err := c.ApplyMetering(ctx, t.Organization, t.Usage)
	state := StateApplied
	res.Outcome = OutcomeApplied
	switch {
	case errors.Is(err, wrapper.ErrOutcomeUnknown):
		state, res.Outcome, res.Err = StateUnknown, OutcomeUnknown, err
	case err != nil:
		state, res.Outcome, res.Err = StateFailed, OutcomeFailed, err
	}
	if jerr := j.Record(entry(t, id, state, time.Now().UTC(), err)); jerr != nil {
		answer := "it was applied"
		if err != nil {
			answer = err.Error()
		}
		res.Outcome, res.Err = OutcomeUnknown, fmt.Errorf("sent, but its outcome could not be journaled (the API answered: %s): %w", answer, jerr)
		return res, fmt.Errorf("meterfile: journal: %w (%s:%d was sent, outcome %s, not recorded: a rerun treats it as unknown)",
			jerr, t.File, t.Line, res.Outcome)
	}
	return res, nil
}

func entry(t Transaction, id string, s State, now time.Time, err error) Entry {
	e := Entry{Transaction: id, State: s, Organization: t.Organization, Batch: t.Batch, Time: now}
	if s == StatePending {
		e.Usage = make([]Usage, len(t.Usage))
		for i, u := range t.Usage {
			e.Usage[i] = Usage{Product: u.Product, Variable: u.Variable, Quantity: u.Quantity}
		}
	}
	if err != nil {
		e.Error = err.Error()
	}
	return e
}
